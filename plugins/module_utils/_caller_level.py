# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The authenticated user's effective global permission, and how group changes would move it.

FOR INTERNAL COLLECTION USE ONLY.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dcops.bitbucket.plugins.module_utils._permissions_api import highest


def fold(name):
    """The comparison key of a user or group name: Bitbucket's directories treat names case-insensitively."""
    return name.lower()


class CallerLevel:
    """Effective level = the highest of the caller's own permission and those of the groups it is in (§3.5).

    Loaded on first use only (three GETs), so that a run without writes to privileged groups never reads it.
    Group changes already planned in this call are recorded with commit() so that later ones are judged on
    the state the earlier ones leave behind.
    """

    def __init__(self, users_api, perms_api, group_permissions, username=None):
        self.users_api = users_api
        self.perms_api = perms_api
        self._group_permissions = group_permissions
        self.username = username
        self.known = None
        self.own = None
        self.groups = set()
        self.permissions = {}

    def load(self):
        """Read the caller's name, own permission and groups once; known is False when the name is unknown."""
        if self.known is not None:
            return self.known
        if not self.username:
            # docs/dev/bitbucket-api-notes.md §1.9: no "who am I" endpoint; only the X-AUSERNAME answer header names a token's user.
            self.username = self.users_api.authenticated_user()
        self.known = bool(self.username)
        if self.known:
            key = fold(self.username)
            own = self.perms_api.users(filter=self.username)
            self.own = next((p for name, p in own.items() if fold(name) == key), None)
            self.groups = set(fold(g) for g in self.users_api.groups_of(self.username))
            self.permissions = dict((fold(g), p) for g, p in self._group_permissions().items())
        return self.known

    def level(self, group=None, member=None, permission=None):
        """The caller's level now, or if group (a fold()ed name) had that membership and permission."""
        groups = set(self.groups)
        permissions = dict(self.permissions)
        if group is not None:
            if member:
                groups.add(group)
            else:
                groups.discard(group)
            permissions[group] = permission
        return highest([self.own] + [permissions.get(g) for g in groups])

    def is_member(self, group):
        return group in self.groups

    def commit(self, group, member, permission):
        """Record a planned change of one group (fold()ed name) for the judgement of later ones."""
        if member:
            self.groups.add(group)
        else:
            self.groups.discard(group)
        self.permissions[group] = permission
