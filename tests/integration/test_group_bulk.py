"""bitbucket_group in bulk against the simulator (page cap 25): 100 groups created with batched grants, a second run
that only reads (and how much), then a change seen in check mode with per-group diffs and applied with the fewest
writes."""

import math

from test_user_module import segments, writes

PAGE_CAP = 25
PERMISSIONS = ('LICENSED_USER', 'PROJECT_CREATE', 'ADMIN', 'none')
USERS = ['user-%02d' % i for i in range(20)]


def bulk_groups():
    """100 groups: a permission each (a quarter none), two members each except every tenth (membership untouched)."""
    groups = []
    for i in range(100):
        group = {'name': 'team-%03d' % i, 'permission': PERMISSIONS[i % 4]}
        if i % 10 != 9:
            group['members'] = [USERS[i % 20], USERS[(i + 7) % 20]]
        groups.append(group)
    return groups


def test_hundred_groups(sim, run_playbook):
    sim.control.seed(users=[{'name': name} for name in USERS])
    groups = bulk_groups()
    changed = [
        {'name': 'team-000', 'permission': 'ADMIN'},
        {'name': 'team-001', 'members': ['user-01', 'user-19']},
        {'name': 'team-002', 'state': 'absent'},
        {'name': 'team-003', 'members': ['user-05'], 'append': True},
        dict(groups[10]),
        {'name': 'newcomers', 'members': ['user-00']},
    ]
    extra_vars = {'sim_url': sim.url, 'bulk_groups': groups, 'bulk_changed': changed}
    run = run_playbook('group_bulk.yml', extra_vars=extra_vars)
    state, log = sim.control.state(), segments(sim)
    result = run.task_result

    create = result('Create the groups')
    assert create['changed'] and create['msg'] == '100 groups reconciled, 100 changed'
    assert all(g['changed'] and not g['failed'] for g in create['groups'])
    made = writes(log['create'])
    assert made.count(('POST', 'admin/groups')) == 100
    assert made.count(('POST', 'admin/groups/add-users')) == 90
    # One PUT per permission for up to 50 groups: three permissions, 25 groups each.
    assert made.count(('PUT', 'admin/permissions/groups')) == 3 and len(made) == 193
    by_name = dict((g['name'], g) for g in state['groups'])
    assert by_name['team-006']['permission'] == 'ADMIN' and by_name['team-007'].get('permission') is None

    again = result('Apply the same groups again')
    assert not again['changed'] and again['msg'] == '100 groups reconciled, 0 changed'
    assert all(g['msg'] == 'no change' for g in again['groups'])
    assert writes(log['again']) == []
    # A run of more than a burst of requests also reads the rate-limit settings once (the client's pacing).
    sent = [e for e in log['again'] if '/rate-limit/' not in e['path']]
    gets = [e for e in sent if e['method'] == 'GET']
    paths = [e['path'].split('/latest/', 1)[1] for e in gets]
    assert len(gets) == len(sent)
    # Every group (plus stash-users), every group permission (plus stash-users), members of managed groups only.
    assert paths.count('admin/groups') == math.ceil(101 / PAGE_CAP)
    assert paths.count('admin/permissions/groups') == math.ceil(76 / PAGE_CAP)
    member_contexts = sorted(e['query'].split('context=')[1].split('&')[0] for e in gets
                             if e['path'].endswith('more-members'))
    assert member_contexts == sorted(g['name'] for g in groups if 'members' in g)
    assert len(gets) == 5 + 4 + 90
    print('\n100-group no-change run: %d requests, all GET' % len(gets))

    check = result('Changes in check mode')
    expected = {'team-000': True, 'team-001': True, 'team-002': True, 'team-003': True, 'team-010': False,
                'newcomers': True}
    assert dict((g['name'], g['changed']) for g in check['groups']) == expected
    assert writes(log['check']) == []
    diffs = dict((g['name'], g.get('diff')) for g in check['groups'])
    assert diffs['team-000']['before']['permission'] == 'LICENSED_USER'
    assert diffs['team-000']['after']['permission'] == 'ADMIN'
    assert diffs['team-001']['before']['members'] == ['user-01', 'user-08']
    assert diffs['team-001']['after']['members'] == ['user-01', 'user-19']
    assert diffs['team-002']['after'] == {'state': 'absent'}
    assert diffs['team-003']['after']['members'] == ['user-03', 'user-05', 'user-10']
    assert diffs['newcomers']['before'] == {'state': 'absent'} and diffs['team-010'] is None
    assert len(check['diff']) == 5 and check['groups'][0]['msg'].startswith('check mode, would be: ')

    change = result('Changes')
    assert [g['msg'] for g in change['groups']] == [
        'global permission LICENSED_USER -> ADMIN', 'members added: user-19; members removed: user-08', 'deleted',
        'members added: user-05', 'no change', 'created; members added: user-00']
    assert writes(log['change']) == [
        ('POST', 'admin/groups'), ('PUT', 'admin/permissions/groups'), ('POST', 'admin/groups/add-users'),
        ('POST', 'admin/groups/add-users'), ('POST', 'admin/groups/add-users'), ('POST', 'admin/groups/remove-user'),
        ('DELETE', 'admin/groups')]
    assert not result('Changes again')['changed'] and writes(log['change-again']) == []
    names = set(g['name'] for g in sim.control.state()['groups'])
    assert 'team-002' not in names and 'newcomers' in names
