"""The simulator against Atlassian's OpenAPI file (tests/openapi/bitbucket-datacenter-9.2.swagger.v3.json).

Every answer any test gets from the ``sim`` fixture is checked after the test (tests/conftest.py). This module
drives every operation the file documents and the simulator serves, success and error answers alike, checks them,
and proves the check can fail and that each named exception for a defect of the file is needed.
"""

import json
import re

import pytest

from bbsim.app import ROUTER
from bbsim.conformance import (COMPONENT_DEFECTS, RESPONSE_DEFECTS, STATUS_EXCEPTIONS, SpecConformance)
from bbsim.messages import ApiError
from bbsim.rest import Rest

API = '/rest/api/latest'
ADMIN = API + '/admin'
TOKENS = '/rest/access-tokens/latest'
READ = ['PROJECT_READ', 'REPO_READ']
METHODS = ('get', 'put', 'post', 'delete')


@pytest.fixture
def conformance(spec_conformance):
    return SpecConformance(spec_conformance.spec)


def served_operations(spec):
    """(method, spec path) pairs the file documents and the simulator serves."""
    served = set()
    for spec_path, operations in spec['paths'].items():
        concrete = '/rest' + re.sub(r'\{[^}]+\}', 'x', spec_path)
        for method in METHODS:
            if method not in operations:
                continue
            try:
                ROUTER.match(method.upper(), concrete)
            except ApiError:
                continue
            served.add((method, spec_path))
    return served


def expect(answer, status):
    assert answer.status_code == status, '%s %s: %s %s' % (answer.request.method, answer.request.url,
                                                           answer.status_code, answer.text[:300])
    return answer


def drive_users_and_groups(sim, rest):
    sim.control.seed(users=[{'name': 'boss', 'permission': 'SYS_ADMIN'},
                            {'name': 'ldap', 'directory': 'Corp LDAP'}],
                     groups=[{'name': 'devs'}, {'name': 'ops', 'permission': 'PROJECT_CREATE'}])
    new = {'name': 'jdoe', 'displayName': 'J', 'emailAddress': 'j@example.com', 'password': 'pw'}
    expect(rest.post(ADMIN + '/users', params=new), 204)
    expect(rest.post(ADMIN + '/users', params=new), 409)
    expect(rest.post(ADMIN + '/users', params={'name': 'x'}), 400)
    expect(rest.get(ADMIN + '/users', params={'limit': 2}), 200)
    expect(rest.get(ADMIN + '/users', params={'start': 'x'}), 400)
    expect(rest.put(ADMIN + '/users', json={'name': 'jdoe', 'email': 'new@example.com'}), 200)
    expect(rest.put(ADMIN + '/users', json={'name': 'ghost', 'email': 'x@e'}), 404)
    expect(rest.put(ADMIN + '/users', json={'name': 'ldap', 'email': 'x@e'}), 400)
    expect(rest.put(ADMIN + '/users', data='x', headers={'Content-Type': 'text/xml'}), 415)
    expect(rest.put(ADMIN + '/users/credentials', json={'name': 'jdoe', 'password': 'a', 'passwordConfirm': 'a'}), 204)
    expect(rest.put(ADMIN + '/users/credentials', json={'name': 'ghost', 'password': 'a', 'passwordConfirm': 'a'}), 404)
    expect(rest.post(ADMIN + '/users/rename', json={'name': 'jdoe', 'newName': 'jane'}), 200)
    expect(rest.post(ADMIN + '/users/rename', json={'name': 'ghost', 'newName': 'x'}), 404)
    expect(rest.delete(ADMIN + '/users/captcha', params={'name': 'jane'}), 204)
    expect(rest.delete(ADMIN + '/users/captcha', params={'name': 'ghost'}), 404)
    expect(rest.post(ADMIN + '/users/add-groups', json={'user': 'jane', 'groups': ['devs']}), 200)
    expect(rest.post(ADMIN + '/users/add-groups', json={'user': 'ldap', 'groups': ['devs']}), 403)
    expect(rest.post(ADMIN + '/users/add-groups', json={'user': 'jane', 'groups': ['ghosts']}), 404)
    expect(rest.post(ADMIN + '/users/add-group', json={'context': 'jane', 'itemName': 'ops'}), 200)
    expect(rest.get(ADMIN + '/users/more-members', params={'context': 'jane'}), 200)
    expect(rest.get(ADMIN + '/users/more-members', params={'context': 'ghost'}), 404)
    expect(rest.get(ADMIN + '/users/more-non-members', params={'context': 'jane'}), 200)
    expect(rest.post(ADMIN + '/users/remove-group', json={'context': 'jane', 'itemName': 'ops'}), 200)
    expect(rest.post(ADMIN + '/users/remove-group', json={'context': 'jane', 'itemName': 'ghosts'}), 404)
    expect(rest.get(ADMIN + '/user-directories'), 200)
    expect(rest.get(API + '/users', params={'filter': 'ja'}), 200)
    expect(rest.get(API + '/users/jane'), 200)
    expect(rest.get(API + '/users/ghost'), 404)
    expect(rest.post(ADMIN + '/groups', params={'name': 'qa'}), 200)
    expect(rest.post(ADMIN + '/groups', params={'name': 'qa'}), 409)
    expect(rest.post(ADMIN + '/groups', params={'name': 'qa2'}, headers={'Content-Type': 'text/plain'}, xsrf=False), 403)
    expect(rest.get(ADMIN + '/groups'), 200)
    expect(rest.post(ADMIN + '/groups/add-users', json={'group': 'qa', 'users': ['jane', 'boss']}), 200)
    expect(rest.post(ADMIN + '/groups/add-users', json={'group': 'qa', 'users': ['ghost']}), 404)
    expect(rest.post(ADMIN + '/groups/add-user', json={'context': 'qa', 'itemName': 'ldap'}), 403)
    expect(rest.get(ADMIN + '/groups/more-members', params={'context': 'qa'}), 200)
    expect(rest.get(ADMIN + '/groups/more-non-members', params={'context': 'qa'}), 200)
    expect(rest.post(ADMIN + '/groups/remove-user', json={'context': 'qa', 'itemName': 'jane'}), 200)
    expect(rest.get(API + '/groups'), 200)
    expect(rest.delete(ADMIN + '/groups', params={'name': 'qa'}), 200)
    expect(rest.delete(ADMIN + '/groups', params={'name': 'qa'}), 404)
    expect(rest.delete(ADMIN + '/users', params={'name': 'jane'}), 200)
    expect(rest.delete(ADMIN + '/users', params={'name': 'admin'}), 409)
    expect(rest.delete(ADMIN + '/users', params={'name': 'ghost'}), 404)


