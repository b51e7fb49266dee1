# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One run of bitbucket_oauth_token: reuse, refresh or obtain a token, with or without a token store.

FOR INTERNAL COLLECTION USE ONLY. The session talks to the store through the TokenStore interface only: it locks
it, reads it, refreshes through the token endpoint when needed and writes the result back before returning.
"""

from __future__ import annotations

import os
import time
import traceback

from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError
from ansible_collections.dcops.bitbucket.plugins.module_utils._oauth import (
    BOOTSTRAP_HINT,
    OAuthError,
    RefreshOutcomeUnknown,
    access_token_is_fresh,
    refresh_token_age_warning,
    token_endpoint_from_params,
)
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_store import TokenStoreWriteError, open_token_store
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_values import (
    merge_refresh_token,
    store_content,
    token_result,
)

# The store holds these next to the tokens, so that a refresh needs nothing but the client secret.
IDENTITY_FIELDS = ('url', 'client_id')


class TokenRequestFailed(BitbucketError):
    """The task fails with this message (never a secret); extra holds further safe return values."""

    def __init__(self, message, **extra):
        self.extra = extra
        super().__init__(message)


class TokenSession:
    """One execution of bitbucket_oauth_token with validated options."""

    def __init__(self, params, vault_secrets=None, clock=time.time):
        self.params = params
        self.vault_secrets = vault_secrets
        self.clock = clock
        self.warnings = []
        self._issued_at = None

    def run(self):
        result = self._with_store() if self.params['token_store'] else self._without_store()
        warning = refresh_token_age_warning(self._issued_at, self.params['refresh_token_lifetime'], self.clock())
        if warning:
            self.warnings.append(warning)
        return result

    def _grant(self, refresh_token=None, redirect_uri=None):
        params = self.params
        endpoint = token_endpoint_from_params(params, clock=self.clock)
        if params['grant_type'] == 'authorization_code':
            tokens = endpoint.authorization_code(params['code'], params['redirect_uri'], params['code_verifier'])
        elif params['grant_type'] == 'client_credentials':
            tokens = endpoint.client_credentials(params['scope'])
        else:
            tokens = endpoint.refresh(refresh_token, redirect_uri, params['scope'])
        if params['min_validity'] >= tokens['expires_in']:
            self.warnings.append('min_validity (%d seconds) is not shorter than the lifetime of the access tokens '
                                 'Bitbucket issues (%d seconds), so every run will obtain a new one; lower it'
                                 % (params['min_validity'], tokens['expires_in']))
        return tokens

    def _without_store(self):
        params = self.params
        self._issued_at = params['refresh_token_issued_at']
        now = self.clock()
        if params['grant_type'] != 'authorization_code' and access_token_is_fresh(
                params['access_token'], params['expires_at'], params['min_validity'], now):
            result = token_result(dict(access_token=params['access_token'], expires_at=params['expires_at']),
                                  now, refreshed=False)
            refresh_token = params['refresh_token']
        else:
            tokens = self._grant(params['refresh_token'], params['redirect_uri'])
            refresh_token, self._issued_at = merge_refresh_token(params['refresh_token'], self._issued_at, tokens,
                                                                 self.clock())
            result = token_result(tokens, self.clock(), refreshed=True)
        if refresh_token:
            result['refresh_token'] = refresh_token
            result['refresh_token_issued_at'] = self._issued_at
        return result

    def _with_store(self):
        params = self.params
        store = open_token_store(params, self.vault_secrets, lock_timeout=params['timeout'] + 60)
        creating = params['grant_type'] == 'authorization_code'
        if creating:
            store.refuse_replacing(params['force'])
        with store.locked():
            if creating:
                store.refuse_replacing(params['force'])
            data = None if creating else store.read()
            if data is None and params['grant_type'] == 'refresh_token':
                raise TokenRequestFailed('token_store %s does not exist: %s.' % (store.location, BOOTSTRAP_HINT))
            if data is not None:
                self._check_identity(store, data)
                if self._is_fresh(data):
                    return token_result(data, self.clock(), refreshed=False)
            store.preflight()
            if params['grant_type'] == 'refresh_token':
                data, tokens = self._refresh_in_store(store, data)
                if tokens is None:
                    return token_result(data, self.clock(), refreshed=False)
            else:
                tokens = self._grant()
            new = store_content(self.params, data or {}, tokens, self.clock())
            self._issued_at = new['refresh_token_issued_at']
            try:
                if creating:
                    store.create(new, params['force'])
                else:
                    store.write(new)
            except TokenStoreWriteError as exc:
                raise TokenRequestFailed(str(exc), recovery_file=exc.recovery_path)
            return token_result(new, self.clock(), refreshed=True)

    def _is_fresh(self, data):
        self._issued_at = data['refresh_token_issued_at']
        return access_token_is_fresh(data['access_token'], data['expires_at'], self.params['min_validity'],
                                     self.clock())

    def _refresh_in_store(self, store, data):
        """(the store content the tokens follow, the tokens); tokens None: reuse the content's access token.

        On invalid_grant the store is read again: a different refresh token there means another run rotated it
        meanwhile (a copy from another machine, a lock that did not hold), and that one is used, once.
        """
        try:
            return data, self._refresh(store, data)
        except OAuthError as exc:
            if exc.error_code != 'invalid_grant':
                raise _left_as_it_was(exc, store)
            refused = exc
        current = store.reread()
        if not current or current.get('refresh_token') in (None, data['refresh_token']):
            raise _left_as_it_was(refused, store)
        self._check_identity(store, current)
        if self._is_fresh(current):
            return current, None
        try:
            return current, self._refresh(store, current)
        except OAuthError as exc:
            raise TokenRequestFailed('%s The token store %s was read again after another run had replaced its '
                                     'refresh token, and that one was refused too; the store was left as it was.'
                                     % (exc, store.location), **_error_code(exc))

    def _refresh(self, store, data):
        if not data.get('refresh_token'):
            raise TokenRequestFailed('token_store %s holds no refresh token: %s.' % (store.location, BOOTSTRAP_HINT))
        try:
            return self._grant(data['refresh_token'], self.params['redirect_uri'] or data.get('redirect_uri'))
        except RefreshOutcomeUnknown as exc:
            raise TokenRequestFailed(
                '%s The token store %s was not changed and still holds the refresh token that was sent. Run the task '
                'again: if Bitbucket did not take the refresh, it succeeds; if it then fails with invalid_grant, the '
                'refresh token was consumed, and you must %s.' % (exc, store.location, BOOTSTRAP_HINT))

    def _check_identity(self, store, data):
        given = {'url': _normal_url(self.params['url']), 'client_id': self.params['client_id']}
        stored = {'url': _normal_url(data.get('url')), 'client_id': data.get('client_id')}
        for name in IDENTITY_FIELDS:
            if given[name] and stored[name] and given[name] != stored[name]:
                raise TokenRequestFailed(
                    'token_store %s belongs to %s %s, not to the %s given to this task (%s); refusing to use it. Point '
                    'token_store at the store of this instance and client, or create one with ansible-playbook '
                    'dcops.bitbucket.bootstrap_oauth.' % (store.location, name, stored[name], name, given[name]))


def _error_code(exc):
    """The return value oauth_error: what the token endpoint answered, for callers that act on it."""
    return {'oauth_error': exc.error_code} if exc.error_code else {}


def _left_as_it_was(exc, store):
    return TokenRequestFailed('%s The token store %s was left as it was.' % (exc, store.location), **_error_code(exc))


def _normal_url(url):
    return url.rstrip('/') if url else url


def token_task(params, vault_secrets, clock=time.time):
    """The task result for options that passed the argument spec and problems(). Messages never hold a secret."""
    session = TokenSession(params, vault_secrets=vault_secrets, clock=clock)
    result = {}
    try:
        result.update(session.run())
    except TokenRequestFailed as exc:
        result.update(exc.extra, failed=True, msg=str(exc))
    except BitbucketError as exc:
        result.update(failed=True, msg=str(exc))
    except Exception as exc:  # pylint: disable=broad-except; its text could hold a token, so only where it happened
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        result.update(failed=True, msg='unexpected %s in bitbucket_oauth_token (%s line %d); its text is not shown, '
                                       'since it could hold a token. If a refresh was made, the token store may not '
                                       'hold its result.' % (type(exc).__name__, os.path.basename(frame.filename),
                                                             frame.lineno))
    if session.warnings:
        result['warnings'] = session.warnings
    if result.get('access_token'):
        # The result holds tokens: callbacks show it censored at any verbosity; register still gets it.
        result['_ansible_no_log'] = True
    return result
