# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small client for the KV version 2 secrets engine of HashiCorp Vault / OpenBao. FOR INTERNAL COLLECTION USE ONLY.

Only what the token store needs: read a secret with its version and creation time, and write one with
check-and-set. Messages name the server URL and the secret's path, never the Vault token or anything sent.
"""

from __future__ import annotations

import datetime
import email.utils

try:
    import requests
except ImportError:  # pragma: no cover - the action reports the missing library before anything is sent
    requests = None

from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_store import TokenStoreError

CAS_MISMATCH_TEXT = 'check-and-set parameter did not match'


class VaultError(TokenStoreError):
    """Vault refused, failed or could not be reached; str() names URL and path only."""

    def __init__(self, message, status=None):
        self.status = status
        super().__init__(message)


class CasMismatch(VaultError):
    """The secret's current version is not the one a check-and-set write named."""


class KvSecret:
    """One version of a secret: ``data`` (None when absent or deleted), ``version`` (0 when it never existed),
    ``created`` (datetime, server clock) and ``server_now`` (the response's Date header, server clock)."""

    def __init__(self, data, version, created, server_now):
        self.data = data
        self.version = version
        self.created = created
        self.server_now = server_now


def _server_time(value):
    """A datetime from an RFC 3339 time as Vault writes it (nanoseconds cut to microseconds)."""
    if not value:
        return None
    text = value.rstrip('Z')
    if '.' in text:
        head, fraction = text.split('.', 1)
        text = '%s.%s' % (head, fraction[:6])
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc)


def _date_header(headers):
    value = headers.get('Date')
    parsed = email.utils.parsedate_to_datetime(value) if value else None
    return parsed or datetime.datetime.now(datetime.timezone.utc)


class VaultKv:
    """Requests to one Vault server on behalf of one identity (``token``), in one namespace and mount."""

    def __init__(self, settings):
        self.url = settings['url'].rstrip('/')
        self.mount = settings['mount_point'].strip('/')
        self.namespace = settings.get('namespace')
        self.timeout = settings['timeout']
        self.verify = settings['ca_path'] or settings['validate_certs']
        self.token = None
        self._session = requests.Session()
        self._session.trust_env = False

    def where(self, path):
        """The words a message uses for a secret: URL, namespace, mount and path."""
        namespace = ' (namespace %s)' % self.namespace if self.namespace else ''
        return 'Vault %s%s, secret %s/%s' % (self.url, namespace, self.mount, path)

    def request(self, method, api_path, what, json=None, ok=(200, 204)):
        """The decoded answer of ``method /v1/<api_path>``; raises VaultError naming ``what``."""
        headers = {'Accept': 'application/json'}
        if self.token:
            headers['X-Vault-Token'] = self.token
        if self.namespace:
            headers['X-Vault-Namespace'] = self.namespace
        try:
            response = self._session.request(method, '%s/v1/%s' % (self.url, api_path), json=json, headers=headers,
                                             timeout=self.timeout, verify=self.verify, allow_redirects=False)
        except requests.exceptions.SSLError:
            raise VaultError('%s: the TLS certificate could not be verified (set hashi_vault.ca_path, or '
                             'VAULT_CACERT, to the CA that issued it)' % what)
        except requests.exceptions.Timeout:
            raise VaultError('%s: no answer within %d seconds' % (what, self.timeout))
        except requests.exceptions.RequestException as exc:
            raise VaultError('%s: cannot connect (%s); check hashi_vault.url (or VAULT_ADDR) and that Vault is '
                             'running' % (what, type(exc).__name__))
        if response.status_code in ok:
            return response
        raise self._refusal(response, what)

    @staticmethod
    def _refusal(response, what):
        status = response.status_code
        try:
            errors = [str(item) for item in response.json().get('errors') or []]
        except ValueError:
            errors = []
        text = '; '.join(errors)
        if status == 400 and CAS_MISMATCH_TEXT in text:
            return CasMismatch('%s changed since it was read (check-and-set mismatch)' % what, status)
        if status == 503 and 'sealed' in text.lower():
            return VaultError('%s: Vault is sealed; unseal it, then run again' % what, status)
        if status == 403:
            return VaultError('%s: permission denied (HTTP 403): the Vault token is invalid or expired, or its '
                              'policy does not grant this path (docs/oauth.md gives the policy the job needs)'
                              % what, status)
        # Vault's own error texts name paths and reasons, never the token that was sent.
        return VaultError('%s: HTTP %d%s' % (what, status, (' (%s)' % text[:300]) if text else ''), status)

    def read(self, path):
        """The secret's current version as a KvSecret (data None, version 0 when it does not exist)."""
        what = 'cannot read %s' % self.where(path)
        response = self.request('GET', '%s/data/%s' % (self.mount, path), what, ok=(200, 404))
        body = response.json() if response.content else {}
        if response.status_code == 404:
            # A deleted current version answers 404 with its metadata; a secret never written has none.
            metadata = (body.get('data') or {}).get('metadata') or {}
            return KvSecret(None, metadata.get('version') or 0, _server_time(metadata.get('created_time')),
                            _date_header(response.headers))
        data = body.get('data') or {}
        metadata = data.get('metadata') or {}
        return KvSecret(data.get('data'), metadata.get('version') or 0, _server_time(metadata.get('created_time')),
                        _date_header(response.headers))

    def write(self, path, data, cas):
        """Write a new version with check-and-set ``cas`` (0: only if absent); returns the new version number."""
        what = 'cannot write %s' % self.where(path)
        body = {'options': {'cas': int(cas)}, 'data': data}
        response = self.request('POST', '%s/data/%s' % (self.mount, path), what, json=body, ok=(200,))
        return ((response.json() or {}).get('data') or {}).get('version')

    def probe_write(self, path, current_version):
        """Prove the identity may write ``path`` without writing: a check-and-set on a version that cannot be
        current must be refused as a mismatch (the write was allowed), not as 403."""
        try:
            self.write(path, {}, current_version + 1000000)
        except CasMismatch:
            return
        raise VaultError('%s: a check-and-set probe was accepted; the mount does not behave as KV version 2'
                         % self.where(path))
