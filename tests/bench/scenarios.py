# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmark's scenarios and baselines: how each simulator is prepared and what each repetition measures.

Every scenario has ``prepare()`` (once, untimed) and ``measure(results, heavy)`` (once per repetition; the long
baselines, the uri loops and the fleet, run only in the repetitions where ``heavy`` is true). The runner calls the
scenarios in turn for each repetition, so that a slow spell of a shared machine hits every figure alike.
"""

import subprocess
import sys
import time

from bench_data import GROUPS, MAX_EXPIRY_DAYS, MEASURED, MEMBERS_PER_GROUP, URI_LOOP_TASKS
from bench_data import URI_LOOP_USERS, bench_user, desired_users, prepare_instance, request_counts, session_vars
from bench_data import vault_password_file, write_token_store
from runner import protocol_floor


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

    With uri_loop, also the per-user loop of ansible.builtin.uri tasks over the first URI_LOOP_USERS users.
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
            results.add(key + '.uri_loop', sum(loop.task_seconds(name) for name in URI_LOOP_TASKS))
            results.count_requests(key + '.uri_loop', request_counts(control))


class UsersWithChanges(Scenario):
    """1,000 users of which 50 differ: the module, the protocol floor and the uri loop (the first URI_LOOP_USERS users).

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
        results.add('changes.uri_loop', sum(loop.task_seconds(name) for name in URI_LOOP_TASKS))
        results.count_requests('changes.uri_loop', request_counts(control))


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
