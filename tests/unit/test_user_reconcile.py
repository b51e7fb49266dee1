"""bitbucket_user's desired-state logic against the simulator over HTTP: every option's create, change, no-change and
check-mode path, the writes each makes, and the failures that must come before any write."""

import json
import urllib.parse

from ansible_collections.dcops.bitbucket.plugins.module_utils._http import BitbucketClient
from ansible_collections.dcops.bitbucket.plugins.module_utils._user_options import USER_OPTIONS
from ansible_collections.dcops.bitbucket.plugins.module_utils._user_reconcile import UserReconciler

API = '/rest/api/latest/'
PASSWORD = 'Real-Pa55word-of-jdoe'


def item(name, **options):
    """One desired user with the module's defaults, as Ansible hands it over."""
    desired = dict((key, spec.get('default')) for key, spec in USER_OPTIONS.items())
    desired.update(name=name, **options)
    return desired


def run(sim, *items, check=False, user='admin', password='admin-password', single=None):
    """Reconcile items as the module does; returns (results, client). The request log starts empty."""
    sim.control.clear_requests()
    client = BitbucketClient(sim.url, username=user, password=password, retries=0)
    reconciler = UserReconciler(client, check_mode=check, username=user)
    reconciler.load(list(items), single=len(items) == 1 if single is None else single)
    return reconciler.run(list(items)), client


def writes(sim):
    return [(e['method'], e['path'][len(API):]) for e in sim.control.requests() if e['method'] != 'GET']


def sim_user(sim, name):
    return next((u for u in sim.control.state()['users'] if u['name'] == name), None)


def one(results):
    assert len(results) == 1
    return results[0]


def test_create_with_password_sends_a_throwaway_in_the_url_and_the_real_one_in_a_body(sim):
    results, client = run(sim, item('jdoe', display_name='Jane Doe', email='jane@example.com', password=PASSWORD))
    result = one(results)
    assert (result.changed, result.failed, result.msg) == (True, False, 'created; password set')
    assert result.obj == {'name': 'jdoe', 'display_name': 'Jane Doe', 'email': 'jane@example.com',
                          'state': 'present', 'permission': 'none'}
    assert writes(sim) == [('POST', 'admin/users'), ('PUT', 'admin/users/credentials')]
    create, credentials = [e for e in sim.control.requests() if e['method'] != 'GET']
    query = urllib.parse.parse_qs(create['query'])
    throwaway = query['password'][0]
    assert len(throwaway) >= 24 and throwaway != PASSWORD
    assert throwaway in client.secrets  # registered: never shown in any message
    assert query['addToDefaultGroup'] == ['true'] and 'notify' not in query
    assert json.loads(credentials['body']) == {'name': 'jdoe', 'password': PASSWORD, 'passwordConfirm': PASSWORD}
    assert all(PASSWORD not in urllib.parse.unquote(e['query']) for e in sim.control.requests())
    user = sim_user(sim, 'jdoe')
    assert (user['password'], user['displayName'], user['emailAddress']) == (PASSWORD, 'Jane Doe', 'jane@example.com')
    assert user['groups'] == ['stash-users']

    again = one(run(sim, item('jdoe', display_name='Jane Doe', email='jane@example.com', password='other'))[0])
    assert (again.changed, again.msg) == (False, 'unchanged') and writes(sim) == []
    assert sim_user(sim, 'jdoe')['password'] == PASSWORD  # update_password: on_create


def test_create_with_notify_sends_no_password_and_check_mode_writes_nothing(sim):
    wanted = item('nora', display_name='Nora', email='nora@example.com', notify=True, add_to_default_group=False)
    predicted = one(run(sim, wanted, check=True)[0])
    assert (predicted.changed, predicted.msg) == (True, 'check mode, would be: created')
    assert predicted.before is None and predicted.after['name'] == 'nora'
    assert writes(sim) == [] and sim_user(sim, 'nora') is None

    one(run(sim, wanted)[0])
    (create,) = [e for e in sim.control.requests() if e['method'] != 'GET']
    query = urllib.parse.parse_qs(create['query'])
    assert query['notify'] == ['true'] and 'password' not in query and query['addToDefaultGroup'] == ['false']
    assert sim_user(sim, 'nora')['groups'] == []


