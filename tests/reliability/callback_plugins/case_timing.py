# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only callback: how long each task took on each host, written to the JSON file named by CASE_TIMING_FILE."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: case_timing
type: aggregate
short_description: Write per-host task durations to the JSON file named by CASE_TIMING_FILE
description:
  - Used by the dcops.bitbucket reliability suite (tests/reliability) to check that every case ends in bounded time.
    Not shipped as a collection plugin.
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
    CALLBACK_NAME = 'case_timing'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display)
        self._path = os.environ.get('CASE_TIMING_FILE')
        self._started = {}
        self._seconds = {}

    def v2_runner_on_start(self, host, task):
        self._started[(host.get_name(), task._uuid)] = time.monotonic()

    def _finish(self, result):
        host = result._host.get_name()
        started = self._started.pop((host, result._task._uuid), None)
        if started is not None:
            self._seconds.setdefault(result._task.get_name(), {})[host] = round(time.monotonic() - started, 3)

    def v2_runner_on_ok(self, result):
        self._finish(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._finish(result)

    def v2_runner_on_skipped(self, result):
        self._finish(result)

    def v2_runner_on_unreachable(self, result):
        self._finish(result)

    def v2_playbook_on_stats(self, stats):
        if self._path:
            with open(self._path, 'w') as handle:
                json.dump(self._seconds, handle)
