# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The OAuth 2.0 token store as a KV version 2 secret in HashiCorp Vault or OpenBao. FOR INTERNAL COLLECTION USE ONLY.

The secret's keys are the store fields, as plain values: Vault encrypts and guards them. One run at a time
holds the lease lock ``<path>/lock`` from the read to the write; every write is a check-and-set on the version
that run read, so a version nobody read is never overwritten. When that write is refused, the new tokens go to a
recovery secret ``<path>/recovery-<time>-<pid>`` and the error names it.
"""

from __future__ import annotations

import contextlib
import datetime
import os

from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_store import (
    STORE_FIELDS,
    TokenStore,
    TokenStoreError,
    TokenStoreWriteError,
)
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._vault_auth import log_in, problems, vault_settings
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._vault_kv import CasMismatch, VaultError, VaultKv
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._vault_lease_lock import LeaseLock

BOOTSTRAP = 'ansible-playbook dcops.bitbucket.bootstrap_oauth'


class HashiVaultTokenStore(TokenStore):
    """One secret. Use ``with store.locked():`` around ``read()`` and ``write()``."""

    backend = 'hashi_vault'

    def __init__(self, path, options, lock_timeout=300):
        self.settings = vault_settings(options)
        found = problems(self.settings, path)
        if found:
            raise TokenStoreError('; '.join(found))
        self.path = str(path).strip('/')
        self.lock_path = self.path + '/lock'
        self.lock_timeout = lock_timeout
        self.kv = VaultKv(self.settings)
        self.location = self.kv.where(self.path)
        self.lock_waited = None
        self._lock = None
        self._version = None
        self._logged_in = False

    def _log_in(self):
        if not self._logged_in:
            log_in(self.kv, self.settings, self.location)
            self._logged_in = True

    @contextlib.contextmanager
    def locked(self):
        """Hold the lease lock ``<path>/lock``; waits at most lock_timeout seconds for a crashed holder's lease."""
        self._log_in()
        self._lock = LeaseLock(self.kv, self.lock_path, self.lock_timeout)
        self.lock_waited = self._lock.acquire()
        try:
            yield self
        finally:
            lock, self._lock = self._lock, None
            lock.release()

    def _require_lock(self):
        if self._lock is None:
            raise RuntimeError('HashiVaultTokenStore used without holding its lock')

    def exists(self):
        self._log_in()
        return self.kv.read(self.path).data is not None

    def read(self):
        """The secret's fields as a dict, or None when it does not exist; remembers the version for write()."""
        self._require_lock()
        secret = self.kv.read(self.path)
        self._version = secret.version
        if secret.data is None:
            return None
        if not isinstance(secret.data, dict) or not secret.data.get('refresh_token'):
            raise TokenStoreError('%s holds no refresh token; restore an earlier version from its history '
                                  '(docs/oauth.md) or run %s' % (self.location, BOOTSTRAP))
        return {key: secret.data.get(key) for key in STORE_FIELDS}

    reread = read

    def preflight(self, data=None):
        """Fail now, before any token is spent, unless this identity may write the secret."""
        del data
        self._require_lock()
        if self._version is None:
            self._version = self.kv.read(self.path).version
        self.kv.probe_write(self.path, self._version)

    def create(self, data, force=False):
        """Write the consent's tokens: check-and-set 0 (absent only), or over the current version with force."""
        self._require_lock()
        current = self.kv.read(self.path)
        if current.data is not None:
            self.refuse_replacing(force)
        self._version = current.version if force else 0
        self.write(data)

    def write(self, data):
        """A new version with check-and-set on the version read. Raises TokenStoreWriteError on failure."""
        self._require_lock()
        # requests serialises ansible-core's tagged str and int subclasses as the plain values they are.
        content = {key: data.get(key) for key in STORE_FIELDS}
        try:
            self._version = self.kv.write(self.path, content, self._version or 0)
            return
        except CasMismatch:
            reason = 'another writer changed it after this run read it (check-and-set mismatch); it was not overwritten'
        except VaultError as exc:
            reason = str(exc)
        recovery = self._write_recovery(content)
        if recovery:
            raise TokenStoreWriteError(
                'could not write the new tokens to %s: %s. They are in the recovery secret %s/%s in the same mount; '
                'compare the two, then copy the one to keep over %s (docs/oauth.md, "Restore a version").'
                % (self.location, reason, self.kv.mount, recovery, self.path), recovery)
        raise TokenStoreWriteError('could not write the new tokens to %s: %s, nor a recovery secret beside it. The new '
                                   'refresh token is lost; run %s.' % (self.location, reason, BOOTSTRAP))

    def _write_recovery(self, content):
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime('%Y%m%dT%H%M%SZ')
        path = '%s/recovery-%s-%d' % (self.path, stamp, os.getpid())
        try:
            self.kv.write(path, content, 0)
        except VaultError:
            return None
        return path
