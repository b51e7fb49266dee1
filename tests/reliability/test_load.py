# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Load: a bulk reconcile of 5,000 users against a server that caps pages at 25, and enforce_token_expiry.yml over a
fleet of 50 simulator instances. Both must finish; the wall time and the peak memory of the module processes go to
tests/reliability/results/load.json and docs/reliability.md.

Runs only with DCOPS_BITBUCKET_LOAD=1 (`make load`): it takes minutes, so it is not part of `make test`.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time

import pytest

import reliability_report
from case_log import CaseLog
from oauth_support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, seeded_store
from playbook_runs import HERE, REPO, RunTree, run_ansible, write_inventory

pytestmark = pytest.mark.skipif(os.environ.get('DCOPS_BITBUCKET_LOAD') != '1',
                                reason='load tests run with make load (DCOPS_BITBUCKET_LOAD=1)')
LOAD = HERE / 'results' / 'load.json'
USERS = 5000
CHANGED = 50
CREATED = 50
PAGE_CAP = 25
FLEET = 50
FORKS = 10
PEAK_WRAPPER = '''#!{python}
"""Runs a module with the test venv's Python and records the peak resident memory of that process."""
import json, os, resource, subprocess, sys
status = subprocess.call([{python!r}] + sys.argv[1:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(os.environ['PEAK_RSS_FILE'], 'a') as handle:
    handle.write(json.dumps({{'module': os.path.basename(sys.argv[-1]), 'peak_kib': peak}}) + '\\n')
sys.exit(status)
'''
BULK_PLAYBOOK = '''- name: Bulk reconcile
  hosts: all
  gather_facts: false
  tasks:
    - name: Reconcile the users
      dcops.bitbucket.bitbucket_user:
        url: "{{ bitbucket_url }}"
        url_username: admin
        url_password: admin-password
        users: "{{ load_users }}"
      register: load_result
'''


@pytest.fixture(scope='module')
def figures():
    """Figures and cases recorded by the tests of this module, written to load.json and the page at the end."""
    recorded = {'figures': [], 'cases': []}
    yield recorded
    recorded['machine'] = '%d CPU cores (load average %.1f at the end), %s, Python %s' % (
        os.cpu_count(), os.getloadavg()[0], platform.system(), platform.python_version())
    recorded['generated'] = time.strftime('%Y-%m-%d')
    LOAD.write_text(json.dumps(recorded, indent=1, sort_keys=True) + '\n')
    reliability_report.main([])


def peak_wrapper(tree):
    """An interpreter for ansible_python_interpreter that records each module process's peak memory."""
    path = tree.inputs / 'python-with-peak-memory'
    path.write_text(PEAK_WRAPPER.format(python=sys.executable))
    path.chmod(0o755)
    return str(path), tree.scan / 'peak-rss.jsonl'


def peaks(path, module):
    """Peak memory in MiB of the processes of one module."""
    values = [json.loads(line)['peak_kib'] for line in path.read_text().splitlines()
              if module in json.loads(line)['module']] if path.exists() else []
    return [value / 1024.0 for value in values]


def record(figures, request, case, expected, observed, holds):
    log = CaseLog(request.node, 'Load')
    log.check(case, expected, observed, holds)
    figures['cases'].append(dict(log.cases[0], test='tests/reliability/test_load.py::%s' % request.node.name))
    log.verify()