def test_create_in_exact_groups_skips_the_default_group_and_append_keeps_it(sim):
    sim.control.seed(groups=[{'name': 'dev'}, {'name': 'ops'}])
    exact, appended = run(sim, item('ann', display_name='Ann', email='a@example.com', notify=True, groups=['dev']),
                          item('bob', display_name='Bob', email='b@example.com', notify=True, groups=['DEV', 'ops'],
                               append=True))[0]
    assert exact.obj['groups'] == ['dev'] and sim_user(sim, 'ann')['groups'] == ['dev']
    assert appended.obj['groups'] == ['dev', 'ops', 'stash-users']
    assert sim_user(sim, 'bob')['groups'] == ['dev', 'ops', 'stash-users']
    creates = [urllib.parse.parse_qs(e['query']) for e in sim.control.requests('users', 'POST')
               if e['path'] == API + 'admin/users']
    assert [q['addToDefaultGroup'] for q in creates] == [['false'], ['true']]


def test_create_needs_display_name_email_and_a_password_or_notify(sim):
    results = run(sim, item('a', email='a@example.com', password='x1'), item('b', display_name='B', password='x1'),
                  item('c', display_name='C', email='c@example.com'))[0]
    assert [r.failed for r in results] == [True, True, True]
    assert results[0].msg == 'cannot create user a: display_name is required to create a user'
    assert results[1].msg == 'cannot create user b: email is required to create a user'
    assert results[2].msg == ('cannot create user c: set password, or notify: true to have Bitbucket mail a link to '
                              'choose one')
    assert writes(sim) == []


def test_display_name_and_email_change_in_one_put_with_the_email_key(sim):
    sim.control.seed(users=[{'name': 'jdoe', 'displayName': 'Jane', 'emailAddress': 'old@example.com'}])
    wanted = item('jdoe', display_name='Jane Doe', email='new@example.com')
    predicted = one(run(sim, wanted, check=True)[0])
    assert (predicted.changed, predicted.msg) == (True, 'check mode, would be: changed display_name, email')
    assert predicted.before['email'] == 'old@example.com' and predicted.after['email'] == 'new@example.com'
    assert writes(sim) == []

    result = one(run(sim, wanted)[0])
    assert result.changed and result.msg == 'changed display_name, email'
    (update,) = [e for e in sim.control.requests() if e['method'] != 'GET']
    assert (update['method'], update['path']) == ('PUT', API + 'admin/users')
    assert json.loads(update['body']) == {'name': 'jdoe', 'displayName': 'Jane Doe', 'email': 'new@example.com'}
    assert sim_user(sim, 'jdoe')['emailAddress'] == 'new@example.com'

    assert not one(run(sim, wanted)[0]).changed and writes(sim) == []
    only_email = one(run(sim, item('jdoe', email='newer@example.com'))[0])
    assert only_email.msg == 'changed email'
    assert json.loads(sim.control.requests('users', 'PUT')[0]['body']) == {'name': 'jdoe', 'email': 'newer@example.com'}


def test_update_password_always_sets_it_every_run(sim):
    sim.control.seed(users=[{'name': 'svc', 'password': 'old-password'}])
    for dummy in range(2):
        result = one(run(sim, item('svc', password=PASSWORD, update_password='always'))[0])
        assert (result.changed, result.msg) == (True, 'password set')
        assert writes(sim) == [('PUT', 'admin/users/credentials')]
    assert sim_user(sim, 'svc')['password'] == PASSWORD
    assert one(run(sim, item('svc', password='x', update_password='always'), check=True)[0]).changed
    assert writes(sim) == []


def test_groups_exact_set_append_and_empty(sim):
    sim.control.seed(groups=[{'name': 'a'}, {'name': 'b'}, {'name': 'c'}],
                     users=[{'name': 'u', 'groups': ['a']}])
    assert sim_user(sim, 'u')['groups'] == ['a', 'stash-users']

    appended = one(run(sim, item('u', groups=['b'], append=True))[0])
    assert appended.msg == 'added to b' and appended.after['groups'] == ['a', 'b', 'stash-users']
    assert writes(sim) == [('POST', 'admin/users/add-groups')]
    assert json.loads(sim.control.requests('users', 'POST')[0]['body']) == {'user': 'u', 'groups': ['b']}

    predicted = one(run(sim, item('u', groups=['c', 'b']), check=True)[0])
    assert predicted.before['groups'] == ['a', 'b', 'stash-users'] and predicted.after['groups'] == ['b', 'c']
    assert writes(sim) == []

    exact = one(run(sim, item('u', groups=['c', 'b']))[0])
    assert exact.msg == 'added to c; removed from a; removed from stash-users'
    assert writes(sim) == [('POST', 'admin/users/add-groups'), ('POST', 'admin/users/remove-group'),
                           ('POST', 'admin/users/remove-group')]
    assert json.loads(sim.control.requests('users', 'POST')[1]['body']) == {'context': 'u', 'itemName': 'a'}
    assert sim_user(sim, 'u')['groups'] == ['b', 'c']
    assert not one(run(sim, item('u', groups=['B', 'c']))[0]).changed and writes(sim) == []

    one(run(sim, item('u', groups=[]))[0])
    assert sim_user(sim, 'u')['groups'] == []


