# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vault token store on real files with real vault encryption: lock, atomic write, mode, recovery."""

from __future__ import annotations

import errno
import multiprocessing
import os
import stat
import time

import pytest
import yaml

from ansible import constants as C
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.dcops.bitbucket.plugins.plugin_utils._file_token_store import FileTokenStore
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_store import (
    TokenStoreError,
    TokenStoreWriteError,
    open_token_store,
)

DEV = ('dev', VaultSecret(b'dev-password'))
PROD = ('prod', VaultSecret(b'prod-password'))
TOKENS = {
    'url': 'https://bitbucket.example.com', 'client_id': 'cid', 'redirect_uri': 'http://127.0.0.1:8765/cb',
    'refresh_token': 'refresh-SECRET-1', 'refresh_token_issued_at': 1700000000, 'access_token': 'access-SECRET-1',
    'expires_at': 1700003600, 'token_type': 'bearer', 'scope': ['ADMIN_WRITE'],
}


def write_store(path, data, secrets, **kwargs):
    store = FileTokenStore(str(path), secrets, **kwargs)
    with store.locked():
        store.create(data, force=True)
    return store


def read_store(path, secrets, **kwargs):
    store = FileTokenStore(str(path), secrets, **kwargs)
    with store.locked():
        return store.read()


def decrypt(path, secrets):
    return yaml.safe_load(VaultLib(secrets).decrypt(path.read_bytes()))


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_round_trip_is_encrypted_and_private(tmp_path):
    path = tmp_path / 'store.yml'
    write_store(path, TOKENS, [DEV])
    raw = path.read_bytes()
    assert raw.startswith(b'$ANSIBLE_VAULT;1.2;AES256;dev\n')
    assert b'SECRET' not in raw
    assert mode(path) == 0o600
    assert read_store(path, [DEV]) == TOKENS
    assert decrypt(path, [DEV]) == TOKENS
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    assert leftovers == ['store.yml', 'store.yml.lock'], 'no temporary file may stay behind'


def test_missing_store_reads_as_none(tmp_path):
    assert read_store(tmp_path / 'absent.yml', [DEV]) is None


def test_rewrite_tightens_a_loose_mode_and_keeps_the_vault_id(tmp_path):
    path = tmp_path / 'store.yml'
    write_store(path, TOKENS, [PROD])
    os.chmod(path, 0o644)
    # The run knows both secrets; dev comes first, but the store was encrypted with prod and must stay so.
    store = FileTokenStore(str(path), [DEV, PROD])
    with store.locked():
        data = store.read()
        store.write(dict(data, refresh_token='refresh-SECRET-2'))
    assert mode(path) == 0o600
    assert path.read_bytes().startswith(b'$ANSIBLE_VAULT;1.2;AES256;prod\n')
    assert decrypt(path, [PROD])['refresh_token'] == 'refresh-SECRET-2'
    with pytest.raises(Exception):
        VaultLib([('prod', DEV[1])]).decrypt(path.read_bytes())


def test_store_without_vault_id_keeps_format_1_1(tmp_path):
    path = tmp_path / 'store.yml'
    default = ('default', VaultSecret(b'pw'))
    write_store(path, TOKENS, [default])
    assert path.read_bytes().startswith(b'$ANSIBLE_VAULT;1.1;AES256\n')
    store = FileTokenStore(str(path), [default])
    with store.locked():
        store.write(dict(store.read(), access_token='access-SECRET-2'))
    assert path.read_bytes().startswith(b'$ANSIBLE_VAULT;1.1;AES256\n')


def test_explicit_vault_id_selects_the_secret(tmp_path):
    path = tmp_path / 'store.yml'
    write_store(path, TOKENS, [DEV, PROD], vault_id='prod')
    assert path.read_bytes().startswith(b'$ANSIBLE_VAULT;1.2;AES256;prod\n')
    assert decrypt(path, [PROD]) == TOKENS


def test_unknown_vault_id_is_refused_naming_the_option(tmp_path):
    with pytest.raises(TokenStoreError, match='token_store_vault_id other is not among the vault IDs of this run'):
        FileTokenStore(str(tmp_path / 'store.yml'), [DEV], vault_id='other')


def test_no_vault_secret_is_refused(tmp_path):
    with pytest.raises(TokenStoreError, match='no vault secret'):
        FileTokenStore(str(tmp_path / 'store.yml'), [])


def test_wrong_secret_and_plaintext_are_refused_without_leaking(tmp_path):
    path = tmp_path / 'store.yml'
    write_store(path, TOKENS, [DEV])
    with pytest.raises(TokenStoreError, match='cannot decrypt token_store') as info:
        read_store(path, [('dev', VaultSecret(b'pw-xq7'))])
    assert 'access-SECRET' not in str(info.value) and 'pw-xq7' not in str(info.value)
    plain = tmp_path / 'plain.yml'
    plain.write_text(yaml.safe_dump(TOKENS))
    with pytest.raises(TokenStoreError, match='is not vault-encrypted') as info:
        read_store(plain, [DEV])
    assert 'access-SECRET' not in str(info.value)


