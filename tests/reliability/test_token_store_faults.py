# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Token store faults: a store that is missing, unreadable, damaged, foreign or not writable is refused before any
token is spent, and left as it was; ten runs at once on one store refresh once and all succeed; and a writer killed
with SIGKILL at any point of the write leaves the old store or the new one, never a torn one."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from ansible.parsing.vault import VaultSecret

from ansible_collections.dcops.bitbucket.plugins.plugin_utils._file_token_store import FileTokenStore
from oauth_support import CLIENT_ID, CLIENT_SECRET, read_store, seed_client, seeded_store
from playbook_runs import HERE, PLAYBOOKS, RunTree, failure_text, has_traceback, run_ansible, write_inventory

TASK = 'Refresh through the token store'
CONCURRENT = 10


def other_vault_password(instance, path):
    data = seeded_store(instance, path)
    store = FileTokenStore(str(path), [('default', VaultSecret(b'not-the-password-of-this-run'))])
    with store.locked():
        store.create(data, force=True)


def corrupted(instance, path):
    seeded_store(instance, path)
    lines = path.read_bytes().split(b'\n')
    middle = lines[3]
    lines[3] = middle[:20] + (b'0' if middle[20:21] != b'0' else b'1') + middle[21:]
    path.write_bytes(b'\n'.join(lines))


