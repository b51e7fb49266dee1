# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmark's scenarios and baselines: how each simulator is prepared and what each repetition measures.

Every scenario has ``prepare()`` (once, untimed) and ``measure(results, heavy)`` (once per repetition; the long
baselines, the uri loops and the fleet, run only in the repetitions where ``heavy`` is true). The runner calls the
scenarios in turn for each repetition, so that a slow spell of a shared machine hits every figure alike.
"""

import collections
import subprocess
import sys
import time

from runner import REPO, protocol_floor

# runner put the collection on sys.path (through tests/conftest.py), so these imports come after it.
from ansible.parsing.vault import VaultSecret  # pylint: disable=wrong-import-order
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_store import (  # pylint: disable=wrong-import-order
    TokenStore,
)

CLIENT_ID = 'bench-client'
CLIENT_SECRET = 'bench-client-secret'
REDIRECT_URI = 'http://127.0.0.1:8765/callback'
VAULT_PASSWORD = 'bench-vault-password'
MAX_EXPIRY_DAYS = 90
MEASURED = 'Measured'
URI_LOOP_TASKS = ('Read each user', 'Update each user that differs')
URI_LOOP_USERS = 100
CHANGE_EVERY = 20  # 1 user in 20 changes: 50 of 1,000 (5 of the 100 in the uri loop)
GROUPS, MEMBERS_PER_GROUP = 100, 10
ENFORCE_PLAYBOOK = REPO / 'playbooks' / 'enforce_token_expiry.yml'


class Results:
    """Samples (seconds) per figure, request counts per scenario, and notes on what could not be measured."""

    def __init__(self):
        self.samples = collections.defaultdict(list)
        self.requests = {}
        self.facts = {}
        self.notes = []

    def as_dict(self):
        return {'samples': self.samples, 'requests': self.requests, 'facts': self.facts, 'notes': self.notes}

    @classmethod
    def from_dict(cls, data):
        results = cls()
        results.samples.update(data['samples'])
        results.requests.update(data['requests'])
        results.facts.update(data.get('facts', {}))
        results.notes.extend(data['notes'])
        return results

    def add(self, key, seconds):
        self.samples[key].append(seconds)

    def count_requests(self, key, counts):
        """Record the request counts of one run; a later run that sent other requests is recorded as a problem."""
        counts = dict(counts)
        if key in self.requests and self.requests[key] != counts:
            self.notes.append('%s: request counts differed between repetitions: %s, then %s'
                              % (key, self.requests[key], counts))
        self.requests.setdefault(key, counts)


def bench_user(index, changed=False):
    """A user in the simulator's shape and, with changed, the desired state that differs from it."""
    name = 'bench-user-%05d' % index
    return {'name': name, 'displayName': ('Renamed User %d' if changed else 'Bench User %d') % index,
            'emailAddress': '%s@example.com' % name}


def desired_users(count, changes=False):
    """The `users` list of bitbucket_user for the first ``count`` bench users; every 20th differs with changes."""
    wanted = []
    for index in range(count):
        user = bench_user(index, changed=changes and index % CHANGE_EVERY == 0)
        wanted.append({'name': user['name'], 'display_name': user['displayName'], 'email': user['emailAddress']})
    return wanted


def request_counts(control):
    """{'GET': n, ..., 'token': n} of the instance's request log (the control API is not logged)."""
    log = control.requests()
    counts = collections.Counter(entry['method'] for entry in log)
    counts['token'] = sum(1 for entry in log if entry['family'] == 'token')
    counts['total'] = len(log)
    return counts


def prepare_instance(instance, users=0, policy=None, **config):
    """Reset, seed ``users`` bench users, the OAuth client and the policy; returns fresh tokens for admin."""
    control = instance.control
    control.reset()
    if config:
        control.config(**config)
    control.seed(users=[bench_user(i) for i in range(users)], policy=policy,
                 oauth_clients=[{'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET,
                                 'redirect_uris': [REDIRECT_URI]}])
    tokens = control.issue_tokens(CLIENT_ID)
    control.clear_requests()
    return tokens


