"""Routes: method + path pattern -> handler, request family and the checks the dispatcher applies first."""

import re
from dataclasses import dataclass

from .levels import LICENSED_USER
from .messages import ApiError

# `1.0` and `latest` are aliases in every REST path (docs/dev/bitbucket-api-notes.md §2.2, §3).
VERSION = r'(?:latest|1\.0)'


@dataclass
class Route:
    method: str
    pattern: re.Pattern
    handler: object
    family: str
    level: int = LICENSED_USER
    authenticate: bool = True
    xsrf: bool = True


def route(method, template, handler, family, level=LICENSED_USER, authenticate=True):
    """A Route from a template such as '/rest/api/{v}/users/<slug>' (<name> captures one path segment)."""
    regex = re.escape(template).replace(r'\{v\}', VERSION)
    regex = re.sub(r'<(\w+)>', r'(?P<\1>[^/]+)', regex)
    xsrf = template.startswith('/rest/') and not template.startswith('/rest/oauth2/')
    return Route(method, re.compile(regex), handler, family, level, authenticate, xsrf)


class Router:
    def __init__(self, routes):
        self.routes = list(routes)

    def family(self, path):
        """The family of the first route whose pattern matches ``path`` (any method), 'other' when none does."""
        return next((r.family for r in self.routes if r.pattern.fullmatch(path)), 'other')

    def match(self, method, path):
        """(route, path arguments); ApiError 404 for an unknown path, 405 for a known path and another method."""
        allowed = []
        for candidate in self.routes:
            found = candidate.pattern.fullmatch(path)
            if found is None:
                continue
            if candidate.method == method:
                return candidate, found.groupdict()
            allowed.append(candidate.method)
        if allowed:
            raise ApiError(405, 'Method %s is not allowed here.' % method, headers=[('Allow', ', '.join(allowed))])
        raise ApiError(404, 'No resource at %s' % path)
