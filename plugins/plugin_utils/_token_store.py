# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller-side OAuth 2.0 token store: an Ansible-Vault-encrypted YAML file. FOR INTERNAL COLLECTION USE ONLY.

One writer at a time: an exclusive fcntl lock on a sibling file (``<store>.lock``) is held from the read to the
write, so a run that waited re-reads what the previous one wrote. Writes are atomic (temporary file in the same
directory, fsync, rename, fsync of the directory) and always mode 0600. When a write fails, the same encrypted
content goes to a recovery file beside the store (or in the home directory when that fails too).
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import os
import tempfile
import time

import yaml

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.parsing.vault import VaultLib, is_encrypted, match_encrypt_secret, parse_vaulttext_envelope

STORE_FIELDS = ('url', 'client_id', 'redirect_uri', 'refresh_token', 'refresh_token_issued_at', 'access_token',
                'expires_at', 'token_type', 'scope')
HEADER = '# dcops.bitbucket OAuth 2.0 token store, written by dcops.bitbucket.bitbucket_oauth_token. Do not edit.\n'
LOCK_POLL_SECONDS = 0.05
DAMAGED_HINT = ('restore it from a backup or from version control, or run ansible-playbook dcops.bitbucket.bootstrap_oauth to create it '
                'again')


class TokenStoreError(Exception):
    """The store cannot be used; the message names the file and never holds a secret."""


class TokenStoreWriteError(TokenStoreError):
    """New tokens could not be written to the store; recovery_path holds them (None when nothing could be written)."""

    def __init__(self, message, recovery_path=None):
        self.recovery_path = recovery_path
        super().__init__(message)


def _reason(exc):
    if isinstance(exc, OSError):
        return exc.strerror or errno.errorcode.get(exc.errno, str(exc))
    return type(exc).__name__


