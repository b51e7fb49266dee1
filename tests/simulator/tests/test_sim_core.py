"""The simulator's HTTP behaviour shared by every resource: XSRF, paging, aliases, keep-alive, errors, the log."""

import http.client
import json
import urllib.parse

import pytest
import requests

from bbsim.rest import Rest, errors

USERS = '/rest/api/latest/admin/users'
GROUPS = '/rest/api/latest/admin/groups'


def seed_users(sim, count):
    sim.control.seed(users=[{'name': 'user%03d' % i, 'displayName': 'User %d' % i} for i in range(count)])


@pytest.mark.parametrize('content_type', ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
                                          'text/plain', None])
def test_form_like_posts_without_the_no_check_header_fail_the_xsrf_check(sim, content_type):
    headers = {'Content-Type': content_type} if content_type else {}
    answer = Rest(sim).post(GROUPS, params={'name': 'g1'}, headers=headers, xsrf=False)
    assert answer.status_code == 403 and errors(answer) == ['XSRF check failed']
    headers['X-Atlassian-Token'] = 'no-check'
    assert Rest(sim).post(GROUPS, params={'name': 'g1'}, headers=headers, xsrf=False).status_code == 200


def test_json_posts_and_other_methods_pass_without_the_header(sim):
    rest = Rest(sim)
    rest.post(GROUPS, params={'name': 'g1'})
    answer = rest.post(GROUPS + '/add-users', json={'group': 'g1', 'users': ['admin']}, xsrf=False)
    assert answer.status_code == 200
    assert rest.delete(GROUPS, params={'name': 'g1'}, xsrf=False).status_code == 200


def test_paging_caps_the_limit_and_says_so(sim):
    seed_users(sim, 29)  # 30 with the admin
    first = Rest(sim).get(USERS, params={'limit': 1000}).json()
    assert (first['limit'], first['size'], first['isLastPage'], first['start'], first['nextPageStart']) == (25, 25, False, 0, 25)
    last = Rest(sim).get(USERS, params={'limit': 1000, 'start': 25}).json()
    assert (last['size'], last['isLastPage']) == (5, True) and 'nextPageStart' not in last
    sim.control.config(page_cap=7)
    assert Rest(sim).get(USERS, params={'limit': 1000}).json()['limit'] == 7
    assert Rest(sim).get(USERS, params={'limit': 3}).json()['nextPageStart'] == 3
    assert len(Rest(sim).values(USERS)) == 30


def test_default_limit_is_25_and_bad_numbers_are_400(sim):
    sim.control.config(page_cap=1000)
    seed_users(sim, 40)
    assert Rest(sim).get(USERS).json()['limit'] == 25
    assert Rest(sim).get(USERS, params={'start': 'x'}).status_code == 400


def test_one_dot_zero_and_latest_are_aliases(sim):
    rest = Rest(sim)
    names = [[u['name'] for u in rest.get(path).json()['values']] for path in ('/rest/api/1.0/admin/users', USERS)]
    assert names[0] == names[1] == ['admin']
    assert rest.get('/rest/access-tokens/1.0/users/admin').status_code == 200


def test_204_has_no_body_and_keep_alive_serves_several_requests_on_one_connection(sim):
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(sim.url).netloc, timeout=10)
    auth = {'Authorization': 'Basic YWRtaW46YWRtaW4tcGFzc3dvcmQ=', 'X-Atlassian-Token': 'no-check'}
    connection.request('POST', USERS + '?name=jdoe&displayName=J&emailAddress=j%40example.com&password=pw', headers=auth)
    created = connection.getresponse()
    assert created.status == 204 and created.read() == b'' and created.getheader('Content-Length') is None
    connection.request('GET', USERS + '?filter=jdoe', headers=auth)
    listed = connection.getresponse()
    body = listed.read()
    assert listed.status == 200 and int(listed.getheader('Content-Length')) == len(body)
    assert json.loads(body)['values'][0]['name'] == 'jdoe'
    assert listed.getheader('X-AUSERNAME') == 'admin'
    connection.close()


def test_unknown_paths_are_404_and_wrong_methods_405_in_bitbucket_error_shape(sim):
    missing = Rest(sim).get('/rest/api/latest/nothing-here')
    assert missing.status_code == 404 and missing.json()['errors'][0]['context'] is None
    wrong = Rest(sim).request('PATCH', USERS)
    assert wrong.status_code == 405 and 'GET' in wrong.headers['Allow']


def test_application_properties_need_no_auth_but_bad_credentials_still_fail(sim):
    anonymous = requests.get(sim.url + '/rest/api/latest/application-properties', timeout=10)
    assert anonymous.status_code == 200 and anonymous.json()['version'] == '9.2.0'
    assert 'X-AUSERNAME' not in anonymous.headers
    assert Rest(sim, password='wrong').get('/rest/api/latest/application-properties').status_code == 401


def test_anonymous_and_wrong_passwords_get_401(sim):
    assert Rest(sim, user=None).get(USERS).status_code == 401
    answer = Rest(sim, password='nope').get(USERS)
    assert answer.status_code == 401 and 'credentials' in errors(answer)[0]


def test_request_log_keeps_the_raw_query_body_auth_and_family(sim):
    sim.control.clear_requests()
    Rest(sim).put(USERS, json={'name': 'admin', 'displayName': 'Boss'})
    Rest(sim).post(USERS, params={'name': 'x y', 'displayName': 'X', 'emailAddress': 'x@e', 'password': 'p&w'})
    requests.get(sim.url + '/rest/api/latest/application-properties', timeout=10)
    log = sim.control.requests()
    assert [(e['method'], e['family'], e['auth'], e['status']) for e in log] == [
        ('PUT', 'users', 'basic', 200), ('POST', 'users', 'basic', 204), ('GET', 'other', None, 200)]
    assert json.loads(log[0]['body']) == {'name': 'admin', 'displayName': 'Boss'}
    assert log[1]['query'] == 'name=x+y&displayName=X&emailAddress=x%40e&password=p%26w'
    assert log[0]['user'] == 'admin' and log[0]['headers']['X-Atlassian-Token'] == 'no-check'
    assert sim.control.requests(family='users', method='POST') == [log[1]]
    sim.control.clear_requests()
    assert sim.control.requests() == []


def test_reset_restores_the_seeded_admin_and_default_group(sim):
    sim.control.seed(users=[{'name': 'temp'}], groups=[{'name': 'extra', 'permission': 'ADMIN'}])
    sim.control.config(page_cap=3)
    sim.control.reset()
    state = sim.control.state()
    assert [u['name'] for u in state['users']] == ['admin']
    assert state['users'][0]['permission'] == 'SYS_ADMIN' and state['users'][0]['groups'] == ['stash-users']
    assert state['groups'] == [{'name': 'stash-users', 'permission': 'LICENSED_USER', 'members': ['admin']}]
    assert state['config']['page_cap'] == 25


def test_control_api_refuses_unknown_keys(sim):
    from bbsim.control import SimControlError  # pylint: disable=import-outside-toplevel
    with pytest.raises(SimControlError, match='page_size'):
        sim.control.config(page_size=3)
    with pytest.raises(SimControlError, match='emial'):
        sim.control.seed(users=[{'name': 'a', 'emial': 'x'}])
    with pytest.raises(SimControlError, match='action'):
        sim.control.fault(action='explode')
