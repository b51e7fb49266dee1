# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""OAuth 2.0 token endpoint grants (Data Center and Cloud) and expiry arithmetic. FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import (
    BitbucketConnectionError,
    BitbucketError,
    BitbucketHTTPError,
    BitbucketResponseError,
)

DC_TOKEN_PATH = 'rest/oauth2/latest/token'
DC_AUTHORIZE_PATH = 'rest/oauth2/latest/authorize'
CLOUD_TOKEN_URL = 'https://bitbucket.org/site/oauth2/access_token'
# docs/dev/bitbucket-api-notes.md §1.5: access tokens live 3600 s unless the administrator changed the system property.
DEFAULT_EXPIRES_IN = 3600
DEFAULT_REFRESH_TOKEN_LIFETIME = 7776000
REFRESH_TOKEN_WARN_FRACTION = 0.8
# Bad Gateway and Gateway Timeout come from a proxy whose upstream may have done the work: the outcome is unknown.
GATEWAY_STATUSES = (502, 504)
BOOTSTRAP_HINT = ('run ansible-playbook dcops.bitbucket.bootstrap_oauth (a human consents once in the browser) to obtain a new '
                  'refresh token and create the token store again')


class OAuthError(BitbucketError):
    """The token endpoint refused a grant; the message says what to do and never holds a secret."""

    def __init__(self, message, status=None, error_code=None):
        self.status = status
        self.error_code = error_code
        super(OAuthError, self).__init__(message)


class RefreshOutcomeUnknown(OAuthError):
    """The refresh request may have reached the server, but no answer came back."""


def token_endpoint_url(platform, url=None, token_url=None):
    """Where the token request goes: token_url when set, else the platform's endpoint."""
    if token_url:
        return token_url
    if platform == 'cloud':
        return CLOUD_TOKEN_URL
    return url.rstrip('/') + '/' + DC_TOKEN_PATH


def authorize_url(url):
    """The browser leg of the authorization code grant on Data Center (docs/dev/bitbucket-api-notes.md §1.1)."""
    return url.rstrip('/') + '/' + DC_AUTHORIZE_PATH


def access_token_is_fresh(access_token, expires_at, min_validity, now):
    """True when access_token stays valid for at least min_validity more seconds."""
    if not access_token or expires_at is None:
        return False
    return int(expires_at) - int(now) >= int(min_validity)