def drive_permissions(sim, rest):
    sim.control.seed(users=[{'name': 'helper', 'password': 'pw', 'permission': 'ADMIN'}, {'name': 'u1'}],
                     groups=[{'name': 'admins', 'permission': 'SYS_ADMIN'}])
    helper = Rest(sim, 'helper', 'pw')
    expect(rest.put(ADMIN + '/permissions/users', params=[('name', 'u1'), ('permission', 'PROJECT_CREATE')]), 204)
    expect(rest.put(ADMIN + '/permissions/users', params={'name': 'u1', 'permission': 'BOGUS'}), 400)
    expect(rest.put(ADMIN + '/permissions/users', params={'name': 'ghost', 'permission': 'ADMIN'}), 404)
    expect(helper.put(ADMIN + '/permissions/users', params={'name': 'u1', 'permission': 'SYS_ADMIN'}), 401)
    expect(helper.put(ADMIN + '/permissions/users', params={'name': 'helper', 'permission': 'LICENSED_USER'}), 409)
    expect(rest.get(ADMIN + '/permissions/users'), 200)
    expect(rest.get(ADMIN + '/permissions/users/none'), 200)
    expect(rest.delete(ADMIN + '/permissions/users', params={'name': 'u1'}), 204)
    expect(rest.delete(ADMIN + '/permissions/users', params={'name': 'ghost'}), 404)
    expect(helper.delete(ADMIN + '/permissions/users', params={'name': 'admin'}), 409)
    expect(rest.put(ADMIN + '/permissions/groups', params={'name': 'stash-users', 'permission': 'LICENSED_USER'}), 204)
    expect(helper.put(ADMIN + '/permissions/groups', params={'name': 'admins', 'permission': 'ADMIN'}), 409)
    expect(rest.get(ADMIN + '/permissions/groups'), 200)
    expect(rest.delete(ADMIN + '/permissions/groups', params={'name': 'admins'}), 204)
    expect(rest.delete(ADMIN + '/permissions/groups', params={'name': 'ghosts'}), 404)
    expect(rest.get(ADMIN + '/permissions/groups/none'), 200)
    expect(Rest(sim, user=None).get(ADMIN + '/permissions/groups'), 401)


def drive_access_tokens(sim, rest):
    sim.control.seed(projects=[{'key': 'PRJ', 'repos': ['app']}])
    for owner, permissions in (('users/admin', READ), ('projects/PRJ', READ), ('projects/PRJ/repos/app', ['REPO_READ'])):
        base = '%s/%s' % (TOKENS, owner)
        token = expect(rest.put(base, json={'name': 't', 'permissions': permissions, 'expiryDays': 5}), 200).json()
        expect(rest.put(base, json={'name': '', 'permissions': permissions}), 400)
        expect(rest.get(base), 200)
        expect(rest.get(base + '/' + token['id']), 200)
        expect(rest.get(base + '/000'), 404)
        expect(rest.post(base + '/' + token['id'], json={'name': 'renamed'}), 200)
        expect(rest.post(base + '/' + token['id'], json={'permissions': ['ADMIN']}), 400)
        expect(rest.delete(base + '/' + token['id']), 204)
        expect(rest.delete(base + '/' + token['id']), 404)
    expect(rest.get(TOKENS + '/users/ghost'), 404)
    expect(Rest(sim, user=None).get(TOKENS + '/users/admin'), 401)
    expect(rest.put(TOKENS + '/users/admin', json={'name': 'forever', 'permissions': ['REPO_READ']}), 200)


