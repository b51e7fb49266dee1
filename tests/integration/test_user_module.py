"""bitbucket_user through ansible-playbook against the simulator: one user through its whole life (every option's
create, change, no-change and check-mode path, diffs, the exact writes of each task, secrets at -vvvv), and the
failures (bad input before any request, refusals explained, bulk going on past failing users)."""

import base64
import json
import urllib.parse

API = '/rest/api/latest/'
PASSWORD = 'Jdoe-first-Pa55-7f3e9c'
PASSWORD_2 = 'Jdoe-second-Pa55-b81d4a'


def segments(sim):
    """{marker: the requests sent after that Mark task and before the next one}."""
    found, current = {}, None
    for entry in sim.control.requests():
        query = urllib.parse.parse_qs(entry['query'])
        if entry['path'] == API + 'application-properties' and 'marker' in query:
            current = query['marker'][0]
            found[current] = []
        elif current is not None:
            found[current].append(entry)
    return found


def writes(entries):
    return [(e['method'], e['path'][len(API):]) for e in entries if e['method'] != 'GET']


def sim_user(state, name):
    return next((u for u in state['users'] if u['name'] == name), None)


def test_one_user_through_its_whole_life(sim, run_playbook):
    sim.control.seed(groups=[{'name': 'dev'}, {'name': 'ops'}])
    run = run_playbook('user_single.yml', extra_vars={'sim_url': sim.url, 'user_password': PASSWORD,
                                                      'user_password_2': PASSWORD_2}, verbosity=4)
    state, log = sim.control.state(), segments(sim)
    result = run.task_result

    created = {'name': 'jdoe', 'display_name': 'Jane Doe', 'email': 'jane@example.com', 'state': 'present',
               'groups': ['dev'], 'permission': 'PROJECT_CREATE'}
    check = result('Create in check mode')
    assert (check['changed'], check['user'], check['msg']) == (
        True, created, 'check mode, would be: created; password set; added to dev; permission PROJECT_CREATE granted')
    assert check['diff']['before'] == {'state': 'absent'} and check['diff']['after'] == created
    assert writes(log['create-check']) == []

    assert (result('Create')['changed'], result('Create')['user']) == (True, created)
    assert result('Create')['diff']['after'] == created
    assert writes(log['create']) == [('POST', 'admin/users'), ('PUT', 'admin/users/credentials'),
                                     ('POST', 'admin/users/add-groups'), ('PUT', 'admin/permissions/users')]
    create_query = urllib.parse.parse_qs(log['create'][[e['method'] for e in log['create']].index('POST')]['query'])
    assert create_query['addToDefaultGroup'] == ['false']  # exactly [dev]: no detour through stash-users
    throwaway = create_query['password'][0]
    assert (result('Create again')['changed'], result('Create again')['msg']) == (False, 'unchanged')
    assert writes(log['create-again']) == []

    changed = dict(created, display_name='Jane M. Doe', email='jane.doe@example.com', groups=['dev', 'ops'],
                   permission='ADMIN')
    check = result('Change in check mode')
    assert check['changed'] and check['diff'] == {'before': created, 'after': changed,
                                                  'before_header': 'user jdoe', 'after_header': 'user jdoe'}
    assert writes(log['change-check']) == []
    assert result('Change')['msg'] == 'permission ADMIN granted; changed display_name, email; added to ops'
    assert writes(log['change']) == [('PUT', 'admin/permissions/users'), ('PUT', 'admin/users'),
                                     ('POST', 'admin/users/add-groups')]
    assert not result('Change again')['changed'] and writes(log['change-again']) == []
    # No-change run of one user: the filtered user lookup, its permission, the group names, its groups.
    assert [e['path'][len(API):] for e in log['change-again']] == [
        'admin/users', 'admin/permissions/users', 'admin/groups', 'admin/users/more-members']

    append = result('Append a group')
    assert append['diff']['after']['groups'] == ['dev', 'ops', 'stash-users']
    assert writes(log['append']) == [('POST', 'admin/users/add-groups')]
    password = result('Password always')
    assert (password['changed'], password['msg']) == (True, 'password set')
    assert writes(log['password']) == [('PUT', 'admin/users/credentials')]
    assert result('Revoke the permission')['diff']['after']['permission'] == 'none'
    assert writes(log['revoke']) == [('DELETE', 'admin/permissions/users')]

    rename = result('Rename')
    assert (rename['diff']['before']['name'], rename['user']['name']) == ('jdoe', 'jane.doe')
    assert writes(log['rename']) == [('POST', 'admin/users/rename')]
    again = result('Rename again')
    assert (again['changed'], again['user']['name']) == (False, 'jane.doe') and writes(log['rename-again']) == []

    assert writes(log['notify']) == [('POST', 'admin/users')]
    notify_query = urllib.parse.parse_qs(log['notify'][-1]['query'])
    assert notify_query['notify'] == ['true'] and 'password' not in notify_query
    assert sim_user(state, 'nora')['groups'] == []

    assert result('Delete in check mode')['changed'] and writes(log['delete-check']) == []
    assert result('Delete in check mode')['diff']['after'] == {'state': 'absent'}
    assert result('Delete')['user'] == {'name': 'jane.doe', 'state': 'absent'}
    assert writes(log['delete']) == [('DELETE', 'admin/users')]
    assert not result('Delete again')['changed'] and writes(log['delete-again']) == []
    assert sim_user(state, 'jane.doe') is None and sim_user(state, 'jdoe') is None

    # The real passwords travelled only in JSON bodies; nothing secret reached the output, even at -vvvv.
    assert all(secret not in urllib.parse.unquote_plus(e['path'] + '?' + e['query'])
               for e in sim.control.requests() for secret in (PASSWORD, PASSWORD_2))
    output = run.stdout + run.stderr
    basic = base64.b64encode(b'admin:admin-password').decode()
    for secret in (PASSWORD, PASSWORD_2, throwaway, 'admin-password', basic):
        assert secret not in output
    assert 'jane.doe@example.com' in output  # the output is there, only the secrets are not