def test_missing_groups_fail_naming_them_before_any_write(sim):
    sim.control.seed(users=[{'name': 'u'}])
    results = run(sim, item('u', groups=['nope', 'stash-users', 'gone'], email='changed@example.com'),
                  item('new', display_name='N', email='n@example.com', notify=True, groups=['nope']))[0]
    assert results[0].failed and results[0].msg == (
        'user u: groups gone, nope do not exist (bitbucket_user does not create groups; create them with '
        'dcops.bitbucket.bitbucket_group first)')
    assert results[1].failed and 'group nope does not exist' in results[1].msg
    assert writes(sim) == []


def test_permission_set_changed_revoked(sim):
    sim.control.seed(users=[{'name': 'p'}])
    steps = [('PROJECT_CREATE', 'permission PROJECT_CREATE granted', 'PUT'),
             ('ADMIN', 'permission ADMIN granted', 'PUT'),
             ('ADMIN', 'unchanged', None),
             ('none', 'permission ADMIN revoked', 'DELETE'),
             ('none', 'unchanged', None)]
    for permission, msg, method in steps:
        result = one(run(sim, item('p', permission=permission))[0])
        assert result.msg == msg and result.obj['permission'] == permission
        assert writes(sim) == ([(method, 'admin/permissions/users')] if method else [])
        assert sim_user(sim, 'p')['permission'] == (None if permission == 'none' else permission)
        if method:
            (write,) = [e for e in sim.control.requests() if e['method'] == method]
            expected = {'name': ['p'], 'permission': [permission]} if method == 'PUT' else {'name': ['p']}
            assert urllib.parse.parse_qs(write['query']) == expected
    predicted = one(run(sim, item('p', permission='SYS_ADMIN'), check=True)[0])
    assert predicted.before['permission'] == 'none' and predicted.after['permission'] == 'SYS_ADMIN'
    assert writes(sim) == []


def test_rename_is_idempotent_and_refuses_to_overwrite(sim):
    sim.control.seed(users=[{'name': 'jsmith', 'displayName': 'J Smith'}, {'name': 'taken'}])
    predicted = one(run(sim, item('jsmith', new_name='john.smith'), check=True)[0])
    assert predicted.msg == 'check mode, would be: renamed from jsmith' and writes(sim) == []
    assert (predicted.before['name'], predicted.after['name']) == ('jsmith', 'john.smith')

    renamed = one(run(sim, item('jsmith', new_name='john.smith', display_name='John Smith'))[0])
    assert renamed.msg == 'renamed from jsmith; changed display_name'
    assert writes(sim) == [('POST', 'admin/users/rename'), ('PUT', 'admin/users')]
    assert json.loads(sim.control.requests('users', 'POST')[0]['body']) == {'name': 'jsmith', 'newName': 'john.smith'}
    assert sim_user(sim, 'jsmith') is None and sim_user(sim, 'john.smith')['displayName'] == 'John Smith'

    again = one(run(sim, item('jsmith', new_name='john.smith', display_name='John Smith'))[0])
    assert (again.changed, again.obj['name']) == (False, 'john.smith') and writes(sim) == []

    conflict = one(run(sim, item('john.smith', new_name='taken'))[0])
    assert conflict.failed and conflict.msg == 'cannot rename user john.smith to taken: a user named taken already exists'
    assert writes(sim) == []

    created = one(run(sim, item('ghost', new_name='fresh', display_name='F', email='f@example.com', notify=True))[0])
    assert created.msg == 'created' and sim_user(sim, 'fresh') is not None and sim_user(sim, 'ghost') is None


