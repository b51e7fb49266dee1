#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The work is done on the controller by the action plugin of the same name (plugins/action/bitbucket_oauth_token.py),
# where the token store and the vault secrets of the run are; this file holds the documentation.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: bitbucket_oauth_token
short_description: Obtain an OAuth 2.0 access token for Bitbucket, keeping the rotating refresh token in a vault store
version_added: 1.0.0
description:
  - Returns an OAuth 2.0 access token for the Bitbucket REST API, for the C(access_token) option of the other modules
    of the collection. The role C(dcops.bitbucket.oauth_session) wraps this module and sets C(bitbucket_access_token).
  - Bitbucket Data Center refuses personal and project HTTP access tokens on administrative endpoints (BSERV-10482),
    so unattended administration uses OAuth 2.0. A human consents once (see C(ansible-playbook dcops.bitbucket.bootstrap_oauth)),
    and scheduled runs then live on refresh tokens. Access tokens last an hour, refresh tokens 90 days by default,
    and a refresh may replace the refresh token, the old one being dead from then on.
  - A request is made only when there is no access token valid for at least O(min_validity) more seconds; otherwise
    the known token is returned, no request is made and C(changed) is V(false).
  - The refresh grant is never sent twice. If Bitbucket rotated the refresh token and the answer was lost, a second
    attempt would spend a dead token. A failure says in which state it left the store.
  - Runs on the controller, whatever host the task targets.
