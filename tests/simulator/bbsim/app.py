"""The dispatcher: applies the checks every Bitbucket request passes (auth, XSRF, permission) and calls a route."""

from . import access_tokens, application, groups, oauth, permissions, policy, rate_limit_api, users
from .auth import authenticate, require_level, scheme_of, unauthorized
from .messages import ApiError, FORM_TYPES, OAuthError, Response
from .paging import page
from .routing import Router

ROUTER = Router(oauth.ROUTES + policy.ROUTES + access_tokens.ROUTES + users.ROUTES + groups.ROUTES
                + permissions.ROUTES + application.ROUTES + rate_limit_api.ROUTES)

XSRF_FAILED = 'XSRF check failed'


class Call:
    """What a route handler gets: the request, the caller and the instance it runs on."""

    def __init__(self, instance, request, principal):
        self.instance = instance
        self.request = request
        self.principal = principal

    @property
    def state(self):
        return self.instance.state

    @property
    def base_url(self):
        return self.instance.url

    @property
    def caller(self):
        """The calling user (None for anonymous and service-account callers)."""
        return self.principal.user if self.principal else None

    def caller_level(self):
        return self.principal.level(self.state) if self.principal else 0

    def require(self, level):
        require_level(self.principal, self.state, level)

    def page(self, values, view=None):
        return Response.json(page(self.request, values, self.state.config['page_cap'], view))


def _xsrf_check(request):
    """docs/dev/bitbucket-api-notes.md §3.10: a browser-submittable POST (form-like or no Content-Type) needs the no-check header."""
    if request.method != 'POST':
        return
    if request.content_type and request.content_type not in FORM_TYPES:
        return
    if (request.headers.get('X-Atlassian-Token') or '').lower() == 'no-check':
        return
    raise ApiError(403, XSRF_FAILED)


def _outside_rest_check(instance, request):
    """docs/dev/bitbucket-api-notes.md §5: outside /rest and /scm a bearer token is sent to the login page (a redirect, returned)
    and an access token used as a Basic password gets 401 (raised)."""
    if request.path.startswith(('/rest/', '/scm/', '/site/oauth2/')):
        return None
    scheme = scheme_of(request)
    if scheme == 'bearer':
        return Response.redirect(instance.url + '/login')
    if scheme == 'basic' and authenticate(request, instance.state).source == 'token':
        raise unauthorized()
    return None


def dispatch(instance, request):
    """(Response, Principal or None) for a Bitbucket request. The caller holds the state lock."""
    principal = None
    try:
        redirect = _outside_rest_check(instance, request)
        if redirect is not None:
            return redirect, None
        found, request.path_args = ROUTER.match(request.method, request.path)
        if found.authenticate:
            principal = authenticate(request, instance.state)
            instance.rate_limit.admit(principal)
        if found.xsrf:
            _xsrf_check(request)
        if found.level:
            require_level(principal, instance.state, found.level)
        response = found.handler(Call(instance, request, principal))
    except (ApiError, OAuthError) as exc:
        response = exc.response()
    if principal is not None and not instance.state.config['omit_username_header']:
        response.headers.append(('X-AUSERNAME', principal.name))
    return response, principal
