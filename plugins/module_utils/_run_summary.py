# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How far a long run is, and what it cost. FOR INTERNAL COLLECTION USE ONLY.

A module cannot show anything on the controller before it returns: its result is what Ansible prints (at -v in
full), so every bulk result carries the client's summary. While it runs, progress goes to module.log(), the managed
host's system log (journald or syslog), where a long run can be followed; warnings would be wrong for it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def progress_logger(module, what):
    """progress(done, total) that logs 'N/M <what> read, X s waited for the rate limit, Y answers of 429'.

    total is None while the items are still being listed: 'N/?'.
    """

    def progress(done, total):
        summary = module.client.pacer.summary()
        module.log('%s: %d/%s %s read after %.1f s (%d requests, %.1f s waited for the rate limit, %d answers of '
                   'HTTP 429)' % (module._name, done, '?' if total is None else total, what, summary['seconds'],
                                  summary['requests'], summary['rate_limit_wait_seconds'],
                                  summary['rate_limited_answers']))

    return progress


def with_summary(module, output):
    """output with the run's summary (requests, waits, 429s, seconds) merged into output['summary']."""
    summary = dict(output.get('summary') or {})
    summary.update(module.client.pacer.summary())
    output['summary'] = summary
    return output