def refresh_token_age_warning(issued_at, lifetime, now):
    """A warning (str) when the refresh token has used more than 80% of its lifetime, else None."""
    if issued_at is None or not lifetime:
        return None
    age = int(now) - int(issued_at)
    if age < REFRESH_TOKEN_WARN_FRACTION * lifetime:
        return None
    left = int(issued_at) + int(lifetime) - int(now)
    if left <= 0:
        when = 'has probably expired (issued %d days ago, lifetime %d days)' % (age // 86400, lifetime // 86400)
    else:
        when = 'expires in about %d days (issued %d days ago, lifetime %d days)' % (
            max(left // 86400, 0), age // 86400, lifetime // 86400)
    return ('The OAuth 2.0 refresh token %s. Bitbucket counts the lifetime from the consent, and refreshing does '
            'not extend it unless Bitbucket issues a new refresh token; %s before it expires.' % (when, BOOTSTRAP_HINT))


def scope_list(value):
    """Scopes as a list, from a space-separated string (DC, RFC 6749) or a list; Cloud used to say `scopes`."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(s) for s in value if s]
    return [s for s in str(value).replace(',', ' ').split() if s]


class TokenEndpoint:
    """One OAuth 2.0 client at one token endpoint, sending grants over a BitbucketClient.

    The client's session, TLS settings and timeout apply; grants are never retried, because a retry after the
    server rotated the refresh token would spend a token that is already dead (docs/dev/bitbucket-api-notes.md §1.6).
    """

    def __init__(self, client, platform, client_id, client_secret, token_url, clock=time.time):
        self.client = client
        self.platform = platform
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_url = token_url
        self.clock = clock
        client.add_secret(client_secret)

    def refresh(self, refresh_token, redirect_uri=None, scope=None):
        form = {'grant_type': 'refresh_token', 'refresh_token': refresh_token}
        if self.platform == 'datacenter' and redirect_uri:
            # docs/dev/bitbucket-api-notes.md §1.3: the DC provider validates redirect_uri on the refresh grant too and answers
            # a bare invalid_grant without it.
            form['redirect_uri'] = redirect_uri
        if scope:
            form['scope'] = ' '.join(scope)
        return self._grant(form, refresh_token)

    def authorization_code(self, code, redirect_uri=None, code_verifier=None):
        form = {'grant_type': 'authorization_code', 'code': code}
        if redirect_uri:
            form['redirect_uri'] = redirect_uri
        if code_verifier:
            form['code_verifier'] = code_verifier
        return self._grant(form, code, code_verifier)

    def client_credentials(self, scope=None):
        form = {'grant_type': 'client_credentials'}
        if scope:
            form['scope'] = ' '.join(scope)
        return self._grant(form)

    def _grant(self, form, *secrets):
        for secret in secrets:
            self.client.add_secret(secret)
        auth = False
        if self.platform == 'cloud':
            # docs/dev/bitbucket-api-notes.md §6: Cloud authenticates the client with HTTP Basic; the client was built with
            # client_id and client_secret as its Basic credentials.
            auth = True
        else:
            # docs/dev/bitbucket-api-notes.md §1.3: DC takes the client credentials as parameters; a form body keeps them out
            # of URLs that proxies log, and the endpoint answers 400 without this Content-Type.
            form = dict(form, client_id=self.client_id, client_secret=self.client_secret)
        sent_at = self.clock()
        try:
            response = self.client.request(
                'POST', self.token_url, data=form, ok=(200,), retry=False, auth=auth,
                headers={'Content-Type': 'application/x-www-form-urlencoded', 'Accept': 'application/json'})
        except BitbucketConnectionError as exc:
            if form['grant_type'] == 'refresh_token':
                raise RefreshOutcomeUnknown(
                    'The refresh request to the token endpoint got no answer (%s). Bitbucket may have accepted it '
                    'and rotated the refresh token before the connection broke.' % exc.reason)
            raise
        except BitbucketHTTPError as exc:
            if form['grant_type'] == 'refresh_token' and exc.status in GATEWAY_STATUSES:
                raise RefreshOutcomeUnknown(
                    'The refresh request to the token endpoint got a gateway error (%s), not an answer from Bitbucket. '
                    'Bitbucket behind the gateway may have accepted it and rotated the refresh token, the answer '
                    'being lost on the way back.' % exc, status=exc.status)
            raise self._refusal(exc, form['grant_type'])
        return self._parse(response.data, sent_at)

    def _refusal(self, exc, grant_type):
        described = '; '.join(exc.messages) or 'HTTP %s' % exc.status
        if exc.error_code == 'invalid_grant' and grant_type == 'refresh_token':
            text = ('The token endpoint refused the refresh token (%s): it has expired, was revoked, or was already '
                    'used by another run. %s.' % (described, BOOTSTRAP_HINT[0].upper() + BOOTSTRAP_HINT[1:]))
        elif exc.error_code in ('invalid_grant', 'invalid_request') and grant_type == 'authorization_code':
            # docs/dev/bitbucket-api-notes.md §1.7: Data Center calls an unknown code a malformed request.
            text = ('The token endpoint refused the authorization code (%s): codes are single-use and expire about '
                    '10 seconds after the consent, and the redirect_uri and PKCE '
                    'code_verifier must match the authorization request. Consent again.' % described)
        elif exc.error_code in ('invalid_client', 'unauthorized_client'):
            text = ('The token endpoint refused the client (%s): check client_id and client_secret against the '
                    'application link in Bitbucket.' % described)
        else:
            text = 'The token endpoint refused the %s grant: %s' % (grant_type, exc)
        return OAuthError(text, status=exc.status, error_code=exc.error_code)

    def _parse(self, data, sent_at):
        if not isinstance(data, dict) or not data.get('access_token'):
            raise BitbucketResponseError('POST', self.token_url.split('?', 1)[0],
                                         'the token endpoint answered without an access_token')
        self.client.add_secret(data.get('access_token'))
        self.client.add_secret(data.get('refresh_token'))
        try:
            expires_in = int(data.get('expires_in'))
        except (TypeError, ValueError):
            expires_in = DEFAULT_EXPIRES_IN
        # Counted from when the request was sent, so the local expiry is never later than the server's.
        return {
            'access_token': data['access_token'],
            'token_type': data.get('token_type') or 'bearer',
            'expires_in': expires_in,
            'expires_at': int(sent_at) + expires_in,
            'scope': scope_list(data.get('scope', data.get('scopes'))),
            'refresh_token': data.get('refresh_token') or None,
        }


def token_endpoint_from_params(params, clock=time.time):
    """The TokenEndpoint for validated bitbucket_oauth_token options."""
    from ansible_collections.dcops.bitbucket.plugins.module_utils._http import BitbucketClient

    platform = params.get('platform') or 'datacenter'
    token_url = token_endpoint_url(platform, params.get('url'), params.get('token_url'))
    basic = platform == 'cloud'
    client = BitbucketClient(
        token_url,
        username=params['client_id'] if basic else None,
        password=params['client_secret'] if basic else None,
        validate_certs=params.get('validate_certs', True),
        ca_path=params.get('ca_path'),
        timeout=params.get('timeout') or 30,
        retries=0,
    )
    return TokenEndpoint(client, platform, params['client_id'], params['client_secret'], token_url, clock=clock)
