# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""bitbucket_oauth_token's token session against the simulator over HTTP, with real vault stores.

What the action plugin runs (argument spec, ``problems``, ``token_task``, ``warnings``), driven directly
(no ansible-playbook) so that each case stays fast.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import os
import secrets
import threading
import time
import urllib.parse

import pytest
import requests
import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.parsing.vault import VaultLib

from ansible_collections.dcops.bitbucket.plugins.plugin_utils._file_token_store import FileTokenStore
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_options import (
    ARGUMENT_SPEC,
    GROUP_OPTIONS_NOT_USED,
    MUTUALLY_EXCLUSIVE,
    REQUIRED_IF,
    problems,
    warnings,
)
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_session import token_task
from oauth_support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, VAULT, read_store, seed_client, seeded_store


def validate(args):
    return ArgumentSpecValidator(ARGUMENT_SPEC, mutually_exclusive=MUTUALLY_EXCLUSIVE,
                                 required_if=REQUIRED_IF).validate(args)


def run_task(sim, **args):
    """One task as the action runs it: the action group's unused options dropped, argument spec, problems(),
    token_task(), warnings(); returns the result."""
    args = {name: value for name, value in args.items() if name not in GROUP_OPTIONS_NOT_USED}
    args.setdefault('url', sim.url)
    args.setdefault('client_id', CLIENT_ID)
    args.setdefault('client_secret', CLIENT_SECRET)
    validation = validate(args)
    if validation.error_messages:
        return {'failed': True, 'msg': '; '.join(validation.error_messages)}
    params = validation.validated_parameters
    found = problems(params)
    if found:
        return {'failed': True, 'msg': '; '.join(found)}
    result = token_task(params, VAULT)
    found = warnings(params) + result.pop('warnings', [])
    if found:
        result['warnings'] = found
    return result


def succeeds(sim, **args):
    result = run_task(sim, **args)
    assert not result.get('failed'), result.get('msg')
    assert result['_ansible_no_log'] is True, 'a result holding a token is always censored in callbacks'
    return result


def fails(sim, **args):
    """The failure message, after checking that the result holds no token."""
    result = run_task(sim, **args)
    assert result.get('failed') is True, 'expected a failure, got %r' % sorted(result)
    assert 'access_token' not in result and 'refresh_token' not in result
    return result['msg']


def token_requests(sim):
    return sim.control.requests(family='token')


def form(entry):
    return dict(urllib.parse.parse_qsl(entry['body']))


def header(entry, name):
    return {key.lower(): value for key, value in entry['headers'].items()}.get(name.lower())


def api_status(sim, access_token):
    """What the simulator answers the new access token on an administrative endpoint."""
    response = requests.get(sim.url + '/rest/api/latest/admin/users', timeout=10,
                            headers={'Authorization': 'Bearer ' + access_token})
    return response.status_code