def test_delete_and_absent(sim):
    sim.control.seed(users=[{'name': 'gone'}])
    predicted = one(run(sim, item('gone', state='absent'), check=True)[0])
    assert predicted.msg == 'check mode, would be: deleted' and writes(sim) == []
    deleted = one(run(sim, item('gone', state='absent'))[0])
    assert (deleted.changed, deleted.obj) == (True, {'name': 'gone', 'state': 'absent'})
    assert writes(sim) == [('DELETE', 'admin/users')] and sim_user(sim, 'gone') is None
    absent = one(run(sim, item('gone', state='absent'))[0])
    assert (absent.changed, absent.msg) == (False, 'absent') and writes(sim) == []


def test_deleting_the_authenticated_user_fails_before_the_request(sim):
    result = one(run(sim, item('ADMIN', state='absent'))[0])
    assert result.failed and result.msg == 'cannot delete user admin: it is the user these credentials authenticate as'
    assert writes(sim) == []


def test_read_only_directory_users_fail_naming_user_and_directory(sim):
    sim.control.seed(groups=[{'name': 'dev'}],
                     users=[{'name': 'ldap1', 'directory': 'Corp LDAP', 'emailAddress': 'l@corp.example'}])
    results = run(sim, item('ldap1', email='other@example.com'), item('ldap1x', state='absent'),
                  item('ldap1', groups=['dev'], append=True), item('ldap1', state='absent'),
                  item('ldap1', permission='PROJECT_CREATE', email='l@corp.example'), single=False)[0]
    assert results[0].msg == "cannot change email of user ldap1: it belongs to the read-only user directory 'Corp LDAP'"
    assert not results[1].failed
    assert results[2].msg == ("cannot change the groups of user ldap1: it belongs to the read-only user directory "
                              "'Corp LDAP', which manages its group memberships")
    assert results[3].msg == "cannot delete user ldap1: it belongs to the read-only user directory 'Corp LDAP'; " \
                             "remove it there"
    assert [r.failed for r in results] == [True, False, True, True, False]
    assert results[4].msg == 'permission PROJECT_CREATE granted'
    assert writes(sim) == [('PUT', 'admin/permissions/users')]


def test_users_above_the_callers_level_fail_before_any_write(sim):
    sim.control.seed(users=[{'name': 'boss', 'permission': 'SYS_ADMIN'},
                            {'name': 'helper', 'permission': 'ADMIN', 'password': 'helper-pw'},
                            {'name': 'plain'}])
    results = run(sim, item('boss', email='b@example.com'), item('plain', permission='SYS_ADMIN'),
                  item('boss', state='absent'), item('plain', email='p2@example.com'),
                  user='helper', password='helper-pw', single=False)[0]
    assert results[0].msg == ('user boss holds the global permission SYS_ADMIN, higher than yours (ADMIN): Bitbucket '
                              'does not let you change or delete it')
    assert results[1].msg == 'cannot grant SYS_ADMIN to user plain: it is higher than your own global permission (ADMIN)'
    assert results[2].failed and 'SYS_ADMIN, higher than yours' in results[2].msg
    assert (results[3].failed, results[3].msg) == (False, 'changed email')
    assert writes(sim) == [('PUT', 'admin/users')]


def test_a_refusal_is_explained_and_other_users_go_on(sim):
    sim.control.seed(users=[{'name': 'x'}, {'name': 'y'}])
    sim.control.fault(method='PUT', path='/admin/users$', action='status', status=401, times=1)
    results = run(sim, item('x', email='x2@example.com'), item('y', email='y2@example.com'))[0]
    assert results[0].failed and results[0].msg.startswith(
        'cannot update user x: user administration needs the ADMIN global permission (PUT ')
    assert 'HTTP 401' in results[0].msg
    assert (results[1].failed, results[1].changed) == (False, True)
    assert sim_user(sim, 'y')['emailAddress'] == 'y2@example.com'


def test_one_user_is_looked_up_by_filter_not_by_listing_everyone(sim):
    sim.control.seed(users=[{'name': 'user%03d' % i} for i in range(60)])
    result = one(run(sim, item('user007', email='user007@example.com'))[0])
    assert not result.changed
    gets = sim.control.requests(method='GET')
    assert [(e['path'][len(API):], urllib.parse.parse_qs(e['query']).get('filter')) for e in gets] == [
        ('admin/users', ['user007']), ('admin/permissions/users', ['user007'])]
