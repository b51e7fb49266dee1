"""bitbucket_group through ansible-playbook against the simulator: one group through its whole life (create, no
change, permission set, changed and revoked, members exact and appended, delete; check mode, diffs, the exact writes
of each task), and the failures (bad input before any request; members that are not users and refusals for the
caller's own level before any write; bulk going on past failing groups)."""

from test_user_module import segments, writes

GROUP = 'developers'


def sim_group(state, name):
    return next((g for g in state['groups'] if g['name'] == name), None)


def reads(entries):
    return [e['path'].split('/latest/', 1)[1] for e in entries if e['method'] == 'GET']


def test_one_group_through_its_whole_life(sim, run_playbook):
    sim.control.seed(users=[{'name': name} for name in ('alice', 'bob', 'carol', 'dave')])
    run = run_playbook('group_single.yml', extra_vars={'sim_url': sim.url})
    state, log = sim.control.state(), segments(sim)
    result = run.task_result

    created = {'name': GROUP, 'state': 'present', 'permission': 'PROJECT_CREATE', 'members': ['alice', 'bob']}
    check = result('Create in check mode')
    assert (check['changed'], check['group'], check['msg']) == (
        True, created,
        'check mode, would be: created; global permission none -> PROJECT_CREATE; members added: alice, bob')
    assert check['diff'] == {'before': {'state': 'absent'}, 'after': created,
                             'before_header': 'group developers', 'after_header': 'group developers'}
    assert writes(log['create-check']) == []

    create = result('Create')
    assert (create['changed'], create['group'], create['diff']['after']) == (True, created, created)
    assert create['msg'] == 'created; global permission none -> PROJECT_CREATE; members added: alice, bob'
    assert writes(log['create']) == [('POST', 'admin/groups'), ('PUT', 'admin/permissions/groups'),
                                     ('POST', 'admin/groups/add-users')]
    post = [e for e in log['create'] if e['method'] == 'POST']
    assert post[0]['query'] == 'name=developers' and post[0]['status'] == 200
    assert post[1]['body'].replace(' ', '') == '{"group":"developers","users":["alice","bob"]}'

    again = result('Create again')
    assert (again['changed'], again['msg'], again['group']) == (False, 'no change', created)
    # No change: the filtered group and group-permission listings and the members of the one managed group.
    assert reads(log['again']) == ['admin/groups', 'admin/permissions/groups', 'admin/groups/more-members']
    assert writes(log['again']) == []

    raised = result('Raise and append')
    assert (raised['changed'], raised['msg']) == (True, 'global permission PROJECT_CREATE -> ADMIN; members added: carol')
    assert raised['group']['members'] == ['alice', 'bob', 'carol']
    assert writes(log['raise']) == [('PUT', 'admin/permissions/groups'), ('POST', 'admin/groups/add-users')]

    exact = result('Exact members')  # "Developers", "Bob" and a repeated "dave": names are case-insensitive
    assert exact['msg'] == 'members added: dave; members removed: alice, carol'
    assert exact['diff']['before'] == dict(created, permission='ADMIN', members=['alice', 'bob', 'carol'])
    assert exact['diff']['after'] == dict(created, permission='ADMIN', members=['bob', 'dave'])
    assert writes(log['exact']) == [('POST', 'admin/groups/add-users'), ('POST', 'admin/groups/remove-user'),
                                    ('POST', 'admin/groups/remove-user')]
    removes = [e['body'].replace(' ', '') for e in log['exact'] if e['path'].endswith('remove-user')]
    assert removes == ['{"context":"developers","itemName":"alice"}', '{"context":"developers","itemName":"carol"}']

    revoke = result('Revoke')
    assert (revoke['msg'], revoke['group']) == ('global permission ADMIN revoked',
                                                {'name': GROUP, 'state': 'present', 'permission': 'none'})
    assert revoke['diff']['before']['permission'] == 'ADMIN' and revoke['diff']['after']['permission'] == 'none'
    assert writes(log['revoke']) == [('DELETE', 'admin/permissions/groups')]

    untouched = result('Name only')  # no members option: membership is not even read
    assert not untouched['changed']
    assert untouched['group'] == {'name': GROUP, 'state': 'present', 'permission': 'none'}
    assert reads(log['untouched']) == ['admin/groups', 'admin/permissions/groups']

    delete = result('Delete')
    assert (delete['changed'], delete['msg'], delete['group']) == (True, 'deleted', {'name': GROUP, 'state': 'absent'})
    assert delete['diff']['before'] == {'name': GROUP, 'state': 'present', 'permission': 'none'}
    assert delete['diff']['after'] == {'state': 'absent'}
    assert writes(log['delete']) == [('DELETE', 'admin/groups')]
    assert not result('Delete again')['changed'] and writes(log['delete-again']) == []
    assert sim_group(state, GROUP) is None


