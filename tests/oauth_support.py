# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helpers for the OAuth token store: a registered client at the simulator and stores holding its tokens."""

from __future__ import annotations

import time

import yaml

from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.dcops.bitbucket.plugins.plugin_utils._file_token_store import FileTokenStore

CLIENT_ID = 'automation'
CLIENT_SECRET = 'client-secret-7Hq2'
REDIRECT_URI = 'http://127.0.0.1:8765/callback'
VAULT_PASSWORD = 'vault-password-for-tests'
VAULT = [('default', VaultSecret(VAULT_PASSWORD.encode()))]


def seed_client(sim, redirect_uri=REDIRECT_URI):
    sim.control.seed(oauth_clients=[{'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET,
                                     'redirect_uris': [redirect_uri]}])


def write_store(path, data):
    store = FileTokenStore(str(path), VAULT)
    with store.locked():
        store.create(data, force=True)


def read_store(path):
    return yaml.safe_load(VaultLib(VAULT).decrypt(path.read_bytes()))


def seeded_store(sim, path, access_expired=True, **overrides):
    """A store as the consent would leave it, holding tokens the simulator issued; the request log is cleared."""
    seed_client(sim)
    tokens = sim.control.issue_tokens(CLIENT_ID, access_expired=access_expired)
    now = int(time.time())
    data = {'url': sim.url, 'client_id': CLIENT_ID, 'redirect_uri': REDIRECT_URI,
            'refresh_token': tokens['refresh_token'], 'refresh_token_issued_at': now,
            'access_token': tokens['access_token'], 'expires_at': now - 10 if access_expired else tokens['expires_at'],
            'token_type': 'bearer', 'scope': ['ADMIN_WRITE']}
    data.update(overrides)
    write_store(path, data)
    sim.control.clear_requests()
    return data
