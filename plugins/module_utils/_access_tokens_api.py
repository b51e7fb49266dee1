# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP access tokens and their expiry policy (/rest/access-tokens/latest). FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketHTTPError

BASE_PATH = 'rest/access-tokens/latest'
POLICY_PATH = BASE_PATH + '/admin'
OWNER_TYPES = ('user', 'project', 'repository')

BEARER_REFUSED_HINT = (
    'Bitbucket refused the OAuth 2.0 access token here; an older Atlassian REST reference says OAuth 2.0 apps '
    'cannot call the access-token endpoints: try Basic auth (url_username and url_password; in '
    'playbooks/enforce_token_expiry.yml set bitbucket_username and bitbucket_password)')
NO_POLICY_ENDPOINT_HINT = (
    'this Bitbucket does not offer the token-expiry policy endpoint; it needs Bitbucket Data Center 8.3 or later')


def _segment(value):
    return quote(str(value), safe='')


def owner_path(owner_type, owner):
    """The token collection of a user slug, a project key or a PROJECT/repo pair."""
    if owner_type == 'user':
        return '%s/users/%s' % (BASE_PATH, _segment(owner))
    if owner_type == 'project':
        return '%s/projects/%s' % (BASE_PATH, _segment(owner))
    if owner_type == 'repository':
        project, repo = split_repository(owner)
        return '%s/projects/%s/repos/%s' % (BASE_PATH, _segment(project), _segment(repo))
    raise ValueError('owner_type must be one of %s' % ', '.join(OWNER_TYPES))


def split_repository(value):
    """('PROJ', 'repo') from 'PROJ/repo'; ValueError for anything else."""
    parts = str(value).split('/')
    if len(parts) != 2 or not all(parts):
        raise ValueError('%r is not PROJECT_KEY/repository_slug' % (value,))
    return parts[0], parts[1]


class AccessTokensApi:
    """The global token-expiry policy, and listing and revoking personal, project and repository tokens.

    bearer tells whether the client sends an OAuth 2.0 token, so that a 401 can say to try Basic auth.
    """

    def __init__(self, client, bearer=False):
        self.client = client
        self.bearer = bearer

    def policy(self):
        """The maximum expiry in days that the policy enforces, or None when token expiry is not required.

        docs/dev/bitbucket-api-notes.md §2.1: the endpoint is undocumented beyond maxExpiryDays; an unset policy may come
        back as 404, 204 or an empty object (or a null/absent maxExpiryDays), so all of them mean "unset".
        """
        response = self._request('GET', POLICY_PATH, allow_404=True)
        data = response.data if response.status != 404 else None
        value = data.get('maxExpiryDays') if isinstance(data, dict) else None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return None
        return value

    def set_policy(self, max_expiry_days):
        # §2.1: PUT {"maxExpiryDays": N} makes an expiry mandatory with that maximum.
        self._policy_write('PUT', json={'maxExpiryDays': max_expiry_days})

    def delete_policy(self):
        self._policy_write('DELETE')

    def _policy_write(self, method, json=None):
        try:
            self._request(method, POLICY_PATH, json=json)
        except BitbucketHTTPError as exc:
            if exc.status in (404, 405) and not exc.hint:
                raise _with_hint(exc, NO_POLICY_ENDPOINT_HINT) from None
            raise

    def tokens(self, owner_type, owner):
        """Every token of one owner, all pages (docs/dev/bitbucket-api-notes.md §2.2); None when the owner does not exist."""
        path = owner_path(owner_type, owner)
        try:
            return list(self.client.paged(path))
        except BitbucketHTTPError as exc:
            if exc.status == 404:
                return None
            raise self._explained(exc) from None

    def token(self, owner_type, owner, token_id):
        """One token, or None when it (or its owner) does not exist."""
        path = '%s/%s' % (owner_path(owner_type, owner), _segment(token_id))
        response = self._request('GET', path, allow_404=True)
        return response.data if response.status != 404 else None

    def revoke(self, owner_type, owner, token_id):
        """Delete a token (204); False when it was already gone (404)."""
        path = '%s/%s' % (owner_path(owner_type, owner), _segment(token_id))
        return self._request('DELETE', path, allow_404=True).status != 404

    def _request(self, method, path, **kwargs):
        try:
            return self.client.request(method, path, **kwargs)
        except BitbucketHTTPError as exc:
            raise self._explained(exc) from None

    def _explained(self, exc):
        """A 401 answered to a bearer token, with the advice to try Basic auth; other errors unchanged."""
        if self.bearer and exc.status == 401 and not exc.hint:
            return _with_hint(exc, BEARER_REFUSED_HINT)
        return exc


def _with_hint(exc, hint):
    return BitbucketHTTPError(exc.status, exc.method, exc.path, messages=exc.messages, error_code=exc.error_code,
                              hint=hint)