options:
  url:
    description:
      - Base URL of the Bitbucket Data Center instance, including any context path, for example
        V(https://bitbucket.example.com). The token endpoint is C({url}/rest/oauth2/latest/token).
      - Required with O(platform=datacenter). With O(platform=cloud) it is only recorded in a new O(token_store).
      - Falls back to the environment variable E(BITBUCKET_DC_URL) of the controller.
    type: str
  platform:
    description:
      - V(datacenter) sends the client ID and secret as form parameters and O(redirect_uri) on the refresh grant too
        (the Data Center provider checks it there and answers a bare C(invalid_grant) without it).
      - V(cloud) sends them as HTTP Basic credentials to C(https://bitbucket.org/site/oauth2/access_token).
    type: str
    choices: [datacenter, cloud]
    default: datacenter
  token_url:
    description:
      - Full URL of the token endpoint, instead of the one O(platform) and O(url) imply. For a proxy that serves the
        endpoint elsewhere, and for tests.
    type: str
  client_id:
    description:
      - Client ID of the incoming application link (Data Center) or OAuth consumer (Cloud).
      - Must match the client ID recorded in O(token_store).
    type: str
    required: true
  client_secret:
    description:
      - Client secret of the application link. It is never written to O(token_store).
    type: str
    required: true
  grant_type:
    description:
      - V(refresh_token) refreshes with O(refresh_token) or the refresh token in O(token_store).
      - V(authorization_code) exchanges O(code) from the consent. With O(token_store) it creates the store, and refuses
        to replace an existing one unless O(force=true). C(ansible-playbook dcops.bitbucket.bootstrap_oauth) does this for you.
      - V(client_credentials) is for clients without a user (Cloud consumers, Data Center service accounts). Bitbucket
        Data Center blocks administrative endpoints for service accounts, as far as is known.
    type: str
    choices: [refresh_token, authorization_code, client_credentials]
    default: refresh_token
  code:
    description:
      - Authorization code from the redirect after the consent. Required with O(grant_type=authorization_code).
      - Codes are single-use and expire about 10 seconds after the consent on Data Center by default.
    type: str
  code_verifier:
    description:
      - PKCE code verifier of the authorization request (RFC 7636), with O(grant_type=authorization_code).
    type: str
  redirect_uri:
    description:
      - Redirect URL of the application link, exactly as sent in the authorization request.
      - Required with O(grant_type=authorization_code) on Data Center. With O(token_store) it is recorded in the store
        and sent on every refresh; a value given here wins over the recorded one.
    type: str
  scope:
    description:
      - Scopes to ask for, for example V(ADMIN_WRITE) or V(SYSTEM_ADMIN) on Data Center. Sent on the refresh and client
        credentials grants when given; by default Bitbucket keeps the scopes of the consent.
    type: list
    elements: str
  refresh_token_lifetime:
    description:
      - Lifetime of refresh tokens in seconds (Bitbucket Data Center system property
        C(atlassian.oauth2.provider.refresh.token.expiration.seconds), 90 days by default).
      - The task warns when the refresh token is older than 80% of it, counted from its issue time, so that someone
        runs the consent again before scheduled runs stop.
    type: int
    default: 7776000
  min_validity:
    description:
      - Seconds an access token must still be valid to be reused; below that, a new one is obtained.
      - The task warns when it is not shorter than the lifetime of the tokens Bitbucket issues, since every run
        would then obtain a new token.
    type: int
    default: 300
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the token endpoint. Set V(false) only for test instances.
      - Falls back to E(BITBUCKET_DC_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA certificates that sign the server certificate.
      - Falls back to E(BITBUCKET_DC_CA_PATH).
    type: path
  timeout:
    description:
      - Seconds to wait for the token endpoint to connect and to answer. The lock on O(token_store) is awaited for at
        most this plus 60 seconds.
    type: int
    default: 30
extends_documentation_fragment:
  - dcops.bitbucket.attributes
  - dcops.bitbucket.attributes.controller_action
  - dcops.bitbucket.attributes.action_group
  - dcops.bitbucket.token_store
  - dcops.bitbucket.hashi_vault_token_store
  - dcops.bitbucket.hashi_vault_token_store.lock_timeout
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details:
      - Check mode obtains tokens and writes O(token_store) as in a normal run. Reading Bitbucket needs a valid token,
        so a C(--check --diff) drift report must work when the access token has expired, and a refreshed token that
        was not saved would be lost if Bitbucket rotated the refresh token.
notes:
  - In the action group C(dcops.bitbucket.bitbucket), because it talks to the same Bitbucket instance;
    C(module_defaults) for C(group/dcops.bitbucket.bitbucket) give it O(url), O(validate_certs), O(ca_path) and
    O(timeout). The group's other connection options (C(url_username), C(url_password), C(retries), C(rate_limit),
    C(rate_limit_burst), C(max_concurrency)) are dropped, also when set on the task, since token requests
    authenticate with the client credentials, are never sent twice and are one per run.
  - Results that hold a token are marked C(no_log), so callbacks show them censored at every verbosity; C(register)
    still receives them. Failures never hold a secret and stay readable.
seealso:
  - name: Bitbucket OAuth 2.0 provider API
    description: Atlassian's documentation of the Data Center OAuth 2.0 provider.
    link: https://confluence.atlassian.com/bitbucketserver084/bitbucket-oauth-2-0-provider-api-1167708759.html
  - module: dcops.bitbucket.bitbucket_oauth_authorize
author:
  - dcops.bitbucket contributors (@dcops)
'''

EXAMPLES = r'''
- name: Get an access token from the vault store (refreshing it only when needed)
  dcops.bitbucket.bitbucket_oauth_token:
    url: https://bitbucket.example.com
    client_id: "{{ bitbucket_oauth_client_id }}"
    client_secret: "{{ bitbucket_oauth_client_secret }}"
    redirect_uri: http://127.0.0.1:8765/callback
    token_store: "{{ playbook_dir }}/tokens/bitbucket.vault.yml"
  register: bitbucket_oauth

- name: Use it
  dcops.bitbucket.bitbucket_access_token_policy:
    url: https://bitbucket.example.com
    access_token: "{{ bitbucket_oauth.access_token }}"
    max_expiry_days: 90

- name: Refresh without a store (the caller keeps the returned refresh_token)
  dcops.bitbucket.bitbucket_oauth_token:
    url: https://bitbucket.example.com
    client_id: "{{ client_id }}"
    client_secret: "{{ client_secret }}"
    redirect_uri: http://127.0.0.1:8765/callback
    refresh_token: "{{ saved.refresh_token }}"
    access_token: "{{ saved.access_token }}"
    expires_at: "{{ saved.expires_at }}"
  register: fresh
  no_log: true

- name: Get an access token from a secret in HashiCorp Vault or OpenBao, shared by every AWX execution node
  dcops.bitbucket.bitbucket_oauth_token:
    url: https://bitbucket.example.com
    client_id: "{{ bitbucket_oauth_client_id }}"
    client_secret: "{{ bitbucket_oauth_client_secret }}"
    redirect_uri: http://127.0.0.1:8765/callback
    token_store_backend: hashi_vault
    token_store: bitbucket/prod-eu
    hashi_vault: {url: "https://vault.example.com:8200", auth_method: approle, role_id: "{{ role_id }}", secret_id: "{{ secret_id }}"}
  register: bitbucket_oauth

- name: Bitbucket Cloud, client credentials
  dcops.bitbucket.bitbucket_oauth_token:
    platform: cloud
    grant_type: client_credentials
    client_id: "{{ cloud_key }}"
    client_secret: "{{ cloud_secret }}"
  register: cloud_token
'''

RETURN = r'''
access_token: {description: 'The access token, to be sent in the C(Authorization) header as a bearer token.', returned: success, type: str}
token_type: {description: Token type as Bitbucket gave it., returned: success, type: str, sample: bearer}
expires_at:
  description: When the access token expires, in seconds since the epoch (counted from when the request was sent).
  returned: success
  type: int
  sample: 1767225600
expires_in: {description: Seconds the access token stays valid from now., returned: success, type: int, sample: 3599}
scope:
  description: Scopes of the access token, when Bitbucket said; empty for a reused token given as O(access_token).
  returned: success
  type: list
  elements: str
  sample:
    - ADMIN_WRITE
refreshed: {description: Whether a token request was made (otherwise the known access token was still valid)., returned: success, type: bool}
refresh_token:
  description:
    - The refresh token to keep for the next run. Returned only when O(token_store) is not used (the store keeps it).
  returned: success and O(token_store) is not set and a refresh token is known
  type: str
refresh_token_issued_at:
  description: When RV(refresh_token) was issued, in seconds since the epoch, if known. Pass it back as O(refresh_token_issued_at).
  returned: success and O(token_store) is not set and a refresh token is known
  type: int
recovery_file:
  description:
    - Path of the recovery file holding the new tokens (vault-encrypted) when they could not be written to O(token_store);
      move it over the store once the cause is fixed.
  returned: failure to write the store
  type: str
oauth_error:
  description:
    - The OAuth 2.0 error code with which the token endpoint refused the refresh grant, for example V(invalid_grant)
      (the refresh token expired, was revoked or was used by another run). The role C(dcops.bitbucket.oauth_session)
      acts on it to take a store that another job pushed to Git.
  returned: failure, when the token endpoint refused the refresh grant with an error code
  type: str
  sample: invalid_grant
'''
