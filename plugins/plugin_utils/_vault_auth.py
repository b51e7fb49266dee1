# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``hashi_vault`` option of the token store: defaults, environment fallbacks, checks, and logging in.
FOR INTERNAL COLLECTION USE ONLY.

As in community.hashi_vault, an environment variable is used only when its option is not set: VAULT_ADDR (url),
VAULT_TOKEN (token), VAULT_NAMESPACE (namespace), VAULT_CACERT (ca_path).
"""

from __future__ import annotations

import os

from ansible.module_utils.six.moves.urllib.parse import urlsplit

from ansible_collections.dcops.bitbucket.plugins.plugin_utils._vault_kv import VaultError

AUTH_METHODS = ('token', 'approle')
OPTION_SPEC = dict(
    url=dict(type='str'),
    auth_method=dict(type='str', default='token', choices=list(AUTH_METHODS)),
    token=dict(type='str', no_log=True),
    role_id=dict(type='str'),
    secret_id=dict(type='str', no_log=True),
    mount_point=dict(type='str', default='secret'),
    namespace=dict(type='str'),
    ca_path=dict(type='path'),
    validate_certs=dict(type='bool', default=True),
    timeout=dict(type='int', default=30),
)
ENV_FALLBACKS = {'url': 'VAULT_ADDR', 'token': 'VAULT_TOKEN', 'namespace': 'VAULT_NAMESPACE', 'ca_path': 'VAULT_CACERT'}
APPROLE_MOUNT = 'approle'


def vault_settings(options, environ=None):
    """The hashi_vault dict with defaults and environment fallbacks applied (options given win)."""
    environ = os.environ if environ is None else environ
    settings = {name: spec.get('default') for name, spec in OPTION_SPEC.items()}
    settings.update({name: value for name, value in (options or {}).items() if value not in (None, '')})
    for name, variable in ENV_FALLBACKS.items():
        if settings.get(name) in (None, '') and environ.get(variable):
            settings[name] = environ[variable]
    if settings.get('ca_path'):
        settings['ca_path'] = os.path.expanduser(settings['ca_path'])
    return settings


def problems(settings, path):
    """What is wrong with the settings and the secret path; empty when fine. Never quotes a secret."""
    found = []
    unknown = sorted(set(settings) - set(OPTION_SPEC))
    if unknown:
        found.append('hashi_vault has unknown keys: %s (known: %s)' % (', '.join(unknown), ', '.join(OPTION_SPEC)))
    url = settings.get('url')
    if not url:
        found.append('hashi_vault.url is required with token_store_backend=hashi_vault (or set VAULT_ADDR)')
    else:
        parts = urlsplit(str(url))
        if parts.scheme not in ('http', 'https') or not parts.hostname:
            found.append('hashi_vault.url must be an absolute http:// or https:// URL')
    method = settings.get('auth_method')
    if method not in AUTH_METHODS:
        found.append('hashi_vault.auth_method must be one of %s' % ', '.join(AUTH_METHODS))
    elif method == 'token' and not settings.get('token'):
        found.append('hashi_vault.token is required with auth_method=token (or set VAULT_TOKEN)')
    elif method == 'approle' and not (settings.get('role_id') and settings.get('secret_id')):
        found.append('hashi_vault.role_id and hashi_vault.secret_id are required with auth_method=approle')
    if not str(settings.get('mount_point') or '').strip('/'):
        found.append('hashi_vault.mount_point must not be empty')
    if not isinstance(settings.get('timeout'), int) or isinstance(settings.get('timeout'), bool) \
            or settings['timeout'] < 1:
        found.append('hashi_vault.timeout must be a whole number of seconds, at least 1')
    if settings.get('ca_path') and not os.path.isfile(settings['ca_path']):
        found.append('hashi_vault.ca_path %s is not a file' % settings['ca_path'])
    clean = str(path or '').strip('/')
    if not clean or any(part in ('', '.', '..') for part in clean.split('/')):
        found.append('token_store must be the path of the secret inside the mount, such as bitbucket/prod-eu')
    return found


def log_in(kv, settings, location):
    """Give ``kv`` a Vault token: the one configured, or one from an AppRole login; then prove it works."""
    what = 'cannot log in to %s (auth_method %s)' % (location, settings['auth_method'])
    if settings['auth_method'] == 'approle':
        response = kv.request('POST', 'auth/%s/login' % APPROLE_MOUNT, what,
                              json={'role_id': settings['role_id'], 'secret_id': settings['secret_id']}, ok=(200,))
        token = ((response.json() or {}).get('auth') or {}).get('client_token')
        if not token:
            raise VaultError('%s: the answer holds no client token' % what)
        kv.token = token
    else:
        kv.token = settings['token']
    kv.request('GET', 'auth/token/lookup-self', what, ok=(200,))
