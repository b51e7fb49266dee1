"""The request log tests read: what was asked (raw query string and body included) and what was answered."""

import itertools
import threading

from .auth import scheme_of

TEXT_TYPES = ('application/json', 'text/')


class RequestLog:
    def __init__(self):
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self.entries = []

    def record(self, request, family, response=None, principal=None, fault=None):
        """Log one Bitbucket request; ``response`` None means the connection was closed without an answer."""
        content_type = response.header('Content-Type') if response is not None else None
        textual = content_type is not None and content_type.startswith(TEXT_TYPES)
        entry = {
            'seq': next(self._seq),
            'method': request.method,
            'path': request.path,
            'query': request.query,
            'status': response.status if response is not None else None,
            'family': family,
            'auth': scheme_of(request),
            'user': principal.name if principal is not None else None,
            'headers': dict(request.headers.items()),
            'body': request.body.decode('utf-8', 'replace'),
            'fault': fault.action if fault is not None else None,
            'response_type': content_type,
            'response_body': response.body.decode('utf-8', 'replace') if textual else None,
        }
        with self._lock:
            self.entries.append(entry)

    def query(self, family=None, method=None):
        with self._lock:
            return [entry for entry in self.entries
                    if (family is None or entry['family'] == family) and (method is None or entry['method'] == method)]

    def clear(self):
        with self._lock:
            self.entries = []
