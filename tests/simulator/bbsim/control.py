"""SimControl: the test-side client of the simulator's control API (stdlib only, usable outside pytest too)."""

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request


class SimControlError(Exception):
    """The control API refused a call (bad seed, unknown config key ...)."""


class SimControl:
    def __init__(self, url, ca_path=None, timeout=30):
        self.url = url.rstrip('/')
        self.timeout = timeout
        self._context = ssl.create_default_context(cafile=ca_path) if url.startswith('https') else None

    def _call(self, method, path, body=None, params=None):
        url = '%s/_sim/%s' % (self.url, path)
        if params:
            url += '?' + urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        data = json.dumps(body).encode('utf-8') if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self._context) as response:
                return json.loads(response.read().decode('utf-8'))
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode('utf-8', 'replace')
            raise SimControlError('%s /_sim/%s: HTTP %d %s' % (method, path, exc.code, detail)) from None

    def reset(self):
        return self._call('POST', 'reset')

    def seed(self, **objects):
        """users, groups, oauth_clients, access_tokens, projects, policy (see docs/dev/architecture.md)."""
        return self._call('POST', 'seed', objects)

    def config(self, **settings):
        return self._call('POST', 'config', settings)

    def issue_tokens(self, client_id, user='admin', scope='ADMIN_WRITE', access_expired=False):
        body = {'client_id': client_id, 'user': user, 'scope': scope, 'access_expired': access_expired}
        return self._call('POST', 'oauth/issue', body)

    def advance_clock(self, seconds):
        return self._call('POST', 'clock', {'advance': seconds})

    def state(self):
        return self._call('GET', 'state')

    def requests(self, family=None, method=None):
        return self._call('GET', 'requests', params={'family': family, 'method': method})

    def request_count(self, family=None, method=None):
        return len(self.requests(family, method))

    def clear_requests(self):
        """Clear the request log and the peak of requests answered at once."""
        return self._call('POST', 'requests/clear')

    def in_flight(self):
        """{'now': requests being answered, 'peak': the most at once since the last clear_requests}."""
        return self._call('GET', 'in-flight')

    def fault(self, **spec):
        """method, path (regex), action, status, retry_after, delay, times (default 1; None: forever), body."""
        return self._call('POST', 'faults', spec)

    def faults(self):
        return self._call('GET', 'faults')

    def clear_faults(self):
        return self._call('DELETE', 'faults')

    def latency(self, **spec):
        return self._call('POST', 'latency', spec)

    def rate_limit(self, **settings):
        return self._call('POST', 'rate-limit', settings)

    def rate_limit_state(self):
        return self._call('GET', 'rate-limit')
