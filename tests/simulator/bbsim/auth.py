"""Who is calling: Basic passwords, OAuth 2.0 bearer tokens and HTTP access tokens (docs/dev/bitbucket-api-notes.md §1.9, §5)."""

import base64
import binascii
import hmac
from dataclasses import dataclass

from .levels import ADMIN, LICENSED_USER, NONE, scope_cap
from .messages import ApiError

AUTH_FAILED = 'Authentication failed. Please check your credentials and try again.'
NOT_PERMITTED = 'You are not permitted to access this resource'
AUTHORISATION_EXCEPTION = 'com.atlassian.bitbucket.AuthorisationException'
# BSERV-10482 (docs/dev/bitbucket-api-notes.md §5): HTTP access tokens never carry ADMIN.
TOKENS_NOT_ADMIN = 'Tokens may not have the following permission: ADMIN'
UNCAPPED = 99


@dataclass
class Principal:
    """An authenticated caller. ``source`` is password, oauth or token; ``cap`` limits what it may exercise."""
    name: str
    source: str
    user: object = None
    cap: int = NONE
    credential: object = None

    def level(self, state):
        own = state.level_of(self.user) if self.user is not None else LICENSED_USER
        return min(own, self.cap)


def unauthorized(message=AUTH_FAILED):
    return ApiError(401, message, exception_name='com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException')


def scheme_of(request):
    """'basic', 'bearer', another lower-case scheme, or None without an Authorization header."""
    header = request.headers.get('Authorization')
    return header.split(' ', 1)[0].lower() if header else None


def basic_credentials(request):
    """(username, password) from a Basic Authorization header, or None."""
    header = request.headers.get('Authorization') or ''
    scheme, value = (header.split(' ', 1) + [''])[:2]
    if scheme.lower() != 'basic':
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode('utf-8')
    except (binascii.Error, UnicodeDecodeError):
        raise unauthorized() from None
    username, sep, password = decoded.partition(':')
    if not sep:
        raise unauthorized()
    return username, password


def password_user(state, username, password):
    """The licensed, active user whose password this is, or None."""
    user = state.find_user(username)
    if user is None or not user.password or not hmac.compare_digest(user.password, password):
        return None
    if not user.active or state.level_of(user) < LICENSED_USER:
        return None
    return user


def authenticate(request, state):
    """The Principal of the request, None when anonymous; ApiError 401 for credentials that do not work."""
    scheme = scheme_of(request)
    if scheme is None:
        return None
    if scheme == 'basic':
        principal = _basic(request, state)
    elif scheme == 'bearer':
        principal = _bearer(request.headers.get('Authorization').split(' ', 1)[-1].strip(), state)
    else:
        raise unauthorized()
    if principal.user is not None:
        principal.user.last_auth = state.now_ms()
    return principal


def _basic(request, state):
    username, password = basic_credentials(request)
    user = password_user(state, username, password)
    if user is not None:
        return Principal(user.name, 'password', user, cap=UNCAPPED)
    # An HTTP access token also works as the Basic password of its owner on /rest paths (docs/dev/bitbucket-api-notes.md §5).
    owner = state.find_user(username)
    token = _access_token(state, password)
    if owner is not None and token is not None and token.user_id == owner.id:
        return Principal(owner.name, 'token', owner, LICENSED_USER, token)
    raise unauthorized()


def _bearer(value, state):
    grant, reason = state.oauth.valid_access(value, state.now())
    if grant is not None:
        user = state.users.get(grant.subject_id) if grant.subject_id is not None else None
        if grant.subject_id is not None and (user is None or not user.active):
            raise unauthorized()
        return Principal(grant.subject_name, 'oauth', user, scope_cap(grant.scope), grant)
    token = _access_token(state, value)
    if token is not None:
        user = state.users.get(token.user_id) if token.user_id is not None else None
        name = user.name if user is not None else 'token-%s' % token.id
        return Principal(name, 'token', user, LICENSED_USER, token)
    if reason == 'expired':
        raise unauthorized('Authentication failed. The OAuth 2.0 access token has expired.')
    raise unauthorized()


def _access_token(state, value):
    """The valid HTTP access token with this secret value (recording its use), or None."""
    now_ms = state.now_ms()
    for token in state.access_tokens.values():
        if hmac.compare_digest(token.token, value) and not token.expired(now_ms):
            token.last_authenticated = now_ms
            return token
    return None


def require_level(principal, state, level):
    """ApiError 401 unless the caller may exercise ``level`` (api.md §3.8: 401 also means 'not permitted')."""
    if principal is None:
        raise ApiError(401, NOT_PERMITTED, exception_name=AUTHORISATION_EXCEPTION)
    if principal.level(state) >= level:
        return
    if principal.source == 'token' and level >= ADMIN:
        raise ApiError(401, '%s. %s.' % (NOT_PERMITTED, TOKENS_NOT_ADMIN), exception_name=AUTHORISATION_EXCEPTION)
    if principal.source == 'oauth' and principal.user is not None and state.level_of(principal.user) >= level:
        raise ApiError(401, '%s: the OAuth 2.0 token was not granted a scope that allows it.' % NOT_PERMITTED,
                       exception_name=AUTHORISATION_EXCEPTION)
    raise ApiError(401, NOT_PERMITTED, exception_name=AUTHORISATION_EXCEPTION)
