"""The shared client (plugins/module_utils/_http.py) against the simulator over real HTTP."""

import base64
import time

import pytest

from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import (
    BitbucketConnectionError,
    BitbucketHTTPError,
    BitbucketResponseError,
)
from ansible_collections.dcops.bitbucket.plugins.module_utils._http import BitbucketClient

ADMIN_PASSWORD = 'admin-password'
USERS = 'rest/api/latest/admin/users'


def admin_client(sim, **kwargs):
    kwargs.setdefault('ca_path', sim.ca_path)
    return BitbucketClient(sim.url, username='admin', password=ADMIN_PASSWORD, **kwargs)


def seed_users(sim, count):
    sim.control.seed(users=[{'name': 'user%03d' % i, 'displayName': 'User %d' % i,
                             'emailAddress': 'user%03d@example.com' % i} for i in range(count)])


def logged(sim, method=None):
    return [r for r in sim.control.requests() if method is None or r['method'] == method]


def test_paging_follows_next_page_start_across_a_server_cap(sim):
    seed_users(sim, 60)
    sim.control.config(page_cap=25)
    client = admin_client(sim)

    names = [u['name'] for u in client.paged(USERS)]

    assert len(names) == len(set(names)) == 61  # 60 seeded plus the admin
    gets = logged(sim, 'GET')
    assert len(gets) == 3 == client.stats['requests']
    assert all('limit=1000' in r['query'] for r in gets)  # asked for more; the server capped it


def test_one_session_is_kept_alive_across_requests(sim):
    client = admin_client(sim)
    for dummy in range(5):
        client.get(USERS)
    adapter = client.session.get_adapter(sim.url)
    assert len(adapter.poolmanager.pools) == 1
    pool = list(adapter.poolmanager.pools._container.values())[0]
    assert pool.num_connections == 1  # five requests, one TCP connection


def test_429_with_retry_after_waits_then_succeeds(sim):
    sim.control.fault(method='GET', path='/admin/users', action='status', status=429, retry_after=1, times=1)
    client = admin_client(sim)

    started = time.monotonic()
    page = client.get(USERS)
    waited = time.monotonic() - started

    assert page['values']
    assert 0.9 <= waited < 3
    assert [r['status'] for r in logged(sim, 'GET')] == [429, 200]
    assert client.stats['retries'] == 1


@pytest.mark.parametrize('status', [502, 503, 504])
def test_gateway_errors_are_retried(sim, status):
    sim.control.fault(method='GET', path='/admin/users', action='status', status=status, times=2)
    assert admin_client(sim).get(USERS)['values']
    assert [r['status'] for r in logged(sim, 'GET')] == [status, status, 200]


@pytest.mark.parametrize('status', [400, 401, 403, 404, 409, 500])
def test_client_errors_and_500_are_not_retried(sim, status):
    sim.control.fault(method='GET', path='/admin/users', action='status', status=status, times=5)
    with pytest.raises(BitbucketHTTPError) as caught:
        admin_client(sim).get(USERS)
    assert caught.value.status == status
    assert len(logged(sim, 'GET')) == 1


def test_retries_are_bounded(sim):
    sim.control.fault(method='GET', path='/admin/users', action='status', status=503, times=None)
    client = admin_client(sim, retries=2)
    started = time.monotonic()
    with pytest.raises(BitbucketHTTPError) as caught:
        client.get(USERS)
    assert caught.value.status == 503
    assert len(logged(sim, 'GET')) == 3
    assert time.monotonic() - started < 5


def test_dropped_connection_on_a_read_is_retried(sim):
    sim.control.fault(method='GET', path='/admin/users', action='drop', times=1)
    assert admin_client(sim).get(USERS)['values']


def test_dropped_connection_on_a_post_is_not_sent_twice(sim):
    sim.control.fault(method='POST', path='/admin/groups', action='drop', times=1)
    with pytest.raises(BitbucketConnectionError) as caught:
        admin_client(sim).post('rest/api/latest/admin/groups', params={'name': 'g1'})
    assert 'without answering' in str(caught.value) or 'reset' in str(caught.value)
    assert len(logged(sim, 'POST')) <= 1