def truncated(instance, path):
    seeded_store(instance, path)
    raw = path.read_bytes()
    path.write_bytes(raw[:len(raw) // 2])


def emptied(instance, path):
    seeded_store(instance, path)
    path.write_bytes(b'')


# name: (how the store is prepared, what the failure message must say)
REFUSED = {
    'missing store': (lambda instance, path: seed_client(instance), r'does not exist.*dcops\.bitbucket\.bootstrap_oauth'),
    'wrong vault password': (other_vault_password, r'cannot decrypt.*another vault secret'),
    'corrupted file (one byte of the ciphertext changed)': (corrupted, r'cannot decrypt.*damaged'),
    'truncated file (half of it)': (truncated, r'cannot decrypt.*damaged'),
    'truncated file (zero bytes)': (emptied, r'empty.*damaged'),
    'store of another URL': (lambda instance, path: seeded_store(instance, path, url='https://other.example.com'),
                             r'belongs to url https://other\.example\.com.*refusing'),
    'store of another client id': (lambda instance, path: seeded_store(instance, path, client_id='another-client'),
                                   r'belongs to client_id another-client.*refusing'),
    'read-only directory': (seeded_store, r'writable|read-only'),
}
KNOWN = {}


def read_only_wrapper(directory):
    """A command prefix that runs ansible-playbook with ``directory`` mounted read-only (root ignores modes), or
    None where no private mount namespace can be made."""
    probe = subprocess.run(['unshare', '-rm', 'true'], capture_output=True, check=False) \
        if os.path.exists('/usr/bin/unshare') else None
    if probe is None or probe.returncode != 0:
        return None
    return ['unshare', '-rm', 'sh', '-c', 'mount --bind -o ro "$0" "$0" && exec "$@"', str(directory)]


def beside(path):
    return sorted(name for name in os.listdir(path.parent) if name not in (path.name, path.name + '.lock'))


def test_store_faults_and_ten_concurrent_runs(sim_factory, collection_env, case_log, tmp_path):
    log = case_log('Token store faults', known=KNOWN)
    tree = RunTree(tmp_path)
    instances = sim_factory(len(REFUSED) + 1)
    hosts, prepared = {}, {}
    for index, ((name, (prepare, dummy)), instance) in enumerate(zip(REFUSED.items(), instances)):
        directory = tree.inputs / ('case%d' % index)
        directory.mkdir()
        path = directory / 'store.vault.yml'
        prepare(instance, path)
        instance.control.clear_requests()
        prepared[name] = (instance, path, path.read_bytes() if path.exists() else None)
        hosts['case%d' % index] = {'bitbucket_url': instance.url, 'case_client_id': CLIENT_ID,
                                   'case_client_secret': CLIENT_SECRET, 'case_token_store': str(path)}
    wrapper = read_only_wrapper(prepared['read-only directory'][1].parent)
    if wrapper is None:
        del hosts['case%d' % list(REFUSED).index('read-only directory')]

    shared_instance = instances[-1]
    shared = tree.inputs / 'shared' / 'store.vault.yml'
    shared.parent.mkdir()
    shared_before = seeded_store(shared_instance, shared)
    for number in range(CONCURRENT):
        hosts['run%02d' % number] = {'bitbucket_url': shared_instance.url, 'case_client_id': CLIENT_ID,
                                     'case_client_secret': CLIENT_SECRET, 'case_token_store': str(shared)}

    inventory = write_inventory(tree.inputs / 'inventory.json', hosts)
    run = run_ansible(collection_env, tree, PLAYBOOKS / 'store_faults.yml', inventory, forks=len(hosts),
                      wrapper=wrapper or ())
    assert run.json.get('stats'), 'the playbook did not run:\n%s\n%s' % (run.stdout[-3000:], run.stderr[-3000:])
    results = {entry['host']: entry for entry in run.task_results(TASK)}

    for index, (name, (dummy, reason)) in enumerate(REFUSED.items()):
        expected = 'refused before any request, naming the problem ("%s"); the store left as it was' % reason
        if 'case%d' % index not in hosts:
            log.check(name, expected, 'not tried: no private mount namespace (unshare) on this machine, and root '
                                      'ignores directory modes', True)
            continue
        instance, path, before = prepared[name]
        entry = results['case%d' % index]
        problems = []
        if not entry.get('failed'):
            problems.append('did not fail')
        if not re.search(reason, failure_text(entry), re.S):
            problems.append('the message does not name the problem')
        if has_traceback(entry):
            problems.append('traceback')
        requests = instance.control.requests(family='token')
        if requests:
            problems.append('%d token request(s)' % len(requests))
        after = path.read_bytes() if path.exists() else None
        if after != before:
            problems.append('the store changed')
        if beside(path):
            problems.append('files left beside the store: %s' % beside(path))
        log.check(name, expected, '%sfailed: %s; no token request: %s; store unchanged: %s' % (
            'PROBLEMS: %s. ' % '; '.join(problems) if problems else '', failure_text(entry), not requests,
            after == before), not problems)

    concurrent = [results['run%02d' % number] for number in range(CONCURRENT)]
    refreshes = len(shared_instance.control.requests(family='token'))
    stored = read_store(shared)
    valid = shared_instance.control.state()['valid_refresh_tokens']
    succeeded = sum(1 for entry in concurrent if not entry.get('failed'))
    changed = sum(1 for entry in concurrent if entry.get('changed'))
    log.check('ten concurrent runs on one store with an expired access token',
              'one refresh, all ten succeed, the store holds the rotated refresh token',
              '%d refresh request(s); %d of %d runs succeeded, %d reported a change; the store holds the new refresh '
              'token: %s, and it is the valid one: %s' % (refreshes, succeeded, CONCURRENT, changed,
                                                          stored['refresh_token'] != shared_before['refresh_token'],
                                                          valid == [stored['refresh_token']]),
              refreshes == 1 and succeeded == CONCURRENT and changed == 1 and valid == [stored['refresh_token']])
    log.verify()


def test_sigkill_at_every_step_of_the_write_leaves_old_or_new(collection_env, case_log, tmp_path):
    log = case_log('Token store faults')
    completed = subprocess.run([sys.executable, str(HERE / 'kill_during_write.py'), str(tmp_path)],
                               env=dict(os.environ, PYTHONPATH=collection_env['ANSIBLE_COLLECTIONS_PATH']),
                               capture_output=True, text=True, check=False, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout)
    points = report['points']
    outcomes = {state: sum(1 for p in points if p['store'] == state) for state in ('old', 'new', 'torn', 'missing')}
    killed = sum(1 for p in points if p['killed'])
    locked = sum(1 for p in points if not p['lock_free'])
    leftovers = sorted(set(p['name'] for p in points if p['leftovers']))
    stale_after_next_run = sum(1 for p in points if p['leftovers_after_next_run'])
    last_old = max(p['call'] for p in points if p['store'] == 'old')
    first_new = min(p['call'] for p in points if p['store'] == 'new')
    calls = report['calls']
    log.check('a writer killed with SIGKILL before and after each of the %d system calls of a store write'
              % len(calls),
              'every kill leaves the old store or the new one (decrypting to exactly one of them), never a torn or '
              'missing one; the lock is free again at once',
              '%d kills: old store after %d, new after %d, torn %d, missing %d; the switch happens at call %d (%s); '
              'lock held afterwards: %d times; kills between the temporary file and the rename leave it behind '
              '(vault-encrypted) after %s calls, and the next run that takes the lock removes it: %d left after it' % (
                  killed, outcomes['old'], outcomes['new'], outcomes['torn'], outcomes['missing'], first_new,
                  calls[first_new - 1], locked, ', '.join(leftovers) or 'no', stale_after_next_run),
              killed == len(points) == 2 * len(calls) and outcomes['torn'] == outcomes['missing'] == 0 and not locked
              and last_old <= first_new and bool(leftovers) and not stale_after_next_run)
    log.verify()
