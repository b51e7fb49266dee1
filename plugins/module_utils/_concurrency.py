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
import threading
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
    return map_as_listed(function, [list(items)], max_concurrency, progress)


def map_as_listed(function, pages, max_concurrency=DEFAULT_MAX_CONCURRENCY, progress=None, listed=None):
    """[function(item) for page in pages for item in page], each page's items started while the next page is read.

    Reading pages (each next() one request) holds one of the max_concurrency lanes until the listing ends; the items
    share the others, then all of them. listed(count), when given, is told how many items are known as each page
    arrives, before its items start.
    Results, errors and progress as in bounded_map; while the listing goes on, progress gets total None.
    """
    if max_concurrency <= 1:
        items = [item for page in pages for item in page]
        if listed is not None:
            listed(len(items))
        report = _Progress(progress, len(items))
        results = []
        for item in items:
            results.append(function(item))
            report.count(len(results))
        report.finish()
        return results
    report = _Progress(progress, None)
    lanes = threading.BoundedSemaphore(max_concurrency)
    failed = threading.Event()
    finished_lock = threading.Lock()
    finished_count = [0]

    def run(item):
        with lanes:
            return function(item)

    def finished(future):
        with finished_lock:
            finished_count[0] += 1
        if not future.cancelled() and future.exception() is not None:
            failed.set()

    futures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max_concurrency) as pool:
        try:
            with lanes:  # the listing's lane
                for page in pages:
                    if listed is not None:
                        listed(len(futures) + len(page))
                    for item in page:
                        futures.append(pool.submit(run, item))
                        futures[-1].add_done_callback(finished)
                    report.count(finished_count[0])
                    if failed.is_set():
                        break
            report.listed(len(futures))
            for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
                future.result()
                report.count(done)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    report.finish()
    return [future.result() for future in futures]


class _Progress:
    """Calls progress(done, total) at most every PROGRESS_EVERY seconds, and once at the end.

    total is None until it is known (see listed).
    """

    def __init__(self, callback, total, clock=time.monotonic):
        self.callback = callback
        self.total = total
        self.done = 0
        self._clock = clock
        self._last = clock()

    def listed(self, total):
        self.total = total

    def count(self, done):
        self.done = done
        if self.callback is not None and self._clock() - self._last >= PROGRESS_EVERY:
            self._last = self._clock()
            self.callback(self.done, self.total)

    def finish(self):
        if self.callback is not None and self.total:
            self.callback(self.done, self.total)
