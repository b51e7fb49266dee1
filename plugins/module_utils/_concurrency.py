# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Independent reads over a small pool of kept-alive connections. FOR INTERNAL COLLECTION USE ONLY.

Only reads that do not depend on each other go through here (each user's tokens, each group's members); writes are
sent one after another, in order. The threads share one client, so its pacer keeps them all under the rate limit.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import concurrent.futures
import time

DEFAULT_MAX_CONCURRENCY = 4
PROGRESS_EVERY = 5.0  # seconds between two progress reports


def widen_pool(session, size):
    """Give a requests.Session at least ``size`` kept-alive connections per host (requests keeps 10)."""
    from requests.adapters import HTTPAdapter

    if size > 10:
        for prefix in ('https://', 'http://'):
            session.mount(prefix, HTTPAdapter(pool_connections=size, pool_maxsize=size))


def bounded_map(function, items, max_concurrency=DEFAULT_MAX_CONCURRENCY, progress=None):
    """[function(item) for item in items], at most ``max_concurrency`` at a time, results in the items' order.

    The first exception is raised once the calls already under way have ended; the calls not yet started are
    dropped. progress(done, total), when given, is called every few seconds and at the end.
    """
    items = list(items)
    report = _Progress(progress, len(items))
    if max_concurrency <= 1 or len(items) <= 1:
        results = []
        for item in items:
            results.append(function(item))
            report.one_done()
        report.finish()
        return results
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(max_concurrency, len(items))) as pool:
        futures = [pool.submit(function, item) for item in items]
        try:
            for future in concurrent.futures.as_completed(futures):
                future.result()
                report.one_done()
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    report.finish()
    return [future.result() for future in futures]


class _Progress:
    """Calls progress(done, total) at most every PROGRESS_EVERY seconds, and once at the end."""

    def __init__(self, callback, total, clock=time.monotonic):
        self.callback = callback
        self.total = total
        self.done = 0
        self._clock = clock
        self._last = clock()

    def one_done(self):
        self.done += 1
        if self.callback is not None and self._clock() - self._last >= PROGRESS_EVERY:
            self._last = self._clock()
            self.callback(self.done, self.total)

    def finish(self):
        if self.callback is not None and self.total:
            self.callback(self.done, self.total)
