"""Application properties (version detection, no auth; api.md §3.7) and the login page bearer tokens are sent to."""

from .messages import Response
from .routing import route


def application_properties(call):
    version = call.state.config['version']
    digits = ''.join('%03d' % int(part) for part in (version.split('.') + ['0', '0'])[:3])
    return Response.json({'version': version, 'buildNumber': str(int(digits)), 'buildDate': '1716969014000',
                          'displayName': 'Bitbucket'})


def login_page(call):
    del call
    return Response.html('<html><head><title>Log in - Bitbucket</title></head><body><form id="j-login"></form></body></html>')


ROUTES = [
    route('GET', '/rest/api/{v}/application-properties', application_properties, 'other', level=None),
    route('GET', '/login', login_page, 'other', level=None, authenticate=False),
]
