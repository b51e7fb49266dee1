# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The latency and rate-limit matrix: each job at 0, 25 and 100 ms per answer, with and without Bitbucket's default
rate limit (a bucket of 60, its refill scaled from 5 to 50 per second to keep the run short), against its floor.

A floor is protocol_floor.py (the fewest requests, the same concurrency, the same bucket known exactly, and its
import of requests) plus the shape task (the same argument, the real module's recorded result, no HTTP): what no
client built on requests can avoid.
Keys: ``m.<job>.<condition>.module|floor|import``, ``m.<job>.shape``; conditions ``l0``, ``l25``, ``l100``, with
``.rl`` under the rate limit.

The audit runs 8 requests at a time, the others 4 (the modules' default): at 100 ms a connection carries at most
10 requests a second, so 4 of them (40 per second) could not use the scaled bucket's 50 per second, and the
rate-limit target would measure the latency instead. At Bitbucket's real 5 per second, 4 are plenty.
"""

import time

from runner import protocol_floor
from bench_data import GROUPS, MEMBERS_PER_GROUP, bench_user, desired_users, prepare_instance, request_counts

LATENCIES_MS = (0, 25, 100)
CAPACITY, FILL_RATE = 60, 50
CONCURRENCY = 4
AUDIT_CONCURRENCY = 8
AUDIT_USERS, TOKEN_EVERY = 1000, 10
MEASURED = 'Measured'


class Condition:
    def __init__(self, latency_ms, limited):
        self.latency_ms = latency_ms
        self.limited = limited
        self.key = 'l%d%s' % (latency_ms, '.rl' if limited else '')

    def label(self):
        return '%d ms%s' % (self.latency_ms, ', rate limit' if self.limited else '')

    def apply(self, instance, exempt=False):
        """Set the latency and the limiter; re-configuring the limiter starts every bucket full."""
        instance.control.latency(fixed=self.latency_ms / 1000.0)
        users = {'admin': {'whitelisted': exempt}}
        instance.control.rate_limit(enabled=self.limited, capacity=CAPACITY, fill_rate=FILL_RATE, users=users)

    def floor_options(self, concurrency):
        options = ['--concurrency', str(concurrency)]
        return options + (['--rate', str(FILL_RATE), '--burst', str(CAPACITY)] if self.limited else [])


CONDITIONS = [Condition(ms, limited) for ms in LATENCIES_MS for limited in (False, True)]


class Job:
    """One job of the matrix: ``playbook`` with ``arguments`` (the task's) on its own instance."""

    name = playbook = floor_mode = None
    concurrency = CONCURRENCY
    samples = 1  # module and shape runs per repetition (the floor script: one)
    reseed = False  # the job writes: every run starts from a freshly seeded instance

    def __init__(self, ansible, instance):
        self.ansible = ansible
        self.instance = instance
        self.localhost = ansible.inventory('m-localhost', {'localhost': {}})
        self.token = self.desired = None
        self.shape_vars = self.extra = None
        self.arguments = {}

    def seed(self):
        """Seed the instance; return the task's own arguments (besides url and token)."""
        raise NotImplementedError

    def _fresh(self):
        self.token = prepare_instance(self.instance, **self.seed_config())['access_token']
        self.arguments = self.seed()
        extra = dict(self.arguments, bench_url=self.instance.url, bench_token=self.token)
        return self.ansible.vars_file('m-%s' % self.name, extra)

    def seed_config(self):
        return {'users': 0}

    def prepare(self):
        """Seed once, run the module once (untimed) and record its result for the shape task."""
        extra = self._fresh()
        Condition(0, False).apply(self.instance)
        result = self.ansible.run(self.playbook, self.localhost, extra).result(MEASURED)
        self.shape_vars = self.ansible.vars_file('m-%s-shape' % self.name, {
            'bench_argument': dict(self.arguments, url=self.instance.url),
            'bench_result': {k: v for k, v in result.items() if not k.startswith('_ansible') and k != 'invocation'}})
        self.extra = self._fresh() if self.reseed else extra

    def shape(self, results):
        for dummy in range(self.samples):
            results.add('m.%s.shape' % self.name, self._shape_seconds())

    def _shape_seconds(self):
        return self.ansible.run('echo_shape.yml', self.localhost, self.shape_vars).task_seconds(MEASURED)

    def measure(self, results, condition):
        key = 'm.%s.%s' % (self.name, condition.key)
        if self.reseed:
            self.extra = self._fresh()
        for dummy in range(self.samples):
            condition.apply(self.instance)
            self.instance.control.clear_requests()
            rejected_before = _rejected(self.instance)
            run = self.ansible.run(self.playbook, self.localhost, self.extra)
            results.add(key + '.module', run.task_seconds(MEASURED))
        results.count_requests(key + '.module', dict(request_counts(self.instance.control),
                                                     rejected=_rejected(self.instance) - rejected_before))
        summary = run.result(MEASURED).get('summary') or {}
        results.facts[key + '.summary'] = {k: summary.get(k) for k in (
            'requests', 'rate_limit_wait_seconds', 'rate_limited_answers', 'seconds')}
        if self.reseed:
            self._fresh()
        condition.apply(self.instance)
        floor = protocol_floor(self.instance.url, self.token, self.floor_mode, self.desired,
                               condition.floor_options(self.concurrency))
        results.add(key + '.floor', floor['seconds'])
        results.add(key + '.import', floor['import_seconds'])
        results.count_requests(key + '.floor', floor['requests'])


def _rejected(instance):
    """The 429s the instance has answered, to anyone, since it started."""
    return sum(instance.control.rate_limit_state()['rejects'].values())


class Policy(Job):
    """Under a second a run, which the machine's noise moves by a tenth: three samples a repetition."""

    name, playbook, floor_mode = 'policy', 'policy_token.yml', 'policy'
    samples = 3

    def seed_config(self):
        return {'policy': {'maxExpiryDays': 90}}

    def seed(self):
        return {'bench_max_expiry_days': 90}


class Users(Job):
    name, playbook, floor_mode = 'users', 'users.yml', 'users'
    changes = False

    def seed_config(self):
        return {'users': 1000}

    def seed(self):
        wanted = desired_users(1000, changes=self.changes)
        self.desired = self.ansible.vars_file('m-%s-desired' % self.name, wanted)
        return {'bench_users': wanted}

    def _shape_seconds(self):
        return self.ansible.run('users_shape.yml', self.localhost, self.extra).task_seconds(MEASURED)


class Changes(Users):
    name, changes, reseed = 'changes', True, True

    def _shape_seconds(self):
        # bench_user_shape answers "no change"; the recorded result of the change run is echoed instead.
        return Job._shape_seconds(self)


class Groups(Job):
    name, playbook, floor_mode = 'groups', 'groups.yml', 'groups'

    def seed(self):
        names = ['bench-group-%03d' % index for index in range(GROUPS)]
        users = [dict(bench_user(index), groups=[names[index // MEMBERS_PER_GROUP]])
                 for index in range(GROUPS * MEMBERS_PER_GROUP)]
        self.instance.control.seed(groups=[{'name': name} for name in names], users=users)
        wanted = [{'name': name, 'members': [user['name'] for user in users if user['groups'] == [name]]}
                  for name in names]
        self.desired = self.ansible.vars_file('m-groups-desired', wanted)
        return {'bench_groups': wanted}


class Audit(Job):
    name, playbook, floor_mode = 'audit', 'audit.yml', 'audit'
    concurrency = AUDIT_CONCURRENCY

    def seed_config(self):
        return {'users': AUDIT_USERS}

    def seed(self):
        now = int(time.time() * 1000)
        self.instance.control.seed(access_tokens=[
            {'user': bench_user(index)['name'], 'name': 'ci', 'permissions': ['REPO_READ'], 'expiryDays': 30,
             'createdDate': now} for index in range(0, AUDIT_USERS, TOKEN_EVERY)])
        return {'bench_max_concurrency': self.concurrency}

    def exempt(self, results, sequential):
        """The audit of a user exempt from the limit at 100 ms, concurrently and (when sequential) one at a time."""
        condition = Condition(100, True)
        for concurrency, wanted in ((self.concurrency, True), (1, sequential)):
            if not wanted:
                continue
            condition.apply(self.instance, exempt=True)
            extra = self.ansible.vars_file('m-audit-exempt', dict(self.arguments, bench_url=self.instance.url,
                                                                  bench_token=self.token,
                                                                  bench_max_concurrency=concurrency))
            run = self.ansible.run(self.playbook, self.localhost, extra)
            results.add('m.audit.exempt.c%d' % concurrency, run.task_seconds(MEASURED))


JOBS = (Policy, Users, Changes, Groups, Audit)


def build(ansible, instances):
    return [job(ansible, instance) for job, instance in zip(JOBS, instances)]


def measure_all(jobs, results, heavy, log):
    """One repetition of the matrix: every condition, every job; the exempt audit; one shape run per job."""
    for condition in CONDITIONS:
        for job in jobs:
            log('matrix %s: %s' % (condition.label(), job.name))
            job.measure(results, condition)
    for job in jobs:
        job.shape(results)
        if isinstance(job, Audit) and any(condition.latency_ms == 100 for condition in CONDITIONS):
            log('matrix: audit of an exempt user at 100 ms%s' % (', and one request at a time' if heavy else ''))
            job.exempt(results, sequential=heavy)
