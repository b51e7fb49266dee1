# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Keep a run under the calling user's rate limit. FOR INTERNAL COLLECTION USE ONLY.

Bitbucket Data Center limits each user with a token bucket (docs/dev/bitbucket-api-notes.md §3.6): a burst of
``capacity`` requests, refilled at ``fillRate`` per second, answering 429 when it is empty. The pacer keeps a copy
of that bucket on the client, assumed full when the run starts, and makes a request wait for a token instead of
collecting 429s. It learns the real limit from the settings API only when its copy first runs dry, so that a short
run sends no extra request.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

from ansible.module_utils.six.moves.urllib.parse import quote

SETTINGS_PATH = 'rest/api/latest/admin/rate-limit/settings'
DEFAULT_CAPACITY = 60
DEFAULT_FILL_RATE = 5.0
# Pace a little under the limit: the server's bucket refills by its own clock and answers arrive out of order.
RATE_MARGIN = 0.97


class Pacer:
    """A thread-safe token bucket mirroring the server's; rate None (or 0) means no pacing."""

    def __init__(self, rate=DEFAULT_FILL_RATE, burst=DEFAULT_CAPACITY, source='default', learn=None,
                 clock=time.monotonic, sleep=time.sleep):
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._learn_lock = threading.Lock()
        self._learn = learn
        self.started = clock()
        self.sent = 0
        self.waited = 0.0
        self.rejected = 0
        self._not_before = self._waited_until = self.started
        self._set(rate, burst, source)
        self._tokens = float(self.burst)
        self._then = self.started

    def _set(self, rate, burst, source):
        self.rate = float(rate) if rate else None
        self.burst = max(int(burst or 0), 1)
        self.source = source  # where the limit came from: options, settings or default
        # Leave room for the requests still on their way (up to max_concurrency, at most 4 by default): the server
        # counts them when they arrive, and a full server bucket drops the refill the client counted meanwhile.
        self._reserve = min(4, self.burst // 2)

    def _refill(self, now):
        if self.rate is not None:
            self._tokens = min(float(self.burst), self._tokens + (now - self._then) * self.rate * RATE_MARGIN)
        self._then = now

    def acquire(self):
        """Wait until a request may be sent, then count it."""
        while True:
            with self._lock:
                now = self._clock()
                self._refill(now)
                delay = self._not_before - now
                if delay <= 0 and (self.rate is None or self._tokens - self._reserve >= 1):
                    self._tokens -= 1
                    self.sent += 1
                    return
                if delay <= 0:
                    delay = (1 + self._reserve - self._tokens) / (self.rate * RATE_MARGIN)
                must_learn = self._learn is not None
            if must_learn:
                self._learn_once()
                continue
            with self._lock:
                # Wall time during which some request waited, however many threads waited together.
                now = self._clock()
                self.waited += max(0.0, now + delay - max(now, self._waited_until))
                self._waited_until = max(self._waited_until, now + delay)
            self._sleep(delay)

    def count_unpaced(self):
        """Count a request sent without waiting (the pacer's own look-up of the limit)."""
        with self._lock:
            self._tokens -= 1
            self.sent += 1

    def expect(self, count):
        """A caller about to send ``count`` more requests: learn the limit now if they may not fit in a burst."""
        if self._learn is not None and self.sent + count > self.burst // 2:
            self._learn_once()

    def _learn_once(self):
        """Look the limit up once; threads arriving meanwhile wait for the answer."""
        with self._learn_lock:
            if self._learn is None:
                return
            try:
                found = self._learn()
            finally:
                self._learn = None
            if found is not None:
                self.apply(*found)

    def apply(self, rate, burst, source):
        """Use a limit found later in the run: the server's bucket was full at its start and lost one per request."""
        with self._lock:
            now = self._clock()
            self._set(rate, burst, source)
            if self.rate is not None:
                refilled = (now - self.started) * self.rate * RATE_MARGIN
                self._tokens = min(float(self.burst), self.burst - self.sent + refilled)
                self._then = now

    def rejected_answer(self, retry_after):
        """A 429 came anyway: empty the bucket and hold every request for Retry-After, or one token's refill."""
        with self._lock:
            self.rejected += 1
            self._tokens = min(self._tokens, 0.0)
            rate = self.rate or DEFAULT_FILL_RATE
            wait = retry_after if retry_after is not None else (1 + self._reserve) / rate
            self._not_before = max(self._not_before, self._clock() + wait)
            return wait

    def summary(self):
        """What the run cost, for a module's result: requests, seconds waited for the limit, 429s, seconds."""
        with self._lock:
            return {
                'requests': self.sent,
                'rate_limit_wait_seconds': round(self.waited, 3),
                'rate_limited_answers': self.rejected,
                'seconds': round(self._clock() - self.started, 3),
                'rate_limit': {'rate': self.rate, 'burst': self.burst if self.rate else None, 'source': self.source},
            }


def limit_from_settings(client):
    """(rate, burst, source) of the calling user from the settings API; None when it cannot be read.

    GET settings is open to any user and names the caller in X-AUSERNAME; the caller's own entry (an exemption or
    its own bucket) is readable by an admin only, and 403 or 404 there means the defaults apply.
    """
    from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError

    try:
        answer = client.request('GET', SETTINGS_PATH, allow_404=True, paced=False)
    except BitbucketError:
        return None
    data = answer.data if answer.status == 200 and isinstance(answer.data, dict) else None
    if data is None:
        return None
    if data.get('enabled') is False:
        return None, 0, 'settings'
    settings = _bucket(data.get('defaultSettings'))
    name = answer.headers.get('X-AUSERNAME') or client.username
    if name:
        try:
            entry = client.request('GET', '%s/users/%s' % (SETTINGS_PATH, quote(name.lower(), safe='')),
                                   ok=(200, 403), allow_404=True, paced=False)
        except BitbucketError:
            entry = None
        if entry is not None and entry.status == 200 and isinstance(entry.data, dict):
            if entry.data.get('whitelisted'):
                return None, 0, 'settings'
            settings = _bucket(entry.data.get('settings')) or settings
    if settings is None:
        return None
    return settings[0], settings[1], 'settings'


def _bucket(data):
    """(fillRate, capacity) of a settings object, or None when it is not one."""
    if not isinstance(data, dict):
        return None
    rate, capacity = data.get('fillRate'), data.get('capacity')
    if isinstance(rate, bool) or isinstance(capacity, bool) or not isinstance(rate, (int, float)) \
            or not isinstance(capacity, (int, float)) or rate <= 0 or capacity < 1:
        return None
    return float(rate), int(capacity)


def pacer_for(client, rate_limit=None, rate_limit_burst=None):
    """The pacer of a client: the user's stated limit (0 = off), else Bitbucket's defaults until it learns better."""
    if rate_limit is not None:
        burst = DEFAULT_CAPACITY if rate_limit_burst is None else rate_limit_burst
        return Pacer(rate=rate_limit, burst=burst, source='options')
    burst = DEFAULT_CAPACITY if rate_limit_burst is None else rate_limit_burst
    return Pacer(rate=DEFAULT_FILL_RATE, burst=burst, source='default', learn=lambda: limit_from_settings(client))
