# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark-only callback: wall time of the playbook and of every task, written to the file named by BENCH_TIMINGS."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: bench_timings
type: aggregate
short_description: Write the wall time of the playbook and of each task to the JSON file named by BENCH_TIMINGS
description:
  - Used by the dcops.bitbucket benchmark (tests/bench). Not shipped as a collection plugin.
  - A task's time runs from its start to the last host result the controller received for it, so it holds the
    worker fork, templating, module transfer and execution, and result processing.
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
    CALLBACK_NAME = 'bench_timings'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display)
        self._path = os.environ.get('BENCH_TIMINGS')
        self._started = None
        self._tasks = []

    def v2_playbook_on_start(self, playbook):
        self._started = time.monotonic()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._tasks.append({'name': task.get_name(), 'start': time.monotonic(), 'end': None, 'hosts': {}})

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def _record(self, result, status):
        if not self._tasks:
            return
        task = self._tasks[-1]
        task['end'] = time.monotonic()
        task['hosts'][result._host.get_name()] = status

    def v2_runner_on_ok(self, result):
        self._record(result, 'changed' if result._result.get('changed') else 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'ignored' if ignore_errors else 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        if not self._path:
            return
        ended = time.monotonic()
        tasks = [{'name': task['name'], 'seconds': (task['end'] or task['start']) - task['start'],
                  'hosts': task['hosts']} for task in self._tasks]
        document = {'playbook_seconds': ended - (self._started or ended), 'tasks': tasks}
        with open(self._path, 'w') as handle:
            json.dump(document, handle)
