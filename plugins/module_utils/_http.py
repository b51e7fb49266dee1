# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one HTTP client every module uses to talk to Bitbucket. FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import threading
import time
import traceback

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - reported by the module through missing_required_lib
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import (
    BitbucketConnectionError,
    BitbucketHTTPError,
    BitbucketResponseError,
    error_messages,
    scrub,
)
from ansible_collections.dcops.bitbucket.plugins.module_utils._pacing import Pacer
from ansible_collections.dcops.bitbucket.plugins.module_utils._retry_policy import (
    IDEMPOTENT_METHODS,
    RETRY_STATUSES,
    backoff_seconds,
    retry_after_seconds,
    safe_before_send,
    transport_reason,
)

USER_AGENT = 'dcops.bitbucket/0.1.0 (Ansible collection)'
READ_METHODS = frozenset(('GET', 'HEAD', 'OPTIONS'))
DEFAULT_PAGE_LIMIT = 1000


class ClientResponse:
    """What a request returned: status, headers and the decoded JSON body (None when empty)."""

    def __init__(self, status, headers, data):
        self.status = status
        self.headers = headers
        self.data = data


def basic_credentials(username, password):
    """The Base64 credentials of an HTTP Basic Authorization header, as requests builds them."""
    text = '%s:%s' % (username, password)
    try:
        raw = text.encode('latin1')
    except UnicodeEncodeError:
        raw = text.encode('utf-8')
    return base64.b64encode(raw).decode('ascii')


class _HeaderAuth:
    """A requests auth that sets the Authorization header, or leaves it out, and is never empty.

    requests looks up ~/.netrc (re-reading it) for every request sent without auth, and Basic credentials it finds
    for the host replace a bearer token set as a header, or join the form-authenticated token requests.
    """

    def __init__(self, value=None):
        self.value = value

    def __call__(self, request):
        if self.value:
            request.headers['Authorization'] = self.value
        return request


