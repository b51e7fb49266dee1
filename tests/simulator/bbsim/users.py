"""Users: /rest/api/latest/admin/users*, /admin/user-directories and /users (docs/dev/bitbucket-api-notes.md §3.3, §3.4)."""

from . import memberships
from .levels import ADMIN, GLOBAL_PERMISSIONS, rank
from .messages import ApiError, Response, require_field, require_param
from .routing import route
from .views import detailed_user_view, group_view, matches, user_matches, user_view

ADMIN_USERS = '/rest/api/{v}/admin/users'


def _flag(request, name, default):
    value = request.param(name)
    return default if value is None else value.lower() != 'false'


def _outranked(call, user, status):
    """Nobody may act on a user with a higher permission level (401 or 403 depending on the resource)."""
    if call.state.level_of(user) > call.caller_level():
        raise ApiError(status, 'You cannot modify %s: that user has a higher permission level than you.' % user.name)


def _mutable_details(user):
    if not user.mutable_details:
        raise ApiError(400, "User %s cannot be changed: the directory '%s' is read-only." % (user.name, user.directory),
                       context='name')


def _target(call, name, status=401):
    user = call.state.get_user(name)
    _outranked(call, user, status)
    _mutable_details(user)
    return user


def list_users(call):
    wanted = call.request.param('filter')
    users = call.state.sorted_users()
    if wanted:
        users = [u for u in users if user_matches(u, wanted)]
    view = user_view if call.state.config['user_fields'] == 'minimal' else detailed_user_view
    return call.page(users, lambda user: view(user, call.base_url))


def create_user(call):
    """Query parameters only, no body; answers 204 (api.md §3.3, §3.8)."""
    request, state = call.request, call.state
    name = require_param(request, 'name')
    display_name = require_param(request, 'displayName')
    email = require_param(request, 'emailAddress')
    notify = _flag(request, 'notify', False)
    password = request.param('password')
    if not password and not notify:
        raise ApiError(400, 'A password is required unless notify is set.', context='password')
    if state.find_user(name):
        raise ApiError(409, 'A user with the name %s already exists.' % name, context='name',
                       exception_name='com.atlassian.bitbucket.user.DuplicateUserException')
    user = state.add_user(name, display_name, email, password or None)
    default_group = state.find_group(state.config['default_group'])
    if _flag(request, 'addToDefaultGroup', True) and default_group is not None:
        default_group.members.add(user.id)
    return Response.empty()


def update_user(call):
    """JSON {name, displayName, email}: the key is ``email``; ``emailAddress`` is ignored (api.md §3.3)."""
    data = call.request.json_object()
    user = _target(call, require_field(data, 'name'))
    if data.get('displayName'):
        user.display_name = data['displayName']
    if data.get('email'):
        user.email = data['email']
    return Response.json(detailed_user_view(user, call.base_url))


def delete_user(call):
    state = call.state
    user = state.get_user(require_param(call.request, 'name'))
    if call.caller is user:
        raise ApiError(409, 'You cannot delete yourself.', context='name')
    _outranked(call, user, 403)
    _mutable_details(user)
    view = detailed_user_view(user, call.base_url)
    state.remove_user(user)
    return Response.json(view)


def set_credentials(call):
    data = call.request.json_object()
    user = _target(call, require_field(data, 'name'))
    password = require_field(data, 'password')
    if data.get('passwordConfirm') != password:
        raise ApiError(400, 'The password and its confirmation do not match.', context='passwordConfirm')
    user.password = password
    return Response.empty()


def rename_user(call):
    data = call.request.json_object()
    user = _target(call, require_field(data, 'name'))
    new_name = require_field(data, 'newName')
    other = call.state.find_user(new_name)
    if other is not None and other is not user:
        raise ApiError(400, 'A user with the name %s already exists.' % new_name, context='newName')
    user.name = new_name
    return Response.json(detailed_user_view(user, call.base_url))


def clear_captcha(call):
    user = call.state.get_user(require_param(call.request, 'name'))
    _outranked(call, user, 403)
    call.state.captcha.discard(user.id)
    return Response.empty()


