# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The browser leg of the consent (bitbucket_oauth_authorize): PKCE, the authorization URL, the loopback listener."""

from __future__ import annotations

import base64
import hashlib
import socket
import threading
import time
import urllib.parse

import pytest
import requests

from ansible_collections.dcops.bitbucket.plugins.plugin_utils._consent_flow import (
    ConsentFailed,
    LoopbackServer,
    authorization_request,
    code_from_redirect,
    loopback_address,
    wait_on_loopback,
)
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._pkce import pkce_pair


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def test_pkce_pair_follows_rfc_7636():
    verifier, challenge = pkce_pair()
    assert 43 <= len(verifier) <= 128
    assert set(verifier) <= set('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~')
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode('ascii')).digest()).rstrip(b'=').decode()
    assert challenge == expected
    assert pkce_pair()[0] != verifier


def test_authorization_request_carries_state_and_s256_challenge():
    params = {'url': 'https://example.com/bitbucket/', 'client_id': 'cid', 'redirect_uri': 'http://127.0.0.1:8765/cb',
              'scope': ['ADMIN_WRITE', 'REPO_READ']}
    url = authorization_request(params, 'the-state', 'the-challenge')
    parts = urllib.parse.urlsplit(url)
    assert parts.scheme == 'https' and parts.path == '/bitbucket/rest/oauth2/latest/authorize'
    assert dict(urllib.parse.parse_qsl(parts.query)) == {
        'response_type': 'code', 'client_id': 'cid', 'redirect_uri': 'http://127.0.0.1:8765/cb',
        'scope': 'ADMIN_WRITE REPO_READ', 'state': 'the-state', 'code_challenge': 'the-challenge',
        'code_challenge_method': 'S256'}


@pytest.mark.parametrize('redirect_uri, expected', [
    ('http://127.0.0.1:8765/callback', ('127.0.0.1', 8765, socket.AF_INET, '/callback')),
    ('http://localhost:9000', ('127.0.0.1', 9000, socket.AF_INET, '/')),
    ('http://[::1]:9001/cb', ('::1', 9001, socket.AF_INET6, '/cb')),
    ('https://127.0.0.1:8765/callback', None),
    ('http://automation.example.com:8765/callback', None),
    ('urn:ietf:wg:oauth:2.0:oob', None),
])
def test_loopback_address(redirect_uri, expected):
    assert loopback_address(redirect_uri) == expected


def test_code_from_redirect_checks_state_and_errors():
    assert code_from_redirect('code=abc&state=s1', 's1') == 'abc'
    with pytest.raises(ConsentFailed, match='state that does not match'):
        code_from_redirect('code=abc&state=s2', 's1')
    with pytest.raises(ConsentFailed, match='state that does not match'):
        code_from_redirect('code=abc', 's1')
    with pytest.raises(ConsentFailed, match='did not grant the authorization: access_denied'):
        code_from_redirect('error=access_denied&error_description=denied&state=s1', 's1')
    with pytest.raises(ConsentFailed, match='no authorization code'):
        code_from_redirect('state=s1', 's1')


def serve_in_background(port, state, timeout):
    server = LoopbackServer('127.0.0.1', port, socket.AF_INET, '/callback', state)
    outcome = {}

    def wait():
        try:
            outcome['code'] = wait_on_loopback(server, 'http://127.0.0.1:%d/callback' % port, timeout)
        except ConsentFailed as exc:
            outcome['error'] = str(exc)
    thread = threading.Thread(target=wait)
    thread.start()
    return thread, outcome


def test_loopback_listener_takes_the_redirect_and_ignores_other_paths():
    port = free_port()
    thread, outcome = serve_in_background(port, 'state-1', 10)
    base = 'http://127.0.0.1:%d' % port
    assert requests.get(base + '/favicon.ico', timeout=5).status_code == 404
    answer = requests.get(base + '/callback?code=the-code&state=state-1', timeout=5)
    thread.join(10)
    assert answer.status_code == 200 and 'You can close this tab' in answer.text
    assert 'the-code' not in answer.text
    assert outcome == {'code': 'the-code'}
    with pytest.raises(requests.ConnectionError):
        requests.get(base + '/callback', timeout=2)


def test_loopback_listener_rejects_a_wrong_state():
    port = free_port()
    thread, outcome = serve_in_background(port, 'state-1', 10)
    answer = requests.get('http://127.0.0.1:%d/callback?code=c&state=forged' % port, timeout=5)
    thread.join(10)
    assert answer.status_code == 400
    assert 'state that does not match' in outcome['error']


def test_loopback_listener_gives_up_after_the_timeout():
    port = free_port()
    started = time.monotonic()
    thread, outcome = serve_in_background(port, 'state-1', 1)
    thread.join(10)
    assert 0.9 <= time.monotonic() - started < 5
    assert 'no redirect reached http://127.0.0.1:%d/callback within 1 seconds' % port in outcome['error']
