"""bitbucket_group's plan/apply logic against the simulator over HTTP: grants batched per permission, a refused batch
retried per group, a failed write stopping only its group and naming what was already done, and the caller's level
read only when a privileged group changes."""

import urllib.parse

from ansible_collections.dcops.bitbucket.plugins.module_utils._http import BitbucketClient
from ansible_collections.dcops.bitbucket.plugins.module_utils._group_reconcile import GRANT_BATCH, GroupReconciler

API = '/rest/api/latest/'


def item(name, state='present', permission=None, members=None, append=False):
    return {'name': name, 'state': state, 'permission': permission, 'members': members, 'append': append}


def run(sim, items, check=False):
    """Plan and (unless check) apply as the module does; the request log starts empty."""
    sim.control.clear_requests()
    client = BitbucketClient(sim.url, username='admin', password='admin-password', retries=0)
    reconciler = GroupReconciler(client, username='admin', check_mode=check)
    reconciler.load(items)
    return reconciler.run(items)


def requests(sim, method=None):
    return [e for e in sim.control.requests() if method is None or e['method'] == method]


def permission_of(sim, name):
    return next(g for g in sim.control.state()['groups'] if g['name'] == name).get('permission')


def test_grants_are_batched_per_permission(sim):
    items = [item('admins-%03d' % i, permission='ADMIN') for i in range(2 * GRANT_BATCH + 20)]
    items += [item('creators-%d' % i, permission='PROJECT_CREATE') for i in range(3)]

    results = run(sim, items)

    assert all(r.changed and not r.failed for r in results)
    puts = [urllib.parse.parse_qs(e['query']) for e in requests(sim, 'PUT')]
    assert [(q['permission'], len(q['name'])) for q in puts] == [
        (['ADMIN'], 50), (['ADMIN'], 50), (['ADMIN'], 20), (['PROJECT_CREATE'], 3)]
    assert permission_of(sim, 'admins-119') == 'ADMIN' and permission_of(sim, 'creators-2') == 'PROJECT_CREATE'


def test_a_refused_batch_is_retried_per_group_and_fails_only_the_refused_group(sim):
    sim.control.fault(method='PUT', path='admin/permissions/groups', action='status', status=500, times=2)

    results = run(sim, [item('g1', permission='LICENSED_USER'), item('g2', permission='LICENSED_USER'),
                        item('g3', permission='LICENSED_USER')])

    first = results[0]
    assert (first.failed, first.changed, first.obj) == (True, True, None)
    assert first.msg.startswith('group g1: PUT rest/api/latest/admin/permissions/groups: HTTP 500')
    assert first.msg.endswith('(already done: created)')
    assert [(r.failed, r.msg) for r in results[1:]] == [
        (False, 'created; global permission none -> LICENSED_USER')] * 2
    puts = [urllib.parse.parse_qs(e['query'])['name'] for e in requests(sim, 'PUT')]
    assert puts == [['g1', 'g2', 'g3'], ['g1'], ['g2'], ['g3']]
    assert [permission_of(sim, n) for n in ('g1', 'g2', 'g3')] == [None, 'LICENSED_USER', 'LICENSED_USER']


def test_a_failed_write_stops_its_group_only_and_names_what_was_done(sim):
    sim.control.seed(users=[{'name': 'alice'}, {'name': 'bob'}], groups=[{'name': 'old'}])
    sim.control.fault(method='POST', path='admin/groups/add-users', action='status', status=403, times=1)

    results = run(sim, [item('new', permission='PROJECT_CREATE', members=['alice']),
                        item('old', members=['bob'])])

    failed, other = results
    assert failed.failed and failed.changed
    assert failed.msg.startswith('group new: POST rest/api/latest/admin/groups/add-users: HTTP 403')
    assert failed.msg.endswith('(already done: created, permission set to PROJECT_CREATE)')
    assert (other.failed, other.msg) == (False, 'members added: bob')
    assert [(e['method'], e['path'][len(API):], e['status']) for e in requests(sim) if e['method'] != 'GET'] == [
        ('POST', 'admin/groups', 200), ('PUT', 'admin/permissions/groups', 204),
        ('POST', 'admin/groups/add-users', 403), ('POST', 'admin/groups/add-users', 200)]


def test_the_callers_level_is_read_only_when_a_privileged_group_changes(sim):
    sim.control.seed(groups=[{'name': 'admins', 'permission': 'ADMIN'}, {'name': 'plain'}])

    results = run(sim, [item('plain', members=['admin']), item('fresh'), item('admins')], check=True)

    assert [(r.name, r.changed) for r in results] == [('plain', True), ('fresh', True), ('admins', False)]
    read = [e['path'][len(API):] for e in requests(sim)]
    assert 'admin/permissions/users' not in read and 'admin/users/more-members' not in read

    run(sim, [item('plain'), item('admins', members=['admin'], append=True)], check=True)
    read = [e['path'][len(API):] for e in requests(sim)]
    assert read.count('admin/permissions/users') == 1 and read.count('admin/users/more-members') == 1
