"""The simulator's groups, memberships and global permissions, with Bitbucket's 401/403/409 rules."""

from bbsim.rest import Rest, errors

GROUPS = '/rest/api/latest/admin/groups'
PERMS = '/rest/api/latest/admin/permissions'
HELPER = {'name': 'helper', 'password': 'pw', 'permission': 'ADMIN'}


def names(values, key='name'):
    return [value[key] for value in values]


def test_create_answers_200_with_the_group_and_409_when_it_exists(sim):
    rest = Rest(sim)
    created = rest.post(GROUPS, params={'name': 'devs'})
    assert created.status_code == 200 and created.json() == {'name': 'devs', 'deletable': True}
    assert rest.post(GROUPS, params={'name': 'DEVS'}).status_code == 409
    assert rest.post(GROUPS).status_code == 400
    assert names(rest.get(GROUPS).json()['values']) == ['devs', 'stash-users']
    assert rest.get('/rest/api/latest/groups', params={'filter': 'dev'}).json()['values'] == ['devs']


def test_delete_answers_the_group_and_applies_the_403_and_409_rules(sim):
    sim.control.seed(users=[dict(HELPER, permission=None, groups=['admins'])],
                     groups=[{'name': 'admins', 'permission': 'ADMIN'}, {'name': 'sysadmins', 'permission': 'SYS_ADMIN'},
                             {'name': 'devs'}])
    helper = Rest(sim, 'helper', 'pw')
    assert helper.delete(GROUPS, params={'name': 'sysadmins'}).status_code == 403
    lowering = helper.delete(GROUPS, params={'name': 'admins'})
    assert lowering.status_code == 409 and 'lower your own' in errors(lowering)[0]
    deleted = helper.delete(GROUPS, params={'name': 'devs'})
    assert deleted.status_code == 200 and deleted.json()['name'] == 'devs'
    assert helper.delete(GROUPS, params={'name': 'devs'}).status_code == 404
    assert Rest(sim).delete(GROUPS, params={'name': 'admins'}).status_code == 200  # the SYS_ADMIN keeps its level


def test_members_add_list_and_remove(sim):
    sim.control.seed(users=[{'name': 'u1'}, {'name': 'u2'}, {'name': 'u3'}], groups=[{'name': 'devs'}])
    rest = Rest(sim)
    assert rest.post(GROUPS + '/add-users', json={'group': 'devs', 'users': ['u1', 'u2']}).status_code == 200
    assert rest.post(GROUPS + '/add-users', json={'group': 'devs', 'users': ['u3', 'ghost']}).status_code == 404
    assert rest.post(GROUPS + '/add-users', json={'group': 'ghosts', 'users': ['u3']}).status_code == 404
    members = rest.get(GROUPS + '/more-members', params={'context': 'devs'}).json()['values']
    assert names(members) == ['u1', 'u2'] and members[0]['directoryName']  # RestDetailedUser
    assert names(rest.get(GROUPS + '/more-non-members', params={'context': 'devs'}).json()['values']) == ['admin', 'u3']
    assert rest.post(GROUPS + '/remove-user', json={'context': 'devs', 'itemName': 'u1'}).status_code == 200
    assert names(rest.get(GROUPS + '/more-members', params={'context': 'devs', 'filter': 'u'}).json()['values']) == ['u2']


def test_members_of_a_group_that_outranks_you_are_403(sim):
    sim.control.seed(users=[HELPER, {'name': 'dev'}], groups=[{'name': 'sysadmins', 'permission': 'SYS_ADMIN'}])
    helper = Rest(sim, 'helper', 'pw')
    assert helper.post(GROUPS + '/add-users', json={'group': 'sysadmins', 'users': ['dev']}).status_code == 403
    assert helper.post('/rest/api/latest/admin/users/add-groups', json={'user': 'dev', 'groups': ['sysadmins']}).status_code == 403


def test_non_admins_may_read_but_not_write(sim):
    sim.control.seed(users=[{'name': 'dev', 'password': 'pw'}])
    dev = Rest(sim, 'dev', 'pw')
    assert dev.get(GROUPS).status_code == 200
    assert dev.post(GROUPS, params={'name': 'x'}).status_code == 401
    assert dev.get(PERMS + '/users').status_code == 401


