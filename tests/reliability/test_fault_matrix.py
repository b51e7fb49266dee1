# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault matrix: every endpoint family (token, policy, users, tokens audit) under every fault the simulator can inject.

One ansible-playbook run covers the whole matrix: each case is one simulator instance with its fault and one host of
the inventory. Each case must end in success within the retry budget, or in a clear failure (the message names what
went wrong) in bounded time; never with a traceback, and never with a write that is not reported (a bulk user run
reports which users were done; a refresh whose answer was lost says so).
"""

from __future__ import annotations

import re
import time

from oauth_support import CLIENT_ID, CLIENT_SECRET, read_store, seeded_store
from playbook_runs import PLAYBOOKS, RunTree, failure_text, has_traceback, run_ansible, write_inventory

TIMEOUT = 5          # the modules' timeout option in this matrix
SLOW = TIMEOUT + 3   # a 'read timeout' answers this late
BOUND = 60           # seconds any case may take, retries and a loaded machine included
TASKS = {'token': 'Token family', 'policy': 'Policy family', 'users': 'Users family', 'audit': 'Tokens audit family'}
FAMILY_FAULT_TARGET = {
    'token': dict(method='POST', path=r'^/rest/oauth2/latest/token$'),
    'policy': dict(method='PUT', path=r'^/rest/access-tokens/latest/admin$'),
    'users': dict(method='POST', path=r'^/rest/api/latest/admin/users$'),
    'audit': dict(method='GET', path=r'^/rest/access-tokens/latest/users/'),
}
FAMILY_TARGET_TEXT = {'token': 'the refresh (POST token)', 'policy': 'the policy write (PUT)',
                      'users': 'the first user creation (POST) of a bulk run of 4 users',
                      'audit': "the first user's token listing (GET)"}
# (name, fault, reason the failure message must give)
FAULTS = [
    ('429 with Retry-After', dict(action='status', status=429, retry_after=1), r'HTTP 429'),
    ('429 without Retry-After', dict(action='status', status=429), r'HTTP 429'),
    ('500', dict(action='status', status=500), r'HTTP 500'),
    ('502', dict(action='status', status=502), r'HTTP 502'),
    ('503', dict(action='status', status=503), r'HTTP 503'),
    ('504', dict(action='status', status=504), r'HTTP 504'),
    ('503 on every attempt', dict(action='status', status=503, times=None), r'HTTP 503'),
    ('read timeout', dict(action='slow', delay=SLOW), r'timed out'),
    ('connection reset', dict(action='reset'), r'reset'),
    ('connection dropped after the server did the work', dict(action='drop_after_refresh'),
     r'closed the connection|without answering|no answer'),
    ('malformed JSON', dict(action='malformed_json'), r'not valid JSON'),
    ('HTML error page from a proxy', dict(action='html', status=502), r'HTTP 502'),
    ('302 to the login page', dict(action='redirect_login'), r'HTTP 302.*login'),
]
TRANSIENT = {'429 with Retry-After', '429 without Retry-After', '502', '503', '504', 'HTML error page from a proxy'}
# Faults after which a retry is safe for the request each family faults (reads, and idempotent writes).
RETRIED = {
    'token': set(),  # the refresh grant is never retried (DESIGN.md): a retry could spend a rotated token
    'policy': TRANSIENT | {'read timeout', 'connection reset', 'connection dropped after the server did the work'},
    'users': TRANSIENT,
    'audit': TRANSIENT | {'read timeout', 'connection reset', 'connection dropped after the server did the work',
                          'malformed JSON'},
}
DESIRED_USERS = [
    {'name': 'u1', 'display_name': 'User One', 'email': 'u1@example.com'},
    {'name': 'u2', 'display_name': 'User Two', 'email': 'u2@example.com', 'password': 'pw-of-u2-Vb3k'},
    {'name': 'u3', 'display_name': 'User Three', 'email': 'u3@example.com', 'password': 'pw-of-u3-Qm8d'},
    {'name': 'u4', 'display_name': 'User Four', 'email': 'u4@example.com'},
]
SEEDED_NAMES = {'u1': 'Old Name', 'u4': 'User Four'}
KNOWN = {}


def seed(family, instance, store):
    """The instance's starting state, and the host variables of its case."""
    host = {'bitbucket_url': instance.url, 'case_family': family, 'case_timeout': TIMEOUT}
    if family == 'token':
        seeded_store(instance, store)
        host.update(case_client_id=CLIENT_ID, case_client_secret=CLIENT_SECRET, case_token_store=str(store))
        return host
    instance.control.seed(users=[{'name': name, 'displayName': display, 'emailAddress': '%s@example.com' % name}
                                 for name, display in SEEDED_NAMES.items()],
                          access_tokens=[{'user': 'u1', 'name': 'ci', 'permissions': ['REPO_READ'], 'expiryDays': 10},
                                         {'user': 'u4', 'name': 'old', 'permissions': ['REPO_READ']}])
    host['case_access_token'] = instance.control.issue_tokens('fault-matrix')['access_token']
    host['case_users'] = DESIRED_USERS
    return host


