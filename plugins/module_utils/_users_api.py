# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Users and their group memberships (/admin/users). FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

USERS_PATH = 'rest/api/latest/admin/users'
CREDENTIALS_PATH = USERS_PATH + '/credentials'
RENAME_PATH = USERS_PATH + '/rename'
USER_GROUPS_PATH = USERS_PATH + '/more-members'
ADD_GROUPS_PATH = USERS_PATH + '/add-groups'
REMOVE_GROUP_PATH = USERS_PATH + '/remove-group'
PROPERTIES_PATH = 'rest/api/latest/application-properties'


class UsersApi:
    """Thin client for user administration; every method is one Bitbucket operation (or one paged listing)."""

    def __init__(self, client):
        self.client = client

    def all(self, filter=None):
        """{user name: RestDetailedUser} for every user (or those whose name, display name or e-mail address holds
        filter), read page by page."""
        params = {'filter': filter} if filter else None
        return dict((user['name'], user) for user in self.client.paged(USERS_PATH, params=params) if user.get('name'))

    def pages(self):
        """Every user, a page (one request) at a time: lists of RestDetailedUser, each name once."""
        seen = set()
        for page in self.client.pages(USERS_PATH):
            fresh = [user for user in page if user.get('name') and user['name'] not in seen]
            seen.update(user['name'] for user in fresh)
            yield fresh

    def find(self, name):
        """The RestDetailedUser named name (case-insensitively, as Bitbucket compares names), or None.

        The filter also matches display names and e-mail addresses, so the name is compared here.
        """
        for user in self.client.paged(USERS_PATH, params={'filter': name}):
            if (user.get('name') or '').lower() == name.lower():
                return user
        return None

    def create(self, name, display_name, email, password=None, add_to_default_group=True, notify=False):
        """Create a user. The API takes only query parameters, so pass a throw-away password here, never the real one.

        docs/dev/bitbucket-api-notes.md §3.3: answers 204 without a body; 409 when the name is taken.
        """
        params = [('name', name), ('displayName', display_name), ('emailAddress', email),
                  ('addToDefaultGroup', _flag(add_to_default_group))]
        if notify:
            params.append(('notify', 'true'))
        else:
            params.append(('password', password))
        self.client.post(USERS_PATH, params=params)

    def update(self, name, display_name=None, email=None):
        """Change the display name and/or e-mail address; returns the updated RestDetailedUser."""
        body = {'name': name}
        if display_name is not None:
            body['displayName'] = display_name
        if email is not None:
            # docs/dev/bitbucket-api-notes.md §3.3: the update body key is "email", not "emailAddress".
            body['email'] = email
        return self.client.put(USERS_PATH, json=body)

    def set_password(self, name, password):
        """Set a password through the JSON body of the credentials endpoint (never a URL); answers 204."""
        self.client.put(CREDENTIALS_PATH, json={'name': name, 'password': password, 'passwordConfirm': password})

    def rename(self, name, new_name):
        """Rename a user; returns the renamed RestDetailedUser."""
        return self.client.post(RENAME_PATH, json={'name': name, 'newName': new_name})

    def delete(self, name):
        self.client.delete(USERS_PATH, params={'name': name})

    def groups_of(self, name):
        """Names of the groups the user belongs to."""
        # docs/dev/bitbucket-api-notes.md §3.4: context is the user name; the page holds groups despite the spec's schema.
        return sorted(g['name'] for g in self.client.paged(USER_GROUPS_PATH, params={'context': name})
                      if isinstance(g, dict) and g.get('name'))

    def add_groups(self, name, groups):
        self.client.post(ADD_GROUPS_PATH, json={'user': name, 'groups': list(groups)})

    def remove_group(self, name, group):
        self.client.post(REMOVE_GROUP_PATH, json={'context': name, 'itemName': group})

    def authenticated_user(self):
        """Name of the user the credentials authenticate as, or None.

        docs/dev/bitbucket-api-notes.md §1.9: there is no "who am I" endpoint; Bitbucket names the caller in the X-AUSERNAME
        header of its answers (a bearer token alone does not say whose it is).
        """
        return self.client.request('GET', PROPERTIES_PATH).headers.get('X-AUSERNAME')


def _flag(value):
    return 'true' if value else 'false'