def write_token_store(path, url, tokens):
    """The vault-encrypted store the consent playbook would leave behind."""
    store = TokenStore(str(path), [('default', VaultSecret(VAULT_PASSWORD.encode()))])
    data = {'url': url, 'client_id': CLIENT_ID, 'redirect_uri': REDIRECT_URI,
            'refresh_token': tokens['refresh_token'], 'refresh_token_issued_at': int(time.time()),
            'access_token': tokens['access_token'], 'expires_at': tokens['expires_at'], 'token_type': 'bearer',
            'scope': ['ADMIN_WRITE']}
    with store.locked():
        store.write(data)


def vault_password_file(workdir):
    path = workdir / 'vault-password'
    path.write_text(VAULT_PASSWORD)
    return path


def session_vars(url, store):
    """The oauth_session role's variables for one instance."""
    return {'bitbucket_url': url, 'bitbucket_oauth_client_id': CLIENT_ID,
            'bitbucket_oauth_client_secret': CLIENT_SECRET, 'bitbucket_oauth_redirect_uri': REDIRECT_URI,
            'bitbucket_oauth_token_store': str(store)}


class Scenario:
    """Base: an Ansible runner, a work directory and the localhost inventory."""

    def __init__(self, ansible):
        self.ansible = ansible
        self.localhost = ansible.inventory('localhost', {'localhost': {}})

    def prepare(self):
        """Untimed set-up, once."""

    def measure(self, results, heavy):
        raise NotImplementedError


class PingFloor(Scenario):
    """Ansible's own floor: the wall time of one ansible.builtin.ping task; and what importing requests costs a
    fresh Python (the uri module does not use requests, the collection's modules do)."""

    def measure(self, results, heavy):
        results.add('ping.task', self.ansible.run('ping.yml', self.localhost).task_seconds(MEASURED))
        results.add('import.requests', _python_seconds('import requests') - _python_seconds('pass'))