def settle(instance, wait=SLOW + 5):
    """Wait until every request a fault hit has been answered (a slow one is handled after the client gave up)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if sum(1 for entry in instance.control.requests() if entry.get('fault')) >= fault_hits(instance):
            return
        time.sleep(0.2)


def fault_hits(instance):
    """Requests the fault hit (counted when taken: a slow answer may not be in the request log yet)."""
    return sum(fault['hits'] for fault in instance.control.faults())


def check_users(entry, state):
    """Problems with the bulk user report against what the simulator holds: every write reported."""
    problems, notes = [], []
    users = {u['name']: u for u in state['users']}
    reported = {item['name']: item for item in entry.get('users') or []}
    if sorted(reported) != sorted(u['name'] for u in DESIRED_USERS):
        return ['users[] does not report every user: %s' % sorted(reported)], notes
    for wanted in DESIRED_USERS:
        name, item = wanted['name'], reported[wanted['name']]
        have = users.get(name)
        complete = have is not None and have['displayName'] == wanted['display_name'] and (
            'password' not in wanted or have['password'] == wanted['password'])
        notes.append('%s %s' % (name, 'failed' if item['failed'] else 'changed' if item['changed'] else 'unchanged'))
        if item['failed']:
            if name not in entry.get('msg', ''):
                problems.append('the task message does not name the failed user %s' % name)
            touched = have is not None and (name not in SEEDED_NAMES or have['displayName'] != SEEDED_NAMES[name])
            if touched and not complete and not re.search(r'already done|may have|unknown', item['msg']):
                problems.append('%s was partly written (exists: %s, password set: %s) but its message says nothing '
                                'of it: %s' % (name, have is not None,
                                               have is not None and have['password'] == wanted.get('password'),
                                               item['msg']))
        elif not complete:
            problems.append('%s reported done but Bitbucket does not hold it as wanted' % name)
    return problems, notes


def check_token(entry, store, instance):
    """The refresh token in the store is alive, or the message says the refresh may have happened."""
    stored = read_store(store)
    alive = stored['refresh_token'] in instance.control.state()['valid_refresh_tokens']
    if alive:
        return [], ['the stored refresh token is still valid']
    if re.search(r'may have accepted', failure_text(entry)):
        return [], ['the refresh token was spent by the server; the message says it may have been']
    return ['the stored refresh token is dead and the message does not say the refresh may have happened'], []


def judge(family, name, reason, entry, seconds, instance, store):
    """(expected, observed, holds) of one case."""
    succeeds = name in RETRIED[family]
    expected = ('success after a retry' if succeeds else 'clear failure naming "%s"' % reason.replace('.*', ' ... ')) \
        + ', within %d s, no traceback, every write reported' % BOUND
    failed = bool(entry.get('failed'))
    problems, notes = [], []
    if has_traceback(entry):
        problems.append('traceback')
    if seconds is None or seconds > BOUND:
        problems.append('took %s s' % seconds)
    if succeeds and failed:
        problems.append('failed')
    if not succeeds:
        if not failed:
            problems.append('did not fail')
        elif not re.search(reason, failure_text(entry), re.S):
            problems.append('the message does not name the cause')
    if family == 'users':
        more, notes = check_users(entry, instance.control.state())
        problems += more
        notes = ['users reported: ' + ', '.join(notes)]
    if family == 'token':
        more, notes = check_token(entry, store, instance)
        problems += more
    if family == 'policy' and not failed and instance.control.state()['policy'] != {'maxExpiryDays': 30}:
        problems.append('the policy was not set')
    hits = fault_hits(instance)
    message = failure_text(entry)
    outcome = 'failed: %s' % (message if len(message) < 240 else message[:237] + '...') if failed else 'succeeded'
    prefix = 'PROBLEMS: %s. ' % '; '.join(problems) if problems else ''
    suffix = '; ' + '; '.join(notes) if notes else ''
    observed = '%s%s (fault hit %d request%s)%s' % (prefix, outcome, hits, '' if hits == 1 else 's', suffix)
    return expected, observed, not problems


def test_every_family_under_every_fault(sim_factory, collection_env, case_log, tmp_path):
    log = case_log('Fault matrix', known=KNOWN)
    cases = [(family, name, fault, reason) for family in TASKS for name, fault, reason in FAULTS]
    instances = sim_factory(len(cases))
    tree = RunTree(tmp_path)
    hosts = {}
    for index, ((family, name, fault, reason), instance) in enumerate(zip(cases, instances)):
        store = tree.inputs / ('store-%d.yml' % index)
        hosts['case%02d' % index] = seed(family, instance, store)
        instance.control.fault(**dict(FAMILY_FAULT_TARGET[family], **fault))
    inventory = write_inventory(tree.inputs / 'inventory.json', hosts)

    result = run_ansible(collection_env, tree, PLAYBOOKS / 'fault_matrix.yml', inventory, forks=len(FAULTS))
    timings = tree.timings()
    assert result.json.get('stats'), 'the playbook did not run:\n%s\n%s' % (result.stdout[-3000:], result.stderr)
    assert 'Traceback' not in result.stdout + result.stderr

    for index, ((family, name, fault, reason), instance) in enumerate(zip(cases, instances)):
        host = 'case%02d' % index
        entry = {item['host']: item for item in result.task_results(TASKS[family])}[host]
        seconds = timings.get(TASKS[family], {}).get(host)
        settle(instance)
        expected, observed, holds = judge(family, name, reason, entry, seconds, instance,
                                          tree.inputs / ('store-%d.yml' % index))
        log.check('%s: %s on %s' % (family, name, FAMILY_TARGET_TEXT[family]), expected, observed, holds)
    log.verify()
