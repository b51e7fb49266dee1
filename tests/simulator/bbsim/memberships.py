"""Group membership changes shared by the /admin/users and /admin/groups resources (api.md §3.4)."""

from .levels import rank
from .messages import ApiError


def check_change(call, group, user):
    """403 when the group outranks the caller, or the user's groups live in a read-only directory."""
    if rank(group.permission) > call.caller_level():
        raise ApiError(403, 'The group %s has a higher permission level than you; you cannot change its members.'
                       % group.name)
    if not user.mutable_groups:
        raise ApiError(403, "The groups of user %s cannot be changed: the directory '%s' is read-only."
                       % (user.name, user.directory))


def add(call, group, users):
    for user in users:
        check_change(call, group, user)
    group.members.update(user.id for user in users)


def remove(call, group, user):
    check_change(call, group, user)
    group.members.discard(user.id)
