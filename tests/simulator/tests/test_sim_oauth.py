"""The simulator's OAuth 2.0 provider over HTTP: authorize, code + PKCE, refresh rotation, client credentials, Cloud."""

import base64
import hashlib
import urllib.parse

import pytest
import requests

from bbsim.rest import Rest

CLIENT = {'client_id': 'ansible', 'client_secret': 'client-secret', 'redirect_uris': ['http://127.0.0.1:8765/callback']}
REDIRECT = CLIENT['redirect_uris'][0]
TOKEN = '/rest/oauth2/latest/token'
AUTHORIZE = '/rest/oauth2/latest/authorize'
USERS = '/rest/api/latest/admin/users'
FORM = {'Content-Type': 'application/x-www-form-urlencoded'}


@pytest.fixture
def oauth(sim):
    sim.control.seed(oauth_clients=[CLIENT])
    return sim


def s256(verifier):
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip('=')


def authorize(sim, auth=None, **params):
    query = {'response_type': 'code', 'client_id': 'ansible', 'redirect_uri': REDIRECT, 'scope': 'ADMIN_WRITE',
             'state': 'st4te'}
    query.update(params)
    return requests.get(sim.url + AUTHORIZE, params=query, auth=auth, allow_redirects=False, timeout=10)


def redirect_params(response):
    assert response.status_code == 302, response.text
    location = response.headers['Location']
    assert location.startswith(REDIRECT + '?')
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def token_request(sim, path=TOKEN, auth=None, **data):
    return requests.post(sim.url + path, data=data, auth=auth, headers=FORM, timeout=10)


def exchange(sim, code, **extra):
    fields = dict(grant_type='authorization_code', client_id='ansible', client_secret='client-secret', code=code,
                  redirect_uri=REDIRECT)
    fields.update(extra)
    return token_request(sim, **fields)


def refresh(sim, refresh_token, **extra):
    fields = dict(grant_type='refresh_token', client_id='ansible', client_secret='client-secret',
                  refresh_token=refresh_token, redirect_uri=REDIRECT)
    fields.update(extra)
    return token_request(sim, **{k: v for k, v in fields.items() if v is not None})


def bearer_status(sim, token, path=USERS):
    return Rest(sim, token=token).get(path).status_code


def assert_oauth_error(response, status, error):
    assert response.status_code == status, response.text
    assert response.json()['error'] == error
    assert 'error_description' in response.json()


@pytest.mark.parametrize('method', ['S256', 'plain'])
def test_authorization_code_with_pkce_gives_a_working_bearer_token(oauth, method):
    verifier = 'v' * 43 + method
    challenge = s256(verifier) if method == 'S256' else verifier
    params = redirect_params(authorize(oauth, user='admin', code_challenge=challenge, code_challenge_method=method))
    assert params['state'] == 'st4te'

    answer = exchange(oauth, params['code'], code_verifier=verifier)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body['token_type'] == 'bearer' and body['expires_in'] == 3600 and body['scope'] == 'ADMIN_WRITE'
    assert body['access_token'] and body['refresh_token']
    api = Rest(oauth, token=body['access_token']).get(USERS)
    assert api.status_code == 200 and api.headers['X-AUSERNAME'] == 'admin'


def test_pkce_verifier_must_match_and_codes_are_single_use(oauth):
    code = redirect_params(authorize(oauth, user='admin', code_challenge=s256('a' * 50), code_challenge_method='S256'))['code']
    assert_oauth_error(exchange(oauth, code, code_verifier='b' * 50), 400, 'invalid_grant')
    assert_oauth_error(exchange(oauth, code, code_verifier='a' * 50), 400, 'invalid_grant')  # consumed

    code = redirect_params(authorize(oauth, user='admin'))['code']
    assert exchange(oauth, code).status_code == 200
    assert_oauth_error(exchange(oauth, code), 400, 'invalid_grant')


def test_codes_expire_after_ten_simulated_seconds(oauth):
    code = redirect_params(authorize(oauth, user='admin'))['code']
    oauth.control.advance_clock(11)
    answer = exchange(oauth, code)
    assert_oauth_error(answer, 400, 'invalid_grant')
    assert 'expired' in answer.json()['error_description']