def test_failures_are_clear_and_come_before_writes(sim, run_playbook):
    sim.control.seed(
        groups=[{'name': 'ops-admins', 'permission': 'ADMIN'}, {'name': 'ops-backup', 'permission': 'ADMIN'},
                {'name': 'sysadmins', 'permission': 'SYS_ADMIN'}, {'name': 'plain'}],
        users=[{'name': 'alice'}, {'name': 'bob', 'groups': ['plain']}, {'name': 'ops', 'groups': ['ops-admins']}],
        oauth_clients=[{'client_id': 'ansible', 'client_secret': 'client-secret-9f2',
                        'redirect_uris': ['http://127.0.0.1:8765/callback']}])
    token = sim.control.issue_tokens('ansible', user='ops', scope='ADMIN_WRITE')['access_token']
    run = run_playbook('group_failures.yml', extra_vars={'sim_url': sim.url, 'ops_token': token})
    state, log = sim.control.state(), segments(sim)

    def failure(name):
        outcome = run.task_result(name)
        assert outcome['failed'] and not outcome['changed'], name
        return outcome['msg']

    assert failure('Both name and groups') == 'parameters are mutually exclusive: name|groups'
    assert failure('Groups and a top-level permission') == 'parameters are mutually exclusive: groups|permission'
    assert failure('Duplicate names') == ('groups lists these group names more than once (names are '
                                          'case-insensitive): dup')
    assert 'groups.member' in failure('Unknown key in an item')
    assert failure('Empty member name') == 'groups[1].members of group b holds an empty user name'
    assert failure('Neither name nor groups') == 'one of the following is required: name, groups'
    assert log['input'] == []  # bad input: not a single request

    assert failure('Members that are not users') == (
        'group plain: users ghost, Phantom do not exist in Bitbucket (members are never created; create the users '
        'first)')
    lower = ('would lower your own global permission (user ops) from ADMIN to %s; Bitbucket refuses that')
    assert failure('Demote own group') == ('group ops-admins: this change (global permission ADMIN -> '
                                           'PROJECT_CREATE) ' + lower % 'PROJECT_CREATE')
    # ops keeps LICENSED_USER through the default group stash-users.
    assert failure('Revoke own group') == ('group ops-admins: this change (global permission ADMIN revoked) '
                                           + lower % 'LICENSED_USER')
    assert failure('Leave own group') == ('group ops-admins: this change (members added: alice; members removed: '
                                          'ops) ' + lower % 'LICENSED_USER')
    assert failure('Delete own group') == 'group ops-admins: this change (deleted) ' + lower % 'LICENSED_USER'
    higher = ('group sysadmins has the global permission SYS_ADMIN, higher than yours (ADMIN): Bitbucket does not '
              'let you change or delete it')
    assert failure('Change a higher group') == higher
    assert failure('Delete a higher group') == higher
    assert failure('Grant more than own level') == ('group plain: cannot grant SYS_ADMIN, which is higher than your '
                                                    'own global permission (ADMIN)')
    assert writes(log['refused']) == []
    # With a bearer token the caller is known from X-AUSERNAME, read once per task that needs it.
    assert reads(log['refused']).count('application-properties') == 7

    mixed = run.task_result('Bulk with failing groups')
    assert mixed['failed'] and mixed['changed']
    assert [(g['name'], g['changed'], g['failed']) for g in mixed['groups']] == [
        ('plain', True, False), ('ghosts', False, True), ('sysadmins', False, True), ('fresh', True, False),
        ('ops-admins', True, False)]
    assert mixed['groups'][1]['msg'] == ('group ghosts: user ghost does not exist in Bitbucket (members are never '
                                         'created; create the users first)')
    assert mixed['groups'][2]['msg'] == higher and 'group' not in mixed['groups'][2]
    assert mixed['groups'][3]['group'] == {'name': 'fresh', 'state': 'present', 'permission': 'LICENSED_USER'}
    assert mixed['msg'].startswith('2 of 5 groups failed: ghosts: group ghosts: user ghost does not exist')
    # One listing of each kind for the whole call; the writes of the groups that did not fail, raises first.
    assert reads(log['mixed']).count('admin/users') == 1
    assert reads(log['mixed']).count('application-properties') == 1
    assert writes(log['mixed']) == [('POST', 'admin/groups'), ('PUT', 'admin/permissions/groups'),
                                    ('POST', 'admin/groups/add-users'), ('POST', 'admin/groups/add-users')]
    assert sim_group(state, 'ghosts') is None and sim_group(state, 'sysadmins') is not None

    # Planned changes count for the later groups of the same call: with two ADMIN groups, one may go, not both.
    assert run.task_result('Join the backup admin group')['changed']
    both = run.task_result('Delete both admin groups')
    assert [(g['name'], g['changed'], g['failed']) for g in both['groups']] == [
        ('ops-admins', True, False), ('ops-backup', False, True)]
    assert both['groups'][1]['msg'] == 'group ops-backup: this change (deleted) ' + lower % 'LICENSED_USER'
    assert writes(log['sequence']) == [('POST', 'admin/groups/add-users'), ('DELETE', 'admin/groups')]
    assert sim_group(state, 'ops-admins') is None and sim_group(state, 'ops-backup')['permission'] == 'ADMIN'
    assert token not in run.stdout and 'client-secret-9f2' not in run.stdout


