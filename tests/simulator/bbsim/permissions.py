"""Global permissions of users and groups: /rest/api/latest/admin/permissions/* (docs/dev/bitbucket-api-notes.md §3.5)."""

from .levels import ADMIN, GLOBAL_PERMISSIONS, rank
from .messages import ApiError, Response, require_param
from .routing import route
from .views import group_view, matches, user_matches, user_view

BASE = '/rest/api/{v}/admin/permissions'
NOT_GRANTABLE = 'You cannot grant %s: you do not have that permission yourself.'
OUTRANKED = 'You have a lower permission level than %s.'
SELF_DEMOTION = 'This would reduce your own permission level.'


def _permission_param(call):
    permission = require_param(call.request, 'permission')
    if permission not in GLOBAL_PERMISSIONS:
        raise ApiError(400, 'Unknown global permission %s; use one of %s.' % (permission, ', '.join(GLOBAL_PERMISSIONS)),
                       context='permission')
    if rank(permission) > call.caller_level():
        raise ApiError(401, NOT_GRANTABLE % permission, exception_name='com.atlassian.bitbucket.AuthorisationException')
    return permission


def _names(call):
    names = [name for name in call.request.param_list('name') if name]
    if not names:
        raise ApiError(400, 'The name parameter is required.', context='name')
    return names


def _check_user_change(call, user, permission):
    """409 when the target outranks the caller, or when callers would lower their own level (api.md §3.5)."""
    state = call.state
    if state.level_of(user) > call.caller_level():
        raise ApiError(409, OUTRANKED % user.name)
    if user is call.caller and state.level_of(user, own=permission) < state.level_of(user):
        raise ApiError(409, SELF_DEMOTION)


def _check_group_change(call, group, permission):
    if rank(group.permission) > call.caller_level():
        raise ApiError(409, OUTRANKED % group.name)
    caller = call.caller
    if caller is not None and caller.id in group.members:
        if call.state.level_of(caller, group_overrides={group.name.lower(): permission}) < call.state.level_of(caller):
            raise ApiError(409, SELF_DEMOTION)


def list_user_permissions(call):
    """Users with a permission granted to them directly, and that permission."""
    wanted = call.request.param('filter')
    users = [u for u in call.state.sorted_users() if u.permission and user_matches(u, wanted)]
    return call.page([{'user': user_view(u, call.base_url), 'permission': u.permission} for u in users])


def users_without_permission(call):
    wanted = call.request.param('filter')
    users = [u for u in call.state.sorted_users() if not u.permission and user_matches(u, wanted)]
    return call.page([user_view(user, call.base_url) for user in users])


def _apply(call, targets, check, permission):
    """Check every target first, then set (or, with None, revoke) the permission of each; 204."""
    for target in targets:
        check(call, target, permission)
    for target in targets:
        target.permission = permission
    return Response.empty()


def set_user_permission(call):
    """PUT ?name=a&name=b&permission=X sets (promotes or demotes) each user's own permission."""
    permission = _permission_param(call)
    return _apply(call, [call.state.get_user(name) for name in _names(call)], _check_user_change, permission)


def revoke_user_permission(call):
    return _apply(call, [call.state.get_user(require_param(call.request, 'name'))], _check_user_change, None)


def list_group_permissions(call):
    wanted = call.request.param('filter')
    groups = [g for g in call.state.sorted_groups() if g.permission and matches(wanted, g.name)]
    return call.page([{'group': {'name': g.name}, 'permission': g.permission} for g in groups])


def groups_without_permission(call):
    wanted = call.request.param('filter')
    return call.page([group_view(g) for g in call.state.sorted_groups() if not g.permission and matches(wanted, g.name)])


def set_group_permission(call):
    permission = _permission_param(call)
    return _apply(call, [call.state.get_group(name) for name in _names(call)], _check_group_change, permission)


def revoke_group_permission(call):
    return _apply(call, [call.state.get_group(require_param(call.request, 'name'))], _check_group_change, None)


ROUTES = [
    route('GET', BASE + '/users', list_user_permissions, 'permissions', level=ADMIN),
    route('PUT', BASE + '/users', set_user_permission, 'permissions', level=ADMIN),
    route('DELETE', BASE + '/users', revoke_user_permission, 'permissions', level=ADMIN),
    route('GET', BASE + '/users/none', users_without_permission, 'permissions', level=ADMIN),
    route('GET', BASE + '/groups', list_group_permissions, 'permissions', level=ADMIN),
    route('PUT', BASE + '/groups', set_group_permission, 'permissions', level=ADMIN),
    route('DELETE', BASE + '/groups', revoke_group_permission, 'permissions', level=ADMIN),
    route('GET', BASE + '/groups/none', groups_without_permission, 'permissions', level=ADMIN),
]
