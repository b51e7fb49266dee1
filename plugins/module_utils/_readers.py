# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Current users and groups read from Bitbucket into normalised objects. FOR INTERNAL COLLECTION USE ONLY.

A view holds exactly the keys the `users` option of bitbucket_user (or `groups` of bitbucket_group) takes, so
what is read can be compared with, or applied back as, a desired state. What Bitbucket alone decides (the user
directory, whether the user is active or may be changed) is kept apart in `facts`.

Nothing is read that the caller did not ask for: one listing per kind (or one filtered lookup per name), the
global permissions and the per-item reads (a user's groups, a group's members) only when switched on. The per-item
reads are all made by read_each(), one request per item.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dcops.bitbucket.plugins.module_utils._caller_level import fold
from ansible_collections.dcops.bitbucket.plugins.module_utils._concurrency import bounded_map
from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError
from ansible_collections.dcops.bitbucket.plugins.module_utils._groups_api import GroupsApi
from ansible_collections.dcops.bitbucket.plugins.module_utils._permissions_api import GlobalPermissionsApi
from ansible_collections.dcops.bitbucket.plugins.module_utils._users_api import UsersApi


def shown(permission):
    """A permission as the modules show it: the option's vocabulary, 'none' for no global permission."""
    return permission or 'none'


def user_view(user, groups=None, permission=None):
    """A user (Bitbucket's RestDetailedUser) as the `users` option holds it; never a password."""
    view = {
        'name': user.get('name'),
        'display_name': user.get('displayName'),
        'email': user.get('emailAddress'),
        'state': 'present',
    }
    if groups is not None:
        view['groups'] = sorted(groups)
    if permission is not None:
        view['permission'] = permission
    return view


def user_facts(user):
    """What Bitbucket alone decides about a user: its directory, whether it is active and may be changed."""
    return {
        'directory': user.get('directoryName'),
        'active': user.get('active'),
        'mutable_details': user.get('mutableDetails'),
        'mutable_groups': user.get('mutableGroups'),
        'deletable': user.get('deletable'),
    }


def group_view(name, permission, members=None):
    """A group as the `groups` option holds it (permission as stored by Bitbucket, None for none)."""
    view = {'name': name, 'state': 'present', 'permission': shown(permission)}
    if members is not None:
        view['members'] = sorted(members, key=fold)
    return view


class Found:
    """One user or group as read: its name as Bitbucket spells it, its view, its facts.

    error: the BitbucketError of a per-item read that failed (the view then lacks that part); it concerns this
    item only.
    """

    def __init__(self, name, view, facts=None):
        self.name = name
        self.view = view
        self.facts = facts or {}
        self.error = None


def read_each(read_one, names, max_concurrency=1):
    """{name: read_one(name)} for every name; a BitbucketError is kept as that name's value.

    Every per-item read goes through here (one request, or one paged listing, per item). The reads do not depend
    on each other, so up to max_concurrency of them are under way at once (the client paces them all).
    """
    def one(name):
        try:
            return read_one(name)
        except BitbucketError as exc:
            return exc

    names = list(names)
    return dict(zip(names, bounded_map(one, names, max_concurrency)))


def _fill(found, key, read_one, normalise, client):
    """Read key of each Found with read_one (per item), or record the error of that item."""
    client.pacer.expect(len(found))
    answers = read_each(read_one, [item.name for item in found], client.max_concurrency)
    for item in found:
        answer = answers[item.name]
        if isinstance(answer, BitbucketError):
            item.error = answer
        else:
            item.view[key] = normalise(answer)


def _selected(found, names):
    """Only the named ones (names compared case-insensitively), or all when names is None."""
    if names is None:
        return found
    wanted = set(fold(name) for name in names)
    return dict((key, item) for key, item in found.items() if key in wanted)


class UserReader:
    """read() -> {fold(name): Found} of users; read_groups() adds the groups of some of them."""

    def __init__(self, client):
        self.users_api = UsersApi(client)
        self.permissions_api = GlobalPermissionsApi(client)

    def read(self, names=None, filter=None, permissions=False, groups=False):
        """Every user, those named (one lookup each), or those matching filter (name, display name or e-mail).

        permissions: add each user's own global permission ('none' when it has none), from one listing (one per
        name with names). groups: add each user's groups (one read per user).
        """
        if names is not None:
            raw = [user for user in (self.users_api.find(name) for name in names) if user]
        else:
            raw = list(self.users_api.all(filter=filter).values())
        granted = {}
        if permissions:
            for one in (names if names is not None else [filter]):
                granted.update((fold(name), level) for name, level in self.permissions_api.users(filter=one).items())
        found = {}
        for user in raw:
            permission = shown(granted.get(fold(user['name']))) if permissions else None
            found[fold(user['name'])] = Found(user['name'], user_view(user, permission=permission), user_facts(user))
        if groups:
            self.read_groups(found.values())
        return found

    def read_groups(self, found):
        """Add view['groups'] (sorted) to each Found user, one read per user."""
        _fill(list(found), 'groups', self.users_api.groups_of, sorted, self.users_api.client)

    def names(self):
        """{fold(name): name} of every user (one paged listing, nothing else)."""
        return dict((fold(name), name) for name in self.users_api.all())


class GroupReader:
    """read() -> {fold(name): Found} of groups; read_members() adds the members of some of them."""

    def __init__(self, client):
        self.groups_api = GroupsApi(client)
        self.permissions_api = GlobalPermissionsApi(client)

    def read(self, names=None, filter=None, permissions=False, members=False):
        """Every group, those named, or those matching filter (a substring of the name).

        One name is looked up with Bitbucket's filter; several are picked from the full listing.
        permissions: add each group's own global permission ('none' when it has none; a listing of its own).
        members: add each group's members (one read per group).
        """
        if names is not None and len(names) == 1:
            filter = names[0]
        found = {}
        for name in self.groups_api.names(filter=filter):
            found[fold(name)] = Found(name, {'name': name, 'state': 'present'})
        if permissions:
            granted = dict((fold(name), level) for name, level in self.permissions_api.groups(filter=filter).items())
            for key, item in found.items():
                item.view['permission'] = shown(granted.get(key))
        found = _selected(found, names)
        if members:
            self.read_members(found.values())
        return found

    def read_members(self, found):
        """Add view['members'] (sorted case-insensitively) to each Found group, one read per group."""
        _fill(list(found), 'members', self.groups_api.members, lambda members: sorted(members, key=fold),
              self.groups_api.client)
