# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the token session needs from a token store, and the choice of backend. FOR INTERNAL COLLECTION USE ONLY.

A store keeps the fields of STORE_FIELDS for one Bitbucket instance and OAuth client. Every backend serialises
runs with ``locked()``, proves before any token is spent that it can be written (``preflight()``), and never
overwrites a state it did not read: ``write()`` replaces only the version ``read()`` (or ``reread()``) saw,
and when it cannot, it keeps the new tokens somewhere named in the error, since they are the only valid ones.
"""

from __future__ import annotations

from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError

STORE_FIELDS = ('url', 'client_id', 'redirect_uri', 'refresh_token', 'refresh_token_issued_at', 'access_token',
                'expires_at', 'token_type', 'scope')
BACKENDS = ('file', 'hashi_vault')
DEFAULT_LEASE_SECONDS = 300
# Stored values that prove encryption and writing work, and are worth nothing.
PREFLIGHT_CONTENT = {'url': 'https://preflight.invalid', 'client_id': 'preflight', 'refresh_token': 'preflight',
                     'access_token': 'preflight', 'expires_at': 0, 'token_type': 'bearer', 'scope': []}


class TokenStoreError(BitbucketError):
    """The store cannot be used; the message names the store and never holds a secret."""


class TokenStoreWriteError(TokenStoreError):
    """New tokens could not be written to the store; recovery_path says where they are (None: lost)."""

    def __init__(self, message, recovery_path=None):
        self.recovery_path = recovery_path
        super().__init__(message)


class TokenStore:
    """One store. ``read()``, ``reread()``, ``write()``, ``create()`` and ``preflight()`` need ``locked()``.

    ``location`` describes the store for messages (a path, a Vault URL and secret path) and holds no secret.
    """

    location = None
    lock_timeout = 300.0

    def locked(self):
        """A context manager holding the store exclusively against other runs; waits at most lock_timeout."""
        raise NotImplementedError

    def preflight(self):
        """Raise TokenStoreError now on whatever would make write() fail, before a token is spent."""
        raise NotImplementedError

    def exists(self):
        raise NotImplementedError

    def read(self):
        """The stored fields as a dict, or None when there is no store; remembers the version it read."""
        raise NotImplementedError

    def reread(self):
        """A fresh read, for a run that learnt that another one may have written meanwhile."""
        return self.read()

    def write(self, data):
        """Replace the version last read with data. Raises TokenStoreWriteError, naming where data went."""
        raise NotImplementedError

    def create(self, data, force=False):
        """Store data as a new store (the consent); an existing one is replaced only with force."""
        raise NotImplementedError

    def refuse_replacing(self, force=False):
        """Raise unless the store is absent or force is set: it may hold the only valid refresh token."""
        if not force and self.exists():
            raise TokenStoreError('token_store %s already exists; refusing to replace it, since it may hold the only '
                                  'valid refresh token. Set force: true to replace it.' % self.location)


def plain(value):
    """Plain Python types for storing: option values arrive as ansible-core's tagged str and int subclasses."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return str(value)


def open_token_store(params, vault_secrets, lock_timeout=300.0):
    """The store that the options token_store_backend and token_store (and the backend's own) name."""
    backend = params.get('token_store_backend') or 'file'
    if backend == 'file':
        from ansible_collections.dcops.bitbucket.plugins.plugin_utils._file_token_store import FileTokenStore

        return FileTokenStore(params['token_store'], vault_secrets, params.get('token_store_vault_id'),
                              lock_timeout=params.get('lock_timeout') or lock_timeout)
    if backend == 'hashi_vault':
        from ansible_collections.dcops.bitbucket.plugins.plugin_utils._hashi_vault_token_store import (
            HashiVaultTokenStore,
        )

        return HashiVaultTokenStore(params['token_store'], params.get('hashi_vault'),
                                    lock_timeout=params.get('lock_timeout') or DEFAULT_LEASE_SECONDS)
    raise TokenStoreError('token_store_backend must be one of %s, not %s' % (', '.join(BACKENDS), backend))


def run_vault_secrets(loader):
    """The vault secrets this run was given (--vault-id, --vault-password-file, ...), from an action's loader.

    DataLoader has a public setter for them (set_vault_secrets) but no getter, and an action plugin gets no other
    handle on them; tests/unit/test_ansible_internals.py fails when ansible-core changes the attribute.
    """
    vault = getattr(loader, '_vault', None)
    return list(getattr(vault, 'secrets', None) or [])