def test_failures_are_clear_and_come_before_the_writes(sim, run_playbook):
    sim.control.seed(
        groups=[{'name': 'dev'}],
        users=[{'name': 'ldap.user', 'directory': 'Corp LDAP'}, {'name': 'boss', 'permission': 'SYS_ADMIN'},
               {'name': 'helper', 'permission': 'ADMIN', 'password': 'helper-password'},
               {'name': 'ok1'}, {'name': 'ok2'}],
        oauth_clients=[{'client_id': 'cli', 'client_secret': 'sec', 'redirect_uris': ['http://127.0.0.1:9/cb']}])
    token = sim.control.issue_tokens('cli', user='admin', scope='SYSTEM_ADMIN')['access_token']
    run = run_playbook('user_errors.yml', extra_vars={'sim_url': sim.url, 'user_password': PASSWORD,
                                                      'admin_token': token})
    state, log = sim.control.state(), segments(sim)

    def msg(name):
        outcome = run.task_result(name)
        assert outcome['failed'] is True, name
        return outcome['msg']

    assert msg('Both name and users') == 'parameters are mutually exclusive: name|users'
    assert msg('Users and a top-level option') == 'parameters are mutually exclusive: users|email'
    assert msg('Duplicate names') == 'users lists these users more than once: dup'
    assert 'emailAddress' in msg('Unknown key in an item') and 'users' in msg('Unknown key in an item')
    assert 'permission' in msg('Unknown permission') and 'PROJECT_ADMIN' in msg('Unknown permission')
    assert msg('Notify with a password').startswith('notify and password are mutually exclusive')
    assert log['input'] == []  # not a single request for bad input

    self_msg = 'cannot delete user admin: it is the user these credentials authenticate as'
    assert msg('Delete the authenticated user') == self_msg
    assert writes(log['self']) == []
    assert msg('Delete the authenticated user with a bearer token') == self_msg
    assert writes(log['bearer-self']) == []
    assert sim_user(state, 'admin') is not None

    assert msg('Change a read-only directory user') == (
        "cannot change email of user ldap.user: it belongs to the read-only user directory 'Corp LDAP'")
    assert writes(log['directory']) == []
    assert msg('Change a user above the caller') == (
        'user boss holds the global permission SYS_ADMIN, higher than yours (ADMIN): Bitbucket does not let you '
        'change or delete it')
    assert writes(log['higher']) == []

    bulk = run.task_result('Bulk with failing users')
    assert bulk['failed'] and bulk['changed']
    assert bulk['msg'].startswith('2 of 4 users failed: ok2: user ok2: group missing-group does not exist')
    outcome = dict((u['name'], u) for u in bulk['users'])
    assert [u['name'] for u in bulk['users']] == ['ok1', 'ok2', 'ldap.user', 'ok3']
    assert (outcome['ok1']['changed'], outcome['ok1']['failed'], outcome['ok1']['msg']) == (True, False,
                                                                                            'changed email')
    assert outcome['ok1']['diff']['after']['email'] == 'ok1.new@example.com'
    assert outcome['ok2']['failed'] and not outcome['ok2']['changed'] and 'user' not in outcome['ok2']
    assert outcome['ldap.user']['failed'] and "'Corp LDAP'" in outcome['ldap.user']['msg']
    assert (outcome['ok3']['msg'], outcome['ok3']['user']['email']) == ('created; password set', 'ok3@example.com')
    assert writes(log['bulk']) == [('PUT', 'admin/users'), ('POST', 'admin/users'), ('PUT', 'admin/users/credentials')]
    assert sim_user(state, 'ok1')['emailAddress'] == 'ok1.new@example.com'
    assert sim_user(state, 'ok2')['groups'] == ['stash-users'] and sim_user(state, 'ok3')['password'] == PASSWORD
    # A password inside a users item is as hidden as a top-level one: not in the results, not in the output.
    # ansible-core 2.21 returns the invocation only when asked for (-vvv); where it is returned, it is masked.
    if 'invocation' in bulk:
        assert bulk['invocation']['module_args']['users'][3]['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert PASSWORD not in json.dumps(bulk)
    assert PASSWORD not in run.stdout + run.stderr + json.dumps(run.json)
