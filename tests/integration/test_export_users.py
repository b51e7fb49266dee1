"""playbooks/export_users.yml against an instance of 300 users (30 from a read-only directory), 40 groups,
permissions and memberships behind a page cap of 25: the file holds exactly the instance (read-only directory users
left out, or kept for groups and permission only); a second export is byte-identical; the _info modules send the
stated number of GETs; applying the export with manage_users.yml changes nothing (check mode with its drift summary,
and for real), with only GETs; a change made at the simulator shows in git diff as exactly that change; and no
secret appears in any output or file at -vvvv."""

import json
import subprocess
import time
from collections import Counter

import requests
import yaml

from export_fixture import LDAP_FROM, expected_document, expected_info_requests, seed, user_name
from oauth_support import CLIENT_SECRET, VAULT_PASSWORD, seeded_store

API = '/rest/api/latest/'
BASIC = ('admin', 'admin-password')


def inventory(tmp_path, sim, name, export_dir, **host):
    """An inventory directory with host_vars, as a Git repository of users as code holds it."""
    root = tmp_path / name
    (root / 'host_vars').mkdir(parents=True)
    host = dict({'bitbucket_url': sim.url, 'bitbucket_export_dir': str(export_dir)}, **host)
    (root / 'hosts.yml').write_text(yaml.safe_dump({'bitbucket_instances': {'hosts': {'bb1': host}}}))
    return root


def get_counts(sim):
    """GETs per path, without the rate-limit settings: the client reads them (at most two GETs per module run) only
    when its copy of Bitbucket's bucket runs dry, which depends on how fast the answers come."""
    log = sim.control.requests()
    assert {entry['method'] for entry in log} == {'GET'}, 'only GETs'
    counts = Counter(entry['path'][len(API):] for entry in log if entry['path'].startswith(API))
    pacing = [path for path in counts if path.startswith('admin/rate-limit/')]
    assert sum(counts.pop(path) for path in pacing) <= 2 * 2
    return counts


def git(repo, *args):
    return subprocess.run(['git', '-C', str(repo)] + list(args), capture_output=True, text=True, check=True).stdout


