#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The work is done on the controller by the action plugin of the same name (plugins/action/bitbucket_oauth_authorize.py),
# which needs the terminal and a loopback port of the controller; this file holds the documentation.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: bitbucket_oauth_authorize
short_description: Let a human consent to OAuth 2.0 access to Bitbucket Data Center and catch the authorization code
version_added: 1.0.0
description:
  - The browser leg of the OAuth 2.0 authorization code grant with PKCE, as C(ansible-playbook dcops.bitbucket.bootstrap_oauth) uses it
    once per Bitbucket instance. Pass the returned RV(code) and RV(code_verifier) at once to
    M(dcops.bitbucket.bitbucket_oauth_token) with O(dcops.bitbucket.bitbucket_oauth_token#module:grant_type=authorization_code),
    since Bitbucket Data Center lets codes live about 10 seconds by default.
  - Builds the authorization URL with a random C(state) and a PKCE C(S256) challenge and shows it. The user opens it
    in a browser, logs in to Bitbucket and allows access; Bitbucket then redirects the browser to O(redirect_uri).
  - When O(redirect_uri) is a plain C(http://) URL on V(127.0.0.1), V(localhost) or V([::1]) with a port, the task
    listens there (loopback only) for at most O(timeout) seconds and answers the browser itself. Otherwise it asks
    for the URL the browser was redirected to to be pasted at a prompt.
  - A redirect whose C(state) differs from the one sent is rejected.
  - Does not talk to Bitbucket itself, and runs on the controller whatever host the task targets.
options:
  url:
    description:
      - Base URL of the Bitbucket Data Center instance, including any context path. The authorization endpoint is
        C({url}/rest/oauth2/latest/authorize).
      - Falls back to the environment variable E(BITBUCKET_DC_URL).
    type: str
    required: true
  client_id:
    description:
      - Client ID of the incoming application link.
    type: str
    required: true
  redirect_uri:
    description:
      - Redirect URL registered on the application link, for example V(http://127.0.0.1:8765/callback).
      - Bitbucket requires HTTPS for redirect URLs unless the system property
        C(atlassian.oauth2.provider.skip.redirect.url.https.requirement) is set; a loopback C(http://) URL needs it.
    type: str
    required: true
  scope:
    description:
      - Scopes to ask for, which the application link must allow. The administrative modules need V(ADMIN_WRITE);
        granting or revoking C(SYS_ADMIN) needs V(SYSTEM_ADMIN).
      - What a token may do is further capped by the permissions of the user who consents.
    type: list
    elements: str
    default: [ADMIN_WRITE]
  timeout:
    description:
      - Seconds to wait for the redirect on the loopback listener.
    type: int
    default: 300
  token_store:
    description:
      - The token store the code is meant for (see M(dcops.bitbucket.bitbucket_oauth_token)). When given, whatever
        would stop the code from being stored fails before the URL is shown, so that no consent is given in vain,
        namely an existing store (without O(force)), no vault secret in the run, or a directory that is not writable.
    type: path
  token_store_vault_id:
    description:
      - Vault ID that will encrypt O(token_store); checked to be among the vault secrets of the run.
    type: str
  force:
    description:
      - Go ahead although O(token_store) exists (it will be replaced).
    type: bool
    default: false
  token_store_backend:
    description:
      - Where O(token_store) lives, as for M(dcops.bitbucket.bitbucket_oauth_token). With V(hashi_vault),
        O(token_store) is the path of the secret in Vault or OpenBao and O(hashi_vault) says how to reach it.
    type: str
    choices: [file, hashi_vault]
    default: file
extends_documentation_fragment:
  - dcops.bitbucket.attributes
  - dcops.bitbucket.attributes.controller_action
  - dcops.bitbucket.hashi_vault_token_store
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details:
      - Runs as in a normal run; it changes nothing by itself.
notes:
  - The result holds the authorization code and the PKCE verifier, so callbacks show it censored; C(register) still
    receives it.
seealso:
  - module: dcops.bitbucket.bitbucket_oauth_token
author:
  - dcops.bitbucket contributors (@dcops)
'''

EXAMPLES = r'''
- name: Ask for consent (prints the URL to open, waits for the redirect on 127.0.0.1:8765)
  dcops.bitbucket.bitbucket_oauth_authorize:
    url: https://bitbucket.example.com
    client_id: "{{ bitbucket_oauth_client_id }}"
    redirect_uri: http://127.0.0.1:8765/callback
  register: consent

- name: Exchange the code at once and create the token store
  dcops.bitbucket.bitbucket_oauth_token:
    url: https://bitbucket.example.com
    client_id: "{{ bitbucket_oauth_client_id }}"
    client_secret: "{{ bitbucket_oauth_client_secret }}"
    grant_type: authorization_code
    code: "{{ consent.code }}"
    code_verifier: "{{ consent.code_verifier }}"
    redirect_uri: "{{ consent.redirect_uri }}"
    token_store: "{{ playbook_dir }}/tokens/bitbucket.vault.yml"
  no_log: true
'''

RETURN = r'''
code:
  description: The authorization code from the redirect. Single-use and short-lived.
  returned: success
  type: str
code_verifier:
  description: The PKCE code verifier matching the challenge that was sent.
  returned: success
  type: str
redirect_uri:
  description: The redirect URI, to send again with the code.
  returned: success
  type: str
  sample: http://127.0.0.1:8765/callback
authorize_url:
  description: The authorization URL that was shown (it holds no secret).
  returned: success
  type: str
'''
