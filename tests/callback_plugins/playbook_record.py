# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only callback: every task's results (as callbacks see them, no_log already applied) and timings, as JSON."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: playbook_record
type: aggregate
short_description: Write task results and timings to the JSON file named by PLAYBOOK_RECORD
description:
  - Used by the dcops.bitbucket tests, reliability suite and benchmark. Not shipped as a collection plugin.
  - The file holds C(plays) (each task's per-host results), C(stats), C(playbook_seconds) and C(tasks) (in run
    order, each with C(seconds) from its start to the last host result the controller received, which counts the
    worker fork, templating, module transfer and execution and result processing; C(hosts) with each host's status;
    C(host_seconds) with each host's own time).
requirements:
  - enable in callbacks_enabled
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'playbook_record'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display)
        self._path = os.environ.get('PLAYBOOK_RECORD')
        self._started = None
        self._plays = []
        self._tasks = []
        self._host_started = {}
        self._item_flags = {}

    def v2_playbook_on_start(self, playbook):
        self._started = time.monotonic()

    def v2_playbook_on_play_start(self, play):
        self._plays.append({'play': {'name': play.get_name()}, 'tasks': []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._tasks.append({'name': task.get_name(), 'start': time.monotonic(), 'end': None, 'hosts': {},
                            'host_seconds': {}})

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def v2_runner_on_start(self, host, task):
        self._host_started[(host.get_name(), task._uuid)] = time.monotonic()

    def _play_entry(self, task):
        tasks = self._plays[-1]['tasks']
        if not tasks or tasks[-1]['task']['id'] != task._uuid:
            tasks.append({'task': {'name': task.get_name(), 'id': task._uuid, 'action': task.action}, 'hosts': {}})
        return tasks[-1]

    def _item(self, result, **flags):
        self._item_flags.setdefault((result._host.get_name(), result._task._uuid), []).append(flags)

    def v2_runner_item_on_ok(self, result):
        self._item(result, failed=False)

    def v2_runner_item_on_failed(self, result):
        self._item(result, failed=True)

    def v2_runner_item_on_skipped(self, result):
        self._item(result, failed=False, skipped=True)

    def _record(self, result, status, **flags):
        host = result._host.get_name()
        data = dict(result._result)
        data.update(flags)
        # ansible-core 2.21 leaves 'failed' out of a loop's item results; the item callbacks still tell.
        item_flags = self._item_flags.pop((host, result._task._uuid), [])
        if isinstance(data.get('results'), list) and len(item_flags) == len(data['results']):
            data['results'] = [dict(item_flag, **item) if isinstance(item, dict) else item
                               for item, item_flag in zip(data['results'], item_flags)]
        self._play_entry(result._task)['hosts'][host] = data
        now = time.monotonic()
        if self._tasks:
            timing = self._tasks[-1]
            timing['end'] = now
            timing['hosts'][host] = status
            started = self._host_started.pop((host, result._task._uuid), None)
            if started is not None:
                timing['host_seconds'][host] = round(now - started, 3)

    def v2_runner_on_ok(self, result):
        self._record(result, 'changed' if result._result.get('changed') else 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'ignored' if ignore_errors else 'failed', failed=True, ignore_errors=ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped', skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable', unreachable=True)

    def v2_playbook_on_stats(self, stats):
        ended = time.monotonic()
        if not self._path:
            return
        tasks = [{'name': task['name'], 'seconds': (task['end'] or task['start']) - task['start'],
                  'hosts': task['hosts'], 'host_seconds': task['host_seconds']} for task in self._tasks]
        document = {'plays': self._plays, 'tasks': tasks, 'playbook_seconds': ended - (self._started or ended),
                    'stats': dict((host, stats.summarize(host)) for host in sorted(stats.processed.keys()))}
        with open(self._path, 'w') as handle:
            json.dump(document, handle, default=str)