def test_authorize_without_a_user_shows_the_consent_page_and_with_basic_auth_redirects(oauth):
    page = authorize(oauth)
    assert page.status_code == 200 and 'text/html' in page.headers['Content-Type']
    assert 'code' in redirect_params(authorize(oauth, auth=('admin', 'admin-password')))
    assert authorize(oauth, auth=('admin', 'wrong')).status_code == 401


def test_authorize_refuses_unregistered_redirects_and_reports_bad_scopes_by_redirect(oauth):
    assert_oauth_error(authorize(oauth, user='admin', redirect_uri='http://evil.example/cb'), 400, 'invalid_request')
    assert_oauth_error(authorize(oauth, user='admin', client_id='nobody'), 400, 'invalid_request')
    params = redirect_params(authorize(oauth, user='admin', scope='ADMIN'))
    assert params['error'] == 'invalid_scope' and params['state'] == 'st4te'
    oauth.control.config(authorize_decision='deny')
    assert redirect_params(authorize(oauth, user='admin'))['error'] == 'access_denied'


def test_refresh_rotates_and_kills_the_old_pair(oauth):
    old = oauth.control.issue_tokens('ansible', user='admin')
    answer = refresh(oauth, old['refresh_token'])
    assert answer.status_code == 200, answer.text
    new = answer.json()

    assert new['refresh_token'] != old['refresh_token'] and new['access_token'] != old['access_token']
    assert bearer_status(oauth, new['access_token']) == 200
    assert bearer_status(oauth, old['access_token']) == 401
    assert_oauth_error(refresh(oauth, old['refresh_token']), 400, 'invalid_grant')
    assert oauth.control.state()['valid_refresh_tokens'] == [new['refresh_token']]


def test_refresh_without_rotation_keeps_the_old_pair_working(oauth):
    oauth.control.config(rotate_refresh_tokens=False)
    old = oauth.control.issue_tokens('ansible')
    new = refresh(oauth, old['refresh_token']).json()
    assert new['refresh_token'] == old['refresh_token']
    assert bearer_status(oauth, old['access_token']) == 200
    assert refresh(oauth, old['refresh_token']).status_code == 200


def test_omit_refresh_token_leaves_it_out_and_keeps_it_valid(oauth):
    oauth.control.config(omit_refresh_token=True)
    old = oauth.control.issue_tokens('ansible')
    body = refresh(oauth, old['refresh_token']).json()
    assert 'refresh_token' not in body
    assert refresh(oauth, old['refresh_token']).status_code == 200


def test_refresh_needs_the_redirect_uri_unless_configured_otherwise(oauth):
    tokens = oauth.control.issue_tokens('ansible')
    answer = refresh(oauth, tokens['refresh_token'], redirect_uri=None)
    assert_oauth_error(answer, 400, 'invalid_grant')
    assert refresh(oauth, tokens['refresh_token'], redirect_uri='http://127.0.0.1:1/other').status_code == 400
    oauth.control.config(require_redirect_uri_on_refresh=False)
    assert refresh(oauth, tokens['refresh_token'], redirect_uri=None).status_code == 200


def test_refresh_tokens_expire(oauth):
    tokens = oauth.control.issue_tokens('ansible')
    oauth.control.advance_clock(7776000 + 1)
    assert_oauth_error(refresh(oauth, tokens['refresh_token']), 400, 'invalid_grant')


def test_expired_and_unknown_access_tokens_get_401_with_bitbucket_errors(oauth):
    tokens = oauth.control.issue_tokens('ansible')
    assert bearer_status(oauth, tokens['access_token']) == 200
    oauth.control.advance_clock(3601)
    answer = Rest(oauth, token=tokens['access_token']).get(USERS)
    assert answer.status_code == 401 and 'expired' in answer.json()['errors'][0]['message']
    assert bearer_status(oauth, 'not-a-token') == 401
    expired = oauth.control.issue_tokens('ansible', access_expired=True)
    assert expired['expires_in'] == 0 and bearer_status(oauth, expired['access_token']) == 401


