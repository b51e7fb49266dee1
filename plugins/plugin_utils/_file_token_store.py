# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The token store as an Ansible-Vault-encrypted YAML file on the controller. FOR INTERNAL COLLECTION USE ONLY.

One writer at a time: an exclusive flock on a sibling file (``<store>.lock``) is held from the read to the write,
so a run that waited re-reads what the previous one wrote; the run that takes the lock removes the temporary
files of writers that were killed before their rename. The version of the file is the digest of its bytes:
a write replaces only the content that was read, which catches a writer that ignored the lock (a copy from
another machine). When a write fails, the same encrypted content goes to a recovery file beside the store (or
in the home directory when that fails too).
"""

from __future__ import annotations

import contextlib
import hashlib
import os

import yaml

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.parsing.vault import VaultLib, is_encrypted, match_encrypt_secret, parse_vaulttext_envelope

from ansible_collections.dcops.bitbucket.plugins.plugin_utils import _private_files as files
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_store import (
    PREFLIGHT_CONTENT,
    STORE_FIELDS,
    TokenStore,
    TokenStoreError,
    TokenStoreWriteError,
    plain,
)

HEADER = '# dcops.bitbucket OAuth 2.0 token store, written by dcops.bitbucket.bitbucket_oauth_token. Do not edit.\n'
DAMAGED_HINT = ('restore it from a backup or from version control, or run ansible-playbook dcops.bitbucket.bootstrap_oauth to create it '
                'again')
LOST_HINT = 'run ansible-playbook dcops.bitbucket.bootstrap_oauth'
ABSENT = 'absent'


class FileTokenStore(TokenStore):
    """One store file."""

    def __init__(self, path, vault_secrets, vault_id=None, lock_timeout=300.0):
        self.path = os.path.realpath(os.path.expanduser(path))
        self.location = self.path
        self.lock_path = self.path + '.lock'
        self.lock_timeout = lock_timeout
        self._vault = VaultLib(list(vault_secrets or []))
        self._vault_id = vault_id
        self._encrypt_with = None
        self._locked = False
        self._version = None
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
        if not os.path.isdir(os.path.dirname(self.path)):
            raise TokenStoreError('the directory of token_store %s does not exist' % self.path)
        lock = files.exclusive_lock(
            self.lock_path, self.lock_timeout,
            on_timeout=lambda: TokenStoreError('another run held the lock %s for more than %d seconds; if no run is '
                                               'active, a process is hung holding it'
                                               % (self.lock_path, self.lock_timeout)),
            on_open_error=lambda exc: TokenStoreError('cannot create the lock file %s (%s); the directory of the '
                                                      'token store must be writable'
                                                      % (self.lock_path, files.reason(exc))))
        with lock:
            # Every writer holds the lock while its temporary file exists: any left now belongs to a killed one.
            files.remove_stale_temporaries(self.path)
            self._locked, self._version = True, None
            try:
                yield self
            finally:
                self._locked, self._version = False, None

    def exists(self):
        return os.path.exists(self.path)

    def read(self):
        self._require_lock()
        b_vaulttext = self._raw()
        self._version = _digest(b_vaulttext)
        if b_vaulttext is None:
            return None
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

    def preflight(self):
        self._require_lock()
        self.encrypt(PREFLIGHT_CONTENT)
        try:
            files.probe_directory(self.path)
        except OSError as exc:
            raise TokenStoreError('cannot create files in the directory of token_store %s (%s); it must be writable '
                                  'for the atomic replacement' % (self.path, files.reason(exc)))

    def write(self, data):
        self._require_lock()
        if self._version is None:
            raise RuntimeError('FileTokenStore.write() without a read() first; a new store is made with create()')
        self._store(data, expected=self._version)

    def create(self, data, force=False):
        self._require_lock()
        self.refuse_replacing(force)
        self._store(data, expected=None if force else ABSENT)

    def _store(self, data, expected):
        try:
            b_vaulttext = self.encrypt(data)
        except Exception as exc:  # pylint: disable=broad-except; the message must not echo the data
            raise TokenStoreWriteError('could not encrypt the new tokens for token_store %s (%s); they are lost, and %s'
                                       % (self.path, type(exc).__name__, LOST_HINT))
        try:
            if expected is not None and _digest(self._raw()) != expected:
                raise TokenStoreError('it changed since this run read it, written by a run that did not take the lock')
            files.replace_atomically(self.path, b_vaulttext)
        except Exception as exc:  # pylint: disable=broad-except; any failure must end in a recovery file
            cause = str(exc) if isinstance(exc, TokenStoreError) else files.reason(exc)
            recovery = files.write_recovery(self.path, b_vaulttext)
            if recovery:
                raise TokenStoreWriteError(
                    'could not write token_store %s (%s). The new tokens are in the recovery file %s (vault-encrypted '
                    'like the store); fix the cause, then move it over the store: mv %s %s'
                    % (self.path, cause, recovery, recovery, self.path), recovery)
            raise TokenStoreWriteError(
                'could not write token_store %s (%s), nor a recovery file beside it or in the home directory. The '
                'new refresh token is lost; %s.' % (self.path, cause, LOST_HINT))
        self._version = _digest(b_vaulttext)

    def encrypt(self, data):
        content = {key: plain(data.get(key)) for key in STORE_FIELDS}
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

    def _raw(self):
        """The file's bytes, or None when it does not exist."""
        try:
            with open(self.path, 'rb') as handle:
                return handle.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TokenStoreError('cannot read token_store %s (%s)' % (self.path, files.reason(exc)))

    def _require_lock(self):
        if not self._locked:
            raise RuntimeError('FileTokenStore used without holding its lock')


def _digest(content):
    return ABSENT if content is None else hashlib.sha256(content).hexdigest()
