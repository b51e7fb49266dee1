# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""When the HTTP client sends a request again, how long it waits, and how a transport failure is told.

FOR INTERNAL COLLECTION USE ONLY.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import random
import time

try:
    import requests
except ImportError:  # pragma: no cover - reported by the module through missing_required_lib (_http.py)
    requests = None

RETRY_STATUSES = frozenset((429, 502, 503, 504))
IDEMPOTENT_METHODS = frozenset(('GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'))
MAX_RETRY_AFTER = 60.0
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0


def retry_after_seconds(value):
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), capped; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def backoff_seconds(attempt):
    """Exponential backoff with full jitter: attempt 0 waits up to 0.5 s, then 1 s, 2 s ... capped."""
    return random.uniform(BACKOFF_BASE / 2, min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt)))


def transport_reason(exc):
    """Describe a transport failure without its URL (a query string could hold a secret)."""
    if isinstance(exc, requests.exceptions.SSLError):
        return 'TLS verification failed (set ca_path to the CA bundle that signed the server certificate, ' \
               'or validate_certs: false for a test instance)'
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return 'timed out connecting'
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return 'timed out waiting for the answer'
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = str(exc).lower()
        if 'refused' in text:
            return 'connection refused'
        if 'reset' in text:
            return 'connection reset by the server'
        if 'remotedisconnected' in text or 'aborted' in text or 'closed' in text:
            return 'the server closed the connection without answering'
        if 'name or service not known' in text or 'nodename nor servname' in text or 'resolution' in text:
            return 'host name could not be resolved'
        return 'connection failed'
    return 'request failed (%s)' % type(exc).__name__


def safe_before_send(exc):
    """True when the request certainly never reached the server, so even a POST may be sent again."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    return isinstance(exc, requests.exceptions.ConnectionError) and 'refused' in str(exc).lower()