def test_user_permissions_list_grant_and_revoke(sim):
    sim.control.seed(users=[{'name': 'u1'}, {'name': 'u2'}])
    rest = Rest(sim)
    granted = rest.put(PERMS + '/users', params=[('name', 'u1'), ('name', 'u2'), ('permission', 'PROJECT_CREATE')])
    assert granted.status_code == 204 and granted.content == b''
    listed = rest.get(PERMS + '/users').json()['values']
    assert [(p['user']['name'], p['permission']) for p in listed] == [
        ('admin', 'SYS_ADMIN'), ('u1', 'PROJECT_CREATE'), ('u2', 'PROJECT_CREATE')]
    assert rest.put(PERMS + '/users', params={'name': 'u1', 'permission': 'ADMIN'}).status_code == 204
    assert rest.delete(PERMS + '/users', params={'name': 'u2'}).status_code == 204
    assert names(rest.get(PERMS + '/users/none').json()['values']) == ['u2']
    assert rest.put(PERMS + '/users', params={'name': 'u1', 'permission': 'REPO_READ'}).status_code == 400
    assert rest.put(PERMS + '/users', params={'name': 'ghost', 'permission': 'ADMIN'}).status_code == 404


def test_permission_rules_401_and_409(sim):
    sim.control.seed(users=[HELPER, {'name': 'u1'}])
    helper = Rest(sim, 'helper', 'pw')
    lacking = helper.put(PERMS + '/users', params={'name': 'u1', 'permission': 'SYS_ADMIN'})
    assert lacking.status_code == 401  # may not grant what it does not hold
    assert helper.put(PERMS + '/users', params={'name': 'admin', 'permission': 'ADMIN'}).status_code == 409  # outranked
    demote = helper.put(PERMS + '/users', params={'name': 'helper', 'permission': 'LICENSED_USER'})
    assert demote.status_code == 409 and 'your own' in errors(demote)[0]
    assert helper.delete(PERMS + '/users', params={'name': 'helper'}).status_code == 409
    assert helper.put(PERMS + '/users', params={'name': 'u1', 'permission': 'ADMIN'}).status_code == 204


def test_effective_level_is_the_highest_of_own_and_groups(sim):
    sim.control.seed(users=[{'name': 'dev', 'password': 'pw', 'groups': ['admins']}],
                     groups=[{'name': 'admins', 'permission': 'ADMIN'}])
    dev = Rest(sim, 'dev', 'pw')
    assert dev.get(PERMS + '/groups').status_code == 200
    listed = dev.get(PERMS + '/groups').json()['values']
    assert [(p['group']['name'], p['permission']) for p in listed] == [('admins', 'ADMIN'), ('stash-users', 'LICENSED_USER')]
    assert dev.put(PERMS + '/groups', params={'name': 'admins', 'permission': 'LICENSED_USER'}).status_code == 409
    assert Rest(sim).put(PERMS + '/groups', params={'name': 'admins', 'permission': 'PROJECT_CREATE'}).status_code == 204
    assert dev.get(PERMS + '/groups').status_code == 401
    assert names(Rest(sim).get(PERMS + '/groups/none').json()['values']) == []
    assert Rest(sim).delete(PERMS + '/groups', params={'name': 'admins'}).status_code == 204
    assert names(Rest(sim).get(PERMS + '/groups/none').json()['values']) == ['admins']
    assert sim.control.state()['permissions']['groups'] == {'stash-users': 'LICENSED_USER'}


def test_oauth_token_of_a_sys_admin_with_admin_scope_acts_as_admin(sim):
    sim.control.seed(users=[{'name': 'u1'}])
    token = sim.control.issue_tokens('ansible', user='admin', scope='ADMIN_WRITE')['access_token']
    bearer = Rest(sim, token=token)
    assert bearer.put(PERMS + '/users', params={'name': 'u1', 'permission': 'ADMIN'}).status_code == 204
    assert bearer.put(PERMS + '/users', params={'name': 'u1', 'permission': 'SYS_ADMIN'}).status_code == 401
    system = Rest(sim, token=sim.control.issue_tokens('ansible', scope='SYSTEM_ADMIN')['access_token'])
    assert system.put(PERMS + '/users', params={'name': 'u1', 'permission': 'SYS_ADMIN'}).status_code == 204
