# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The browser leg of the OAuth 2.0 consent. FOR INTERNAL COLLECTION USE ONLY.

Builds the authorization request (random state, PKCE S256), shows its URL, then takes the redirect either on a
loopback listener (redirect URI http://127.0.0.1:PORT/...) or as a URL pasted at a prompt, and checks state.
"""

from __future__ import annotations

import hmac
import http.server
import secrets
import socket
import time

from ansible.errors import AnsibleError
from ansible.module_utils.six.moves.urllib.parse import parse_qs, urlencode, urlsplit

from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError
from ansible_collections.dcops.bitbucket.plugins.module_utils._oauth import authorize_url
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._pkce import pkce_pair

LOOPBACK_BIND = {'127.0.0.1': ('127.0.0.1', socket.AF_INET), 'localhost': ('127.0.0.1', socket.AF_INET),
                 '::1': ('::1', socket.AF_INET6)}
PAGE = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>dcops.bitbucket</title></head>'
        '<body><p>%s</p></body></html>')


class ConsentFailed(BitbucketError):
    """The consent did not produce a usable code; the message never holds a secret."""


def authorization_request(params, state, challenge):
    """The URL the user opens (docs/dev/bitbucket-api-notes.md §1.2)."""
    query = urlencode([
        ('response_type', 'code'),
        ('client_id', params['client_id']),
        ('redirect_uri', params['redirect_uri']),
        ('scope', ' '.join(params['scope'])),
        ('state', state),
        ('code_challenge', challenge),
        ('code_challenge_method', 'S256'),
    ])
    return authorize_url(params['url']) + '?' + query


def loopback_address(redirect_uri):
    """(host, port, family, path) to listen on when redirect_uri is a plain-http loopback URL, else None."""
    parts = urlsplit(redirect_uri)
    if parts.scheme != 'http' or parts.hostname not in LOOPBACK_BIND:
        return None
    host, family = LOOPBACK_BIND[parts.hostname]
    return host, parts.port or 80, family, parts.path or '/'


def code_from_redirect(query, state):
    """The authorization code from the redirect's query string, after checking state."""
    values = {key: found[0] for key, found in parse_qs(query, keep_blank_values=True).items()}
    if values.get('error'):
        description = values.get('error_description') or 'no description'
        raise ConsentFailed('Bitbucket did not grant the authorization: %s (%s)' % (values['error'], description))
    if not hmac.compare_digest(values.get('state', '').encode('utf-8'), state.encode('utf-8')):
        raise ConsentFailed('the redirect carried a state that does not match this authorization request, so it was '
                            'rejected (a stale browser tab, or a forged redirect). Run the playbook again and use the '
                            'new URL.')
    if not values.get('code'):
        raise ConsentFailed('the redirect carried no authorization code')
    return values['code']


class _RedirectHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (name fixed by BaseHTTPRequestHandler)
        parts = urlsplit(self.path)
        if parts.path != self.server.expected_path:
            self._answer(404, 'Not the redirect URL of this consent.')
            return
        try:
            self.server.code = code_from_redirect(parts.query, self.server.state)
        except ConsentFailed as exc:
            self.server.failure = exc
            self._answer(400, 'The consent failed: %s You can close this tab.' % exc)
            return
        self._answer(200, 'Consent received. You can close this tab and return to the terminal.')

    def _answer(self, status, text):
        body = (PAGE % text).encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', 'text/html; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Cache-Control', 'no-store')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """The request line holds the authorization code: log nothing."""


class LoopbackServer(http.server.HTTPServer):
    allow_reuse_address = True

    def __init__(self, host, port, family, path, state):
        self.address_family = family
        self.expected_path = path
        self.state = state
        self.code = None
        self.failure = None
        super().__init__((host, port), _RedirectHandler)


def wait_on_loopback(server, redirect_uri, timeout):
    """Serve until the redirect arrives or timeout seconds pass; returns the code."""
    deadline = time.monotonic() + timeout
    with server:
        while server.code is None and server.failure is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ConsentFailed('no redirect reached %s within %d seconds. Open the authorization URL shown above '
                                    'in a browser on this machine, log in to Bitbucket as an administrator and allow '
                                    'access; raise the timeout if you need longer.' % (redirect_uri, timeout))
            server.timeout = min(left, 1.0)
            server.handle_request()
    if server.failure:
        raise server.failure
    return server.code


def code_from_prompt(display, state):
    try:
        pasted = display.prompt_until('Paste the full URL your browser was redirected to after you allowed access: ')
    except AnsibleError:
        raise ConsentFailed('there is no terminal to paste the redirected URL into; run the playbook interactively, '
                            'or register a loopback redirect URI (http://127.0.0.1:PORT/...) on the application link')
    return code_from_redirect(urlsplit(pasted.decode('utf-8', 'replace').strip()).query, state)


def consent(params, display):
    """Show the authorization URL, take the redirect; the result values of bitbucket_oauth_authorize."""
    state = secrets.token_urlsafe(32)
    verifier, challenge = pkce_pair()
    request_url = authorization_request(params, state, challenge)
    loopback = loopback_address(params['redirect_uri'])
    server = None
    if loopback:
        host, port, family, path = loopback
        try:
            server = LoopbackServer(host, port, family, path, state)
        except OSError as exc:
            raise ConsentFailed('cannot listen on %s port %d for the redirect (%s); free the port, or register '
                                'another redirect URI' % (host, port, exc.strerror or exc))
    # On stderr, which Python never block-buffers: the URL must show at once also when stdout is a pipe.
    display.display('Open this URL in a browser, logged in to Bitbucket as the administrator whose rights the '
                    'automation will use, and allow access:\n\n    %s\n' % request_url, stderr=True)
    if server:
        display.display('Waiting up to %d seconds for the redirect to %s ...' % (params['timeout'],
                                                                                 params['redirect_uri']), stderr=True)
        code = wait_on_loopback(server, params['redirect_uri'], params['timeout'])
    else:
        code = code_from_prompt(display, state)
    return {
        'changed': False,
        'code': code,
        'code_verifier': verifier,
        'redirect_uri': params['redirect_uri'],
        'authorize_url': request_url,
        # The code and verifier are secrets: callbacks show this result censored; register still gets it.
        '_ansible_no_log': True,
    }
