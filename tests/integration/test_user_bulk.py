"""500 users in one bitbucket_user task with a server page cap of 25: a run that changes nothing sends only GETs
(counted and timed), check mode shows the drift per user, and a few changes make exactly those writes."""

import json
import math
import urllib.parse
from pathlib import Path

from test_user_module import API, segments

COUNT = 500
PAGE_CAP = 25
TEAM = 5  # users whose groups are managed: only their memberships are read
REPORT = Path(__file__).resolve().parents[2] / 'build' / 'logs' / 'user_bulk.json'


def write_details(entries):
    return sorted((e['method'], e['path'][len(API):], e['query'], e['body']) for e in entries if e['method'] != 'GET')


def name(i):
    return 'user%03d' % i


def as_they_are():
    users = [{'name': name(i), 'display_name': 'User %03d' % i, 'email': '%s@example.com' % name(i)}
             for i in range(COUNT)]
    for user in users[:TEAM]:
        user['groups'] = ['stash-users', 'team']
    return users


def test_five_hundred_users(sim, run_playbook):
    sim.control.config(page_cap=PAGE_CAP)
    seeded = [{'name': u['name'], 'displayName': u['display_name'], 'emailAddress': u['email'],
               'groups': ['team'] if 'groups' in u else []} for u in as_they_are()]
    sim.control.seed(groups=[{'name': 'team'}], users=seeded)
    wanted = as_they_are()
    for i in (1, 2, 3):
        wanted[i]['email'] = 'renumbered.%d@example.com' % i
    for i in (10, 11):
        wanted[i]['display_name'] = 'Renamed %d' % i
    wanted[COUNT - 1] = {'name': name(COUNT - 1), 'state': 'absent'}
    wanted += [{'name': 'new%d' % i, 'display_name': 'New %d' % i, 'email': 'new%d@example.com' % i, 'notify': True}
               for i in (1, 2)]

    run = run_playbook('user_bulk.yml', extra_vars={'sim_url': sim.url, 'users_as_they_are': as_they_are(),
                                                    'users_wanted': wanted})
    log, state = segments(sim), sim.control.state()

    unchanged = run.task_result('Apply the users as they are')
    assert unchanged['changed'] is False and unchanged['msg'] == '500 users reconciled, 0 changed'
    assert all(not u['changed'] and not u['failed'] for u in unchanged['users'])
    gets = log['unchanged']
    assert all(e['method'] == 'GET' for e in gets)
    paths = [e['path'][len(API):] for e in gets]
    user_pages = math.ceil((COUNT + 1) / PAGE_CAP)  # the seeded admin is listed too
    assert paths.count('admin/users') == user_pages
    assert paths.count('admin/permissions/users') == 1 and paths.count('admin/groups') == 1
    assert sorted(urllib.parse.parse_qs(e['query'])['context'][0] for e in gets
                  if e['path'].endswith('more-members')) == [name(i) for i in range(TEAM)]
    assert len(gets) == user_pages + 2 + TEAM
    seconds = float(run.task_result('Stop the clock')['ansible_facts']['unchanged_seconds'])

    drift = run.task_result('Show the drift')
    assert drift['changed'] and drift['msg'] == '502 users reconciled, 8 changed'
    assert write_details(log['drift']) == []
    changed = dict((u['name'], u) for u in drift['users'] if u['changed'])
    assert sorted(changed) == sorted([name(1), name(2), name(3), name(10), name(11), name(COUNT - 1), 'new1', 'new2'])
    assert changed[name(1)]['diff']['before']['email'] == 'user001@example.com'
    assert changed[name(1)]['diff']['after']['email'] == 'renumbered.1@example.com'
    assert changed[name(COUNT - 1)]['diff']['after'] == {'state': 'absent'}
    assert changed['new1']['diff']['before'] == {'state': 'absent'}
    assert len(drift['diff']) == 8

    applied = run.task_result('Apply the changes')
    assert applied['changed'] and [u['name'] for u in applied['users'] if u['changed']] == [
        name(1), name(2), name(3), name(10), name(11), name(COUNT - 1), 'new1', 'new2']
    made = write_details(log['apply'])
    assert [write[:2] for write in made] == [
        ('DELETE', 'admin/users')] + [('POST', 'admin/users')] * 2 + [('PUT', 'admin/users')] * 5
    assert made[0][2] == 'name=%s' % name(COUNT - 1)
    assert sorted((json.loads(write[3]) for write in made if write[3]), key=lambda b: b['name']) == sorted(
        [{'name': name(i), 'email': 'renumbered.%d@example.com' % i} for i in (1, 2, 3)]
        + [{'name': name(i), 'displayName': 'Renamed %d' % i} for i in (10, 11)], key=lambda b: b['name'])
    emails = dict((u['name'], u['emailAddress']) for u in state['users'])
    assert [emails[name(i)] for i in (1, 2, 3)] == ['renumbered.%d@example.com' % i for i in (1, 2, 3)]
    assert emails[name(4)] == 'user004@example.com' and name(COUNT - 1) not in emails
    assert emails['new1'] == 'new1@example.com' and len(emails) == COUNT + 2  # admin, 499 kept, 2 new

    again = run.task_result('Apply the changes again')
    assert again['changed'] is False and write_details(log['again']) == []

    report = {'users': COUNT, 'page_cap': PAGE_CAP, 'no_change_gets': len(gets), 'no_change_task_seconds': seconds}
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report))
    print('500-user no-change run: %(no_change_gets)d GETs, %(no_change_task_seconds).2f s' % report)