def test_expired_store_is_refreshed_once_rotated_and_persisted(sim, tmp_path):
    path = tmp_path / 'store.yml'
    old = seeded_store(sim, path)
    result = succeeds(sim, token_store=str(path))
    assert result['changed'] is True and result['refreshed'] is True
    assert 'refresh_token' not in result, 'with a store, the refresh token is never returned'
    assert set(result) == {'changed', 'refreshed', 'access_token', 'token_type', 'expires_at', 'expires_in', 'scope',
                           '_ansible_no_log'}
    assert 3500 <= result['expires_in'] <= 3600 and result['scope'] == ['ADMIN_WRITE']

    stored = read_store(path)
    assert stored['access_token'] == result['access_token'] != old['access_token']
    assert stored['refresh_token'] != old['refresh_token']
    assert stored['expires_at'] == result['expires_at']
    assert stored['refresh_token_issued_at'] >= old['refresh_token_issued_at']
    assert os.stat(path).st_mode & 0o777 == 0o600
    state = sim.control.state()
    assert state['valid_refresh_tokens'] == [stored['refresh_token']], 'the old refresh token is dead at Bitbucket'
    assert api_status(sim, result['access_token']) == 200

    (request,) = token_requests(sim)
    assert request['method'] == 'POST' and request['path'] == '/rest/oauth2/latest/token'
    assert request['auth'] is None and not request['query']
    assert header(request, 'Content-Type') == 'application/x-www-form-urlencoded'
    assert header(request, 'Accept') == 'application/json'
    assert form(request) == {'grant_type': 'refresh_token', 'refresh_token': old['refresh_token'],
                             'redirect_uri': REDIRECT_URI, 'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET}

    again = succeeds(sim, token_store=str(path))
    assert again['changed'] is False and again['refreshed'] is False
    assert again['access_token'] == result['access_token']
    assert len(token_requests(sim)) == 1, 'a valid access token means no request at all'
    assert read_store(path) == stored


@pytest.mark.parametrize('min_validity, refreshes', [(300, True), (100, False)])
def test_min_validity_decides(sim, tmp_path, min_validity, refreshes):
    path = tmp_path / 'store.yml'
    seeded_store(sim, path, access_expired=False, expires_at=int(time.time()) + 200)
    result = succeeds(sim, token_store=str(path), min_validity=min_validity)
    assert result['refreshed'] is refreshes
    assert len(token_requests(sim)) == int(refreshes)


def test_answer_without_refresh_token_keeps_the_old_one(sim, tmp_path):
    path = tmp_path / 'store.yml'
    old = seeded_store(sim, path, refresh_token_issued_at=1700000000)
    sim.control.config(omit_refresh_token=True)
    result = succeeds(sim, token_store=str(path))
    stored = read_store(path)
    assert result['refreshed'] is True
    assert stored['refresh_token'] == old['refresh_token']
    assert stored['refresh_token_issued_at'] == 1700000000, 'the lifetime still counts from the first issue'
    assert stored['access_token'] == result['access_token'] != old['access_token']


def test_invalid_grant_leaves_the_store_byte_identical(sim, tmp_path):
    path = tmp_path / 'store.yml'
    seeded_store(sim, path, refresh_token='a-refresh-token-bitbucket-never-issued')
    before = path.read_bytes()
    message = fails(sim, token_store=str(path))
    assert 'invalid_grant' in message and 'ansible-playbook dcops.bitbucket.bootstrap_oauth' in message
    assert 'left as it was' in message
    assert 'a-refresh-token-bitbucket-never-issued' not in message and CLIENT_SECRET not in message
    assert path.read_bytes() == before
    assert len(token_requests(sim)) == 1, 'the refresh grant is never retried'


def test_dropped_connection_after_the_refresh_is_explained(sim, tmp_path):
    path = tmp_path / 'store.yml'
    old = seeded_store(sim, path)
    before = path.read_bytes()
    sim.control.fault(method='POST', path='/rest/oauth2/', action='drop_after_refresh')
    message = fails(sim, token_store=str(path))
    assert 'got no answer' in message and 'may have accepted it' in message
    assert 'was not changed' in message and 'ansible-playbook dcops.bitbucket.bootstrap_oauth' in message
    assert old['refresh_token'] not in message
    assert path.read_bytes() == before
    assert len(token_requests(sim)) == 1, 'no retry after the connection broke'
    assert old['refresh_token'] not in sim.control.state()['valid_refresh_tokens'], 'the server did rotate'


def test_server_error_on_refresh_is_not_retried(sim, tmp_path):
    path = tmp_path / 'store.yml'
    seeded_store(sim, path)
    before = path.read_bytes()
    sim.control.fault(method='POST', path='/rest/oauth2/', action='status', status=503, retry_after=1)
    message = fails(sim, token_store=str(path))
    assert 'HTTP 503' in message and 'left as it was' in message
    assert path.read_bytes() == before
    assert len(token_requests(sim)) == 1


def test_write_failure_leaves_a_recovery_file_with_the_live_refresh_token(sim, tmp_path, monkeypatch):
    path = tmp_path / 'store.yml'
    old = seeded_store(sim, path)
    before = path.read_bytes()

    def replace(src, dst):
        raise OSError(errno.EROFS, 'Read-only file system')
    monkeypatch.setattr(os, 'replace', replace)
    result = run_task(sim, token_store=str(path))
    monkeypatch.undo()
    assert result['failed'] is True and 'access_token' not in result
    recovery = result['recovery_file']
    assert recovery in result['msg'] and 'Read-only file system' in result['msg']
    assert path.read_bytes() == before
    assert os.stat(recovery).st_mode & 0o777 == 0o600
    with open(recovery, 'rb') as handle:
        recovered = yaml.safe_load(VaultLib(VAULT).decrypt(handle.read()))
    assert recovered['refresh_token'] != old['refresh_token']
    assert sim.control.state()['valid_refresh_tokens'] == [recovered['refresh_token']]
    # Moving the recovery file over the store, as the message says, restores the session without a request.
    os.replace(recovery, path)
    result = succeeds(sim, token_store=str(path))
    assert result['refreshed'] is False and result['access_token'] == recovered['access_token']


@pytest.mark.parametrize('option, value', [('url', 'http://127.0.0.1:1/other'), ('client_id', 'another-client')])
def test_store_of_another_instance_or_client_is_refused_before_any_request(sim, tmp_path, option, value):
    path = tmp_path / 'store.yml'
    seeded_store(sim, path)
    assert 'belongs to %s' % option in fails(sim, token_store=str(path), **{option: value})
    assert token_requests(sim) == []


def test_missing_store_asks_for_the_consent(sim, tmp_path):
    message = fails(sim, token_store=str(tmp_path / 'absent.yml'))
    assert 'does not exist: run ansible-playbook dcops.bitbucket.bootstrap_oauth' in message
    assert token_requests(sim) == []


def test_refresh_token_near_its_lifetime_warns(sim, tmp_path):
    path = tmp_path / 'store.yml'
    lifetime = 1000
    seeded_store(sim, path, access_expired=False, refresh_token_issued_at=int(time.time()) - 850)
    result = succeeds(sim, token_store=str(path), refresh_token_lifetime=lifetime)
    assert result['refreshed'] is False
    assert len(result['warnings']) == 1 and 'ansible-playbook dcops.bitbucket.bootstrap_oauth' in result['warnings'][0]
    seeded_store(sim, path, access_expired=False, refresh_token_issued_at=int(time.time()) - 700)
    assert 'warnings' not in succeeds(sim, token_store=str(path), refresh_token_lifetime=lifetime)


def consent_code(sim, verifier):
    """What a browser gets after the user allows access: the code from the redirect."""
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b'=').decode()
    response = requests.get(sim.url + '/rest/oauth2/latest/authorize', allow_redirects=False, timeout=10, params={
        'response_type': 'code', 'client_id': CLIENT_ID, 'redirect_uri': REDIRECT_URI, 'scope': 'ADMIN_WRITE',
        'state': 's', 'code_challenge': challenge, 'code_challenge_method': 'S256', 'user': 'admin'})
    assert response.status_code in (302, 303), response.text
    return urllib.parse.parse_qs(urllib.parse.urlsplit(response.headers['Location']).query)['code'][0]


