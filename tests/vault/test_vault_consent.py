# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The consent into Vault: grant_type=authorization_code creates the secret with check-and-set 0, refuses to
replace it (before the code is exchanged) unless force is set, and force keeps the old version in the history."""

from __future__ import annotations

import urllib.parse

from oauth_support import CLIENT_ID, CLIENT_SECRET, seed_client
from test_oauth_bootstrap import consent

REDIRECT_URI = 'http://127.0.0.1:9/callback'  # the test reads the redirect itself; nothing listens there
EXCHANGE = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Exchange the code and create the store
      dcops.bitbucket.bitbucket_oauth_token:
        url: "{{ bitbucket_url }}"
        client_id: "{{ client_id }}"
        client_secret: "{{ client_secret }}"
        grant_type: authorization_code
        code: "{{ code }}"
        redirect_uri: "{{ redirect_uri }}"
        token_store: "{{ token_store }}"
        token_store_backend: hashi_vault
        hashi_vault: "{{ hashi_vault }}"
        force: "{{ force }}"
      register: exchange
      no_log: true
      failed_when: false

    - name: Report
      ansible.builtin.fail:
        msg: "{{ exchange.msg }}"
      when: exchange.access_token is not defined
"""


def authorization_code(sim):
    query = urllib.parse.urlencode({'response_type': 'code', 'client_id': CLIENT_ID, 'redirect_uri': REDIRECT_URI,
                                    'scope': 'ADMIN_WRITE', 'state': 'state-of-this-test-0123456789abcdef'})
    location = consent('%s/rest/oauth2/latest/authorize?%s' % (sim.url, query))
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))['code']


def test_consent_creates_the_secret_and_replaces_it_only_with_force(sim, bao, kv_path, vault_options, run_playbook,
                                                                    tmp_path):
    seed_client(sim, REDIRECT_URI)
    sim.control.config(code_ttl=600)  # Bitbucket's 10 s are about code expiry, not this test; ansible starts slowly
    playbook = tmp_path / 'exchange.yml'
    playbook.write_text(EXCHANGE)
    base = {'bitbucket_url': sim.url, 'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET,
            'redirect_uri': REDIRECT_URI, 'token_store': kv_path, 'hashi_vault': vault_options, 'force': False}

    run_playbook(playbook, extra_vars=dict(base, code=authorization_code(sim)))
    first, version = bao.admin.kv_get('secret', kv_path)
    assert version == 1 and first['url'] == sim.url and first['client_id'] == CLIENT_ID
    assert first['redirect_uri'] == REDIRECT_URI
    assert first['refresh_token'] in sim.control.state()['valid_refresh_tokens']

    sim.control.clear_requests()
    refused = run_playbook(playbook, extra_vars=dict(base, code=authorization_code(sim)), expect_rc=2)
    message = refused.task_result('Report')['msg']
    assert 'already exists; refusing to replace it' in message and bao.url in message and kv_path in message
    assert sim.control.request_count(family='token') == 0, 'the code was not exchanged'
    assert bao.admin.kv_versions('secret', kv_path) == 1

    run_playbook(playbook, extra_vars=dict(base, code=authorization_code(sim), force=True))
    second, version = bao.admin.kv_get('secret', kv_path)
    assert version == 2 and second['refresh_token'] != first['refresh_token']
    assert bao.admin.kv_get('secret', kv_path, version=1)[0] == first, 'the replaced version stays in the history'
