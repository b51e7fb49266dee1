# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The options of dcops.bitbucket.bitbucket_oauth_token and their checks. FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.parse import urlsplit

from ansible_collections.dcops.bitbucket.plugins.module_utils._connection import (
    CONNECTION_ARGSPEC,
    LOOPBACK_HOSTS,
    check_url,
)
from ansible_collections.dcops.bitbucket.plugins.module_utils._oauth import (
    DEFAULT_REFRESH_TOKEN_LIFETIME,
    token_endpoint_url,
)
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._vault_auth import OPTION_SPEC as HASHI_VAULT_SPEC

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
    token_store_backend=dict(type='str', default='file', choices=['file', 'hashi_vault']),
    hashi_vault=dict(type='dict', options=HASHI_VAULT_SPEC),
    lock_timeout=dict(type='int'),
    token_store_vault_id=dict(type='str', no_log=False),
    force=dict(type='bool', default=False),
    validate_certs=dict(CONNECTION_ARGSPEC['validate_certs']),
    ca_path=dict(CONNECTION_ARGSPEC['ca_path']),
    timeout=dict(CONNECTION_ARGSPEC['timeout']),
)
# Connection options of the action group that token requests have no use for (Basic auth, retries, pacing): the
# action drops them, so that module_defaults for group/dcops.bitbucket.bitbucket (which set them for the REST API
# modules) apply here too.
GROUP_OPTIONS_NOT_USED = tuple(sorted(set(CONNECTION_ARGSPEC) - set(ARGUMENT_SPEC)))
MUTUALLY_EXCLUSIVE = [('token_store', 'refresh_token'), ('token_store', 'refresh_token_issued_at')]
REQUIRED_IF = [
    ('platform', 'datacenter', ('url',)),
    ('grant_type', 'authorization_code', ('code',)),
    ('grant_type', 'refresh_token', ('refresh_token', 'token_store'), True),
]


def problems(params):
    """What the argument spec cannot express, one message per problem naming the option; empty when fine."""
    found = ['%s must be at least %d' % (name, lowest)
             for name, lowest in (('min_validity', 0), ('refresh_token_lifetime', 1), ('timeout', 1))
             if params[name] < lowest]
    if params.get('lock_timeout') is not None and params['lock_timeout'] < 1:
        found.append('lock_timeout must be at least 1')
    if params['platform'] == 'datacenter' and not params.get('url'):
        found.append('url is required with platform=datacenter')
    if params.get('url'):
        found.extend(check_url(params['url']))
    if params['token_url']:
        parts = urlsplit(params['token_url'])
        if parts.scheme not in ('http', 'https') or not parts.hostname:
            found.append('token_url must be an absolute http:// or https:// URL')
    if params['grant_type'] == 'authorization_code' and params['platform'] == 'datacenter' \
            and not params['redirect_uri']:
        found.append('redirect_uri is required for grant_type=authorization_code on Data Center: it must be the '
                     'redirect URL of the application link, as sent in the authorization request')
    if params['force'] and not (params['grant_type'] == 'authorization_code' and params['token_store']):
        found.append('force only applies to grant_type=authorization_code with token_store')
    return found


def warnings(params):
    """Warnings about options that work but put secrets at risk; for options problems() found fine."""
    found = []
    endpoint = urlsplit(token_endpoint_url(params['platform'], params.get('url'), params['token_url']))
    if endpoint.scheme == 'http' and endpoint.hostname not in LOOPBACK_HOSTS:
        found.append('the token endpoint uses plain http:// to %s: the client secret and the tokens travel '
                     'unencrypted; use https://' % endpoint.hostname)
    return found
