"""The fleet summary of playbooks/enforce_token_expiry.yml over 5 instances, one of them down: fleet-summary.md and
fleet-summary.json have a row for each instance (the failed one included, with its reason), the other instances
are enforced and audited, and the run fails for the instance that was down only."""

import json
import socket
import time

from test_enforce_playbook import PLAYBOOK, fleet

DAY_MS = 86400000


def dead_url():
    """A loopback URL where nothing listens (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    return 'http://127.0.0.1:%d' % port


def basic_host(url, reports, **extra):
    host = {'bitbucket_url': url, 'bitbucket_username': 'admin', 'bitbucket_password': 'admin-password',
            'bitbucket_access_token_max_expiry_days': 30, 'bitbucket_access_token_audit': True,
            'bitbucket_access_token_report_dir': str(reports)}
    host.update(extra)
    return host


def test_five_instances_one_down_make_five_rows(sim_factory, run_playbook, tmp_path):
    instances = sim_factory(4)
    now = int(time.time() * 1000)
    for n, instance in enumerate(instances):
        instance.control.seed(users=[{'name': 'alice'}], policy={'maxExpiryDays': 90} if n == 0 else None,
                              access_tokens=[
                                  {'user': 'alice', 'name': 'ok', 'permissions': ['REPO_READ'], 'expiryDays': 10,
                                   'createdDate': now},
                                  {'user': 'alice', 'name': 'forever', 'permissions': ['REPO_READ'], 'createdDate': now},
                                  {'user': 'admin', 'name': 'old', 'permissions': ['REPO_READ'], 'expiryDays': 1,
                                   'createdDate': now - 5 * DAY_MS}][:n + 1])
    reports = tmp_path / 'reports'
    hosts = {'bb%d' % n: basic_host(instance.url, reports) for n, instance in enumerate(instances, start=1)}
    hosts['bb2']['bitbucket_access_token_revoke_noncompliant'] = True
    hosts['bb5'] = basic_host(dead_url(), reports)

    run = run_playbook(PLAYBOOK, inventory=fleet(**hosts), expect_rc=2)

    assert {host: stats['failures'] for host, stats in run.json['stats'].items() if stats['failures']} == {'bb5': 1}
    summary = json.loads((reports / 'fleet-summary.json').read_text())
    rows = {row['instance']: row for row in summary['instances']}
    assert sorted(rows) == ['bb1', 'bb2', 'bb3', 'bb4', 'bb5']
    counts = ('tokens', 'noncompliant', 'never_expiring', 'expired', 'revoked')
    assert {name: tuple(row[key] for key in counts) for name, row in rows.items()} == {
        'bb1': (1, 0, 0, 0, None), 'bb2': (2, 1, 1, 0, 1), 'bb3': (3, 1, 1, 1, None), 'bb4': (3, 1, 1, 1, None),
        'bb5': (None, None, None, None, None)}
    assert [(rows[n]['status'], rows[n]['policy_before'], rows[n]['policy_after']) for n in sorted(rows)] == [
        ('ok', 90, 30), ('ok', None, 30), ('ok', None, 30), ('ok', None, 30), ('failed', None, None)]
    (failure,) = rows['bb5']['failures']
    assert failure['task'].startswith('Require token expiry') and failure['msg'] == 'GET rest/access-tokens/latest/admin: connection refused'
    assert [row['failures'] for name, row in rows.items() if name != 'bb5'] == [[]] * 4
    assert summary['check_mode'] is False and summary['generated_at'].endswith('Z')
    assert sorted(p.name for p in reports.iterdir()) == ['bb1.json', 'bb2.json', 'bb3.json', 'bb4.json',
                                                         'fleet-summary.json', 'fleet-summary.md']

    markdown = (reports / 'fleet-summary.md').read_text()
    lines = markdown.splitlines()
    assert lines[0] == '# Access-token expiry: fleet summary'
    assert lines[2].startswith('5 instances, 1 failed. Generated on ')
    table = [line for line in lines if line.startswith('| bb')]
    assert table == [
        '| bb1 | ok | at most 90 days | at most 30 days | 1 | 0 | 0 | 0 | - | - |',
        '| bb2 | ok | not required | at most 30 days | 2 | 1 | 1 | 0 | 1 | - |',
        '| bb3 | ok | not required | at most 30 days | 3 | 1 | 1 | 1 | - | - |',
        '| bb4 | ok | not required | at most 30 days | 3 | 1 | 1 | 1 | - | - |',
        '| bb5 | failed | - | - | - | - | - | - | - | 1 |']
    assert '## Failures' in markdown and '- `bb5`, Require token expiry' in markdown
    assert 'admin-password' not in markdown + run.stdout + (reports / 'fleet-summary.json').read_text()