def test_store_of_other_yaml_is_refused(tmp_path):
    path = tmp_path / 'store.yml'
    path.write_bytes(VaultLib([DEV]).encrypt(b'- a list\n', secret=DEV[1], vault_id='dev'))
    with pytest.raises(TokenStoreError, match='does not hold a YAML mapping'):
        read_store(path, [DEV])


def test_symlinked_store_writes_through_to_its_target(tmp_path):
    target_dir = tmp_path / 'secrets'
    target_dir.mkdir()
    target = target_dir / 'store.yml'
    write_store(target, TOKENS, [DEV])
    link = tmp_path / 'link.yml'
    link.symlink_to(target)
    store = FileTokenStore(str(link), [DEV])
    with store.locked():
        store.write(dict(store.read(), refresh_token='refresh-SECRET-2'))
    assert link.is_symlink()
    assert decrypt(target, [DEV])['refresh_token'] == 'refresh-SECRET-2'
    assert os.path.exists(str(target) + '.lock')


def test_use_without_the_lock_is_a_programming_error(tmp_path):
    store = FileTokenStore(str(tmp_path / 'store.yml'), [DEV])
    with pytest.raises(RuntimeError):
        store.read()
    with pytest.raises(RuntimeError):
        store.write(TOKENS)


def test_missing_directory_is_reported(tmp_path):
    with pytest.raises(TokenStoreError, match='does not exist'):
        read_store(tmp_path / 'nowhere' / 'store.yml', [DEV])


def _fail_replace(monkeypatch):
    def replace(src, dst):
        raise OSError(errno.ENOSPC, 'No space left on device')
    monkeypatch.setattr(os, 'replace', replace)


def test_failed_write_leaves_store_untouched_and_a_recovery_file(tmp_path, monkeypatch):
    path = tmp_path / 'store.yml'
    write_store(path, TOKENS, [DEV])
    before = path.read_bytes()
    new = dict(TOKENS, refresh_token='refresh-SECRET-NEW')
    _fail_replace(monkeypatch)
    store = FileTokenStore(str(path), [DEV])
    with pytest.raises(TokenStoreWriteError) as info:
        with store.locked():
            store.read()
            store.write(new)
    monkeypatch.undo()
    recovery = info.value.recovery_path
    assert os.path.dirname(recovery) == str(tmp_path)
    assert os.path.basename(recovery).startswith('store.yml.recovery-')
    assert recovery in str(info.value) and 'No space left on device' in str(info.value)
    assert 'refresh-SECRET' not in str(info.value)
    assert path.read_bytes() == before
    assert mode(recovery) == 0o600
    assert decrypt(tmp_path / os.path.basename(recovery), [DEV]) == new
    assert not [p for p in tmp_path.iterdir() if p.name.endswith('.tmp')], 'the temporary file is removed'


def test_recovery_falls_back_to_the_home_directory(tmp_path, monkeypatch):
    store_dir = tmp_path / 'store'
    home = tmp_path / 'home'
    store_dir.mkdir()
    home.mkdir()
    path = store_dir / 'store.yml'
    write_store(path, TOKENS, [DEV])
    monkeypatch.setenv('HOME', str(home))
    _fail_replace(monkeypatch)
    real_open = os.open

    def no_recovery_beside_the_store(name, flags, mode=0o777, **kwargs):
        if os.path.dirname(str(name)) == str(store_dir) and '.recovery-' in str(name):
            raise OSError(errno.EROFS, 'Read-only file system')
        return real_open(name, flags, mode, **kwargs)
    monkeypatch.setattr(os, 'open', no_recovery_beside_the_store)
    store = FileTokenStore(str(path), [DEV])
    with pytest.raises(TokenStoreWriteError) as info:
        with store.locked():
            store.read()
            store.write(dict(TOKENS, refresh_token='refresh-SECRET-NEW'))
    monkeypatch.undo()
    assert os.path.dirname(info.value.recovery_path) == str(home)
    assert decrypt(home / os.path.basename(info.value.recovery_path), [DEV])['refresh_token'] == 'refresh-SECRET-NEW'


def _hold_lock(path, ready, release):
    store = FileTokenStore(path, [DEV])
    with store.locked():
        ready.set()
        release.wait(10)
        store.read()
        store.write(dict(TOKENS, refresh_token='refresh-SECRET-FROM-HOLDER'))


