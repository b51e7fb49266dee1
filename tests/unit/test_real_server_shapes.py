"""Answers real Bitbucket servers give (docs/dev/bitbucket-api-notes.md §3.11, §1.7): the simulator answers each way,
and the collection's client and token endpoint handle each, over HTTP."""

import base64
import hashlib
import urllib.parse

import pytest
import requests

from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketHTTPError
from ansible_collections.dcops.bitbucket.plugins.module_utils._http import BitbucketClient
from ansible_collections.dcops.bitbucket.plugins.module_utils._oauth import OAuthError, TokenEndpoint

ADMIN = ('admin', 'admin-password')
USERS = 'rest/api/latest/admin/users'
PERMISSIONS = 'rest/api/latest/admin/permissions/users'
TOKEN = 'rest/oauth2/latest/token'
CLIENT = {'client_id': 'shapes', 'client_secret': 'shapes-secret-9Kd', 'redirect_uris': ['http://127.0.0.1:8765/cb']}
REDIRECT = CLIENT['redirect_uris'][0]


def admin_client(sim):
    return BitbucketClient(sim.url, username=ADMIN[0], password=ADMIN[1])


def endpoint(sim, secret=CLIENT['client_secret']):
    url = sim.url + '/' + TOKEN
    return TokenEndpoint(BitbucketClient(url, retries=0), 'datacenter', CLIENT['client_id'], secret, url)


def consented_code(sim, verifier='v' * 50):
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip('=')
    answer = requests.get(sim.url + '/rest/oauth2/latest/authorize', auth=ADMIN, allow_redirects=False, timeout=10,
                          params={'response_type': 'code', 'client_id': CLIENT['client_id'], 'redirect_uri': REDIRECT,
                                  'scope': 'ADMIN_WRITE', 'state': 's' * 32, 'code_challenge': challenge,
                                  'code_challenge_method': 'S256'})
    assert answer.status_code == 302, answer.text
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers['Location']).query))['code']


def test_last_page_has_no_next_page_start(sim):
    sim.control.seed(users=[{'name': 'user%02d' % i} for i in range(29)])
    sim.control.config(page_cap=10)
    last = requests.get(sim.url + '/' + USERS, params={'start': 20, 'limit': 10}, auth=ADMIN, timeout=10).json()
    assert last['isLastPage'] is True and 'nextPageStart' not in last and last['size'] == 10

    names = [user['name'] for user in admin_client(sim).paged(USERS)]

    assert len(names) == len(set(names)) == 30


def test_204_labelled_json_without_a_body(sim):
    sim.control.seed(users=[{'name': 'alice'}])
    sim.control.config(json_on_204=True)
    raw = requests.put(sim.url + '/' + PERMISSIONS, params={'name': 'alice', 'permission': 'LICENSED_USER'},
                       auth=ADMIN, headers={'X-Atlassian-Token': 'no-check'}, timeout=10)
    assert raw.status_code == 204 and raw.content == b''
    assert raw.headers['Content-Type'].startswith('application/json')

    assert admin_client(sim).put(PERMISSIONS, params={'name': 'alice', 'permission': 'PROJECT_CREATE'}) is None
    (alice,) = [u for u in sim.control.state()['users'] if u['name'] == 'alice']
    assert alice['permission'] == 'PROJECT_CREATE'


def test_error_with_null_context_and_extra_keys(sim):
    body = {'errors': [{'context': None, 'message': 'A user with that name already exists.',
                        'exceptionName': 'com.atlassian.bitbucket.user.DuplicateUserException',
                        'existingUser': {'name': 'alice', 'id': 7, 'slug': 'alice'}}]}
    sim.control.fault(method='POST', path='/admin/users$', status=409, body=body)

    with pytest.raises(BitbucketHTTPError) as caught:
        admin_client(sim).post(USERS, params={'name': 'alice', 'displayName': 'Alice',
                                              'emailAddress': 'alice@example.com', 'password': 'pw-1'})

    assert caught.value.status == 409
    assert 'A user with that name already exists.' in str(caught.value)
    assert 'existingUser' not in str(caught.value) and 'pw-1' not in str(caught.value)


def test_users_without_directory_and_mutability_fields(sim):
    sim.control.seed(users=[{'name': 'alice'}])
    single = requests.get(sim.url + '/rest/api/latest/users/alice', auth=ADMIN, timeout=10).json()
    assert not {'directoryName', 'mutableDetails', 'mutableGroups', 'deletable'} & set(single)
    sim.control.config(user_fields='minimal')

    (alice,) = [u for u in admin_client(sim).paged(USERS, params={'filter': 'alice'}) if u['name'] == 'alice']

    assert not {'directoryName', 'mutableDetails', 'mutableGroups', 'deletable'} & set(alice)


def test_token_endpoint_reads_client_credentials_from_the_form_only(sim):
    sim.control.seed(users=[], oauth_clients=[CLIENT])
    code = consented_code(sim)
    basic_only = requests.post(sim.url + '/' + TOKEN, timeout=10, auth=(CLIENT['client_id'], CLIENT['client_secret']),
                               data={'grant_type': 'authorization_code', 'code': code, 'redirect_uri': REDIRECT,
                                     'code_verifier': 'v' * 50})
    assert basic_only.status_code == 401 and basic_only.json()['error'] == 'invalid_client'

    tokens = endpoint(sim).authorization_code(consented_code(sim), REDIRECT, 'v' * 50)

    assert tokens['token_type'] == 'bearer' and tokens['refresh_token']


def test_unknown_code_is_invalid_request_and_a_replayed_one_invalid_grant(sim):
    sim.control.seed(oauth_clients=[CLIENT])
    with pytest.raises(OAuthError) as unknown:
        endpoint(sim).authorization_code('no-such-code', REDIRECT, 'v' * 50)
    assert unknown.value.error_code == 'invalid_request'
    assert 'refused the authorization code' in str(unknown.value) and 'no-such-code' not in str(unknown.value)

    code = consented_code(sim)
    endpoint(sim).authorization_code(code, REDIRECT, 'v' * 50)
    with pytest.raises(OAuthError) as replayed:
        endpoint(sim).authorization_code(code, REDIRECT, 'v' * 50)
    assert replayed.value.error_code == 'invalid_grant' and 'refused the authorization code' in str(replayed.value)


def test_refresh_deletes_the_old_refresh_token_and_its_access_token(sim):
    sim.control.seed(oauth_clients=[CLIENT])
    first = endpoint(sim).authorization_code(consented_code(sim), REDIRECT, 'v' * 50)

    second = endpoint(sim).refresh(first['refresh_token'], REDIRECT)

    assert second['refresh_token'] != first['refresh_token']
    old_access = requests.get(sim.url + '/' + USERS, timeout=10,
                              headers={'Authorization': 'Bearer ' + first['access_token']})
    assert old_access.status_code == 401
    assert requests.get(sim.url + '/' + USERS, timeout=10,
                        headers={'Authorization': 'Bearer ' + second['access_token']}).status_code == 200
    with pytest.raises(OAuthError) as spent:
        endpoint(sim).refresh(first['refresh_token'], REDIRECT)
    assert spent.value.error_code == 'invalid_grant'
