# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet scenario: playbooks/enforce_token_expiry.yml over 50 instances, against as many pings per host."""

import collections

from bench_data import CLIENT_ID, CLIENT_SECRET, ENFORCE_PLAYBOOK, MAX_EXPIRY_DAYS, REDIRECT_URI
from bench_data import prepare_instance, request_counts, vault_password_file, write_token_store
from scenarios import Scenario


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
