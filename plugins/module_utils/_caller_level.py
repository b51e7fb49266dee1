# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The authenticated user's effective global permission, the one check of changes against it, and how group
changes would move it. FOR INTERNAL COLLECTION USE ONLY.

Bitbucket refuses changes to users and groups that hold a higher global permission than the caller, and grants of a
permission higher than the caller's (docs/dev/bitbucket-api-notes.md §3.5). Both modules check that here, before any
write. When Bitbucket does not name the caller (no X-AUSERNAME header), the checks cannot be made: the module warns
once (UNIDENTIFIED_CALLER) and leaves the refusal, if any, to Bitbucket.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dcops.bitbucket.plugins.module_utils._bulk import ItemFailure
from ansible_collections.dcops.bitbucket.plugins.module_utils._permissions_api import highest, rank

UNIDENTIFIED_CALLER = ('Bitbucket did not name the authenticated user (no X-AUSERNAME header), so changes to users '
                       'and groups with a global permission are not checked against your own permission before they '
                       'are made')
# What Bitbucket refuses, per kind of item: changing one above the caller, granting more than the caller holds.
REFUSALS = {
    'user': ('user %(name)s holds the global permission %(held)s, higher than yours (%(level)s): Bitbucket does not '
             'let you change or delete it',
             'cannot grant %(granted)s to user %(name)s: it is higher than your own global permission (%(level)s)'),
    'group': ('group %(name)s has the global permission %(held)s, higher than yours (%(level)s): Bitbucket does not '
              'let you change or delete it',
              'group %(name)s: cannot grant %(granted)s, which is higher than your own global permission (%(level)s)'),
}


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
        self.warnings = []

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

    def identified(self):
        """load(); when Bitbucket does not name the caller, False and (once) the UNIDENTIFIED_CALLER warning."""
        if self.load():
            return True
        if UNIDENTIFIED_CALLER not in self.warnings:
            self.warnings.append(UNIDENTIFIED_CALLER)
        return False

    def check(self, kind, name, held, granted):
        """Fail the item (ItemFailure) when it holds, or would be granted, more than the caller's level.

        kind: 'user' or 'group'; held, granted: global permissions (None or 'none' for none). Does nothing when
        the caller is not identified (see identified()).
        """
        if not self.identified():
            return
        level = self.level()
        values = dict(name=name, held=held, granted=granted, level=level or 'none')
        if rank(held) > rank(level):
            raise ItemFailure(REFUSALS[kind][0] % values)
        if rank(granted) > rank(level):
            raise ItemFailure(REFUSALS[kind][1] % values)

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
