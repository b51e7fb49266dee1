# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers for runs of the oauth_session role on the hashi_vault backend: a secret holding tokens the simulator
issued, the host variables that point a run at it, and what the simulator and Vault saw."""

from __future__ import annotations

import re
import time

from oauth_support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, seed_client

TOKEN_TASK = 'dcops.bitbucket.oauth_session : Obtain an OAuth 2.0 access token from the token store'
FAIL_TASK = 'dcops.bitbucket.oauth_session : Fail with the reason no access token was obtained'


def seeded_secret(sim, admin, path, mount='secret', access_expired=True, **overrides):
    """A secret as the consent leaves it, holding tokens the simulator issued; the request log is cleared."""
    seed_client(sim)
    tokens = sim.control.issue_tokens(CLIENT_ID, access_expired=access_expired)
    now = int(time.time())
    data = {'url': sim.url, 'client_id': CLIENT_ID, 'redirect_uri': REDIRECT_URI,
            'refresh_token': tokens['refresh_token'], 'refresh_token_issued_at': now,
            'access_token': tokens['access_token'], 'expires_at': now - 10 if access_expired else tokens['expires_at'],
            'token_type': 'bearer', 'scope': ['ADMIN_WRITE']}
    data.update(overrides)
    admin.kv_put(mount, path, data, cas=0)
    sim.control.clear_requests()
    return data


def vault_host(sim, path, hashi_vault, **extra):
    """Host variables of one instance whose token store is the secret ``path``."""
    host = {'bitbucket_url': sim.url, 'bitbucket_oauth_client_id': CLIENT_ID,
            'bitbucket_oauth_client_secret': CLIENT_SECRET, 'bitbucket_oauth_token_store': path,
            'bitbucket_oauth_token_store_backend': 'hashi_vault', 'bitbucket_oauth_hashi_vault': hashi_vault}
    host.update(extra)
    return host


def refresh_tokens_sent(sim):
    return [re.search(r'refresh_token=([^&]+)', entry['body']).group(1)
            for entry in sim.control.requests(family='token')]


def assert_no_secret(texts, secrets):
    leaked = [name for name, value in secrets.items() if value and any(value in text for text in texts)]
    assert not leaked, 'secrets in the output: %s' % ', '.join(leaked)
