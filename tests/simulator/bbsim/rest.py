"""A raw HTTP helper for the simulator's own tests (uses ``requests``; never imported by the server)."""

import requests

from .state import ADMIN_NAME, ADMIN_PASSWORD


class Rest:
    """Requests against one instance with fixed credentials; writes carry X-Atlassian-Token unless told not to."""

    def __init__(self, sim, user=ADMIN_NAME, password=ADMIN_PASSWORD, token=None):
        self.base = sim.url
        self.session = requests.Session()
        # Per request, not session.verify: requests lets REQUESTS_CA_BUNDLE override a session's verify.
        self.verify = sim.ca_path or True
        if token is not None:
            self.session.headers['Authorization'] = 'Bearer ' + token
        elif user is not None:
            self.session.auth = (user, password)

    def request(self, method, path, xsrf=True, **kwargs):
        headers = kwargs.pop('headers', {})
        if xsrf and method != 'GET':
            headers.setdefault('X-Atlassian-Token', 'no-check')
        kwargs.setdefault('allow_redirects', False)
        kwargs.setdefault('timeout', 30)
        kwargs.setdefault('verify', self.verify)
        return self.session.request(method, self.base + path, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def post(self, path, **kwargs):
        return self.request('POST', path, **kwargs)

    def put(self, path, **kwargs):
        return self.request('PUT', path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request('DELETE', path, **kwargs)

    def values(self, path, **params):
        """All ``values`` of a paged resource."""
        values, start = [], 0
        while True:
            body = self.get(path, params=dict(params, start=start)).json()
            values += body['values']
            if body['isLastPage']:
                return values
            start = body['nextPageStart']


def errors(response):
    """The messages of a Bitbucket error body."""
    return [error['message'] for error in response.json()['errors']]