def test_error_text_has_bitbucket_message_and_no_credentials(sim):
    client = admin_client(sim)
    with pytest.raises(BitbucketHTTPError) as caught:
        client.put(USERS, json={'name': 'nobody', 'displayName': 'x', 'email': 'x@example.com'})
    text = str(caught.value)
    assert caught.value.status == 404
    assert 'nobody' in text  # Bitbucket's own message names the user
    assert text.startswith('PUT rest/api/latest/admin/users: HTTP 404')
    basic = base64.b64encode(b'admin:' + ADMIN_PASSWORD.encode()).decode()
    for secret in (ADMIN_PASSWORD, basic, 'Authorization'):
        assert secret not in text


def test_error_body_echoing_a_secret_is_scrubbed(sim):
    token = 'canary-access-token-5f2e'
    sim.control.fault(method='GET', path='/admin/users', action='status', status=500,
                      body={'errors': [{'message': 'bad request with header Authorization: Bearer %s' % token}]})
    client = BitbucketClient(sim.url, access_token=token, ca_path=sim.ca_path)
    with pytest.raises(BitbucketHTTPError) as caught:
        client.get(USERS)
    assert token not in str(caught.value)
    assert '********' in str(caught.value)


def test_writes_carry_the_xsrf_header_and_reads_do_not(sim):
    client = admin_client(sim)
    client.post('rest/api/latest/admin/groups', params={'name': 'xsrf-group'})
    client.get(USERS)
    post, get = logged(sim, 'POST')[0], logged(sim, 'GET')[0]
    headers = dict((k.lower(), v) for k, v in post['headers'].items())
    assert headers.get('x-atlassian-token') == 'no-check'
    assert 'x-atlassian-token' not in dict((k.lower(), v) for k, v in get['headers'].items())


def test_html_proxy_page_is_reported_without_its_body(sim):
    sim.control.fault(method='GET', path='/admin/users', action='html', status=500, times=1)
    with pytest.raises(BitbucketHTTPError) as caught:
        admin_client(sim).get(USERS)
    assert 'non-JSON answer (text/html)' in str(caught.value)
    assert '<html' not in str(caught.value).lower()


def test_malformed_json_on_a_read_is_retried_then_reported(sim):
    sim.control.fault(method='GET', path='/admin/users', action='malformed_json', times=None)
    with pytest.raises(BitbucketResponseError) as caught:
        admin_client(sim, retries=1).get(USERS)
    assert 'not valid JSON' in str(caught.value)
    assert len(logged(sim, 'GET')) == 2


def test_redirect_to_login_is_a_clear_error(sim):
    sim.control.fault(method='GET', path='/admin/users', action='redirect_login', times=1)
    with pytest.raises(BitbucketHTTPError) as caught:
        admin_client(sim).get(USERS)
    assert caught.value.status == 302
    assert 'redirected to' in str(caught.value) and 'login' in str(caught.value)


def test_read_timeout_is_bounded(sim):
    sim.control.fault(method='GET', path='/admin/users', action='slow', delay=3, times=None)
    client = admin_client(sim, timeout=1, retries=1)
    started = time.monotonic()
    with pytest.raises(BitbucketConnectionError) as caught:
        client.get(USERS)
    assert 'timed out' in str(caught.value)
    assert time.monotonic() - started < 4
    # The server still answers both slow requests; let it, so that they are not logged into the next test.
    deadline = time.monotonic() + 10
    while len(logged(sim, 'GET')) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(logged(sim, 'GET')) == 2


def test_bearer_and_basic_auth(sim):
    issued = sim.control.issue_tokens(client_id='ci-client', user='admin')
    bearer = BitbucketClient(sim.url, access_token=issued['access_token'], ca_path=sim.ca_path)
    assert bearer.get(USERS)['values']
    assert logged(sim)[-1]['auth'] == 'bearer'
    with pytest.raises(BitbucketHTTPError) as caught:
        BitbucketClient(sim.url, username='admin', password='wrong', ca_path=sim.ca_path).get(USERS)
    assert caught.value.status == 401


def test_tls_needs_the_ca_bundle(sim_factory, monkeypatch):
    # Execution environments often set REQUESTS_CA_BUNDLE; it must not override ca_path (requests#3829).
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/certs/ca-certificates.crt')
    tls = sim_factory(1, tls=True)[0]
    with pytest.raises(BitbucketConnectionError) as caught:
        BitbucketClient(tls.url, username='admin', password=ADMIN_PASSWORD, retries=0).get(USERS)
    assert 'TLS verification failed' in str(caught.value)
    ok = BitbucketClient(tls.url, username='admin', password=ADMIN_PASSWORD, ca_path=tls.ca_path)
    assert ok.get(USERS)['values']
