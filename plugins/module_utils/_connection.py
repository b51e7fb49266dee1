# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Connection options shared by every module, and the client built from them. FOR INTERNAL COLLECTION USE ONLY.

Precedence (documented in the doc fragment): task options and module_defaults first; the BITBUCKET_DC_* environment
variables only fill options left unset. Auth variables bind late, as in community.hashi_vault: environment
credentials are used only when the task gives no credentials at all, so an AWX-injected token never collides
with url_username/url_password set in a playbook.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.parse import urlsplit
from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError

CONNECTION_ARGSPEC = dict(
    url=dict(type='str', required=True, fallback=(env_fallback, ['BITBUCKET_DC_URL'])),
    access_token=dict(type='str', no_log=True),
    url_username=dict(type='str'),
    url_password=dict(type='str', no_log=True),
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['BITBUCKET_DC_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(env_fallback, ['BITBUCKET_DC_CA_PATH'])),
    timeout=dict(type='int', default=30),
    retries=dict(type='int', default=3),
    rate_limit=dict(type='float'),
    rate_limit_burst=dict(type='int'),
    max_concurrency=dict(type='int', default=4),
)

CONNECTION_MUTUALLY_EXCLUSIVE = [('access_token', 'url_username'), ('access_token', 'url_password')]
CONNECTION_REQUIRED_TOGETHER = [('url_username', 'url_password')]

LATE_BINDING_ENV = (
    ('access_token', 'BITBUCKET_DC_TOKEN'),
    ('url_username', 'BITBUCKET_DC_USERNAME'),
    ('url_password', 'BITBUCKET_DC_PASSWORD'),
)

LOOPBACK_HOSTS = ('localhost', '127.0.0.1', '::1')


class ConnectionOptionError(BitbucketError, ValueError):
    """A connection option is unusable; the message names it."""


def resolve_auth(params, environ=None):
    """Fill the auth options from the environment when the task set none of them."""
    environ = os.environ if environ is None else environ
    if any(params.get(name) for name, dummy in LATE_BINDING_ENV):
        return
    for name, variable in LATE_BINDING_ENV:
        if environ.get(variable):
            params[name] = environ[variable]
    if params.get('access_token'):
        params['url_username'] = params['url_password'] = None


def check_url(url, name='url'):
    """Problems with a base URL option (an absolute http:// or https:// URL with a host, without query string or
    fragment); [] when it is fine."""
    parts = urlsplit(url or '')
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        return ["%s must be an absolute http:// or https:// URL with a host name, for example "
                "https://bitbucket.example.com (got a value without scheme or host)" % name]
    if parts.query or parts.fragment:
        return ['%s must not carry a query string or fragment' % name]
    return []


def check_connection(params):
    """Validate the connection options; return warnings. Raises ConnectionOptionError naming the option."""
    problems = check_url(params['url'])
    if problems:
        raise ConnectionOptionError('; '.join(problems))
    if params.get('url_username') and params.get('url_password') is None:
        raise ConnectionOptionError('url_password is required with url_username')
    if params.get('timeout') is not None and params['timeout'] < 1:
        raise ConnectionOptionError('timeout must be at least 1 second')
    if params.get('retries') is not None and params['retries'] < 0:
        raise ConnectionOptionError('retries must be 0 or more')
    for name, low in (('rate_limit', 0), ('rate_limit_burst', 0), ('max_concurrency', 1)):
        if params.get(name) is not None and params[name] < low:
            raise ConnectionOptionError('%s must be %s or more' % (name, low))
    warnings = []
    parts = urlsplit(params['url'])
    has_credentials = params.get('access_token') or params.get('url_password')
    if parts.scheme == 'http' and has_credentials and parts.hostname not in LOOPBACK_HOSTS:
        warnings.append('url uses plain http:// to %s: the credentials travel unencrypted; use https://'
                        % parts.hostname)
    return warnings


def client_from_params(params):
    """Build the BitbucketClient for validated connection options."""
    from ansible_collections.dcops.bitbucket.plugins.module_utils._http import BitbucketClient
    from ansible_collections.dcops.bitbucket.plugins.module_utils._concurrency import widen_pool
    from ansible_collections.dcops.bitbucket.plugins.module_utils._pacing import pacer_for

    client = BitbucketClient(
        params['url'],
        access_token=params.get('access_token'),
        username=params.get('url_username'),
        password=params.get('url_password'),
        validate_certs=params.get('validate_certs', True),
        ca_path=params.get('ca_path'),
        timeout=params.get('timeout') or 30,
        retries=params.get('retries') if params.get('retries') is not None else 3,
    )
    client.max_concurrency = params.get('max_concurrency') or 1
    client.pacer = pacer_for(client, params.get('rate_limit'), params.get('rate_limit_burst'))
    widen_pool(client.session, client.max_concurrency)
    return client
