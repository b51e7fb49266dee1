"""The drift summary of playbooks/manage_users.yml in check mode: for files that match Bitbucket it says "No drift";
for a hand-edited file it lists exactly the groups and users that would be created, changed (with the changed
fields) and deleted, and the ones that would fail; check mode sends only GETs, and without
bitbucket_drift_report_dir nothing is written."""

PLAYBOOK = 'manage_users.yml'


def instance_host(sim, reports=None):
    host = {'bitbucket_url': sim.url, 'bitbucket_username': 'admin', 'bitbucket_password': 'admin-password'}
    if reports:
        host['bitbucket_drift_report_dir'] = str(reports)
    return {'bitbucket_instances': {'hosts': {'bb1': host}}}


def as_they_are():
    groups = [{'name': 'developers', 'permission': 'PROJECT_CREATE', 'members': ['alice', 'bob']},
              {'name': 'ops', 'permission': 'none', 'members': ['carol']}]
    users = [{'name': name, 'display_name': name.capitalize(), 'email': '%s@example.com' % name,
              'groups': sorted(groups_of), 'permission': permission}
             for name, groups_of, permission in (('alice', ['developers', 'stash-users'], 'none'),
                                                 ('bob', ['developers'], 'ADMIN'),
                                                 ('carol', ['ops'], 'none'), ('dave', [], 'none'))]
    return groups, users


def seed(sim):
    groups, users = as_they_are()
    sim.control.seed(groups=[{'name': g['name'], 'permission': g['permission']} for g in groups
                             if g['permission'] != 'none'] + [{'name': 'ops'}],
                     users=[{'name': u['name'], 'displayName': u['display_name'], 'emailAddress': u['email'],
                             'groups': u['groups'], 'addToDefaultGroup': False, 'permission': u['permission'] if u['permission'] != 'none' else None}
                            for u in users])


def test_drift_summary_lists_exactly_the_hand_edits(sim, run_playbook, tmp_path):
    seed(sim)
    reports = tmp_path / 'drift'
    groups, users = as_they_are()
    sim.control.clear_requests()
    same = run_playbook(PLAYBOOK, check=True, inventory=instance_host(sim, reports),
                        extra_vars={'bitbucket_groups': groups, 'bitbucket_users': users})
    assert same.json['stats']['bb1']['changed'] == 0
    assert (reports / 'bb1.md').read_text() == (
        '# Drift summary: bb1\n\nNo drift: Bitbucket matches the 2 groups and 4 users listed.\n')

    groups[0]['members'] = ['alice', 'bob', 'carol']               # a member added
    groups[1]['permission'] = 'LICENSED_USER'                      # a permission granted
    groups.append({'name': 'auditors', 'permission': 'none', 'members': ['dave']})
    users[0]['email'] = 'alice.new@example.com'                    # a field changed
    users[1]['groups'] = ['stash-users']                           # one group added, one removed
    users[3] = {'name': 'dave', 'state': 'absent'}                 # a user deleted
    users.append({'name': 'erin', 'display_name': 'Erin', 'email': 'erin@example.com', 'notify': True,
                  'groups': ['ops']})
    users.append({'name': 'frank', 'display_name': 'Frank', 'email': 'frank@example.com', 'notify': True,
                  'groups': ['no-such-group']})
    sim.control.clear_requests()
    edited = run_playbook(PLAYBOOK, check=True, inventory=instance_host(sim, reports), expect_rc=2,
                          extra_vars={'bitbucket_groups': groups, 'bitbucket_users': users})
    assert {r['method'] for r in sim.control.requests()} == {'GET'}
    assert edited.json['stats']['bb1']['failures'] == 1, 'frank fails: his group does not exist'
    assert (reports / 'bb1.md').read_text() == '\n'.join([
        '# Drift summary: bb1',
        '',
        'Drift in the 3 groups and 6 users listed: 2 to create, 4 to change, 1 to delete, 1 failed.',
        '',
        '|  | to create | to change | to delete | failed |',
        '|---|---|---|---|---|',
        '| groups | 1 | 2 | 0 | 0 |',
        '| users | 1 | 2 | 1 | 1 |',
        '',
        '## Groups to create (1)',
        '',
        '- `auditors`: members `dave`; permission `none`',
        '',
        '## Groups to change (2)',
        '',
        '- `developers`: members + `carol`',
        '- `ops`: permission `none` -> `LICENSED_USER`',
        '',
        '## Users to create (1)',
        '',
        '- `erin`: display_name `Erin`; email `erin@example.com`; groups `ops`; permission `none`',
        '',
        '## Users to change (2)',
        '',
        '- `alice`: email `alice@example.com` -> `alice.new@example.com`',
        '- `bob`: groups + `stash-users`, - `developers`',
        '',
        '## Users to delete (1)',
        '',
        '- `dave`',
        '',
        '## Users failed (1)',
        '',
        '- `frank`: user frank: group no-such-group does not exist (bitbucket_user does not create groups; create '
        'them with dcops.bitbucket.bitbucket_group first)',
        ''])
    assert 'admin-password' not in edited.stdout + (reports / 'bb1.md').read_text()


def test_no_report_without_the_directory_or_outside_check_mode(sim, run_playbook, tmp_path):
    seed(sim)
    groups, users = as_they_are()
    reports = tmp_path / 'drift'
    run_playbook(PLAYBOOK, check=True, inventory=instance_host(sim),
                 extra_vars={'bitbucket_groups': groups, 'bitbucket_users': users})
    run_playbook(PLAYBOOK, inventory=instance_host(sim, reports),
                 extra_vars={'bitbucket_groups': groups, 'bitbucket_users': users})
    assert not reports.exists()
