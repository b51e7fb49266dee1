"""The simulator's user administration: create (204), update (email, not emailAddress), delete, rename, directories."""

import json

from bbsim.rest import Rest, errors

USERS = '/rest/api/latest/admin/users'
LDAP = {'name': 'ldap-user', 'displayName': 'From LDAP', 'directory': 'Corp LDAP', 'password': 'pw'}


def new_user(rest, name='jdoe', **params):
    query = {'name': name, 'displayName': 'Jane Doe', 'emailAddress': 'jane@example.com', 'password': 'pw'}
    query.update(params)
    return rest.post(USERS, params={k: v for k, v in query.items() if v is not None})


def sim_user(sim, name):
    return next(u for u in sim.control.state()['users'] if u['name'] == name)


def test_create_answers_204_and_joins_the_default_group(sim):
    answer = new_user(Rest(sim))
    assert answer.status_code == 204 and answer.content == b''
    user = sim_user(sim, 'jdoe')
    assert user['groups'] == ['stash-users'] and user['password'] == 'pw' and user['emailAddress'] == 'jane@example.com'
    listed = Rest(sim).get(USERS, params={'filter': 'jdoe'}).json()['values'][0]
    assert listed['directoryName'] == 'Bitbucket Internal Directory' and listed['mutableDetails'] is True
    assert listed['slug'] == 'jdoe' and listed['type'] == 'NORMAL' and 'lastAuthenticationTimestamp' not in listed
    assert Rest(sim, 'jdoe', 'pw').get('/rest/api/latest/users/jdoe').json()['displayName'] == 'Jane Doe'


def test_create_without_default_group_makes_a_user_who_cannot_log_in(sim):
    assert new_user(Rest(sim), addToDefaultGroup='false').status_code == 204
    assert sim_user(sim, 'jdoe')['groups'] == []
    assert Rest(sim, 'jdoe', 'pw').get(USERS).status_code == 401


def test_create_validates_and_refuses_duplicates_case_insensitively(sim):
    rest = Rest(sim)
    assert new_user(rest).status_code == 204
    duplicate = new_user(rest, name='JDOE')
    assert duplicate.status_code == 409 and 'already exists' in errors(duplicate)[0]
    missing = new_user(rest, name='x', emailAddress=None)
    assert missing.status_code == 400 and missing.json()['errors'][0]['context'] == 'emailAddress'
    assert new_user(rest, name='y', password=None).status_code == 400
    assert new_user(rest, name='z', password=None, notify='true').status_code == 204


def test_create_ignores_a_json_body(sim):
    answer = Rest(sim).post(USERS, json={'name': 'body', 'displayName': 'B', 'emailAddress': 'b@e', 'password': 'pw'})
    assert answer.status_code == 400 and answer.json()['errors'][0]['context'] == 'name'


def test_update_uses_email_and_ignores_email_address(sim):
    rest = Rest(sim)
    new_user(rest)
    ignored = rest.put(USERS, json={'name': 'jdoe', 'emailAddress': 'new@example.com'})
    assert ignored.status_code == 200 and ignored.json()['emailAddress'] == 'jane@example.com'
    updated = rest.put(USERS, json={'name': 'jdoe', 'email': 'new@example.com', 'displayName': 'J. Doe'})
    assert (updated.json()['emailAddress'], updated.json()['displayName']) == ('new@example.com', 'J. Doe')
    assert rest.put(USERS, json={'name': 'nobody', 'email': 'x@e'}).status_code == 404
    assert rest.put(USERS, data='name=jdoe', headers={'Content-Type': 'application/x-www-form-urlencoded'}).status_code == 415


def test_delete_answers_the_deleted_user_and_refuses_yourself_and_higher_levels(sim):
    sim.control.seed(users=[{'name': 'boss', 'permission': 'SYS_ADMIN'},
                            {'name': 'helper', 'password': 'pw', 'permission': 'ADMIN'}])
    rest = Rest(sim)
    new_user(rest)
    deleted = rest.delete(USERS, params={'name': 'jdoe'})
    assert deleted.status_code == 200 and deleted.json()['name'] == 'jdoe'
    assert rest.delete(USERS, params={'name': 'jdoe'}).status_code == 404
    assert rest.delete(USERS, params={'name': 'admin'}).status_code == 409
    assert Rest(sim, 'helper', 'pw').delete(USERS, params={'name': 'boss'}).status_code == 403


def test_acting_on_a_higher_level_user_is_401(sim):
    sim.control.seed(users=[{'name': 'helper', 'password': 'pw', 'permission': 'ADMIN'}])
    helper = Rest(sim, 'helper', 'pw')
    assert helper.put(USERS, json={'name': 'admin', 'email': 'x@e'}).status_code == 401
    assert helper.put(USERS + '/credentials', json={'name': 'admin', 'password': 'a', 'passwordConfirm': 'a'}).status_code == 401
    assert helper.post(USERS + '/rename', json={'name': 'admin', 'newName': 'root'}).status_code == 401
    non_admin = {'name': 'dev', 'password': 'pw'}
    sim.control.seed(users=[non_admin])
    assert Rest(sim, 'dev', 'pw').put(USERS, json={'name': 'dev', 'email': 'x@e'}).status_code == 401


