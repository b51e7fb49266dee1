# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The token store in HashiCorp Vault or OpenBao (token_store_backend=hashi_vault).
    DOCUMENTATION = r'''
options:
  hashi_vault:
    description:
      - Connection to HashiCorp Vault or OpenBao for O(token_store_backend=hashi_vault). O(token_store) is then the
        path of a KV version 2 secret inside O(hashi_vault.mount_point), for example C(bitbucket/prod-eu).
      - Every write is a check-and-set on the version the run read. One run at a time refreshes, across machines,
        under a lock with an expiry kept at C(<token_store>/lock) in the same mount (see O(dcops.bitbucket.bitbucket_oauth_token#module:lock_timeout)). Before
        any token is spent the run proves that it may write the secret; a sealed, unreachable or denying Vault fails
        naming the URL and the path, never the Vault token or secret ID.
      - When another writer changed the secret between the read and the write, it is not overwritten; the new
        tokens go to the secret C(<token_store>/recovery-<time>-<pid>) and the task fails naming it.
      - Empty values count as unset. Uses the Python library C(requests), like the rest of the collection.
    type: dict
    suboptions:
      url:
        description:
          - URL of the Vault server, for example C(https://vault.example.com:8200). Falls back to E(VAULT_ADDR).
        type: str
      auth_method:
        description:
          - V(token) uses O(hashi_vault.token); V(approle) logs in at C(auth/approle) with O(hashi_vault.role_id)
            and O(hashi_vault.secret_id).
        type: str
        choices: [token, approle]
        default: token
      token:
        description:
          - Vault token for O(hashi_vault.auth_method=token). Falls back to E(VAULT_TOKEN).
        type: str
      role_id:
        description:
          - AppRole role ID for O(hashi_vault.auth_method=approle).
        type: str
      secret_id:
        description:
          - AppRole secret ID for O(hashi_vault.auth_method=approle).
        type: str
      mount_point:
        description:
          - Mount of the KV version 2 secrets engine that holds O(token_store).
        type: str
        default: secret
      namespace:
        description:
          - Vault namespace (Vault Enterprise, OpenBao), sent as the C(X-Vault-Namespace) header. Falls back to
            E(VAULT_NAMESPACE).
        type: str
      ca_path:
        description:
          - PEM file of the CA certificates that sign the Vault server certificate. Falls back to E(VAULT_CACERT).
        type: path
      validate_certs:
        description:
          - Whether to verify the Vault server's TLS certificate.
        type: bool
        default: true
      timeout:
        description:
          - Seconds to wait for each Vault request.
        type: int
        default: 30
'''

    LOCK_TIMEOUT = r'''
options:
  lock_timeout:
    description:
      - With O(token_store_backend=hashi_vault), the lease of the lock in seconds (default 300), counted on the Vault
        server's clock. A run that crashed while holding it blocks the others at most this long. Must exceed the
        longest refresh, O(timeout) included.
      - With O(token_store_backend=file), the longest wait for the lock file (default O(timeout) plus 60 seconds).
    type: int
'''