def groups_of_user(call):
    """more-members with context=<user>: the user's groups (api.md §3.4: the spec's description is wrong)."""
    user = call.state.get_user(require_param(call.request, 'context'), context='context')
    wanted = call.request.param('filter')
    return call.page([group_view(g) for g in call.state.groups_of(user) if matches(wanted, g.name)])


def groups_not_of_user(call):
    user = call.state.get_user(require_param(call.request, 'context'), context='context')
    wanted = call.request.param('filter')
    groups = [g for g in call.state.sorted_groups() if user.id not in g.members and matches(wanted, g.name)]
    return call.page([group_view(group) for group in groups])


def add_user_to_groups(call):
    data = call.request.json_object()
    user = call.state.get_user(require_field(data, 'user'), context='user')
    names = require_field(data, 'groups', list)
    groups = [call.state.get_group(name, context='groups') for name in names]
    for group in groups:
        memberships.add(call, group, [user])
    return Response(200)


def add_user_to_group(call):
    """Deprecated since 2.10: {"context": <user>, "itemName": <group>}."""
    data = call.request.json_object()
    user = call.state.get_user(require_field(data, 'context'), context='context')
    memberships.add(call, call.state.get_group(require_field(data, 'itemName'), context='itemName'), [user])
    return Response(200)


def remove_user_from_group(call):
    """{"context": <user>, "itemName": <group>}."""
    data = call.request.json_object()
    user = call.state.get_user(require_field(data, 'context'), context='context')
    memberships.remove(call, call.state.get_group(require_field(data, 'itemName'), context='itemName'), user)
    return Response(200)


def user_directories(call):
    directories = [{'name': name, 'type': details['type'], 'description': details['description'], 'active': True}
                   for name, details in sorted(call.state.directories.items())]
    return Response.json(directories)


def get_user(call):
    user = call.state.find_user_by_slug(call.request.path_args['slug'])
    if user is None:
        raise ApiError(404, 'User %s does not exist.' % call.request.path_args['slug'])
    return Response.json(user_view(user, call.base_url))


def search_users(call):
    """GET /users?filter=&group=&permission= (global permissions only)."""
    request, state = call.request, call.state
    users = [u for u in state.sorted_users() if user_matches(u, request.param('filter'))]
    if request.param('group'):
        group = state.find_group(request.param('group'))
        users = [u for u in users if group is not None and u.id in group.members]
    if request.param('permission'):
        level = rank(request.param('permission')) if request.param('permission') in GLOBAL_PERMISSIONS else None
        if level is None:
            raise ApiError(400, 'Only global permission filters are supported.', context='permission')
        users = [u for u in users if state.level_of(u) >= level]
    return call.page([user_view(user, call.base_url) for user in users])


ROUTES = [
    route('GET', ADMIN_USERS, list_users, 'users'),
    route('POST', ADMIN_USERS, create_user, 'users', level=ADMIN),
    route('PUT', ADMIN_USERS, update_user, 'users', level=ADMIN),
    route('DELETE', ADMIN_USERS, delete_user, 'users', level=ADMIN),
    route('PUT', ADMIN_USERS + '/credentials', set_credentials, 'users', level=ADMIN),
    route('POST', ADMIN_USERS + '/rename', rename_user, 'users', level=ADMIN),
    route('DELETE', ADMIN_USERS + '/captcha', clear_captcha, 'users', level=ADMIN),
    route('GET', ADMIN_USERS + '/more-members', groups_of_user, 'users'),
    route('GET', ADMIN_USERS + '/more-non-members', groups_not_of_user, 'users'),
    route('POST', ADMIN_USERS + '/add-groups', add_user_to_groups, 'users', level=ADMIN),
    route('POST', ADMIN_USERS + '/add-group', add_user_to_group, 'users', level=ADMIN),
    route('POST', ADMIN_USERS + '/remove-group', remove_user_from_group, 'users', level=ADMIN),
    route('GET', '/rest/api/{v}/admin/user-directories', user_directories, 'users', level=ADMIN),
    route('GET', '/rest/api/{v}/users', search_users, 'users'),
    route('GET', '/rest/api/{v}/users/<slug>', get_user, 'users'),
]
