# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The oauth_session role through ansible-playbook on the hashi_vault backend, against the simulator and a real
OpenBao: refresh and reuse, refusals before any token is spent, a check-and-set conflict, the invalid_grant
recovery, AppRole on a second mount, and no secret in the output or files at -vvvv."""

from __future__ import annotations

import threading
import time

from oauth_support import CLIENT_ID, CLIENT_SECRET
from vault_sessions import FAIL_TASK, TOKEN_TASK, assert_no_secret, refresh_tokens_sent, seeded_secret, vault_host
from vault_support import JOB_POLICY, READ_ONLY_POLICY, BaoServer, free_port

PLAYBOOK = 'oauth_session.yml'


def inventory(**hosts):
    return {'all': {'hosts': hosts}}


def test_expired_store_refreshes_once_and_a_fresh_one_not_at_all(sim, bao, kv_path, vault_options, run_playbook):
    before = seeded_secret(sim, bao.admin, kv_path)
    host = vault_host(sim, kv_path, vault_options)
    seeding = bao.kv_writes('secret', kv_path)

    result = run_playbook(PLAYBOOK, inventory=inventory(prod=host))

    after, version = bao.admin.kv_get('secret', kv_path)
    assert version == 2, 'exactly one new version'
    assert refresh_tokens_sent(sim) == [before['refresh_token']], 'exactly one refresh'
    valid = sim.control.state()['valid_refresh_tokens']
    assert after['refresh_token'] in valid and before['refresh_token'] not in valid
    assert [r['changed'] for r in result.task_results(TOKEN_TASK)] == [True, False]
    assert result.task_result('Check the answer').get('failed') is not True
    writes = bao.kv_writes('secret', kv_path)
    # Two sessions: each takes and releases the lock (2 writes of <path>/lock); the first writes one version.
    assert writes == {'secret/data/' + kv_path: seeding['secret/data/' + kv_path] + 1,
                      'secret/data/%s/lock' % kv_path: 4}, writes

    # Fresh store: no token request, no new version (the lock is taken and released, the secret untouched).
    sim.control.clear_requests()
    result = run_playbook(PLAYBOOK, inventory=inventory(prod=host))
    assert sim.control.request_count(family='token') == 0
    assert bao.admin.kv_get('secret', kv_path) == (after, 2)
    assert [r['changed'] for r in result.task_results(TOKEN_TASK)] == [False, False]
    assert bao.kv_writes('secret', kv_path) == dict(writes, **{'secret/data/%s/lock' % kv_path: 8})


def test_vault_that_cannot_be_written_fails_before_any_token_is_spent(sim, bao, kv_path, run_playbook, tmp_path):
    seeded_secret(sim, bao.admin, kv_path)
    bao.admin.policy('deny-write', READ_ONLY_POLICY, path=kv_path)
    sealed = BaoServer(str(tmp_path))
    try:
        sealed.admin.seal()
        settings = {
            'wrong_token': {'url': bao.url, 'token': 'hvs.wrong-vault-token-canary'},
            'denying': {'url': bao.url, 'token': bao.admin.token(['deny-write'])},
            'unreachable': {'url': 'http://127.0.0.1:%d' % free_port(), 'token': 'hvs.unreachable-canary'},
            'sealed': {'url': sealed.url, 'token': sealed.root_token},
        }
        hosts = {name: vault_host(sim, kv_path, options) for name, options in settings.items()}
        result = run_playbook(PLAYBOOK, inventory=inventory(**hosts), verbosity=2, expect_rc=2)
    finally:
        sealed.stop()
    assert sim.control.request_count(family='token') == 0, 'no token was spent'
    assert bao.admin.kv_versions('secret', kv_path) == 1
    reasons = {'wrong_token': 'permission denied', 'denying': 'permission denied', 'unreachable': 'cannot connect',
               'sealed': 'Vault is sealed'}
    for name, options in settings.items():
        message = result.task_result(FAIL_TASK, host=name)['msg']
        assert reasons[name] in message and options['url'] in message and kv_path in message, (name, message)
    assert_no_secret([result.stdout, result.stderr], {name: options['token'] for name, options in settings.items()})


def test_conflicting_write_between_read_and_write_is_kept_and_the_new_tokens_recovered(sim, bao, kv_path,
                                                                                       vault_options, run_playbook):
    before = seeded_secret(sim, bao.admin, kv_path)
    sim.control.fault(method='POST', path='/rest/oauth2/', action='slow', delay=3)
    other = dict(before, access_token='written-by-someone-else')

    def write_during_the_refresh():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(f['hits'] for f in sim.control.faults()):
            time.sleep(0.05)
        bao.admin.kv_put('secret', kv_path, other)

    writer = threading.Thread(target=write_during_the_refresh)
    writer.start()
    result = run_playbook(PLAYBOOK, inventory=inventory(prod=vault_host(sim, kv_path, vault_options)), expect_rc=2)
    writer.join()

    message = result.task_result(FAIL_TASK)['msg']
    assert 'check-and-set mismatch' in message and 'it was not overwritten' in message
    assert bao.admin.kv_get('secret', kv_path) == (other, 2), 'the other writer\'s version is kept'
    recovery = [key for key in bao.admin.kv_list('secret', kv_path + '/') if key.startswith('recovery-')]
    assert len(recovery) == 1 and 'secret/%s/%s' % (kv_path, recovery[0]) in message
    saved = bao.admin.kv_get('secret', '%s/%s' % (kv_path, recovery[0]))[0]
    assert saved['refresh_token'] in sim.control.state()['valid_refresh_tokens'], 'nothing is lost'


def test_invalid_grant_after_another_run_rotated_uses_the_new_token_once(
        sim, bao, kv_path, vault_options, run_playbook):
    seeded_secret(sim, bao.admin, kv_path, refresh_token='refresh-token-rotated-away')
    sim.control.fault(method='POST', path='/rest/oauth2/', action='slow', delay=2)
    rotated = {}

    def rotate_meanwhile():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(f['hits'] for f in sim.control.faults()):
            time.sleep(0.05)
        rotated.update(sim.control.issue_tokens(CLIENT_ID))
        current = bao.admin.kv_get('secret', kv_path)[0]
        bao.admin.kv_put('secret', kv_path, dict(current, refresh_token=rotated['refresh_token']))

    thread = threading.Thread(target=rotate_meanwhile)
    thread.start()
    result = run_playbook(PLAYBOOK, inventory=inventory(prod=vault_host(sim, kv_path, vault_options)))
    thread.join()

    assert result.task_results(TOKEN_TASK)[0]['changed'] is True
    assert refresh_tokens_sent(sim)[-1] == rotated['refresh_token'], 'the re-read token was used, once'
    after, version = bao.admin.kv_get('secret', kv_path)
    assert version == 3 and after['refresh_token'] in sim.control.state()['valid_refresh_tokens']


def test_approle_second_mount_and_no_secret_at_vvvv(sim, bao, kv_path, run_playbook, tmp_path):
    bao.admin.enable_kv('kv-canary')
    bao.admin.policy('canary-job', JOB_POLICY, mount='kv-canary', path=kv_path)
    role_id, secret_id = bao.admin.approle('canary-job', ['canary-job'])
    before = seeded_secret(sim, bao.admin, kv_path, mount='kv-canary')
    options = {'url': bao.url, 'auth_method': 'approle', 'role_id': role_id, 'secret_id': secret_id,
               'mount_point': 'kv-canary'}

    result = run_playbook(PLAYBOOK, inventory=inventory(prod=vault_host(sim, kv_path, options)), verbosity=4)

    after, version = bao.admin.kv_get('kv-canary', kv_path)
    assert version == 2 and after['refresh_token'] != before['refresh_token']
    assert bao.admin.kv_get('secret', kv_path) == (None, 0)
    texts = [result.stdout, result.stderr]
    # Every file the run left, except the inventory this test wrote (it holds the secret ID and client secret).
    texts += [path.read_text(errors='replace') for path in tmp_path.rglob('*')
              if path.is_file() and path.name != 'inventory.yml']
    secrets = {'secret_id': secret_id, 'client secret': CLIENT_SECRET, 'root token': bao.root_token}
    for label, store in (('before', before), ('after', after)):
        secrets['refresh token ' + label] = store['refresh_token']
        secrets['access token ' + label] = store['access_token']
    assert 'ESTABLISH LOCAL CONNECTION' in result.stdout, 'the output is that of -vvvv'
    assert_no_secret(texts, secrets)