def _python_seconds(code, runs=5):
    """Median wall time of a fresh Python (this venv's) running ``code``."""
    times = []
    for dummy in range(runs):
        started = time.monotonic()
        subprocess.run([sys.executable, '-c', code], check=True)
        times.append(time.monotonic() - started)
    return sorted(times)[runs // 2]


class PolicyNoChange(Scenario):
    """bitbucket_access_token_policy with the policy already right and a fresh access token in the store."""

    def __init__(self, ansible, instance):
        super().__init__(ansible)
        self.instance = instance
        self.token = None
        self.vars = None

    def prepare(self):
        tokens = prepare_instance(self.instance, policy={'maxExpiryDays': MAX_EXPIRY_DAYS})
        self.token = tokens['access_token']
        store = self.ansible.workdir / 'policy-store.yml'
        write_token_store(store, self.instance.url, tokens)
        self.vars = self.ansible.vars_file('policy', dict(
            session_vars(self.instance.url, store), bench_url=self.instance.url, bench_token=self.token,
            bench_max_expiry_days=MAX_EXPIRY_DAYS))

    def measure(self, results, heavy):
        control = self.instance.control
        uri = self.ansible.run('uri_get.yml', self.localhost, self.vars)
        results.add('policy.uri_task', uri.task_seconds(MEASURED))
        control.clear_requests()
        module = self.ansible.run('policy.yml', self.localhost, self.vars,
                                  vault_password_file=vault_password_file(self.ansible.workdir))
        results.add('policy.module_task', module.task_seconds(MEASURED))
        results.count_requests('policy.module', request_counts(control))
        floor = protocol_floor(self.instance.url, self.token, 'policy')
        results.add('policy.floor', floor['seconds'])
        results.count_requests('policy.floor', floor['requests'])


class UsersNoChange(Scenario):
    """bitbucket_user with ``size`` users that all match already (page cap 25), against the protocol floor and
    against a module that takes the same argument and returns the same result without HTTP (the task's shape).

    With uri_loop, also the per-user loop of ansible.builtin.uri tasks over the first 100 users.
    """

    def __init__(self, ansible, instance, size, uri_loop=False):
        super().__init__(ansible)
        self.instance = instance
        self.size = size
        self.uri_loop = uri_loop
        self.token = None
        self.vars = self.loop_vars = self.desired = None

    def prepare(self):
        self.token = prepare_instance(self.instance, users=self.size)['access_token']
        wanted = desired_users(self.size)
        self.desired = self.ansible.vars_file('users-%d-desired' % self.size, wanted)
        base = {'bench_url': self.instance.url, 'bench_token': self.token}
        self.vars = self.ansible.vars_file('users-%d' % self.size, dict(base, bench_users=wanted))
        self.loop_vars = self.ansible.vars_file('users-%d-loop' % self.size,
                                                dict(base, bench_users=wanted[:URI_LOOP_USERS]))

    def measure(self, results, heavy):
        key = 'users.%d' % self.size
        control = self.instance.control
        control.clear_requests()
        module = self.ansible.run('users.yml', self.localhost, self.vars)
        results.add(key + '.module_task', module.task_seconds(MEASURED))
        results.count_requests(key + '.module', request_counts(control))
        floor = protocol_floor(self.instance.url, self.token, 'users', self.desired)
        results.add(key + '.floor', floor['seconds'])
        results.count_requests(key + '.floor', floor['requests'])
        shape = self.ansible.run('users_shape.yml', self.localhost, self.vars)
        results.add(key + '.shape_task', shape.task_seconds(MEASURED))
        if self.uri_loop and heavy:
            control.clear_requests()
            loop = self.ansible.run('users_uri.yml', self.localhost, self.loop_vars)
            results.add(key + '.uri_loop_100', sum(loop.task_seconds(name) for name in URI_LOOP_TASKS))
            results.count_requests(key + '.uri_loop_100', request_counts(control))


class UsersWithChanges(Scenario):
    """1,000 users of which 50 differ: the module, the protocol floor and the uri loop (100 users, 5 changes).

    Each run changes the simulator, so every run starts from a freshly seeded instance (untimed).
    """

    SIZE = 1000

    def __init__(self, ansible, instance):
        super().__init__(ansible)
        self.instance = instance
        self.wanted = desired_users(self.SIZE, changes=True)
        self.desired = ansible.vars_file('changes-desired', self.wanted)

    def _reseed(self, name, users):
        """A freshly seeded instance; returns its token and the extra vars of a run applying ``users``."""
        token = prepare_instance(self.instance, users=self.SIZE)['access_token']
        return token, self.ansible.vars_file(name, {'bench_url': self.instance.url, 'bench_token': token,
                                                    'bench_users': users})

    def measure(self, results, heavy):
        control = self.instance.control
        dummy, extra_vars = self._reseed('changes', self.wanted)
        module = self.ansible.run('users.yml', self.localhost, extra_vars)
        results.add('changes.module_task', module.task_seconds(MEASURED))
        results.count_requests('changes.module', request_counts(control))

        token, dummy = self._reseed('changes', self.wanted)
        floor = protocol_floor(self.instance.url, token, 'users', self.desired)
        results.add('changes.floor', floor['seconds'])
        results.count_requests('changes.floor', floor['requests'])

        if not heavy:
            return
        dummy, extra_vars = self._reseed('changes-loop', self.wanted[:URI_LOOP_USERS])
        loop = self.ansible.run('users_uri.yml', self.localhost, extra_vars)
        results.add('changes.uri_loop_100', sum(loop.task_seconds(name) for name in URI_LOOP_TASKS))
        results.count_requests('changes.uri_loop_100', request_counts(control))


class GroupsNoChange(Scenario):
    """bitbucket_group with 100 groups of 10 members each, all as desired (page cap 25), against the protocol floor."""

    def __init__(self, ansible, instance):
        super().__init__(ansible)
        self.instance = instance
        self.token = self.vars = self.desired = None

    def prepare(self):
        self.token = prepare_instance(self.instance)['access_token']
        names = ['bench-group-%03d' % index for index in range(GROUPS)]
        users = [dict(bench_user(index), groups=[names[index // MEMBERS_PER_GROUP]])
                 for index in range(GROUPS * MEMBERS_PER_GROUP)]
        self.instance.control.seed(groups=[{'name': name} for name in names], users=users)
        wanted = [{'name': name, 'members': [user['name'] for user in users if user['groups'] == [name]]}
                  for name in names]
        self.desired = self.ansible.vars_file('groups-desired', wanted)
        self.vars = self.ansible.vars_file('groups', {'bench_url': self.instance.url, 'bench_token': self.token,
                                                      'bench_groups': wanted})

    def measure(self, results, heavy):
        control = self.instance.control
        control.clear_requests()
        module = self.ansible.run('groups.yml', self.localhost, self.vars)
        results.add('groups.module_task', module.task_seconds(MEASURED))
        results.count_requests('groups.module', request_counts(control))
        floor = protocol_floor(self.instance.url, self.token, 'groups', self.desired)
        results.add('groups.floor', floor['seconds'])
        results.count_requests('groups.floor', floor['requests'])


class Fleet(Scenario):
    """playbooks/enforce_token_expiry.yml over 50 instances with -f 25, against as many pings per host.

    Each instance's access token lives 60 s, less than the role's min_validity (300 s): every run refreshes on
    every host (token request, rotation, vault write), as a daily scheduled job does; the policy is already right.
    """

    FORKS = 25

    def __init__(self, ansible, instances):
        super().__init__(ansible)
        self.instances = instances
        self.hosts = ['bitbucket%02d' % (index + 1) for index in range(len(instances))]
        self.inventory = self.vars = self.vault = None
        self.ping_playbook = None
        self.tasks_per_host = None

    def prepare(self):
        hosts = {}
        stores = self.ansible.workdir / 'fleet-stores'
        stores.mkdir(exist_ok=True)
        for host, instance in zip(self.hosts, self.instances):
            tokens = prepare_instance(instance, policy={'maxExpiryDays': MAX_EXPIRY_DAYS}, access_token_ttl=60)
            store = stores / ('%s.yml' % host)
            write_token_store(store, instance.url, tokens)
            hosts[host] = {'bitbucket_url': instance.url, 'bitbucket_oauth_token_store': str(store)}
        group_vars = {'bitbucket_oauth_client_id': CLIENT_ID, 'bitbucket_oauth_client_secret': CLIENT_SECRET,
                      'bitbucket_oauth_redirect_uri': REDIRECT_URI,
                      'bitbucket_access_token_max_expiry_days': MAX_EXPIRY_DAYS}
        self.inventory = self.ansible.inventory('fleet', hosts, group='bitbucket_instances', group_vars=group_vars)
        self.vault = vault_password_file(self.ansible.workdir)

    def enforce(self):
        return self.ansible.run(ENFORCE_PLAYBOOK, self.inventory, forks=self.FORKS, vault_password_file=self.vault)

    def _write_ping_playbook(self, count):
        lines = ['---', "- name: Ansible's floor for the fleet", '  hosts: bitbucket_instances',
                 '  gather_facts: false', '  tasks:']
        for number in range(1, count + 1):
            lines += ['    - name: Ping %d' % number, '      ansible.builtin.ping:']
        path = self.ansible.workdir / 'fleet-pings.yml'
        path.write_text('\n'.join(lines) + '\n')
        return path

    def measure(self, results, heavy):
        if not heavy:
            return
        for instance in self.instances:
            instance.control.clear_requests()
        run = self.enforce()
        results.add('fleet.enforce', run.playbook_seconds)
        total = collections.Counter()
        for instance in self.instances:
            total.update(request_counts(instance.control))
        results.count_requests('fleet.enforce', total)
        if self.ping_playbook is None:
            # The ping playbook runs as many tasks per host as the first enforce run ran on a host.
            self.tasks_per_host = max(run.executed_tasks(host) for host in self.hosts)
            self.ping_playbook = self._write_ping_playbook(self.tasks_per_host)
        results.facts['fleet.tasks'] = (self.tasks_per_host, len(run.tasks))
        results.add('fleet.pings', self.ansible.run(self.ping_playbook, self.inventory,
                                                    forks=self.FORKS).playbook_seconds)
