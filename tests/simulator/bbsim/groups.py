"""Groups: /rest/api/latest/admin/groups* and /groups (docs/dev/bitbucket-api-notes.md §3.4)."""

from . import memberships
from .levels import ADMIN, rank
from .messages import ApiError, Response, require_field, require_param
from .routing import route
from .views import detailed_user_view, group_view, matches, user_matches

ADMIN_GROUPS = '/rest/api/{v}/admin/groups'


def list_groups(call):
    wanted = call.request.param('filter')
    return call.page([group_view(g) for g in call.state.sorted_groups() if matches(wanted, g.name)])


def create_group(call):
    """POST ?name= answers 200 with the group (api.md §3.8), 409 when it exists."""
    name = require_param(call.request, 'name')
    if call.state.find_group(name):
        raise ApiError(409, 'A group named %s already exists.' % name, context='name',
                       exception_name='com.atlassian.bitbucket.user.DuplicateGroupException')
    return Response.json(group_view(call.state.add_group(name)))


def delete_group(call):
    """403 for a group that outranks the caller, 409 when the caller would lose its own level (api.md §3.4)."""
    state = call.state
    group = state.get_group(require_param(call.request, 'name'))
    if rank(group.permission) > call.caller_level():
        raise ApiError(403, 'The group %s has a higher permission level than you.' % group.name)
    caller = call.caller
    if caller is not None and state.level_of(caller, group_overrides={group.name.lower(): None}) < state.level_of(caller):
        raise ApiError(409, 'Deleting the group %s would lower your own permission level.' % group.name)
    del state.groups[group.name.lower()]
    return Response.json(group_view(group))


def _members_request(call, context_field, item_field):
    data = call.request.json_object()
    group = call.state.get_group(require_field(data, context_field), context=context_field)
    user = call.state.get_user(require_field(data, item_field), context=item_field)
    return group, user


def add_users(call):
    data = call.request.json_object()
    group = call.state.get_group(require_field(data, 'group'), context='group')
    users = [call.state.get_user(name, context='users') for name in require_field(data, 'users', list)]
    memberships.add(call, group, users)
    return Response(200)


def add_user(call):
    """Deprecated since 2.10: {"context": <group>, "itemName": <user>}."""
    group, user = _members_request(call, 'context', 'itemName')
    memberships.add(call, group, [user])
    return Response(200)


def remove_user(call):
    """{"context": <group>, "itemName": <user>}."""
    group, user = _members_request(call, 'context', 'itemName')
    memberships.remove(call, group, user)
    return Response(200)


def _member_page(call, members):
    state, request = call.state, call.request
    group = state.get_group(require_param(request, 'context'), context='context')
    users = [u for u in state.sorted_users() if (u.id in group.members) == members and user_matches(u, request.param('filter'))]
    return call.page([detailed_user_view(user, call.base_url) for user in users])


def group_members(call):
    return _member_page(call, members=True)


def group_non_members(call):
    return _member_page(call, members=False)


def group_names(call):
    wanted = call.request.param('filter')
    return call.page([g.name for g in call.state.sorted_groups() if matches(wanted, g.name)])


ROUTES = [
    route('GET', ADMIN_GROUPS, list_groups, 'groups'),
    route('POST', ADMIN_GROUPS, create_group, 'groups', level=ADMIN),
    route('DELETE', ADMIN_GROUPS, delete_group, 'groups', level=ADMIN),
    route('POST', ADMIN_GROUPS + '/add-users', add_users, 'groups', level=ADMIN),
    route('POST', ADMIN_GROUPS + '/add-user', add_user, 'groups', level=ADMIN),
    route('POST', ADMIN_GROUPS + '/remove-user', remove_user, 'groups', level=ADMIN),
    route('GET', ADMIN_GROUPS + '/more-members', group_members, 'groups'),
    route('GET', ADMIN_GROUPS + '/more-non-members', group_non_members, 'groups'),
    route('GET', '/rest/api/{v}/groups', group_names, 'groups'),
]
