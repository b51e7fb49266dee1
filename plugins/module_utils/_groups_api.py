# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Groups and group membership (/admin/groups). FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

GROUPS_PATH = 'rest/api/latest/admin/groups'
MEMBERS_PATH = 'rest/api/latest/admin/groups/more-members'
ADD_USERS_PATH = 'rest/api/latest/admin/groups/add-users'
REMOVE_USER_PATH = 'rest/api/latest/admin/groups/remove-user'


class GroupsApi:
    """Lists, creates and deletes groups and changes their members."""

    def __init__(self, client):
        self.client = client

    def names(self, filter=None):
        """Names of every group, or of those matching filter (a substring match on Bitbucket's side)."""
        params = {'filter': filter} if filter else None
        return [g.get('name') for g in self.client.paged(GROUPS_PATH, params=params) if g.get('name')]

    def create(self, name):
        # docs/dev/bitbucket-api-notes.md §3.4/§3.8: the name goes in the query string and the answer is 200 with the group.
        return self.client.post(GROUPS_PATH, params={'name': name})

    def delete(self, name):
        return self.client.delete(GROUPS_PATH, params={'name': name})

    def members(self, name):
        """User names of the group's members."""
        values = self.client.paged(MEMBERS_PATH, params={'context': name})
        return [u.get('name') for u in values if u.get('name')]

    def add_members(self, name, users):
        self.client.post(ADD_USERS_PATH, json={'group': name, 'users': list(users)})

    def remove_member(self, name, user):
        # docs/dev/bitbucket-api-notes.md §3.4: here "context" is the group and "itemName" the user (the reverse of
        # /admin/users/remove-group), and the call takes one user at a time.
        self.client.post(REMOVE_USER_PATH, json={'context': name, 'itemName': user})
