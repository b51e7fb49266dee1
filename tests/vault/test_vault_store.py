# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hashi_vault token store against a real OpenBao dev server: check-and-set, recovery, lease lock, auth
methods, mounts, namespaces, environment fallbacks and refusals that name URL and path but no secret."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import COLLECTIONS_PATH
from vault_support import JOB_POLICY, READ_ONLY_POLICY, BaoServer, free_port

from ansible_collections.dcops.bitbucket.plugins.plugin_utils._hashi_vault_token_store import HashiVaultTokenStore
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_store import TokenStoreError, TokenStoreWriteError
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._vault_auth import vault_settings

TOKENS = {'url': 'https://bitbucket.example.com', 'client_id': 'automation', 'refresh_token': 'refresh-one',
          'access_token': 'access-one', 'expires_at': 100, 'refresh_token_issued_at': 50, 'scope': ['ADMIN_WRITE'],
          'redirect_uri': 'http://127.0.0.1:8765/callback', 'token_type': 'bearer'}


def store(path, options, lock_timeout=30):
    return HashiVaultTokenStore(path, options, lock_timeout=lock_timeout)


def create(path, options, data=TOKENS):
    with store(path, options).locked() as locked:
        locked.create(data)


def test_create_refuses_to_replace_unless_forced(bao, kv_path, vault_options):
    create(kv_path, vault_options)
    assert bao.admin.kv_get('secret', kv_path) == (TOKENS, 1)
    with pytest.raises(TokenStoreError, match='already exists; refusing to replace') as refused:
        create(kv_path, vault_options, dict(TOKENS, refresh_token='refresh-two'))
    assert '%s, secret secret/%s' % (bao.url, kv_path) in str(refused.value)
    with store(kv_path, vault_options).locked() as locked:
        locked.create(dict(TOKENS, refresh_token='refresh-two'), force=True)
    assert bao.admin.kv_get('secret', kv_path)[0]['refresh_token'] == 'refresh-two'
    assert bao.admin.kv_get('secret', kv_path, version=1)[0]['refresh_token'] == 'refresh-one', 'history kept'


def test_conflicting_writer_is_not_overwritten_and_tokens_go_to_recovery(bao, kv_path, vault_options):
    create(kv_path, vault_options)
    with store(kv_path, vault_options).locked() as locked:
        data = locked.read()
        locked.preflight()
        bao.admin.kv_put('secret', kv_path, dict(TOKENS, refresh_token='written-by-another-run'))
        with pytest.raises(TokenStoreWriteError, match='check-and-set mismatch') as failed:
            locked.write(dict(data, refresh_token='refresh-two'))
    recovery = failed.value.recovery_path
    assert recovery.startswith(kv_path + '/recovery-') and 'secret/' + recovery in str(failed.value)
    assert bao.admin.kv_get('secret', kv_path) == (dict(TOKENS, refresh_token='written-by-another-run'), 2)
    assert bao.admin.kv_get('secret', recovery)[0]['refresh_token'] == 'refresh-two'


def test_refusals_name_url_and_path_and_no_secret(bao, kv_path, vault_options, tmp_path):
    create(kv_path, vault_options)
    bao.admin.policy('read-only', READ_ONLY_POLICY, path=kv_path)
    denied_token = bao.admin.token(['read-only'])
    cases = {
        'denying policy': ({'url': bao.url, 'token': denied_token}, 'permission denied'),
        'wrong token': ({'url': bao.url, 'token': 'hvs.wrong-token-canary'}, 'permission denied'),
        'unreachable': ({'url': 'http://127.0.0.1:%d' % free_port(), 'token': denied_token}, 'cannot connect'),
    }
    sealed = BaoServer(str(tmp_path))
    try:
        sealed.admin.seal()
        cases['sealed'] = ({'url': sealed.url, 'token': sealed.root_token}, 'Vault is sealed')
        for name, (options, reason) in cases.items():
            with pytest.raises(TokenStoreError) as failed:
                with store(kv_path, options).locked() as locked:
                    locked.read()
                    locked.preflight()
            message = str(failed.value)
            assert reason in message and options['url'] in message and kv_path in message, (name, message)
            assert options['token'] not in message, name
    finally:
        sealed.stop()
    assert bao.admin.kv_versions('secret', kv_path) == 1, 'nothing was written'


def test_approle_on_a_second_mount(bao, kv_path):
    bao.admin.enable_kv('kv-ops')
    bao.admin.policy('ops-job', JOB_POLICY, mount='kv-ops', path=kv_path)
    role_id, secret_id = bao.admin.approle('bitbucket-job', ['ops-job'])
    options = {'url': bao.url, 'auth_method': 'approle', 'role_id': role_id, 'secret_id': secret_id,
               'mount_point': 'kv-ops'}
    create(kv_path, options)
    with store(kv_path, options).locked() as locked:
        assert locked.read()['refresh_token'] == 'refresh-one'
        locked.preflight()
        locked.write(dict(TOKENS, refresh_token='refresh-two'))
    assert bao.admin.kv_get('kv-ops', kv_path) == (dict(TOKENS, refresh_token='refresh-two'), 2)
    assert bao.admin.kv_get('secret', kv_path) == (None, 0)
    with pytest.raises(TokenStoreError, match='auth_method approle') as failed:
        with store(kv_path, dict(options, secret_id='secret-id-canary')).locked():
            pass
    assert 'secret-id-canary' not in str(failed.value)


def test_namespace_and_environment_fallbacks(bao, kv_path, monkeypatch):
    team = bao.admin.namespace('team-eu')
    team.enable_kv('secret')
    monkeypatch.setenv('VAULT_ADDR', bao.url)
    monkeypatch.setenv('VAULT_TOKEN', bao.root_token)
    monkeypatch.setenv('VAULT_NAMESPACE', 'team-eu')
    create(kv_path, {})
    assert team.kv_get('secret', kv_path)[1] == 1
    assert bao.admin.kv_get('secret', kv_path) == (None, 0), 'written inside the namespace only'
    # An option that is set wins over its environment variable.
    monkeypatch.setenv('VAULT_ADDR', 'http://127.0.0.1:%d' % free_port())
    with pytest.raises(TokenStoreError, match='namespace team-eu.*already exists'):
        create(kv_path, {'url': bao.url})
    assert vault_settings({'url': 'https://vault.example.com'}, {'VAULT_ADDR': 'https://other'})['url'] \
        == 'https://vault.example.com'


HOLDER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._hashi_vault_token_store import HashiVaultTokenStore
with HashiVaultTokenStore(sys.argv[2], {'url': sys.argv[3], 'token': sys.argv[4]}, lock_timeout=int(sys.argv[5])).locked():
    print('locked', flush=True)
    time.sleep(600)
"""


def test_holder_killed_with_sigkill_blocks_the_next_at_most_lock_timeout(bao, kv_path, vault_options):
    lock_timeout = 4
    create(kv_path, vault_options)
    holder = subprocess.Popen([sys.executable, '-c', HOLDER, str(COLLECTIONS_PATH), kv_path, bao.url,
                               bao.root_token, str(lock_timeout)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == 'locked'
    killed_at = time.monotonic()
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    holder.stdout.close()
    waiting = store(kv_path, vault_options, lock_timeout=lock_timeout)
    with waiting.locked() as locked:
        waited = time.monotonic() - killed_at
        assert locked.read() == TOKENS, 'nothing stored is lost'
    assert 1 <= waiting.lock_waited and waited <= lock_timeout + 1.5, waited
    print('waited %.2f s after the holder was killed (lock_timeout %d s)' % (waited, lock_timeout))
