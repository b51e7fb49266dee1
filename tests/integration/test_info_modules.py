"""bitbucket_user_info and bitbucket_group_info against the simulator: what each selection returns, the GETs each
sends (the per-user reads with names, the per-group member reads otherwise), that check mode is the same, and that
the output applied back with bitbucket_group and bitbucket_user changes nothing."""

from collections import Counter

API = '/rest/api/latest/'


def seed(sim):
    sim.control.seed(
        groups=[{'name': 'developers', 'permission': 'PROJECT_CREATE'}, {'name': 'ops'}],
        users=[{'name': 'alice', 'displayName': 'Alice', 'emailAddress': 'alice@example.com',
                'groups': ['developers'], 'permission': 'ADMIN'},
               {'name': 'bob', 'displayName': 'Bob', 'emailAddress': 'bob@example.com', 'groups': ['ops', 'developers'],
                'addToDefaultGroup': False},
               {'name': 'carol', 'displayName': 'Carol (LDAP)', 'emailAddress': 'carol@ldap.example.com',
                'directory': 'corp-ldap', 'active': False}])


def test_info_modules_and_applying_their_output_back(sim, run_playbook):
    seed(sim)
    sim.control.clear_requests()
    run = run_playbook('info_modules.yml', extra_vars={'sim_url': sim.url}, check=True,
                       env={'ANSIBLE_SKIP_TAGS': 'apply'})
    assert {e['method'] for e in sim.control.requests()} == {'GET'}
    # Every user with groups: 1 user page + 1 permission page, then (3 groups < 4 users) 1 group page + 1 member
    # page per group. Two users by name: 1 lookup per name + 1 groups read per user found (no permission). The
    # filter: 1 user page + 1 permission page. Every group with members: 1 group page + 1 permission page + 1 member
    # page per group. One group: 1 group page + 1 permission page (both filtered).
    assert Counter(e['path'][len(API):] for e in sim.control.requests()) == {
        'admin/users': 1 + 3 + 1, 'admin/permissions/users': 1 + 1, 'admin/groups': 1 + 1 + 1,
        'admin/groups/more-members': 3 + 3, 'admin/users/more-members': 2, 'admin/permissions/groups': 1 + 1}

    every = run.task_result('Read every user with groups')
    assert every['changed'] is False
    assert every['users'] == [
        {'name': 'admin', 'display_name': 'Administrator', 'email': 'admin@example.com', 'state': 'present',
         'permission': 'SYS_ADMIN', 'groups': ['stash-users']},
        {'name': 'alice', 'display_name': 'Alice', 'email': 'alice@example.com', 'state': 'present',
         'permission': 'ADMIN', 'groups': ['developers', 'stash-users']},
        {'name': 'bob', 'display_name': 'Bob', 'email': 'bob@example.com', 'state': 'present', 'permission': 'none',
         'groups': ['developers', 'ops']},
        {'name': 'carol', 'display_name': 'Carol (LDAP)', 'email': 'carol@ldap.example.com', 'state': 'present',
         'permission': 'none', 'groups': ['stash-users']}]
    assert every['user_facts']['carol'] == {'directory': 'corp-ldap', 'active': False, 'mutable_details': False,
                                            'mutable_groups': False, 'deletable': False}
    assert every['user_facts']['alice']['mutable_details'] is True and sorted(every['user_facts']) == [
        'admin', 'alice', 'bob', 'carol']

    named = run.task_result('Read two users by name, without permission')['users']
    assert [(u['name'], u['groups'], 'permission' in u) for u in named] == [
        ('alice', ['developers', 'stash-users'], False), ('bob', ['developers', 'ops'], False)]
    assert [u['name'] for u in run.task_result('Read the users matching a filter')['users']] == ['carol']

    assert run.task_result('Read every group with members')['groups'] == [
        {'name': 'developers', 'state': 'present', 'permission': 'PROJECT_CREATE', 'members': ['alice', 'bob']},
        {'name': 'ops', 'state': 'present', 'permission': 'none', 'members': ['bob']},
        {'name': 'stash-users', 'state': 'present', 'permission': 'LICENSED_USER',
         'members': ['admin', 'alice', 'carol']}]
    assert run.task_result('Read one group by name')['groups'] == [
        {'name': 'developers', 'state': 'present', 'permission': 'PROJECT_CREATE'}]
    assert run.task_result('Refuse names with filter')['msg'] == 'names and filter are mutually exclusive'

    sim.control.clear_requests()
    applied = run_playbook('info_modules.yml', extra_vars={'sim_url': sim.url})
    assert applied.task_result('Apply the groups read')['msg'] == '3 groups reconciled, 0 changed'
    assert applied.task_result('Apply the users read')['msg'] == '4 users reconciled, 0 changed'
    assert applied.json['stats']['localhost']['changed'] == 0
    assert {e['method'] for e in sim.control.requests()} == {'GET'}
