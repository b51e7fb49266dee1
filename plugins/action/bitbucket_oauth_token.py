# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller-side action of dcops.bitbucket.bitbucket_oauth_token: token store and grants.

Everything runs on the controller, where the token store and the run's vault secrets are: the store is locked,
read, refreshed through the token endpoint when needed and written back before the task returns.
"""

from __future__ import annotations

import os
import time
import traceback

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.parse import urlsplit

from ansible_collections.dcops.bitbucket.plugins.module_utils._connection import (
    CONNECTION_ARGSPEC,
    LOOPBACK_HOSTS,
    check_url,
)
from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError
from ansible_collections.dcops.bitbucket.plugins.module_utils._http import HAS_REQUESTS
from ansible_collections.dcops.bitbucket.plugins.module_utils._oauth import (
    BOOTSTRAP_HINT,
    DEFAULT_REFRESH_TOKEN_LIFETIME,
    RefreshOutcomeUnknown,
    OAuthError,
    access_token_is_fresh,
    refresh_token_age_warning,
    scope_list,
    token_endpoint_from_params,
    token_endpoint_url,
)
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._controller_action import ControllerAction
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_store import (
    TokenStore,
    TokenStoreError,
    TokenStoreWriteError,
    run_vault_secrets,
)

ARGUMENT_SPEC = dict(
    url=dict(type='str', fallback=(env_fallback, ['BITBUCKET_DC_URL'])),
    platform=dict(type='str', default='datacenter', choices=['datacenter', 'cloud']),
    token_url=dict(type='str', no_log=False),
    client_id=dict(type='str', required=True),
    client_secret=dict(type='str', required=True, no_log=True),
    grant_type=dict(type='str', default='refresh_token',
                    choices=['refresh_token', 'authorization_code', 'client_credentials']),
    code=dict(type='str', no_log=True),
    code_verifier=dict(type='str', no_log=True),
    redirect_uri=dict(type='str'),
    scope=dict(type='list', elements='str'),
    refresh_token=dict(type='str', no_log=True),
    refresh_token_issued_at=dict(type='int', no_log=False),
    refresh_token_lifetime=dict(type='int', default=DEFAULT_REFRESH_TOKEN_LIFETIME, no_log=False),
    access_token=dict(type='str', no_log=True),
    expires_at=dict(type='int'),
    min_validity=dict(type='int', default=300),
    token_store=dict(type='path', no_log=False),
    token_store_vault_id=dict(type='str', no_log=False),
    force=dict(type='bool', default=False),
    validate_certs=dict(CONNECTION_ARGSPEC['validate_certs']),
    ca_path=dict(CONNECTION_ARGSPEC['ca_path']),
    timeout=dict(CONNECTION_ARGSPEC['timeout']),
)
# Connection options of the action group that token requests have no use for: dropped, so that module_defaults for
# group/dcops.bitbucket.bitbucket (which set them for the REST API modules) apply to this module too.
GROUP_OPTIONS_NOT_USED = ('url_username', 'url_password', 'retries')
MUTUALLY_EXCLUSIVE = [('token_store', 'refresh_token'), ('token_store', 'refresh_token_issued_at')]
REQUIRED_IF = [
    ('platform', 'datacenter', ('url',)),
    ('grant_type', 'authorization_code', ('code',)),
    ('grant_type', 'refresh_token', ('refresh_token', 'token_store'), True),
]
# The store holds these next to the tokens, so that a refresh needs nothing but the client secret.
IDENTITY_FIELDS = ('url', 'client_id')
PREFLIGHT_TOKENS = {'access_token': 'preflight', 'expires_at': 0, 'token_type': 'bearer', 'scope': []}


class TokenRequestFailed(Exception):
    """The task fails with this message (never a secret); extra holds further safe return values."""

    def __init__(self, message, **extra):
        self.extra = extra
        super().__init__(message)


def check_options(params):
    """Checks the argument spec cannot express; returns warnings, raises TokenRequestFailed naming the option."""
    for name, lowest in (('min_validity', 0), ('refresh_token_lifetime', 1), ('timeout', 1)):
        if params[name] < lowest:
            raise TokenRequestFailed('%s must be at least %d' % (name, lowest))
    if params['platform'] == 'datacenter' and not params.get('url'):
        raise TokenRequestFailed('url is required with platform=datacenter')
    warnings = []
    problems = check_url(params['url']) if params.get('url') else []
    if problems:
        raise TokenRequestFailed('; '.join(problems))
    if params['token_url']:
        parts = urlsplit(params['token_url'])
        if parts.scheme not in ('http', 'https') or not parts.hostname:
            raise TokenRequestFailed('token_url must be an absolute http:// or https:// URL')
    if params['grant_type'] == 'authorization_code' and params['platform'] == 'datacenter' \
            and not params['redirect_uri']:
        raise TokenRequestFailed('redirect_uri is required for grant_type=authorization_code on Data Center: it must '
                                 'be the redirect URL of the application link, as sent in the authorization request')
    if params['force'] and not (params['grant_type'] == 'authorization_code' and params['token_store']):
        raise TokenRequestFailed('force only applies to grant_type=authorization_code with token_store')
    endpoint = urlsplit(token_endpoint_url(params['platform'], params.get('url'), params['token_url']))
    if endpoint.scheme == 'http' and endpoint.hostname not in LOOPBACK_HOSTS:
        warnings.append('the token endpoint uses plain http:// to %s: the client secret and the tokens travel '
                        'unencrypted; use https://' % endpoint.hostname)
    return warnings


def token_result(tokens, now, refreshed):
    """The documented return values for a token (fresh from the endpoint or reused)."""
    return {
        'changed': refreshed,
        'refreshed': refreshed,
        'access_token': tokens['access_token'],
        'token_type': tokens.get('token_type') or 'bearer',
        'expires_at': int(tokens['expires_at']),
        'expires_in': max(int(tokens['expires_at']) - int(now), 0),
        'scope': scope_list(tokens.get('scope')),
    }


def merge_refresh_token(old_token, old_issued_at, tokens, now):
    """(refresh_token, issued_at) after a grant: a response without a refresh token keeps the old one."""
    new_token = tokens.get('refresh_token')
    if not new_token or new_token == old_token:
        return old_token, old_issued_at
    return new_token, int(now)


class TokenRun:
    """One execution of bitbucket_oauth_token with validated options."""

    def __init__(self, params, vault_secrets=None, clock=time.time):
        self.params = params
        self.vault_secrets = vault_secrets
        self.clock = clock
        self.warnings = []
        self._issued_at = None

    def run(self):
        if self.params['token_store']:
            result = self._with_store()
        else:
            result = self._without_store()
        warning = refresh_token_age_warning(self._issued_at, self.params['refresh_token_lifetime'], self.clock())
        if warning:
            self.warnings.append(warning)
        return result

    def _grant(self, refresh_token=None, redirect_uri=None):
        params = self.params
        grant_type = params['grant_type']
        endpoint = token_endpoint_from_params(params, clock=self.clock)
        if grant_type == 'authorization_code':
            tokens = endpoint.authorization_code(params['code'], params['redirect_uri'], params['code_verifier'])
        elif grant_type == 'client_credentials':
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
        store = TokenStore(params['token_store'], self.vault_secrets, params['token_store_vault_id'],
                           lock_timeout=params['timeout'] + 60)
        creating = params['grant_type'] == 'authorization_code'
        if creating:
            store.refuse_replacing(params['force'])
        with store.locked():
            if creating:
                store.refuse_replacing(params['force'])
            data = None if creating else store.read()
            if data is None and params['grant_type'] == 'refresh_token':
                raise TokenRequestFailed('token_store %s does not exist: %s.' % (store.path, BOOTSTRAP_HINT))
            if data is not None:
                self._check_identity(store, data)
                self._issued_at = data['refresh_token_issued_at']
                now = self.clock()
                if access_token_is_fresh(data['access_token'], data['expires_at'], params['min_validity'], now):
                    return token_result(data, now, refreshed=False)
            store.preflight(data or self._new_store_content({}, PREFLIGHT_TOKENS))
            tokens = self._store_grant(store, data or {})
            new = self._new_store_content(data or {}, tokens)
            self._issued_at = new['refresh_token_issued_at']
            try:
                store.write(new)
            except TokenStoreWriteError as exc:
                raise TokenRequestFailed(str(exc), recovery_file=exc.recovery_path)
            return token_result(new, self.clock(), refreshed=True)

    def _store_grant(self, store, data):
        params = self.params
        if params['grant_type'] != 'refresh_token':
            return self._grant()
        if not data.get('refresh_token'):
            raise TokenRequestFailed('token_store %s holds no refresh token: %s.' % (store.path, BOOTSTRAP_HINT))
        try:
            return self._grant(data['refresh_token'], params['redirect_uri'] or data.get('redirect_uri'))
        except RefreshOutcomeUnknown as exc:
            raise TokenRequestFailed(
                '%s The token store %s was not changed and still holds the refresh token that was sent. Run the task '
                'again: if Bitbucket did not take the refresh, it succeeds; if it then fails with invalid_grant, the '
                'refresh token was consumed, and you must %s.' % (exc, store.path, BOOTSTRAP_HINT))
        except OAuthError as exc:
            raise TokenRequestFailed('%s The token store %s was left as it was.' % (exc, store.path))

    def _new_store_content(self, data, tokens):
        params = self.params
        refresh_token, issued_at = merge_refresh_token(data.get('refresh_token'), data.get('refresh_token_issued_at'),
                                                       tokens, self.clock())
        return {
            'url': params['url'] or data.get('url'),
            'client_id': params['client_id'],
            'redirect_uri': params['redirect_uri'] or data.get('redirect_uri'),
            'refresh_token': refresh_token,
            'refresh_token_issued_at': issued_at,
            'access_token': tokens['access_token'],
            'expires_at': tokens['expires_at'],
            'token_type': tokens['token_type'],
            'scope': tokens['scope'],
        }

    def _check_identity(self, store, data):
        given = {'url': _normal_url(self.params['url']), 'client_id': self.params['client_id']}
        stored = {'url': _normal_url(data.get('url')), 'client_id': data.get('client_id')}
        for name in IDENTITY_FIELDS:
            if given[name] and stored[name] and given[name] != stored[name]:
                raise TokenRequestFailed(
                    'token_store %s belongs to %s %s, not to the %s given to this task (%s); refusing to use it. Point '
                    'token_store at the store of this instance and client, or create one with '
                    'ansible-playbook dcops.bitbucket.bootstrap_oauth.' % (store.path, name, stored[name], name, given[name]))


def _normal_url(url):
    return url.rstrip('/') if url else url


def execute(params, vault_secrets, clock=time.time):
    """The task result for validated options. Failures carry a message that never holds a secret."""
    run = TokenRun(params, vault_secrets=vault_secrets, clock=clock)
    result = {}
    try:
        run.warnings.extend(check_options(params))
        result.update(run.run())
    except TokenRequestFailed as exc:
        result.update(exc.extra, failed=True, msg=str(exc))
    except (BitbucketError, TokenStoreError) as exc:
        result.update(failed=True, msg=str(exc))
    except Exception as exc:  # pylint: disable=broad-except; its text could hold a token, so only where it happened
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        result.update(failed=True, msg='unexpected %s in bitbucket_oauth_token (%s line %d); its text is not shown, '
                                       'since it could hold a token. If a refresh was made, the token store may not '
                                       'hold its result.' % (type(exc).__name__, os.path.basename(frame.filename),
                                                             frame.lineno))
    if run.warnings:
        result['warnings'] = run.warnings
    if result.get('access_token'):
        # The result holds tokens: callbacks show it censored at any verbosity; register still gets it.
        result['_ansible_no_log'] = True
    return result


class ActionModule(ControllerAction):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        self._task.args = {name: value for name, value in self._task.args.items()
                           if name not in GROUP_OPTIONS_NOT_USED}
        params, problem = self.validated_params(ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE,
                                                required_if=REQUIRED_IF)
        if problem:
            return dict(result, failed=True, msg=problem)
        if not HAS_REQUESTS:
            return dict(result, failed=True, msg='the Python library requests is required on the controller by '
                                                 'bitbucket_oauth_token (pip install requests)')
        outcome = execute(params, run_vault_secrets(self._loader))
        warnings = result.get('warnings', []) + outcome.pop('warnings', [])
        result.update(outcome)
        if warnings:
            result['warnings'] = warnings
        return result