def drive_rate_limit(sim, rest):
    settings = ADMIN + '/rate-limit/settings'
    sim.control.seed(users=[{'name': 'limited', 'password': 'pw'}])
    expect(rest.get(settings), 200)
    expect(rest.put(settings, json={'enabled': False, 'defaultSettings': {'capacity': 60, 'fillRate': 5}}), 200)
    expect(rest.put(settings, json={'enabled': 'yes'}), 400)
    expect(rest.post(settings + '/users', json={'usernames': ['limited'], 'whitelisted': True}), 200)
    expect(rest.get(settings + '/users'), 200)
    expect(rest.put(settings + '/users/limited', json={'settings': {'capacity': 10, 'fillRate': 1}}), 200)
    expect(rest.get(settings + '/users/limited'), 200)
    expect(rest.delete(settings + '/users/limited'), 204)
    sim.control.rate_limit(enabled=True, capacity=1, fill_rate=0.1)
    expect(rest.get(API + '/application-properties'), 200)
    expect(rest.get(API + '/application-properties'), 429)
    sim.control.rate_limit(enabled=False)


def test_every_documented_operation_the_simulator_serves_conforms(sim, conformance):
    rest = Rest(sim)
    expect(rest.get(API + '/application-properties'), 200)
    expect(Rest(sim, password='wrong').get(API + '/application-properties'), 401)
    drive_users_and_groups(sim, rest)
    drive_permissions(sim, rest)
    drive_access_tokens(sim, rest)
    drive_rate_limit(sim, rest)
    log = sim.control.requests()

    assert conformance.check_log(log) == []
    missing = served_operations(conformance.spec) - conformance.checked
    assert not missing, 'operations never exercised: %s' % sorted(missing)
    named = {d.name for d in RESPONSE_DEFECTS} | {e.name for e in STATUS_EXCEPTIONS}
    assert conformance.used == named, 'named exceptions that no answer needed: %s' % (named - conformance.used)

    # The defects that loosen the check are real: without each, the same answers fail.
    for defect in COMPONENT_DEFECTS:
        if defect.name == 'RestAccessToken is minimal':
            continue  # it tightens the check (see the next test)
        without = SpecConformance(conformance.spec, [d for d in COMPONENT_DEFECTS if d is not defect])
        assert without.check_log(log), 'not needed: %s' % defect.name
    empty = 'the membership changes answer an empty 200'
    without = SpecConformance(conformance.spec, response_defects=[d for d in RESPONSE_DEFECTS if d.name != empty])
    problems = without.check_log(log)
    assert problems and all(p.endswith('200: the body is not JSON') for p in problems), problems


def entry(method, path, status, body=None, **extra):
    data = {'method': method, 'path': path, 'status': status, 'fault': None,
            'response_body': json.dumps(body) if body is not None else None}
    data.update(extra)
    return data


def test_the_check_finds_wrong_bodies_statuses_and_fields(conformance):
    assert conformance.check(entry('GET', ADMIN + '/groups', 200, {'size': 1, 'values': 'nope'}))
    assert conformance.check(entry('POST', ADMIN + '/users', 201))
    assert conformance.check(entry('DELETE', ADMIN + '/permissions/users', 204, {}))
    bad_user = {'values': [{'name': 1}], 'size': 1, 'limit': 25, 'isLastPage': True, 'start': 0}
    assert conformance.check(entry('GET', ADMIN + '/users', 200, bad_user))
    token = {'id': '1', 'name': 't', 'createdDate': 1700000000000}
    assert conformance.check(entry('GET', TOKENS + '/users/admin/1', 200, token))  # no permissions
    token['permissions'] = ['REPO_READ']
    assert conformance.check(entry('GET', TOKENS + '/users/admin/1', 200, token)) == []
    page = {'size': 1, 'limit': 25, 'isLastPage': True, 'start': 0, 'values': [{'user': {'name': 'a'}}]}
    assert conformance.check(entry('GET', '/rest/api/1.0/admin/permissions/users', 200, page)) == []
    del page['size']
    assert conformance.check(entry('GET', '/rest/api/1.0/admin/permissions/users', 200, page))


def test_faults_and_paths_outside_the_file_are_not_checked(conformance):
    assert conformance.check(entry('GET', ADMIN + '/users', 200, fault='malformed_json')) == []
    assert conformance.check(entry('GET', '/rest/access-tokens/latest/admin', 418)) == []
    assert conformance.check(entry('POST', '/rest/oauth2/latest/token', 400, {'error': 'invalid_grant'})) == []
    assert conformance.spec_path('/rest/api/1.0/users/credentials') == '/api/latest/users/credentials'
    assert conformance.spec_path('/rest/api/latest/users/jdoe') == '/api/latest/users/{userSlug}'
