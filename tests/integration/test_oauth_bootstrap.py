# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/bootstrap_oauth.yml end to end: the test plays the browser of a logged-in administrator, the
simulator's authorize endpoint redirects it to the playbook's loopback listener, the playbook creates the store."""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import threading
import time
import urllib.parse

import requests

from conftest import REPO, VENV_BIN
from oauth_support import CLIENT_ID, CLIENT_SECRET, VAULT_PASSWORD, read_store, seed_client

ADMIN = ('admin', 'admin-password')


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class Bootstrap:
    """ansible-playbook playbooks/bootstrap_oauth.yml at -vvvv, its output read line by line as it comes."""

    def __init__(self, collection_env, tmp_path, sim, store, redirect_uri):
        (tmp_path / 'vault-password.txt').write_text(VAULT_PASSWORD + '\n')
        extra_vars = tmp_path / 'bootstrap-vars.json'
        extra_vars.write_text(json.dumps({
            'bitbucket_url': sim.url, 'bitbucket_oauth_client_id': CLIENT_ID,
            'bitbucket_oauth_client_secret': CLIENT_SECRET, 'bitbucket_oauth_redirect_uri': redirect_uri,
            'bitbucket_oauth_token_store': str(store), 'bitbucket_oauth_consent_timeout': 60}))
        env = dict(collection_env, ANSIBLE_VAULT_PASSWORD_FILE=str(tmp_path / 'vault-password.txt'))
        env.pop('ANSIBLE_CALLBACKS_ENABLED', None)
        command = [str(VENV_BIN / 'ansible-playbook'), '-i', 'localhost,', '-e', '@%s' % extra_vars, '-vvvv',
                   str(REPO / 'playbooks' / 'bootstrap_oauth.yml')]
        self.process = subprocess.Popen(command, env=env, cwd=str(tmp_path), stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.lines = queue.Queue()
        self.output = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def authorize_url(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1).strip()
            except queue.Empty:
                assert self.process.poll() is None, 'the playbook ended early:\n' + ''.join(self.output)[-4000:]
                continue
            if '/rest/oauth2/latest/authorize?' in line:
                return line
        raise AssertionError('no authorization URL shown:\n' + ''.join(self.output)[-4000:])

    def finish(self):
        self.process.wait(timeout=120)
        time.sleep(0.1)
        return self.process.returncode, ''.join(self.output)


def consent(url):
    """The browser: the user is logged in and allows access; Bitbucket answers with a redirect."""
    answer = requests.get(url, auth=ADMIN, allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text
    return answer.headers['Location']


def test_consent_creates_the_store(sim, collection_env, tmp_path):
    port = free_port()
    redirect_uri = 'http://127.0.0.1:%d/callback' % port
    seed_client(sim, redirect_uri)
    store = tmp_path / 'tokens' / 'bitbucket.vault.yml'
    store.parent.mkdir()
    bootstrap = Bootstrap(collection_env, tmp_path, sim, store, redirect_uri)
    url = bootstrap.authorize_url()
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query['code_challenge_method'] == 'S256' and len(query['state']) >= 32
    assert query['redirect_uri'] == redirect_uri and query['scope'] == 'ADMIN_WRITE'

    location = consent(url)
    assert location.startswith(redirect_uri + '?')
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))['code']
    page = requests.get(location, timeout=10)
    assert page.status_code == 200 and 'You can close this tab' in page.text
    rc, output = bootstrap.finish()
    assert rc == 0, output[-6000:]

    stored = read_store(store)
    assert stored['url'] == sim.url and stored['client_id'] == CLIENT_ID and stored['redirect_uri'] == redirect_uri
    assert stored['refresh_token'] in sim.control.state()['valid_refresh_tokens']
    assert (store.stat().st_mode & 0o777) == 0o600
    (exchange,) = sim.control.requests(family='token')
    assert dict(urllib.parse.parse_qsl(exchange['body']))['grant_type'] == 'authorization_code'
    assert 'Token store %s created' % store in output
    for name, secret in (('authorization code', code), ('access token', stored['access_token']),
                         ('refresh token', stored['refresh_token']), ('client secret', CLIENT_SECRET),
                         ('vault password', VAULT_PASSWORD)):
        assert secret not in output, '%s in the output at -vvvv' % name


def test_redirect_with_a_wrong_state_is_rejected(sim, collection_env, tmp_path):
    port = free_port()
    redirect_uri = 'http://127.0.0.1:%d/callback' % port
    seed_client(sim, redirect_uri)
    store = tmp_path / 'store.yml'
    bootstrap = Bootstrap(collection_env, tmp_path, sim, store, redirect_uri)
    location = consent(bootstrap.authorize_url())
    parts = urllib.parse.urlsplit(location)
    forged = dict(urllib.parse.parse_qsl(parts.query), state='forged-state')
    page = requests.get(parts._replace(query=urllib.parse.urlencode(forged)).geturl(), timeout=10)
    assert page.status_code == 400
    rc, output = bootstrap.finish()
    assert rc == 2
    assert 'state that does not match this authorization request' in output
    assert not store.exists()
    assert sim.control.requests(family='token') == [], 'the code of a forged redirect is never exchanged'
    assert forged['code'] not in output