def test_export_round_trip_and_git_diff(sim, run_playbook, tmp_path):
    seed(sim)
    exports, everyone = tmp_path / 'users', tmp_path / 'everyone'
    basic = {'bitbucket_username': BASIC[0], 'bitbucket_password': BASIC[1]}
    sim.control.clear_requests()
    started = time.monotonic()
    first = run_playbook('export_users.yml', inventory=inventory(tmp_path, sim, 'inv1', exports, **basic))
    seconds = time.monotonic() - started
    counts = get_counts(sim)
    assert counts == expected_info_requests(), 'GETs per path of bitbucket_group_info and bitbucket_user_info'
    text = (exports / 'bb1.yml').read_text()
    assert yaml.safe_load(text) == expected_document()
    assert text.startswith('---\n# Groups and users of bb1 (%s), written by dcops.bitbucket.export_users.\n' % sim.url)
    assert '\n  - name: user001\n    display_name: User 001\n    email: user001@example.com\n    permission: none\n' \
           '    groups:\n      - stash-users\n      - team01\n      - team10\n' in text
    assert user_name(LDAP_FROM) not in text and 'password' not in text and 'cnryUserPw' not in text
    print('\nexport of 300 users, 40 groups: %d GETs, %.1f s (playbook wall time)' % (sum(counts.values()), seconds))

    # Again, and once more with the read-only directory's users: the same bytes, and no change reported.
    both = inventory(tmp_path, sim, 'inv2', exports, **basic)
    hosts = yaml.safe_load((both / 'hosts.yml').read_text())
    hosts['bitbucket_instances']['hosts']['bb1-all'] = dict(hosts['bitbucket_instances']['hosts']['bb1'],
                                                            bitbucket_export_dir=str(everyone),
                                                            bitbucket_export_directory_users=True)
    (both / 'hosts.yml').write_text(yaml.safe_dump(hosts))
    second = run_playbook('export_users.yml', inventory=both)
    assert (exports / 'bb1.yml').read_text() == text
    assert second.json['stats']['bb1']['changed'] == 0 and first.json['stats']['bb1']['changed'] == 2
    assert yaml.safe_load((everyone / 'bb1-all.yml').read_text()) == expected_document(directory_users=True)

    # Round trip: the export as host_vars, applied in check mode (drift summary) and for real.
    applied = inventory(tmp_path, sim, 'inv3', exports, bitbucket_drift_report_dir=str(tmp_path / 'drift'), **basic)
    (applied / 'host_vars' / 'bb1.yml').write_text(text)
    for check in (True, False):
        sim.control.clear_requests()
        run = run_playbook('manage_users.yml', inventory=applied, check=check)
        assert run.json['stats']['bb1']['changed'] == 0, 'check mode' if check else 'for real'
        get_counts(sim)
        assert run.task_result('Apply users')['msg'] == '271 users reconciled, 0 changed'
    assert (tmp_path / 'drift' / 'bb1.md').read_text() == (
        '# Drift summary: bb1\n\nNo drift: Bitbucket matches the 41 groups and 271 users listed.\n')

    # A change at the simulator between two exports is exactly that change in git diff.
    git(exports, 'init', '-q')
    git(exports, 'add', 'bb1.yml')
    git(exports, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'export')
    session = requests.Session()
    session.auth = BASIC
    session.headers['X-Atlassian-Token'] = 'no-check'
    session.post(sim.url + API + 'admin/users/add-groups', json={'user': 'user007', 'groups': ['team30']}).raise_for_status()
    session.put(sim.url + API + 'admin/permissions/groups', params={'name': 'team02', 'permission': 'ADMIN'}).raise_for_status()
    store = tmp_path / 'store.vault.yml'
    store_data = seeded_store(sim, store, access_expired=True)
    password_file = tmp_path / 'vault-password.txt'
    password_file.write_text(VAULT_PASSWORD + '\n')
    oauth = {'bitbucket_oauth_client_id': 'automation', 'bitbucket_oauth_client_secret': CLIENT_SECRET,
             'bitbucket_oauth_token_store': str(store)}
    third = run_playbook('export_users.yml', inventory=inventory(tmp_path, sim, 'inv4', exports, **oauth),
                         verbosity=4, env={'ANSIBLE_VAULT_PASSWORD_FILE': str(password_file)})
    diff = [line for line in git(exports, 'diff', '--unified=0').splitlines()
            if line[:1] in '+-' and not line.startswith(('+++', '---'))]
    assert diff == ['-    permission: none', '+    permission: ADMIN', '+      - team30']
    assert 'name: team02\n    permission: ADMIN\n' in (exports / 'bb1.yml').read_text()

    # Secret canaries: the tokens (those in the store and those the refresh issued), the client secret, the vault
    # password, the Basic password and the users' passwords, in every output and every file written.
    tokens = {store_data['access_token'], store_data['refresh_token']}
    tokens |= {e['headers'].get('Authorization', '')[len('Bearer '):] for e in sim.control.requests()
               if e['headers'].get('Authorization', '').startswith('Bearer ')}
    secrets = tokens | {CLIENT_SECRET, VAULT_PASSWORD, BASIC[1], 'cnryUserPw'}
    outputs = [r.stdout + r.stderr + json.dumps(r.json) for r in (first, second, third)]
    outputs += [p.read_text() for p in (exports / 'bb1.yml', everyone / 'bb1-all.yml', tmp_path / 'drift' / 'bb1.md')]
    assert len(third.stdout) > 100000, 'the -vvvv run shows the module results'
    for secret in secrets:
        assert len(secret) >= 8 and not any(secret in output for output in outputs), 'a secret was shown'
