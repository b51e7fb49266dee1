"""The rules bitbucket_user and bitbucket_group share, against the simulator over HTTP: list items take `state` and
`append` from the top level unless they set their own, and when Bitbucket does not name the authenticated user
(no X-AUSERNAME header) both modules warn, once, that the checks against the caller's own level were not made."""

from ansible_collections.dcops.bitbucket.plugins.module_utils._caller_level import UNIDENTIFIED_CALLER
from ansible_collections.dcops.bitbucket.plugins.module_utils._group_options import MUTUALLY_EXCLUSIVE, desired_groups
from ansible_collections.dcops.bitbucket.plugins.module_utils._group_reconcile import GroupReconciler
from ansible_collections.dcops.bitbucket.plugins.module_utils._http import BitbucketClient
from ansible_collections.dcops.bitbucket.plugins.module_utils._user_options import (
    PER_USER_KEYS,
    USER_OPTIONS,
    desired_users,
)
from ansible_collections.dcops.bitbucket.plugins.module_utils._user_reconcile import UserReconciler


def user_params(users, **top):
    params = dict((key, spec.get('default')) for key, spec in USER_OPTIONS.items())
    params.update(top, users=users)
    return params


def group_params(groups, **top):
    params = {'name': None, 'state': 'present', 'permission': None, 'members': None, 'append': False}
    params.update(top, groups=groups)
    return params


def test_items_take_state_and_append_from_the_top_level_in_both_modules():
    users = desired_users(user_params([{'name': 'a', 'state': None, 'append': None},
                                       {'name': 'b', 'state': 'present', 'append': False}], state='absent', append=True))
    groups = desired_groups(group_params([{'name': 'a', 'state': None, 'append': None, 'members': None},
                                          {'name': 'b', 'state': 'present', 'append': False, 'members': None}],
                                         state='absent', append=True))
    for items in (users, groups):
        assert [(i['name'], i['state'], i['append']) for i in items] == [('a', 'absent', True), ('b', 'present', False)]
    # Every other per-item option is refused at the top level next to the list.
    assert 'state' not in PER_USER_KEYS and 'append' not in PER_USER_KEYS and 'email' in PER_USER_KEYS
    assert ('groups', 'permission') in MUTUALLY_EXCLUSIVE and not any('state' in pair for pair in MUTUALLY_EXCLUSIVE)


def test_a_top_level_state_applies_to_the_users_that_do_not_set_theirs(sim):
    sim.control.seed(users=[{'name': 'gone1'}, {'name': 'gone2'}, {'name': 'kept'}])
    items = desired_users(user_params([{'name': 'gone1'}, {'name': 'gone2'}, {'name': 'kept', 'state': 'present'}],
                                      state='absent'))
    client = BitbucketClient(sim.url, username='admin', password='admin-password', retries=0)
    reconciler = UserReconciler(client, username='admin')
    reconciler.load(items)
    results = reconciler.run(items)
    assert [(r.name, r.msg) for r in results] == [('gone1', 'deleted'), ('gone2', 'deleted'), ('kept', 'unchanged')]
    assert sorted(u['name'] for u in sim.control.state()['users']) == ['admin', 'kept']


def bearer(sim, user='admin'):
    return BitbucketClient(sim.url, access_token=sim.control.issue_tokens('rules', user=user, scope='SYSTEM_ADMIN')['access_token'],
                           retries=0)


def test_an_unnamed_caller_is_warned_about_in_both_modules(sim):
    sim.control.seed(users=[{'name': 'boss', 'permission': 'SYS_ADMIN'}],
                     groups=[{'name': 'admins', 'permission': 'ADMIN'}, {'name': 'plain'}])
    sim.control.config(omit_username_header=True)
    users = UserReconciler(bearer(sim))
    wanted = [{'name': 'boss', 'email': 'boss.new@example.com', 'state': 'present'}]
    users.load(wanted)
    assert [(r.failed, r.msg) for r in users.run(wanted)] == [(False, 'changed email')]
    groups = GroupReconciler(bearer(sim))
    wanted = [{'name': n, 'state': 'present', 'permission': p, 'members': None, 'append': False}
              for n, p in (('admins', 'PROJECT_CREATE'), ('plain', 'ADMIN'))]
    groups.load(wanted)
    assert [r.failed for r in groups.run(wanted)] == [False, False]
    assert users.warnings == groups.warnings == [UNIDENTIFIED_CALLER]

    sim.control.config(omit_username_header=False)
    named = GroupReconciler(bearer(sim))
    wanted = [{'name': 'admins', 'state': 'present', 'permission': 'ADMIN', 'members': None, 'append': False}]
    named.load(wanted)
    assert not named.run(wanted)[0].failed and named.warnings == []


def test_an_unnamed_caller_skips_no_check_when_none_is_needed(sim):
    sim.control.seed(users=[{'name': 'plain'}])
    sim.control.config(omit_username_header=True)
    users = UserReconciler(bearer(sim))
    wanted = [{'name': 'plain', 'email': 'plain.new@example.com', 'state': 'present'}]
    users.load(wanted)
    assert users.run(wanted)[0].msg == 'changed email' and users.warnings == []