def test_lock_is_exclusive_across_processes_and_the_waiter_reads_the_new_store(tmp_path):
    path = str(tmp_path / 'store.yml')
    write_store(path, TOKENS, [DEV])
    context = multiprocessing.get_context('fork')
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(path, ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        impatient = FileTokenStore(path, [DEV], lock_timeout=0.3)
        started = time.monotonic()
        with pytest.raises(TokenStoreError, match='held the lock'):
            with impatient.locked():
                pass
        assert time.monotonic() - started >= 0.3
        release.set()
        waiter = FileTokenStore(path, [DEV], lock_timeout=10)
        with waiter.locked():
            assert waiter.read()['refresh_token'] == 'refresh-SECRET-FROM-HOLDER'
    finally:
        release.set()
        holder.join(10)
    assert holder.exitcode == 0


def test_option_values_tagged_by_ansible_core_are_stored_as_plain_yaml(tmp_path):
    """ansible-core 2.19 hands action plugins str and int subclasses that carry their origin."""
    tags = pytest.importorskip('ansible._internal._datatag._tags')
    origin = tags.Origin(description='a task option')
    path = tmp_path / 'store.yml'
    tagged = dict(TOKENS, url=origin.tag(TOKENS['url']), expires_at=origin.tag(TOKENS['expires_at']),
                  scope=[origin.tag('ADMIN_WRITE')])
    write_store(path, tagged, [DEV])
    assert decrypt(path, [DEV]) == TOKENS
    assert b'!!python' not in VaultLib([DEV]).decrypt(path.read_bytes())


def test_preflight_proves_the_store_can_be_written_before_tokens_are_spent(tmp_path, monkeypatch):
    store = FileTokenStore(str(tmp_path / 'store.yml'), [DEV])
    with store.locked():
        store.preflight()
        assert sorted(p.name for p in tmp_path.iterdir()) == ['store.yml.lock']
        # A new store is encrypted with DEFAULT_VAULT_ENCRYPT_IDENTITY, here a vault ID the run does not have.
        monkeypatch.setattr(C, 'DEFAULT_VAULT_ENCRYPT_IDENTITY', 'gone')
        with pytest.raises(TokenStoreError, match='cannot encrypt token_store'):
            store.preflight()


def test_write_never_replaces_a_store_it_did_not_read(tmp_path):
    """A writer that ignored the lock (a copy from another machine) is not overwritten: the new tokens are kept."""
    path = tmp_path / 'store.yml'
    write_store(path, TOKENS, [DEV])
    store = FileTokenStore(str(path), [DEV])
    with store.locked():
        store.read()
        elsewhere = yaml.safe_dump(dict(TOKENS, refresh_token='refresh-SECRET-ELSEWHERE')).encode()
        path.write_bytes(VaultLib([DEV]).encrypt(elsewhere, secret=DEV[1], vault_id='dev'))
        with pytest.raises(TokenStoreWriteError, match='changed since this run read it') as info:
            store.write(dict(TOKENS, refresh_token='refresh-SECRET-MINE'))
        assert store.reread()['refresh_token'] == 'refresh-SECRET-ELSEWHERE'
        store.write(dict(TOKENS, refresh_token='refresh-SECRET-AFTER-REREAD'))
    assert decrypt(tmp_path / os.path.basename(info.value.recovery_path), [DEV])['refresh_token'] == 'refresh-SECRET-MINE'
    assert decrypt(path, [DEV])['refresh_token'] == 'refresh-SECRET-AFTER-REREAD'
    assert 'SECRET' not in str(info.value)


def test_create_refuses_to_replace_unless_forced(tmp_path):
    path = tmp_path / 'store.yml'
    store = FileTokenStore(str(path), [DEV])
    with store.locked():
        store.create(TOKENS)
        with pytest.raises(TokenStoreError, match='already exists; refusing to replace it'):
            store.create(dict(TOKENS, refresh_token='refresh-SECRET-2'))
        store.create(dict(TOKENS, refresh_token='refresh-SECRET-3'), force=True)
    assert decrypt(path, [DEV])['refresh_token'] == 'refresh-SECRET-3'


def test_backend_is_chosen_by_token_store_backend(tmp_path, monkeypatch):
    params = {'token_store': str(tmp_path / 'store.yml'), 'token_store_vault_id': None}
    assert isinstance(open_token_store(dict(params, token_store_backend='file'), [DEV]), FileTokenStore)
    assert isinstance(open_token_store(params, [DEV]), FileTokenStore), 'file is the default'
    # hashi_vault checks its options before any request (tests/vault has it against a real OpenBao).
    monkeypatch.delenv('VAULT_ADDR', raising=False)
    with pytest.raises(TokenStoreError, match='hashi_vault.url is required with token_store_backend=hashi_vault'):
        open_token_store(dict(params, token_store_backend='hashi_vault', hashi_vault={}), [DEV])


def test_taking_the_lock_removes_temporary_files_of_killed_writers(tmp_path):
    path = tmp_path / 'store.yml'
    write_store(path, TOKENS, [DEV])
    stale = tmp_path / '.store.yml.k2j3h4.tmp'
    stale.write_bytes(path.read_bytes())
    unrelated = tmp_path / '.other.yml.k2j3h4.tmp'
    unrelated.write_bytes(b'not ours')
    store = FileTokenStore(str(path), [DEV])
    with store.locked():
        assert not stale.exists(), 'a writer holds the lock while its temporary file exists: this one was killed'
        assert store.read() == TOKENS
    assert unrelated.exists(), 'only the temporary files of this store are removed'
