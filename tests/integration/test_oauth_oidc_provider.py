# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OAuth grants judged by oidc-provider, a certified OAuth 2.0 server, on Data Center's token paths
(tests/judges/oidc/server.mjs): the consent of playbooks/bootstrap_oauth.yml (authorization code, PKCE S256, state),
then refresh after refresh through bitbucket_oauth_token with the file token store."""

from __future__ import annotations

import time
import urllib.parse
from types import SimpleNamespace

import pytest
import requests

from oauth_support import CLIENT_ID, CLIENT_SECRET, VAULT_PASSWORD, read_store, write_store
from oidc_server import OidcJudge
from test_oauth_bootstrap import Bootstrap, free_port

from ansible_collections.dcops.bitbucket.plugins.module_utils._oauth import BOOTSTRAP_HINT

ROUNDS = 4
ACCESS_TOKEN_TTL = 60
MIN_VALIDITY = 600  # longer than the access token lives: every run refreshes


@pytest.fixture
def judge_factory():
    started = []

    def start(redirect_uri, **ttl):
        judge = OidcJudge([{'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET, 'redirect_uris': [redirect_uri]}],
                          ttl=dict({'AccessToken': ACCESS_TOKEN_TTL}, **ttl))
        started.append(judge)
        return judge

    yield start
    for judge in started:
        judge.stop()


def consent(collection_env, tmp_path, judge, redirect_uri):
    """bootstrap_oauth.yml with the test as the browser of an administrator who allows; returns its output."""
    store = tmp_path / 'bitbucket.vault.yml'
    bootstrap = Bootstrap(collection_env, tmp_path, SimpleNamespace(url=judge.url), store, redirect_uri)
    url = bootstrap.authorize_url(timeout=300)  # ansible-playbook starts slowly on a busy machine
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query['code_challenge_method'] == 'S256' and len(query['state']) >= 32
    page = requests.get(url, timeout=30)  # oidc-provider: interaction, login and consent, then the redirect
    assert page.status_code == 200 and 'You can close this tab' in page.text, (page.status_code, judge.log())
    rc, output = bootstrap.finish()
    assert rc == 0, output[-6000:] + judge.log()
    return store, output


def refresh(run_playbook, judge, store, secret=CLIENT_SECRET, expect_rc=0):
    return run_playbook('oidc_refresh.yml', verbosity=3, expect_rc=expect_rc, env={'ANSIBLE_VAULT_PASSWORD_FILE': str(
        store.parent / 'vault-password.txt')}, extra_vars={
            'judge_url': judge.url, 'judge_client_id': CLIENT_ID, 'judge_client_secret': secret,
            'judge_store': str(store), 'judge_min_validity': MIN_VALIDITY})


def token_post(judge, **form):
    form = dict(form, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    return requests.post(judge.url + '/rest/oauth2/latest/token', data=form, timeout=30)


def assert_no_secret(output, secrets):
    for secret in secrets:
        assert secret not in output, 'a secret in the output at -vvv'


def test_consent_then_refresh_after_refresh(judge_factory, collection_env, run_playbook, tmp_path):
    redirect_uri = 'http://127.0.0.1:%d/callback' % free_port()
    judge = judge_factory(redirect_uri)
    store, output = consent(collection_env, tmp_path, judge, redirect_uri)
    stored = read_store(store)
    secrets = {CLIENT_SECRET, VAULT_PASSWORD, stored['refresh_token'], stored['access_token']}
    assert_no_secret(output, secrets)

    spent = []
    for dummy in range(ROUNDS):
        before = read_store(store)
        result = refresh(run_playbook, judge, store)
        after = read_store(store)
        secrets |= {after['refresh_token'], after['access_token']}
        assert result.task_result('Refresh')['changed'] is True
        assert after['refresh_token'] != before['refresh_token'], 'the rotated refresh token was not persisted'
        assert after['access_token'] != before['access_token']
        assert after['refresh_token_issued_at'] >= before['refresh_token_issued_at']
        assert 'refreshed=True token_type=Bearer scope=ADMIN_WRITE' in result.stdout
        assert_no_secret(result.stdout + result.stderr, secrets)
        spent.append(before['refresh_token'])

    # A wrong client secret is reported as such, and spends nothing.
    current = read_store(store)
    wrong = refresh(run_playbook, judge, store, secret='not-the-client-secret', expect_rc=2)
    message = wrong.task_result('Refresh')['msg']
    assert 'refused the client' in message and 'invalid_client' in message, message
    assert read_store(store) == current
    assert_no_secret(wrong.stdout + wrong.stderr, secrets | {'not-the-client-secret'})

    # A spent refresh token is refused: the server answers 400 invalid_grant ...
    answer = token_post(judge, grant_type='refresh_token', refresh_token=spent[-1])
    assert answer.status_code == 400 and answer.json()['error'] == 'invalid_grant', answer.text
    # ... and, having seen a rotated token come back, revokes the grant: the store's token is dead too, and the
    # collection says so with the way out.
    dead = refresh(run_playbook, judge, store, expect_rc=2)
    message = dead.task_result('Refresh')['msg']
    assert 'refused the refresh token' in message and 'invalid_grant' in message and BOOTSTRAP_HINT[1:] in message, message
    assert_no_secret(dead.stdout + dead.stderr, secrets)


def test_spent_refresh_token_in_the_store(judge_factory, collection_env, run_playbook, tmp_path):
    redirect_uri = 'http://127.0.0.1:%d/callback' % free_port()
    judge = judge_factory(redirect_uri)
    store, dummy = consent(collection_env, tmp_path, judge, redirect_uri)
    first = read_store(store)
    refresh(run_playbook, judge, store)
    write_store(store, first)  # an old copy of the store comes back (a restored backup, a stale Git checkout)
    result = refresh(run_playbook, judge, store, expect_rc=2)
    message = result.task_result('Refresh')['msg']
    assert 'refused the refresh token' in message and BOOTSTRAP_HINT[1:] in message, message
    assert_no_secret(result.stdout + result.stderr, {CLIENT_SECRET, first['refresh_token'], first['access_token']})


def test_lifetime_expired_refresh_token(judge_factory, collection_env, run_playbook, tmp_path):
    redirect_uri = 'http://127.0.0.1:%d/callback' % free_port()
    lifetime = 5  # seconds, counted from the code exchange that ends the consent
    judge = judge_factory(redirect_uri, RefreshToken=lifetime)
    store, dummy = consent(collection_env, tmp_path, judge, redirect_uri)
    stored = read_store(store)
    time.sleep(max(0, stored['refresh_token_issued_at'] + lifetime + 2 - time.time()))
    result = refresh(run_playbook, judge, store, expect_rc=2)
    message = result.task_result('Refresh')['msg']
    assert 'refused the refresh token' in message and 'expired' in message and BOOTSTRAP_HINT[1:] in message, message
    assert read_store(store)['refresh_token'] == stored['refresh_token']
    assert_no_secret(result.stdout + result.stderr, {CLIENT_SECRET, stored['refresh_token'], stored['access_token']})
