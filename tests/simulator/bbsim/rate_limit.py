"""Bitbucket's rate limiter: a token bucket per authenticated user (docs/dev/bitbucket-api-notes.md §3.6, §3.8)."""

import threading
import time

from .messages import ApiError

DEFAULTS = {'capacity': 60, 'fillRate': 5}
LIMITED = 'You have been rate limited. Try again later.'


class RateLimiter:
    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        with self._lock:
            self.enabled = False
            self.defaults = dict(DEFAULTS)
            self.users = {}  # name -> {"settings": {...} or None, "whitelisted": bool}
            self.retry_after = True
            self._buckets = {}
            self.rejects = {}

    def configure(self, enabled=None, capacity=None, fill_rate=None, retry_after=None, users=None):
        with self._lock:
            if enabled is not None:
                self.enabled = bool(enabled)
            if capacity is not None:
                self.defaults['capacity'] = _positive(capacity, 'capacity')
            if fill_rate is not None:
                self.defaults['fillRate'] = _positive(fill_rate, 'fillRate')
            if retry_after is not None:
                self.retry_after = bool(retry_after)
            for name, entry in (users or {}).items():
                self.users[name] = {'settings': entry.get('settings'), 'whitelisted': bool(entry.get('whitelisted'))}
            self._buckets = {}
        return self.view()

    def view(self):
        return {'enabled': self.enabled, 'capacity': self.defaults['capacity'], 'fill_rate': self.defaults['fillRate'],
                'retry_after': self.retry_after, 'users': dict(self.users), 'rejects': dict(self.rejects)}

    def set_user(self, name, settings, whitelisted):
        with self._lock:
            self.users[name] = {'settings': settings, 'whitelisted': bool(whitelisted)}
            self._buckets.pop(name, None)

    def delete_user(self, name):
        with self._lock:
            self._buckets.pop(name, None)
            return self.users.pop(name, None) is not None

    def admit(self, principal):
        """Take one token from the caller's bucket; ApiError 429 when it is empty. Anonymous callers pass."""
        if principal is None:
            return
        name = principal.name
        with self._lock:
            entry = self.users.get(name, {})
            if not self.enabled or entry.get('whitelisted'):
                return
            settings = entry.get('settings') or self.defaults
            capacity, rate = settings['capacity'], settings['fillRate']
            now = time.monotonic()
            tokens, then = self._buckets.get(name, (capacity, now))
            tokens = min(capacity, tokens + (now - then) * rate)
            if tokens >= 1:
                self._buckets[name] = (tokens - 1, now)
                return
            self._buckets[name] = (tokens, now)
            self.rejects[name] = self.rejects.get(name, 0) + 1
            wait = max(1, int((1 - tokens) / rate + 0.999))
        headers = [('Retry-After', str(wait))] if self.retry_after else []
        raise ApiError(429, LIMITED, exception_name='com.atlassian.bitbucket.ratelimit.RateLimitedException',
                       headers=headers)


def _positive(value, name, whole=False):
    if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)) or value <= 0:
        raise ApiError(400, '%s must be a positive %s.' % (name, 'whole number' if whole else 'number'), context=name)
    return value


def validated_settings(data):
    if not isinstance(data, dict):
        raise ApiError(400, 'settings are required.')
    # The settings API takes whole numbers (the 9.2 OpenAPI file types both as integers); the control API does not,
    # so that a benchmark can refill faster or slower than one token a second.
    return {'capacity': _positive(data.get('capacity'), 'capacity', whole=True),
            'fillRate': _positive(data.get('fillRate'), 'fillRate', whole=True)}