def test_authorization_code_creates_the_store_and_never_replaces_it_unasked(sim, tmp_path):
    seed_client(sim)
    path = tmp_path / 'store.yml'
    verifier = secrets.token_urlsafe(64)
    exchange = dict(token_store=str(path), grant_type='authorization_code', redirect_uri=REDIRECT_URI,
                    code_verifier=verifier)
    result = succeeds(sim, code=consent_code(sim, verifier), **exchange)
    assert result['changed'] is True and 'refresh_token' not in result
    stored = read_store(path)
    assert stored['url'] == sim.url and stored['client_id'] == CLIENT_ID and stored['redirect_uri'] == REDIRECT_URI
    assert stored['refresh_token'] in sim.control.state()['valid_refresh_tokens']
    assert abs(stored['refresh_token_issued_at'] - time.time()) < 60
    assert os.stat(path).st_mode & 0o777 == 0o600
    before = path.read_bytes()
    sim.control.clear_requests()

    assert 'already exists; refusing to replace it' in fails(sim, code='unused', **exchange)
    assert path.read_bytes() == before and token_requests(sim) == []

    succeeds(sim, code=consent_code(sim, verifier), force=True, **exchange)
    assert read_store(path)['refresh_token'] != stored['refresh_token']


def test_expired_authorization_code_says_to_consent_again(sim, tmp_path):
    seed_client(sim)
    verifier = secrets.token_urlsafe(64)
    code = consent_code(sim, verifier)
    sim.control.advance_clock(11)
    message = fails(sim, token_store=str(tmp_path / 'store.yml'), grant_type='authorization_code', code=code,
                    redirect_uri=REDIRECT_URI, code_verifier=verifier)
    assert 'refused the authorization code' in message and 'Consent again' in message and code not in message
    assert not (tmp_path / 'store.yml').exists()


