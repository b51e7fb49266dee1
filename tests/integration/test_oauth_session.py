# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The oauth_session role through ansible-playbook against the simulator: rotation and persistence, reuse,
readable failures, check mode, concurrent runs on one store, and no secret in the output at -vvvv."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from conftest import VENV_BIN, _playbook_path
from oauth_support import CLIENT_SECRET, VAULT_PASSWORD, read_store, seeded_store

PLAYBOOK = 'oauth_session.yml'
TOKEN_TASK = 'dcops.bitbucket.oauth_session : Obtain an OAuth 2.0 access token from the token store'
FAIL_TASK = 'dcops.bitbucket.oauth_session : Fail with the reason no access token was obtained'


def host_vars(sim, store):
    return {'bitbucket_url': sim.url, 'bitbucket_oauth_client_id': 'automation',
            'bitbucket_oauth_client_secret': CLIENT_SECRET, 'bitbucket_oauth_token_store': str(store)}


def inventory(**hosts):
    return {'all': {'hosts': hosts}}


def vault_env(tmp_path):
    password_file = tmp_path / 'vault-password.txt'
    password_file.write_text(VAULT_PASSWORD + '\n')
    return {'ANSIBLE_VAULT_PASSWORD_FILE': str(password_file)}


def token_bodies(sim):
    return [entry['body'] for entry in sim.control.requests(family='token')]


def assert_no_secret(output, secrets):
    leaked = [name for name, value in secrets.items() if value and value in output]
    assert not leaked, 'secrets in the output: %s' % ', '.join(leaked)


def test_role_rotates_persists_reuses_and_fails_readably(sim, sim_factory, run_playbook, tmp_path):
    """One -vvvv run, three instances: a healthy expired store, a dead refresh token, a connection dropped after
    the server refreshed."""
    (other,) = sim_factory(1)
    good, dead, dropped = (tmp_path / name for name in ('good.yml', 'dead.yml', 'dropped.yml'))
    good_before = seeded_store(sim, good)
    dead_before = seeded_store(sim, dead, refresh_token='refresh-token-bitbucket-never-issued')
    dropped_before = seeded_store(other, dropped)
    other.control.fault(method='POST', path='/rest/oauth2/', action='drop_after_refresh')
    dead_bytes, dropped_bytes = dead.read_bytes(), dropped.read_bytes()

    result = run_playbook(PLAYBOOK, inventory=inventory(good=host_vars(sim, good), dead=host_vars(sim, dead),
                                                        dropped=host_vars(other, dropped)),
                          env=vault_env(tmp_path), verbosity=4, expect_rc=2)

    # Rotation and persistence: one refresh, the store holds the new pair, the old refresh token is dead.
    good_after = read_store(good)
    assert good_after['refresh_token'] != good_before['refresh_token']
    assert good_after['access_token'] != good_before['access_token']
    valid = sim.control.state()['valid_refresh_tokens']
    assert good_after['refresh_token'] in valid and good_before['refresh_token'] not in valid
    assert sum(good_before['refresh_token'] in body for body in token_bodies(sim)) == 1
    good_runs = [r for r in result.task_results(TOKEN_TASK) if r['host'] == 'good']
    assert [r['changed'] for r in good_runs] == [True, False], 'the second session reuses the stored token'
    assert all('censored' in r for r in good_runs), 'results holding a token are censored'
    assert result.task_result('Check the answer', host='good').get('failed') is not True

    # Dead refresh token: a readable message naming the consent playbook, the store untouched.
    message = result.task_result(FAIL_TASK, host='dead')['msg']
    assert 'invalid_grant' in message and 'ansible-playbook dcops.bitbucket.bootstrap_oauth' in message
    assert dead.read_bytes() == dead_bytes

    # Connection dropped after the server refreshed: says so, the store untouched, no traceback.
    message = result.task_result(FAIL_TASK, host='dropped')['msg']
    assert 'may have accepted it' in message and 'was not changed' in message
    assert dropped.read_bytes() == dropped_bytes
    assert len(other.control.requests(family='token')) == 1
    assert 'Traceback' not in result.stdout + result.stderr

    assert_no_secret(result.stdout + result.stderr + json.dumps(result.json), {
        'new access token': good_after['access_token'], 'new refresh token': good_after['refresh_token'],
        'old access token': good_before['access_token'], 'old refresh token': good_before['refresh_token'],
        'dead store tokens': dead_before['access_token'], 'dropped refresh token': dropped_before['refresh_token'],
        'client secret': CLIENT_SECRET, 'vault password': VAULT_PASSWORD})


def test_check_mode_refreshes_and_writes_the_store(sim, run_playbook, tmp_path):
    store = tmp_path / 'store.yml'
    before = seeded_store(sim, store)
    result = run_playbook(PLAYBOOK, inventory=inventory(instance=host_vars(sim, store)), env=vault_env(tmp_path),
                          check=True)
    after = read_store(store)
    assert after['refresh_token'] != before['refresh_token'], 'a rotated token that is not saved would be lost'
    assert sim.control.state()['valid_refresh_tokens'] == [after['refresh_token']]
    assert [r['changed'] for r in result.task_results(TOKEN_TASK)] == [True, False]
    assert len(sim.control.requests(family='token')) == 1, 'the second session in the run made no request'


def test_concurrent_runs_on_one_expired_store_refresh_once(sim, collection_env, tmp_path):
    store = tmp_path / 'store.yml'
    before = seeded_store(sim, store)
    inventory_path = tmp_path / 'inventory.json'
    inventory_path.write_text(json.dumps(inventory(instance=dict(
        host_vars(sim, store), ansible_connection='local', ansible_python_interpreter=sys.executable))))
    env = dict(collection_env, **vault_env(tmp_path))
    env.pop('ANSIBLE_CALLBACKS_ENABLED', None)
    command = [str(VENV_BIN / 'ansible-playbook'), '-i', str(inventory_path), str(_playbook_path(PLAYBOOK))]
    started = time.monotonic()
    runs = [subprocess.Popen(command, env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True) for dummy in range(4)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    for run, output in zip(runs, outputs):
        assert run.returncode == 0, output[-4000:]
    after = read_store(store)
    assert len(sim.control.requests(family='token')) == 1, 'exactly one refresh between the four runs'
    assert after['refresh_token'] != before['refresh_token']
    assert sim.control.state()['valid_refresh_tokens'] == [after['refresh_token']]
    assert sum('changed=1' in output for output in outputs) == 1, 'one run refreshed, three reused its token'
    assert time.monotonic() - started < 120
