"""Injected faults: a method + path regex, an action, and how many matching requests it hits."""

import itertools
import json
import re
import threading
from dataclasses import dataclass

from .messages import JSON_TYPE, ApiError, Response

# Actions answered instead of the real handler; 'slow' and 'drop_after_refresh' run it (see server.Instance.serve).
ANSWERING = ('status', 'malformed_json', 'html', 'redirect_login', 'echo')
CLOSING = ('drop', 'reset')
ACTIONS = ANSWERING + CLOSING + ('slow', 'drop_after_refresh')
DEFAULT_STATUS = {'status': 503, 'html': 502, 'echo': 500}
PROXY_ERROR_PAGE = ('<!DOCTYPE html><html><head><title>%(status)d Proxy Error</title></head><body><h1>Proxy Error</h1>'
                    '<p>The proxy server received an invalid response from an upstream server.</p></body></html>')


@dataclass
class Fault:
    id: int
    method: str
    path: str
    action: str
    status: int = None
    retry_after: object = None
    delay: float = 0.0
    times: int = 1
    body: object = None
    hits: int = 0

    def __post_init__(self):
        self.pattern = re.compile(self.path)

    def matches(self, method, path):
        return (self.method in (None, '*') or self.method.upper() == method) and self.pattern.search(path) is not None

    def exhausted(self):
        return self.times is not None and self.hits >= self.times

    def view(self):
        return {key: getattr(self, key) for key in ('id', 'method', 'path', 'action', 'status', 'retry_after',
                                                    'delay', 'times', 'body', 'hits')}


class FaultSet:
    def __init__(self):
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.faults = []

    def add(self, spec):
        """Add a fault from its control-API spec; ValueError for a bad one. ``times: null`` hits forever."""
        spec = dict(spec)
        action = spec.pop('action', 'status')
        if action not in ACTIONS:
            raise ValueError('action must be one of %s' % ', '.join(ACTIONS))
        unknown = set(spec) - {'method', 'path', 'status', 'retry_after', 'delay', 'times', 'body'}
        if unknown:
            raise ValueError('unknown fault keys: %s' % ', '.join(sorted(unknown)))
        spec.setdefault('status', DEFAULT_STATUS.get(action))
        spec.setdefault('path', '.*')
        try:
            fault = Fault(id=next(self._ids), method=spec.pop('method', None), action=action, **spec)
        except re.error as exc:
            raise ValueError('bad path regex: %s' % exc) from None
        with self._lock:
            self.faults.append(fault)
        return fault

    def take(self, method, path):
        """The first live fault matching the request, counting the hit; None when no fault applies."""
        with self._lock:
            for fault in self.faults:
                if not fault.exhausted() and fault.matches(method, path):
                    fault.hits += 1
                    return fault
        return None

    def clear(self):
        with self._lock:
            self.faults = []

    def snapshot(self):
        with self._lock:
            return [fault.view() for fault in self.faults]


def fault_response(fault, base_url, request=None):
    """The answer of an ANSWERING fault; 'echo' is an error whose message repeats the whole request, as careless
    servers and proxies do (headers with credentials, query string and body included)."""
    if fault.action == 'echo':
        echoed = 'Error handling %s %s?%s headers=%s body=%s' % (
            request.method, request.path, request.query, json.dumps(dict(request.headers.items())),
            request.body.decode('utf-8', 'replace'))
        return _error(fault.status, echoed, [])
    if fault.action == 'malformed_json':
        return Response(200, b'{"size": 1, "limit": 25, "isLastPage": true, "values": [{"name": "trunc', JSON_TYPE)
    if fault.action == 'html':
        return Response.html(PROXY_ERROR_PAGE % {'status': fault.status}, fault.status)
    if fault.action == 'redirect_login':
        return Response.redirect(base_url + '/login')
    headers = [('Retry-After', str(fault.retry_after))] if fault.retry_after is not None else []
    if isinstance(fault.body, str):
        return Response(fault.status, fault.body.encode('utf-8'), 'text/plain;charset=UTF-8', headers)
    if fault.body is None:
        return _error(fault.status, 'Simulated fault: HTTP %d' % fault.status, headers)
    return Response(fault.status, json.dumps(fault.body).encode('utf-8'), JSON_TYPE, headers)


def _error(status, message, headers):
    return ApiError(status, message, headers=headers).response()
