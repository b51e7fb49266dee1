# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Global permissions of users and groups (/admin/permissions). FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

GLOBAL_PERMISSIONS = ('LICENSED_USER', 'PROJECT_CREATE', 'ADMIN', 'SYS_ADMIN')
PERMISSION_CHOICES = GLOBAL_PERMISSIONS + ('none',)
_RANK = dict((name, rank) for rank, name in enumerate(GLOBAL_PERMISSIONS, start=1))

USERS_PATH = 'rest/api/latest/admin/permissions/users'
GROUPS_PATH = 'rest/api/latest/admin/permissions/groups'


def rank(permission):
    """Order of a global permission: 0 for none, up to 4 for SYS_ADMIN."""
    return _RANK.get(permission, 0)


def highest(permissions):
    """The highest of several global permissions, or None."""
    best = None
    for permission in permissions:
        if rank(permission) > rank(best):
            best = permission
    return best


class GlobalPermissionsApi:
    """Reads and sets the global permission granted directly to users and groups."""

    def __init__(self, client):
        self.client = client

    def users(self, filter=None):
        """{user name: permission} for every user granted a global permission directly (or those matching filter)."""
        # docs/dev/bitbucket-api-notes.md §3.5: the 9.2 spec points this page at RestPermittedGroup; real pages hold "user".
        return self._listing(USERS_PATH, 'user', filter)

    def groups(self, filter=None):
        """{group name: permission} for every group granted a global permission (or those matching filter)."""
        return self._listing(GROUPS_PATH, 'group', filter)

    def set_user(self, names, permission):
        # PUT sets the level (promotes or demotes) and answers 204 (§3.5).
        self.client.put(USERS_PATH, params=[('name', n) for n in _as_list(names)] + [('permission', permission)])

    def revoke_user(self, name):
        self.client.delete(USERS_PATH, params={'name': name})

    def set_group(self, names, permission):
        self.client.put(GROUPS_PATH, params=[('name', n) for n in _as_list(names)] + [('permission', permission)])

    def revoke_group(self, name):
        self.client.delete(GROUPS_PATH, params={'name': name})

    def _listing(self, path, kind, filter=None):
        granted = {}
        for entry in self.client.paged(path, params={'filter': filter} if filter else None):
            subject = entry.get(kind) or {}
            name = subject.get('name') if isinstance(subject, dict) else subject
            if name:
                granted[name] = entry.get('permission')
        return granted


def _as_list(names):
    return [names] if isinstance(names, str) else list(names)