def test_without_a_store_the_caller_keeps_the_refresh_token(sim):
    seed_client(sim)
    tokens = sim.control.issue_tokens(CLIENT_ID)
    result = succeeds(sim, refresh_token=tokens['refresh_token'], redirect_uri=REDIRECT_URI,
                      refresh_token_issued_at=1700000000)
    assert result['refreshed'] is True
    assert result['refresh_token'] != tokens['refresh_token']
    assert sim.control.state()['valid_refresh_tokens'] == [result['refresh_token']]
    assert abs(result['refresh_token_issued_at'] - time.time()) < 60

    reused = succeeds(sim, refresh_token=result['refresh_token'], access_token=result['access_token'],
                      expires_at=result['expires_at'], redirect_uri=REDIRECT_URI)
    assert reused['refreshed'] is False and reused['changed'] is False
    assert reused['access_token'] == result['access_token'] and reused['refresh_token'] == result['refresh_token']
    assert len(token_requests(sim)) == 1


def test_cloud_sends_the_client_as_http_basic(sim):
    seed_client(sim)
    tokens = sim.control.issue_tokens(CLIENT_ID)
    sim.control.clear_requests()
    result = succeeds(sim, platform='cloud', url=None, token_url=sim.url + '/site/oauth2/access_token',
                      refresh_token=tokens['refresh_token'], redirect_uri=REDIRECT_URI)
    assert result['refreshed'] is True and result['scope'] == ['ADMIN_WRITE'], 'Cloud says "scopes"'
    (request,) = token_requests(sim)
    assert request['path'] == '/site/oauth2/access_token' and request['auth'] == 'basic'
    expected = 'Basic ' + base64.b64encode(('%s:%s' % (CLIENT_ID, CLIENT_SECRET)).encode()).decode()
    assert header(request, 'Authorization') == expected
    assert form(request) == {'grant_type': 'refresh_token', 'refresh_token': tokens['refresh_token']}

    credentials = succeeds(sim, platform='cloud', url=None, grant_type='client_credentials',
                           token_url=sim.url + '/site/oauth2/access_token')
    assert credentials['refreshed'] is True and 'refresh_token' not in credentials


def test_refused_client_names_the_options(sim):
    seed_client(sim)
    tokens = sim.control.issue_tokens(CLIENT_ID)
    message = fails(sim, client_secret='not-the-secret-9x', refresh_token=tokens['refresh_token'],
                    redirect_uri=REDIRECT_URI)
    assert 'client_id and client_secret' in message
    assert 'not-the-secret-9x' not in message and tokens['refresh_token'] not in message


@pytest.mark.parametrize('args, message', [
    (dict(token_store='/tmp/s.yml', refresh_token='r'), 'mutually exclusive: token_store|refresh_token'),
    (dict(), 'grant_type is refresh_token but any of the following are missing: refresh_token, token_store'),
    (dict(grant_type='authorization_code', code='c'), 'redirect_uri is required for grant_type=authorization_code'),
    (dict(refresh_token='r', min_validity=-1), 'min_validity must be at least 0'),
    (dict(refresh_token='r', force=True), 'force only applies to grant_type=authorization_code with token_store'),
    (dict(refresh_token='r', url='bitbucket.example.com'), 'url must be an absolute http:// or https:// URL'),
    (dict(refresh_token='r', token_url='/token'), 'token_url must be an absolute'),
    (dict(refresh_token='r', url=None), 'url is required with platform=datacenter'),
])
def test_bad_options_fail_before_any_request(sim, args, message):
    assert message in fails(sim, **args)
    assert token_requests(sim) == []


def test_plain_http_to_a_remote_host_warns():
    validation = validate(dict(url='http://bitbucket.example.com', client_id='c', client_secret='s', refresh_token='r'))
    assert not problems(validation.validated_parameters)
    assert any('plain http://' in warning for warning in warnings(validation.validated_parameters))


def test_group_module_defaults_do_not_get_in_the_way_of_the_store(sim, tmp_path):
    """module_defaults for group/dcops.bitbucket.bitbucket set access_token and Basic auth for every module."""
    path = tmp_path / 'store.yml'
    seeded_store(sim, path)
    result = succeeds(sim, token_store=str(path), access_token='token-meant-for-the-other-modules', retries=5,
                      url_username='admin', url_password='admin-password')
    assert result['refreshed'] is True and result['access_token'] == read_store(path)['access_token']
    (request,) = token_requests(sim)
    assert request['auth'] is None


def test_min_validity_longer_than_the_token_lifetime_warns(sim, tmp_path):
    path = tmp_path / 'store.yml'
    seeded_store(sim, path)
    result = succeeds(sim, token_store=str(path), min_validity=3600)
    assert result['refreshed'] is True
    assert any('every run will obtain a new one' in warning for warning in result['warnings'])
    assert succeeds(sim, token_store=str(path), min_validity=3601)['refreshed'] is True