def test_password_change_and_rename(sim):
    rest = Rest(sim)
    new_user(rest)
    mismatch = rest.put(USERS + '/credentials', json={'name': 'jdoe', 'password': 'a', 'passwordConfirm': 'b'})
    assert mismatch.status_code == 400
    assert rest.put(USERS + '/credentials', json={'name': 'jdoe', 'password': 'n3w', 'passwordConfirm': 'n3w'}).status_code == 204
    assert Rest(sim, 'jdoe', 'n3w').get(USERS).status_code == 200
    renamed = rest.post(USERS + '/rename', json={'name': 'jdoe', 'newName': 'jane'})
    assert renamed.status_code == 200 and renamed.json()['name'] == 'jane' and renamed.json()['slug'] == 'jane'
    assert sim_user(sim, 'jane')['groups'] == ['stash-users']
    assert rest.post(USERS + '/rename', json={'name': 'jane', 'newName': 'admin'}).status_code == 400


def test_read_only_directory_users_are_refused_with_a_clear_error(sim):
    sim.control.seed(users=[LDAP], groups=[{'name': 'devs'}])
    rest = Rest(sim)
    listed = rest.get(USERS, params={'filter': 'ldap'}).json()['values'][0]
    assert (listed['directoryName'], listed['mutableDetails'], listed['mutableGroups']) == ('Corp LDAP', False, False)
    update = rest.put(USERS, json={'name': 'ldap-user', 'email': 'x@e'})
    assert update.status_code == 400 and 'Corp LDAP' in errors(update)[0] and 'ldap-user' in errors(update)[0]
    assert rest.delete(USERS, params={'name': 'ldap-user'}).status_code == 400
    groups = rest.post(USERS + '/add-groups', json={'user': 'ldap-user', 'groups': ['devs']})
    assert groups.status_code == 403 and 'read-only' in errors(groups)[0]
    directories = rest.get('/rest/api/latest/admin/user-directories').json()
    assert [d['name'] for d in directories] == ['Bitbucket Internal Directory', 'Corp LDAP']


def test_filter_matches_name_display_name_and_email(sim):
    sim.control.seed(users=[{'name': 'alice', 'displayName': 'Alice Smith', 'emailAddress': 'as@corp.example'},
                            {'name': 'bob', 'displayName': 'Bob', 'emailAddress': 'bob@example.com'}])
    rest = Rest(sim)

    def names(text):
        return [u['name'] for u in rest.get(USERS, params={'filter': text}).json()['values']]

    assert names('SMITH') == ['alice'] and names('corp.') == ['alice'] and names('bo') == ['bob']
    assert names('') == ['admin', 'alice', 'bob']


def test_user_memberships_through_the_user_resources(sim):
    sim.control.seed(users=[{'name': 'dev'}], groups=[{'name': 'devs'}, {'name': 'ops'}, {'name': 'admins', 'permission': 'SYS_ADMIN'}])
    rest = Rest(sim)
    assert rest.post(USERS + '/add-groups', json={'user': 'dev', 'groups': ['devs', 'ops']}).status_code == 200
    assert rest.post(USERS + '/add-groups', json={'user': 'dev', 'groups': ['devs', 'nope']}).status_code == 404
    groups = rest.get(USERS + '/more-members', params={'context': 'dev'}).json()['values']
    assert [g['name'] for g in groups] == ['devs', 'ops', 'stash-users']
    assert rest.post(USERS + '/remove-group', json={'context': 'dev', 'itemName': 'ops'}).status_code == 200
    others = rest.get(USERS + '/more-non-members', params={'context': 'dev'}).json()['values']
    assert [g['name'] for g in others] == ['admins', 'ops']
    assert rest.get(USERS + '/more-members', params={'context': 'ghost'}).status_code == 404


def test_users_resource_and_slug_lookup(sim):
    sim.control.seed(users=[{'name': 'Mixed.Case', 'permission': 'ADMIN'}])
    rest = Rest(sim)
    assert rest.get('/rest/api/latest/users/mixed.case').json()['name'] == 'Mixed.Case'
    assert rest.get('/rest/api/latest/users/none').status_code == 404
    admins = rest.get('/rest/api/latest/users', params={'permission': 'ADMIN'}).json()['values']
    assert [u['name'] for u in admins] == ['admin', 'Mixed.Case']
    members = rest.get('/rest/api/latest/users', params={'group': 'stash-users'}).json()['values']
    assert [u['name'] for u in members] == ['admin', 'Mixed.Case']


def test_basic_auth_records_the_last_authentication(sim):
    sim.control.seed(users=[{'name': 'dev', 'password': 'pw'}])
    Rest(sim, 'dev', 'pw').get('/rest/api/latest/users/dev')
    listed = Rest(sim).get(USERS, params={'filter': 'dev'}).json()['values'][0]
    assert listed['lastAuthenticationTimestamp'] > 10 ** 12
    log = sim.control.requests(family='users')
    assert json.loads(log[-1]['response_body'])['values'][0]['name'] == 'dev'