class TokenStore:
    """One store file. Use ``with store.locked():`` around ``read()`` and ``write()``."""

    def __init__(self, path, vault_secrets, vault_id=None, lock_timeout=300.0):
        self.path = os.path.realpath(os.path.expanduser(path))
        self.lock_path = self.path + '.lock'
        self.lock_timeout = lock_timeout
        self._vault = VaultLib(list(vault_secrets or []))
        self._vault_id = vault_id
        self._encrypt_with = None
        self._locked = False
        if not self._vault.secrets:
            raise TokenStoreError(
                'token_store %s is vault-encrypted, but this run has no vault secret: give one with --vault-id, '
                '--vault-password-file or ANSIBLE_VAULT_PASSWORD_FILE (in AWX, a Vault credential)' % self.path)
        if vault_id:
            known = [vid for vid, dummy in self._vault.secrets]
            if vault_id not in known:
                raise TokenStoreError('token_store_vault_id %s is not among the vault IDs of this run (%s)'
                                      % (vault_id, ', '.join(known)))

    @contextlib.contextmanager
    def locked(self):
        """Hold the exclusive lock on ``<store>.lock``; waits at most lock_timeout seconds."""
        directory = os.path.dirname(self.path)
        if not os.path.isdir(directory):
            raise TokenStoreError('the directory of token_store %s does not exist' % self.path)
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_CLOEXEC', 0), 0o600)
        except OSError as exc:
            raise TokenStoreError('cannot create the lock file %s (%s); the directory of the token store must be '
                                  'writable' % (self.lock_path, _reason(exc)))
        try:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise TokenStoreError('another run held the lock %s for more than %d seconds; if no run is '
                                              'active, a process is hung holding it'
                                              % (self.lock_path, self.lock_timeout))
                    time.sleep(LOCK_POLL_SECONDS)
            self._locked = True
            try:
                yield self
            finally:
                self._locked = False
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def exists(self):
        return os.path.exists(self.path)

    def refuse_replacing(self, force=False):
        """Raise unless the store is absent or force is set: it may hold the only valid refresh token."""
        if not force and self.exists():
            raise TokenStoreError('token_store %s already exists; refusing to replace it, since it may hold the only '
                                  'valid refresh token. Set force: true to replace it.' % self.path)

    def read(self):
        """The decrypted store as a dict, or None when the file does not exist."""
        self._require_lock()
        try:
            with open(self.path, 'rb') as handle:
                b_vaulttext = handle.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TokenStoreError('cannot read token_store %s (%s)' % (self.path, _reason(exc)))
        if not b_vaulttext.strip():
            raise TokenStoreError('token_store %s is empty: the file is damaged; %s' % (self.path, DAMAGED_HINT))
        if not is_encrypted(b_vaulttext):
            raise TokenStoreError('token_store %s is not vault-encrypted; the store holds secrets and is only '
                                  'read and written encrypted' % self.path)
        try:
            b_plaintext, dummy, secret = self._vault.decrypt_and_get_vault_id(b_vaulttext)
            header_vault_id = parse_vaulttext_envelope(b_vaulttext)[3]
        except AnsibleError:
            # A wrong secret and a damaged file fail the same HMAC check, so both are named.
            raise TokenStoreError('cannot decrypt token_store %s with the vault secrets of this run: either it was '
                                  'encrypted with another vault secret (give that one, with --vault-id or '
                                  '--vault-password-file), or the file is damaged (%s)' % (self.path, DAMAGED_HINT))
        try:
            data = yaml.safe_load(to_text(b_plaintext, errors='surrogate_or_strict'))
        except yaml.YAMLError:
            data = None
        if not isinstance(data, dict):
            raise TokenStoreError('token_store %s decrypts, but does not hold a YAML mapping' % self.path)
        if not self._vault_id:
            self._encrypt_with = (header_vault_id if header_vault_id != C.DEFAULT_VAULT_IDENTITY else None, secret)
        return {key: data.get(key) for key in STORE_FIELDS}

    def preflight(self, data):
        """Fail now, before tokens are spent, on what would stop write(): the vault secret, the directory."""
        self._require_lock()
        self.encrypt(data)
        directory, name = os.path.split(self.path)
        try:
            fd, tmp_path = tempfile.mkstemp(prefix='.%s.' % name, suffix='.tmp', dir=directory)
        except OSError as exc:
            raise TokenStoreError('cannot create files in the directory of token_store %s (%s); it must be writable '
                                  'for the atomic replacement' % (self.path, _reason(exc)))
        os.close(fd)
        os.unlink(tmp_path)

    def write(self, data):
        """Atomically replace the store with data, encrypted, mode 0600. Raises TokenStoreWriteError on failure."""
        self._require_lock()
        try:
            b_vaulttext = self.encrypt(data)
        except Exception as exc:  # pylint: disable=broad-except; the message must not echo the data
            raise TokenStoreWriteError('could not encrypt the new tokens for token_store %s (%s); they are lost, and %s'
                                       % (self.path, type(exc).__name__, 'run ansible-playbook dcops.bitbucket.bootstrap_oauth'))
        try:
            self._replace(b_vaulttext)
        except Exception as exc:  # pylint: disable=broad-except; any failure must end in a recovery file
            recovery = self._write_recovery(b_vaulttext)
            if recovery:
                raise TokenStoreWriteError(
                    'could not write token_store %s (%s). The new tokens are in the recovery file %s (vault-encrypted '
                    'like the store); fix the cause, then move it over the store: mv %s %s'
                    % (self.path, _reason(exc), recovery, recovery, self.path), recovery)
            raise TokenStoreWriteError(
                'could not write token_store %s (%s), nor a recovery file beside it or in the home directory. The '
                'new refresh token is lost; %s.' % (self.path, _reason(exc), 'run ansible-playbook dcops.bitbucket.bootstrap_oauth'))

    def encrypt(self, data):
        content = {key: _native(data.get(key)) for key in STORE_FIELDS}
        plaintext = HEADER + yaml.safe_dump(content, default_flow_style=False, sort_keys=False)
        try:
            vault_id, secret = self._encryption_secret()
        except AnsibleError as exc:
            raise TokenStoreError('cannot encrypt token_store %s: %s' % (self.path, exc))
        return self._vault.encrypt(to_bytes(plaintext), secret=secret, vault_id=vault_id)

    def _encryption_secret(self):
        if self._vault_id:
            return match_encrypt_secret(self._vault.secrets, self._vault_id)
        if self._encrypt_with:
            return self._encrypt_with
        vault_id, secret = match_encrypt_secret(self._vault.secrets, C.DEFAULT_VAULT_ENCRYPT_IDENTITY)
        return (vault_id if vault_id != C.DEFAULT_VAULT_IDENTITY else None), secret

    def _require_lock(self):
        if not self._locked:
            raise RuntimeError('TokenStore used without holding its lock')

    def _replace(self, b_vaulttext):
        directory, name = os.path.split(self.path)
        fd, tmp_path = tempfile.mkstemp(prefix='.%s.' % name, suffix='.tmp', dir=directory)
        try:
            try:
                os.fchmod(fd, 0o600)
                _write_all(fd, b_vaulttext)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp_path, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_path)
            raise
        _fsync_directory(directory)

    def _write_recovery(self, b_vaulttext):
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime('%Y%m%dT%H%M%SZ')
        name = '%s.recovery-%s-%d' % (os.path.basename(self.path), stamp, os.getpid())
        for directory in (os.path.dirname(self.path), os.path.expanduser('~')):
            path = os.path.join(directory, name)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_CLOEXEC', 0), 0o600)
            except OSError:
                continue
            try:
                os.fchmod(fd, 0o600)
                _write_all(fd, b_vaulttext)
                os.fsync(fd)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(path)
                continue
            finally:
                os.close(fd)
            with contextlib.suppress(OSError):
                _fsync_directory(directory)
            return path
        return None


def _native(value):
    """Plain Python types for YAML: option values arrive as ansible-core's tagged str and int subclasses."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_native(item) for item in value]
    return str(value)


def run_vault_secrets(loader):
    """The vault secrets this run was given (--vault-id, --vault-password-file, ...), from an action's loader.

    DataLoader has a public setter for them (set_vault_secrets) but no getter, and an action plugin gets no other
    handle on them; tests/unit/test_ansible_internals.py fails when ansible-core changes the attribute.
    """
    vault = getattr(loader, '_vault', None)
    return list(getattr(vault, 'secrets', None) or [])


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_directory(directory):
    fd = os.open(directory, os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