def test_manage_users_playbook_applies_groups_before_users(sim, run_playbook):
    """playbooks/manage_users.yml: a user joins a group created in the same run; the check-mode rerun changes nothing."""
    inventory = {'all': {'children': {'bitbucket_instances': {'hosts': {'bitbucket-sim': {
        'bitbucket_url': sim.url, 'bitbucket_username': 'admin', 'bitbucket_password': 'admin-password',
        'bitbucket_groups': [{'name': 'developers', 'permission': 'PROJECT_CREATE'}, {'name': 'stash-users'}],
        'bitbucket_users': [{'name': 'jdoe', 'display_name': 'Jane Doe', 'email': 'jane@example.com',
                             'password': 'Jdoe-Pa55-0c1d9e', 'groups': ['stash-users', 'developers']}],
    }}}}}}
    first = run_playbook('manage_users.yml', inventory=inventory)
    groups, users = first.task_result('Apply groups'), first.task_result('Apply users')
    assert [(g['name'], g['changed'], g['msg']) for g in groups['groups']] == [
        ('developers', True, 'created; global permission none -> PROJECT_CREATE'), ('stash-users', False, 'no change')]
    assert users['changed'] and not users['users'][0]['failed']
    state = sim.control.state()
    assert sim_group(state, 'developers')['permission'] == 'PROJECT_CREATE'
    jdoe = next(u for u in state['users'] if u['name'] == 'jdoe')
    assert sorted(jdoe['groups']) == ['developers', 'stash-users']

    sim.control.clear_requests()
    second = run_playbook('manage_users.yml', inventory=inventory, check=True, diff=True)
    assert not second.task_result('Apply groups')['changed'] and not second.task_result('Apply users')['changed']
    assert writes(sim.control.requests()) == []
    assert 'Jdoe-Pa55-0c1d9e' not in first.stdout + second.stdout
