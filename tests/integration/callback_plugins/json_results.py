# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only callback: writes every task result (as callbacks see them, no_log already applied) to a JSON file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: json_results
type: aggregate
short_description: Write play, task and host results to the JSON file named by BBSIM_JSON_RESULTS
description:
  - Used by the dcops.bitbucket test suite (tests/conftest.py run_playbook). Not shipped as a collection plugin.
requirements:
  - enable in callbacks_enabled
'''

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'json_results'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display)
        self._path = os.environ.get('BBSIM_JSON_RESULTS')
        self._plays = []

    def v2_playbook_on_play_start(self, play):
        self._plays.append({'play': {'name': play.get_name()}, 'tasks': []})

    def _task_entry(self, task):
        tasks = self._plays[-1]['tasks']
        if not tasks or tasks[-1]['task']['id'] != task._uuid:
            tasks.append({'task': {'name': task.get_name(), 'id': task._uuid, 'action': task.action}, 'hosts': {}})
        return tasks[-1]

    def _record(self, result, **status):
        entry = self._task_entry(result._task)
        data = dict(result._result)
        data.update(status)
        entry['hosts'][result._host.get_name()] = data

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True, ignore_errors=ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats):
        if not self._path:
            return
        hosts = sorted(stats.processed.keys())
        document = {'plays': self._plays, 'stats': dict((host, stats.summarize(host)) for host in hosts)}
        with open(self._path, 'w') as handle:
            json.dump(document, handle, default=str)