class BitbucketClient:
    """A kept-alive session to one Bitbucket instance with auth, XSRF header, retries, JSON and paging."""

    def __init__(self, url, access_token=None, username=None, password=None, validate_certs=True, ca_path=None,
                 timeout=30, retries=3, sleep=time.sleep):
        self.base_url = url.rstrip('/') + '/'
        self.timeout = timeout
        self.retries = max(int(retries), 0)
        self._sleep = sleep
        self._bearer = access_token
        self._basic = (username, password) if username is not None else None
        self.username = username
        self.secrets = set(s for s in (access_token, password) if s)
        if self._basic and password:
            # What goes in the Authorization header, which a server or proxy may echo in an error body.
            self.secrets.add(basic_credentials(username, password))
        self.session = requests.Session()
        self.session.headers.update({'Accept': 'application/json', 'User-Agent': USER_AGENT})
        # Passed on every request: requests lets REQUESTS_CA_BUNDLE override session.verify (requests#3829),
        # and execution environments commonly set it.
        self.verify = (ca_path or True) if validate_certs else False
        self.stats = {'requests': 0, 'retries': 0, 'by_method': {}}
        self._stats_lock = threading.Lock()
        self.pacer = Pacer(rate=None)  # client_from_params sets the run's pacing (_pacing.pacer_for)
        self.max_concurrency = 1

    def add_secret(self, value):
        """Register a value (a generated password, a fresh token) that must never appear in a message."""
        if value:
            self.secrets.add(value)

    def url_for(self, path):
        if path.startswith(('http://', 'https://')):
            return path
        return self.base_url + path.lstrip('/')

    def get(self, path, params=None, allow_404=False):
        return self.request('GET', path, params=params, allow_404=allow_404).data

    def post(self, path, params=None, json=None):
        return self.request('POST', path, params=params, json=json).data

    def put(self, path, params=None, json=None):
        return self.request('PUT', path, params=params, json=json).data

    def delete(self, path, params=None):
        return self.request('DELETE', path, params=params).data

    def request(self, method, path, params=None, json=None, data=None, headers=None, ok=(200, 201, 204),
                allow_404=False, retry=True, auth=True, paced=True):
        """Send one logical request (with bounded retries) and return a ClientResponse or raise a BitbucketError."""
        method = method.upper()
        shown_path = path.split('?', 1)[0]
        send_headers = dict(headers or {})
        if method not in READ_METHODS:
            # docs/dev/bitbucket-api-notes.md §3.10: form-like or body-less POSTs fail the XSRF check without it.
            send_headers['X-Atlassian-Token'] = 'no-check'
        credentials = _HeaderAuth()
        if auth and self._bearer:
            credentials = _HeaderAuth('Bearer ' + self._bearer)
        elif auth and self._basic:
            credentials = self._basic
        attempts = (self.retries if retry else 0) + 1
        for attempt in range(attempts):
            last_attempt = attempt == attempts - 1
            if paced:
                self.pacer.acquire()
            else:
                self.pacer.count_unpaced()
            self._count(method)
            try:
                resp = self.session.request(method, self.url_for(path), params=params, json=json, data=data,
                                            headers=send_headers, auth=credentials, timeout=self.timeout,
                                            verify=self.verify, allow_redirects=False)
            except requests.exceptions.RequestException as exc:
                may_resend = method in IDEMPOTENT_METHODS or safe_before_send(exc)
                if last_attempt or not may_resend or isinstance(exc, requests.exceptions.SSLError):
                    raise BitbucketConnectionError(method, shown_path, transport_reason(exc))
                self._wait(backoff_seconds(attempt))
                continue
            if resp.status_code == 429:
                # The next acquire() holds every thread until Retry-After, or the bucket's refill, has passed.
                self.pacer.rejected_answer(retry_after_seconds(resp.headers.get('Retry-After')))
            if resp.status_code in RETRY_STATUSES and not last_attempt:
                delay = 0 if resp.status_code == 429 else retry_after_seconds(resp.headers.get('Retry-After'))
                resp.close()
                self._wait(backoff_seconds(attempt) if delay is None else delay)
                continue
            try:
                return self._interpret(resp, method, shown_path, ok, allow_404)
            except BitbucketResponseError:
                if last_attempt or method not in READ_METHODS:
                    raise
                self._wait(backoff_seconds(attempt))
        raise AssertionError('unreachable')  # pragma: no cover

    def paged(self, path, params=None, limit=DEFAULT_PAGE_LIMIT):
        """Yield every value of a paged collection, following nextPageStart until isLastPage."""
        for values in self.pages(path, params, limit):
            yield from values

    def pages(self, path, params=None, limit=DEFAULT_PAGE_LIMIT):
        """Yield the values of a paged collection page by page (one request each), following nextPageStart.

        docs/dev/bitbucket-api-notes.md §3.2: the server may cap `limit` below what was asked and identifiers of adjacent
        objects need not be contiguous, so the next start is always the server's nextPageStart.
        """
        base = list(params.items()) if isinstance(params, dict) else list(params or [])
        start = 0
        while True:
            page = self.get(path, params=base + [('start', start), ('limit', limit)]) or {}
            values = page.get('values') or []
            yield values
            if page.get('isLastPage', True):
                return
            next_start = page.get('nextPageStart')
            if next_start is None:
                next_start = start + len(values)
            if next_start <= start:
                raise BitbucketResponseError('GET', path.split('?', 1)[0],
                                             'paging did not advance past start=%s' % start)
            start = next_start

    def _count(self, method):
        with self._stats_lock:
            self.stats['requests'] += 1
            self.stats['by_method'][method] = self.stats['by_method'].get(method, 0) + 1

    def _wait(self, seconds):
        with self._stats_lock:
            self.stats['retries'] += 1
        self._sleep(seconds)

    def _interpret(self, resp, method, path, ok, allow_404):
        status = resp.status_code
        if status in ok or (allow_404 and status == 404):
            return ClientResponse(status, resp.headers, self._decode(resp, method, path, status))
        if 300 <= status < 400:
            location = (resp.headers.get('Location') or '').split('?', 1)[0]
            raise BitbucketHTTPError(status, method, path, hint='redirected to %s; check that url is the REST base of '
                                     'Bitbucket and that the credentials are valid (Bitbucket sends tokens it refuses '
                                     'to the login page)' % (location or 'another page'))
        try:
            data = resp.json()
        except ValueError:
            data = None
        messages, code = error_messages(data)
        messages = [scrub(m, self.secrets) for m in messages]
        if not messages and data is None:
            messages = ['non-JSON answer (%s)' % (resp.headers.get('Content-Type') or 'no content type').split(';')[0]]
        raise BitbucketHTTPError(status, method, path, messages=messages, error_code=code)

    @staticmethod
    def _decode(resp, method, path, status):
        if status == 204 or not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            kind = (resp.headers.get('Content-Type') or 'no content type').split(';')[0]
            raise BitbucketResponseError(method, path, 'answer with HTTP %s is not valid JSON (%s)' % (status, kind),
                                         status=status)