def test_bulk_reconcile_of_5000_users(sim_factory, collection_env, figures, request, tmp_path):
    (instance,) = sim_factory(1, page_cap=PAGE_CAP)
    existing = [{'name': 'user%04d' % n, 'displayName': 'User %04d' % n, 'emailAddress': 'user%04d@example.com' % n}
                for n in range(USERS - CREATED)]
    instance.control.seed(users=existing)
    desired = [{'name': user['name'], 'display_name': user['displayName'], 'email': user['emailAddress']}
               for user in existing]
    for item in desired[:CHANGED]:
        item['display_name'] += ' (renamed)'
    desired += [{'name': 'new%04d' % n, 'display_name': 'New %04d' % n, 'email': 'new%04d@example.com' % n,
                 'password': 'pw-new-%04d-x' % n} for n in range(CREATED)]
    tree = RunTree(tmp_path)
    interpreter, peak_file = peak_wrapper(tree)
    playbook = tree.inputs / 'bulk.yml'
    playbook.write_text(BULK_PLAYBOOK)
    inventory = write_inventory(tree.inputs / 'inventory.json', {'bitbucket': {
        'bitbucket_url': instance.url, 'load_users': desired}}, ansible_python_interpreter=interpreter)
    env = {'PEAK_RSS_FILE': str(peak_file)}

    first = run_ansible(collection_env, tree, playbook, inventory, env=env)
    first_seconds = tree.timings().get('Reconcile the users', {}).get('bitbucket')
    first_requests = instance.control.requests()
    instance.control.clear_requests()
    second = run_ansible(collection_env, tree, playbook, inventory, env=env)
    second_seconds = tree.timings().get('Reconcile the users', {}).get('bitbucket')
    second_requests = instance.control.requests()
    memory = peaks(peak_file, 'bitbucket_user')
    state = {user['name']: user for user in instance.control.state()['users']}

    result = first.task_results('Reconcile the users')[0]
    changed = sum(1 for item in result.get('users', []) if item['changed'])
    held = first.rc == 0 and second.rc == 0 and changed == CHANGED + CREATED and len(state) >= USERS and \
        not any(item['changed'] for item in second.task_results('Reconcile the users')[0].get('users', []))
    by_method = {}
    for entry in first_requests:
        by_method[entry['method']] = by_method.get(entry['method'], 0) + 1
    detail = ('%d users (%d renamed, %d created, the rest unchanged), server page cap %d: %d requests (%s) in the first '
              'run, %d (all GET) in the second, which changed nothing (%.1f s)' % (
                  USERS, CHANGED, CREATED, PAGE_CAP, len(first_requests),
                  ', '.join('%d %s' % (n, m) for m, n in sorted(by_method.items())), len(second_requests),
                  second_seconds or 0))
    figures['figures'].append({'scenario': 'bitbucket_user: bulk reconcile of %d users' % USERS,
                               'wall_seconds': first_seconds or first.seconds, 'peak_rss_mib': max(memory or [0]),
                               'detail': detail})
    record(figures, request, 'bulk reconcile of %d users, page cap %d' % (USERS, PAGE_CAP),
           'finishes; every change made and reported; a second run changes nothing',
           '%s; %d users reported changed; second run changed nothing: %s' % (
               'finished' if first.rc == 0 else 'failed: %s' % result.get('msg'), changed, second.rc == 0), held)


def test_fleet_of_50_instances(sim_factory, collection_env, figures, request, tmp_path):
    instances = sim_factory(FLEET)
    tree = RunTree(tmp_path)
    interpreter, peak_file = peak_wrapper(tree)
    hosts = {}
    for index, instance in enumerate(instances):
        store = tree.inputs / ('store-%02d.vault.yml' % index)
        seeded_store(instance, store)
        instance.control.seed(users=[{'name': 'user%d' % n} for n in range(5)],
                              access_tokens=[{'user': 'user0', 'name': 'forever', 'permissions': ['REPO_READ']}])
        hosts['bitbucket%02d' % index] = {
            'bitbucket_url': instance.url, 'bitbucket_oauth_client_id': CLIENT_ID,
            'bitbucket_oauth_client_secret': CLIENT_SECRET, 'bitbucket_oauth_redirect_uri': REDIRECT_URI,
            'bitbucket_oauth_token_store': str(store), 'bitbucket_access_token_max_expiry_days': 90,
            'bitbucket_access_token_audit': True}
    inventory = write_inventory(tree.inputs / 'inventory.json', hosts, group='bitbucket_instances',
                                ansible_python_interpreter=interpreter)
    run = run_ansible(collection_env, tree, REPO / 'playbooks' / 'enforce_token_expiry.yml', inventory, forks=FORKS,
                      env={'PEAK_RSS_FILE': str(peak_file)})
    memory = peaks(peak_file, 'bitbucket_access_token')
    failed = sorted(host for host, stats in run.json.get('stats', {}).items() if stats['failures'])
    policies = sum(1 for instance in instances if instance.control.state()['policy'] == {'maxExpiryDays': 90})
    figures['figures'].append({
        'scenario': 'playbooks/enforce_token_expiry.yml over %d instances (forks %d)' % (FLEET, FORKS),
        'wall_seconds': run.seconds, 'peak_rss_mib': max(memory or [0]),
        'detail': 'one refresh, the policy and an audit per instance; %d module processes measured' % len(memory)})
    record(figures, request, 'enforce_token_expiry.yml over %d instances' % FLEET,
           'finishes; every instance gets the policy',
           '%d of %d instances have the policy; hosts that failed: %s' % (policies, FLEET, ', '.join(failed) or 'none'),
           run.rc == 0 and policies == FLEET)