def test_scope_caps_what_a_token_may_do(oauth):
    tokens = oauth.control.issue_tokens('ansible', scope='REPO_READ')
    assert bearer_status(oauth, tokens['access_token'], USERS) == 200  # LICENSED_USER is enough to list
    answer = Rest(oauth, token=tokens['access_token']).get('/rest/api/latest/admin/permissions/users')
    assert answer.status_code == 401 and 'scope' in answer.json()['errors'][0]['message']


def test_client_authentication_and_grant_errors(oauth):
    assert_oauth_error(refresh(oauth, 'x', client_secret='wrong'), 401, 'invalid_client')
    assert_oauth_error(refresh(oauth, 'x', client_id='unknown'), 401, 'invalid_client')
    assert_oauth_error(token_request(oauth, grant_type='password', client_id='ansible', client_secret='client-secret'),
                       400, 'unsupported_grant_type')
    assert_oauth_error(token_request(oauth, client_id='ansible', client_secret='client-secret'), 400, 'invalid_request')
    assert_oauth_error(refresh(oauth, 'not-a-refresh-token'), 400, 'invalid_grant')


def test_token_endpoint_takes_query_parameters_but_needs_a_form_content_type(oauth):
    tokens = oauth.control.issue_tokens('ansible')
    query = {'grant_type': 'refresh_token', 'client_id': 'ansible', 'client_secret': 'client-secret',
             'refresh_token': tokens['refresh_token'], 'redirect_uri': REDIRECT}
    answer = requests.post(oauth.url + TOKEN, params=query, timeout=10)
    assert_oauth_error(answer, 400, 'invalid_request')
    answer = requests.post(oauth.url + TOKEN, params=query, headers=FORM, timeout=10)
    assert answer.status_code == 200, answer.text


def test_client_credentials_give_an_access_token_only(oauth):
    answer = token_request(oauth, grant_type='client_credentials', client_id='ansible', client_secret='client-secret',
                           scope='ADMIN_WRITE')
    assert answer.status_code == 200
    body = answer.json()
    assert 'refresh_token' not in body and body['scope'] == 'ADMIN_WRITE'
    api = Rest(oauth, token=body['access_token'])
    assert api.get(USERS).headers['X-AUSERNAME'] == 'service-account-ansible'
    assert api.get('/rest/api/latest/admin/permissions/users').status_code == 401


def test_cloud_endpoint_wants_basic_client_auth_and_answers_scopes(oauth):
    tokens = oauth.control.issue_tokens('ansible')
    path = '/site/oauth2/access_token'
    fields = {'grant_type': 'refresh_token', 'refresh_token': tokens['refresh_token']}
    assert_oauth_error(token_request(oauth, path, client_id='ansible', client_secret='client-secret', **fields),
                       400, 'invalid_request')
    assert_oauth_error(token_request(oauth, path, **fields), 401, 'invalid_client')
    body = token_request(oauth, path, auth=('ansible', 'client-secret'), **fields).json()
    assert body['scopes'] == 'ADMIN_WRITE' and 'scope' not in body  # no redirect_uri needed on Cloud

    oauth.control.config(cloud_scope_key='scope')
    body = token_request(oauth, path, auth=('ansible', 'client-secret'), grant_type='refresh_token',
                         refresh_token=body['refresh_token']).json()
    assert body['scope'] == 'ADMIN_WRITE'


def test_drop_after_refresh_rotates_then_hangs_up(oauth):
    tokens = oauth.control.issue_tokens('ansible')
    oauth.control.fault(method='POST', path='/oauth2/.*/token', action='drop_after_refresh')
    with pytest.raises(requests.ConnectionError):
        refresh(oauth, tokens['refresh_token'])
    state = oauth.control.state()
    assert len(state['valid_refresh_tokens']) == 1 and tokens['refresh_token'] not in state['valid_refresh_tokens']
    assert_oauth_error(refresh(oauth, tokens['refresh_token']), 400, 'invalid_grant')
    logged = oauth.control.requests(family='token')
    assert [(entry['status'], entry['fault']) for entry in logged] == [(None, 'drop_after_refresh'), (400, None)]


def test_bearer_token_outside_rest_is_sent_to_login(oauth):
    tokens = oauth.control.issue_tokens('ansible')
    answer = Rest(oauth, token=tokens['access_token']).get('/projects')
    assert answer.status_code == 302 and answer.headers['Location'] == oauth.url + '/login'
