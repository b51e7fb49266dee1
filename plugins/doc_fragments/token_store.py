# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Where bitbucket_oauth_token keeps the tokens between runs: a store, or the caller (without a store).
    DOCUMENTATION = r'''
options:
  token_store:
    description:
      - Where the tokens are kept between runs. With O(token_store_backend=file) (the default), the path on the
        controller of an Ansible-Vault-encrypted YAML file; with V(hashi_vault), the path of the secret (see
        O(hashi_vault)). It holds C(url), C(client_id), C(redirect_uri), C(refresh_token), C(refresh_token_issued_at),
        C(access_token), C(expires_at), C(token_type) and C(scope); never the client secret.
      - The task locks the file store (an exclusive C(fcntl) lock on the sibling file C(<token_store>.lock), held from
        the read to the write), reads it, refreshes when needed and writes the new tokens back before it returns,
        encrypted with the vault secret the run already has, atomically (temporary file in the same directory,
        C(fsync), rename) and with mode C(0600). A run that waited for the lock reads the store again and reuses the
        token the other run obtained, so concurrent runs make one refresh between them.
      - The run needs the vault secret of the store (C(--vault-id), C(--vault-password-file),
        E(ANSIBLE_VAULT_PASSWORD_FILE), or a Vault credential in AWX). Its directory must be writable, for the lock
        file and the atomic replacement.
      - The task refuses a store whose C(url) or C(client_id) differs from O(url) or O(client_id).
      - If the new tokens cannot be written (full disk, read-only file system), they go to a recovery file beside the
        store, C(<token_store>.recovery-<time>-<pid>) (in the home directory if that fails too), encrypted the same way
        and with mode C(0600), and the task fails naming it. Moving it over the store restores the session.
      - Without a store, whoever registers the result must keep RV(refresh_token).
    type: path
  token_store_backend:
    description:
      - Where O(token_store) lives. V(file) is an Ansible-Vault-encrypted YAML file on the controller, for runs that
        share one file system.
      - V(hashi_vault) is a KV version 2 secret in HashiCorp Vault or OpenBao, for runs on several machines (AWX
        execution nodes, CI runners); O(hashi_vault) says how to reach it.
    type: str
    choices: [file, hashi_vault]
    default: file
  token_store_vault_id:
    description:
      - Vault ID whose secret encrypts O(token_store).
      - By default an existing store is encrypted again with the vault ID it had, and a new one with the
        C(DEFAULT_VAULT_ENCRYPT_IDENTITY) setting or else the first vault secret of the run.
    type: str
  force:
    description:
      - With O(grant_type=authorization_code) and O(token_store), replace an existing store.
    type: bool
    default: false
  refresh_token:
    description:
      - Refresh token to use when O(token_store) is not used. The new refresh token (or this one, when Bitbucket does
        not issue a new one) is returned as RV(refresh_token); keep it, since the old one may be dead.
      - Mutually exclusive with O(token_store).
    type: str
  refresh_token_issued_at:
    description:
      - When O(refresh_token) was issued, in seconds since the epoch, for the lifetime warning (see
        O(refresh_token_lifetime)). With O(token_store) the store records it.
      - Mutually exclusive with O(token_store).
    type: int
  access_token:
    description:
      - An access token obtained earlier, reused while it stays valid for O(min_validity) seconds according to
        O(expires_at). Without O(expires_at) its validity is unknown and a new token is obtained.
      - Ignored with O(token_store), which records the access token itself. This lets C(module_defaults) for
        C(group/dcops.bitbucket.bitbucket) set O(access_token) for the other modules of a play without getting in
        the way of this one.
    type: str
  expires_at:
    description:
      - When O(access_token) expires, in seconds since the epoch (the RV(expires_at) returned with it). Ignored with
        O(token_store).
    type: int
notes:
  - When a refresh fails with C(invalid_grant), the refresh token is dead (expired, revoked or already used); run
    C(ansible-playbook dcops.bitbucket.bootstrap_oauth) to consent again. The store is left unchanged.
  - Concurrent runs on one controller are serialised by the file lock. Runs on several machines (AWX execution
    nodes, CI runners) share a store with O(token_store_backend=hashi_vault), whose lock holds across machines.
'''