def replace_store_behind_the_lock(path, data):
    """Another machine's run writing the store without our lock (a shared file system, a checkout): atomic rename."""
    b_vaulttext = FileTokenStore(str(path), VAULT).encrypt(data)
    tmp = path.with_name(path.name + '.elsewhere')
    tmp.write_bytes(b_vaulttext)
    os.replace(tmp, path)


def refresh_elsewhere(sim, refresh_token):
    """The other run's refresh grant, straight at the token endpoint; returns the tokens it got."""
    response = requests.post(sim.url + '/rest/oauth2/latest/token', timeout=10, data={
        'grant_type': 'refresh_token', 'refresh_token': refresh_token, 'redirect_uri': REDIRECT_URI,
        'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET})
    assert response.status_code == 200, response.text
    return response.json()


def rotate_while_our_refresh_waits(sim, path, old, stored_refresh_token=None):
    """Hold our refresh at the server, rotate the token elsewhere meanwhile and store what the other run got."""
    sim.control.fault(method='POST', path='/rest/oauth2/', action='slow', delay=1.5)
    outcome = {}
    ours = threading.Thread(target=lambda: outcome.update(run_task(sim, token_store=str(path))))
    ours.start()
    deadline = time.monotonic() + 30
    while sim.control.faults()[0]['hits'] == 0:
        assert time.monotonic() < deadline, 'our refresh never reached the simulator'
        time.sleep(0.02)
    theirs = refresh_elsewhere(sim, old['refresh_token'])
    replace_store_behind_the_lock(path, dict(old, refresh_token=stored_refresh_token or theirs['refresh_token'],
                                             access_token=theirs['access_token'], expires_at=int(time.time()) - 10))
    ours.join(60)
    assert not ours.is_alive()
    return outcome, theirs


def test_invalid_grant_after_another_run_rotated_uses_the_stored_token_once(sim, tmp_path):
    path = tmp_path / 'store.yml'
    old = seeded_store(sim, path)
    result, theirs = rotate_while_our_refresh_waits(sim, path, old)
    assert not result.get('failed'), result.get('msg')
    assert result['refreshed'] is True
    stored = read_store(path)
    assert stored['refresh_token'] not in (old['refresh_token'], theirs['refresh_token'])
    assert sim.control.state()['valid_refresh_tokens'] == [stored['refresh_token']]
    sent = [form(entry)['refresh_token'] for entry in token_requests(sim)]
    assert sorted(sent) == sorted([old['refresh_token'], old['refresh_token'], theirs['refresh_token']]), \
        'ours (refused), theirs, then ours once more with the token they stored'
    assert api_status(sim, result['access_token']) == 200


def test_invalid_grant_twice_fails_with_the_bootstrap_hint_and_the_store_as_it_was(sim, tmp_path):
    path = tmp_path / 'store.yml'
    old = seeded_store(sim, path)
    result, dummy = rotate_while_our_refresh_waits(sim, path, old, stored_refresh_token='a-token-never-issued')
    assert result['failed'] is True and 'access_token' not in result
    assert 'invalid_grant' in result['msg'] and 'ansible-playbook dcops.bitbucket.bootstrap_oauth' in result['msg']
    assert 'refused too' in result['msg'] and 'a-token-never-issued' not in result['msg']
    assert read_store(path)['refresh_token'] == 'a-token-never-issued', 'the store is left as the other run wrote it'
    assert len(token_requests(sim)) == 3, 'ours, theirs, and ours once more: never a second retry'


@pytest.mark.parametrize('status', [502, 504])
def test_gateway_error_on_refresh_is_an_unknown_outcome(sim, tmp_path, status):
    """A gateway answered: the server behind it may have rotated the token, so nothing is claimed about it."""
    path = tmp_path / 'store.yml'
    old = seeded_store(sim, path)
    before = path.read_bytes()
    sim.control.fault(method='POST', path='/rest/oauth2/', action='html', status=status)
    message = fails(sim, token_store=str(path))
    assert 'HTTP %d' % status in message and 'may have accepted it' in message
    assert 'was not changed' in message and 'ansible-playbook dcops.bitbucket.bootstrap_oauth' in message
    assert 'still valid' not in message and old['refresh_token'] not in message
    assert path.read_bytes() == before
    assert len(token_requests(sim)) == 1, 'no retry: a second refresh could spend a rotated token'
