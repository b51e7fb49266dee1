"""The OAuth 2.0 provider: authorize (the simulator plays the browser), the DC token endpoint and the Cloud one.

Facts: docs/dev/bitbucket-api-notes.md §1 (DC) and §6 (Cloud).
"""

import base64
import hashlib
import hmac
import urllib.parse

from .auth import basic_credentials, password_user
from .levels import LICENSED_USER, SCOPE_CAPS
from .messages import ApiError, OAuthError, Response
from .oauth_store import Client, new_secret
from .routing import route

FORM = 'application/x-www-form-urlencoded'
SERVICE_ACCOUNT_PREFIX = 'service-account-'


# authorize -------------------------------------------------------------------------------------------------------
def authorize(call):
    """GET {base}/rest/oauth2/latest/authorize.

    Without a user this answers the consent page a browser would show. With one (HTTP Basic, the simulator-only
    ``user=`` query parameter, or config ``authorize_user``) the simulator consents at once and redirects.
    """
    request, store = call.request, call.state.oauth
    client = store.clients.get(request.param('client_id'))
    if client is None:
        raise OAuthError(400, 'invalid_request', 'Unknown client_id.')
    redirect_uri = request.param('redirect_uri')
    if redirect_uri not in client.redirect_uris:
        raise OAuthError(400, 'invalid_request', 'redirect_uri is not registered for this client.')

    def back(**params):
        if request.param('state') is not None:
            params['state'] = request.param('state')
        separator = '&' if '?' in redirect_uri else '?'
        return Response.redirect(redirect_uri + separator + urllib.parse.urlencode(params))

    if request.param('response_type') != 'code':
        return back(error='unsupported_response_type', error_description='Only response_type=code is supported.')
    scope = (request.param('scope') or 'PUBLIC_REPOS').split()
    if _bad_scopes(client, scope):
        return back(error='invalid_scope', error_description='Unknown or unregistered scope.')
    challenge, method = request.param('code_challenge'), _pkce_method(request)
    if challenge and method is None:
        return back(error='invalid_request', error_description='code_challenge_method must be S256 or plain.')
    user = _consenting_user(call)
    if user is None:
        return Response.html('<html><body><form id="oauth-consent">Log in to allow access</form></body></html>')
    if call.state.config['authorize_decision'] == 'deny':
        return back(error='access_denied', error_description='The user denied access.')
    code = store.new_code(client_id=client.client_id, user_id=user.id, redirect_uri=redirect_uri, scope=scope,
                          challenge=challenge, method=method, issued_at=call.state.now())
    return back(code=code.code)


def _pkce_method(request):
    method = request.param('code_challenge_method') or 'plain'
    return {'s256': 'S256', 'plain': 'plain'}.get(method.lower())


def _bad_scopes(client, scope):
    allowed = client.scopes or list(SCOPE_CAPS)
    return [name for name in scope if name not in SCOPE_CAPS or name not in allowed]


def _consenting_user(call):
    state = call.state
    credentials = basic_credentials(call.request)
    if credentials is not None:
        user = password_user(state, *credentials)
        if user is None:
            raise ApiError(401, 'Authentication failed. Please check your credentials and try again.')
        return user
    name = call.request.param('user') or state.config['authorize_user']
    if not name:
        return None
    user = state.find_user(name)
    if user is None or state.level_of(user) < LICENSED_USER:
        raise OAuthError(400, 'invalid_request', 'User %s cannot log in.' % name)
    return user


# token endpoints -------------------------------------------------------------------------------------------------
def dc_token(call):
    """POST {base}/rest/oauth2/latest/token: parameters in the form body or the query string (api.md §1.3)."""
    params = _token_params(call.request)
    client = _client(call.state, params.get('client_id'), params.get('client_secret'))
    grant = _grant(call, client, params, datacenter=True)
    return _token_response(call.state, grant, 'scope')


def cloud_token(call):
    """POST /site/oauth2/access_token, Bitbucket Cloud's shape: client credentials only as HTTP Basic (api.md §6)."""
    params = _token_params(call.request)
    if 'client_secret' in params:
        raise OAuthError(400, 'invalid_request', 'Send the client credentials with HTTP Basic, not in the body.')
    try:
        credentials = basic_credentials(call.request)
    except ApiError:
        credentials = None
    if credentials is None:
        raise OAuthError(401, 'invalid_client', 'Client credentials missing: use HTTP Basic.')
    client = _client(call.state, *credentials)
    grant = _grant(call, client, params, datacenter=False)
    return _token_response(call.state, grant, call.state.config['cloud_scope_key'])


def _token_params(request):
    # docs/dev/bitbucket-api-notes.md §5: the token endpoint answers 400 without a form Content-Type, even for query parameters.
    if request.content_type != FORM:
        raise OAuthError(400, 'invalid_request', 'Content-Type must be %s.' % FORM)
    params = {name: values[0] for name, values in request.params.items()}
    params.update(request.form())
    return params


def _client(state, client_id, client_secret):
    client = state.oauth.clients.get(client_id or '')
    if client is None or not hmac.compare_digest(client.client_secret, client_secret or ''):
        raise OAuthError(401, 'invalid_client', 'Client authentication failed.')
    return client


def _grant(call, client, params, datacenter):
    grant_type = params.get('grant_type')
    if not grant_type:
        raise OAuthError(400, 'invalid_request', 'grant_type is required.')
    handler = GRANT_HANDLERS.get(grant_type)
    if handler is None:
        raise OAuthError(400, 'unsupported_grant_type', 'Unsupported grant type: %s' % grant_type)
    return handler(call.state, client, params, datacenter)


def _required(params, name):
    if not params.get(name):
        raise OAuthError(400, 'invalid_request', '%s is required.' % name)
    return params[name]


def _authorization_code(state, client, params, datacenter):
    del datacenter
    code = state.oauth.codes.get(_required(params, 'code'))
    if code is None or code.client_id != client.client_id:
        # docs/dev/bitbucket-api-notes.md §1.7: an unknown code is a malformed request there; a spent one a bad grant.
        raise OAuthError(400, 'invalid_request', 'The authorization code is invalid.')
    if code.used:
        raise OAuthError(400, 'invalid_grant', 'The authorization code has already been used.')
    code.used = True  # single use, also when this exchange fails below
    if state.now() > code.issued_at + state.config['code_ttl']:
        raise OAuthError(400, 'invalid_grant', 'The authorization code has expired.')
    if params.get('redirect_uri') != code.redirect_uri:
        raise OAuthError(400, 'invalid_grant', 'redirect_uri does not match the authorization request.')
    if code.challenge and not _pkce_ok(code, params.get('code_verifier')):
        raise OAuthError(400, 'invalid_grant', 'PKCE verification failed.')
    user = state.users.get(code.user_id)
    if user is None:
        raise OAuthError(400, 'invalid_grant', 'The authorizing user no longer exists.')
    return state.oauth.issue(client.client_id, user.id, user.name, code.scope, code.redirect_uri, state.now(), state.config)


def _pkce_ok(code, verifier):
    if not verifier:
        return False
    if code.method == 'S256':
        digest = hashlib.sha256(verifier.encode('ascii', 'replace')).digest()
        verifier = base64.urlsafe_b64encode(digest).decode('ascii').rstrip('=')
    return hmac.compare_digest(verifier, code.challenge)


def _refresh_token(state, client, params, datacenter):
    grant, reason = state.oauth.valid_refresh(_required(params, 'refresh_token'), state.now())
    if grant is None or grant.client_id != client.client_id:
        raise OAuthError(400, 'invalid_grant', 'The refresh token is %s.' % ('expired' if reason == 'expired' else 'invalid'))
    # docs/dev/bitbucket-api-notes.md §1.3/§5: the DC provider checks redirect_uri on refresh and answers an invalid_grant
    # that names nothing when it is missing.
    if datacenter and state.config['require_redirect_uri_on_refresh'] and grant.redirect_uri \
            and params.get('redirect_uri') != grant.redirect_uri:
        raise OAuthError(400, 'invalid_grant', 'Invalid grant.')
    scope = params.get('scope', '').split() or grant.scope
    if set(scope) - set(grant.scope):
        raise OAuthError(400, 'invalid_scope', 'The requested scope exceeds the granted scope.')
    if grant.subject_id is not None and grant.subject_id not in state.users:
        raise OAuthError(400, 'invalid_grant', 'The authorizing user no longer exists.')
    return state.oauth.refresh(grant, state.now(), state.config, scope)


def _client_credentials(state, client, params, datacenter):
    del datacenter
    scope = params.get('scope', '').split() or list(client.scopes or ['PUBLIC_REPOS'])
    if _bad_scopes(client, scope):
        raise OAuthError(400, 'invalid_scope', 'Unknown or unregistered scope.')
    user = state.find_user(client.service_user) if client.service_user else None
    subject_id, name = (user.id, user.name) if user else (None, SERVICE_ACCOUNT_PREFIX + client.client_id)
    return state.oauth.issue(client.client_id, subject_id, name, scope, None, state.now(), state.config,
                             with_refresh=False)


GRANT_HANDLERS = {
    'authorization_code': _authorization_code,
    'refresh_token': _refresh_token,
    'client_credentials': _client_credentials,
}


def _token_response(state, grant, scope_key):
    body = {
        'access_token': grant.access_token,
        'token_type': 'bearer',
        'expires_in': max(int(round(grant.access_expires - state.now())), 0),
        scope_key: ' '.join(grant.scope),
    }
    if grant.refresh_token and not state.config['omit_refresh_token']:
        body['refresh_token'] = grant.refresh_token
    return Response.json(body, headers=[('Cache-Control', 'no-store'), ('Pragma', 'no-cache')])


def issue_for_test(state, client_id, user, scope='ADMIN_WRITE', access_expired=False):
    """A token pair without any consent (control API ``/_sim/oauth/issue``).

    An unknown ``client_id`` is registered on the fly with a random secret and no redirect URI: its tokens work as
    bearer tokens; seed the client first to refresh them through the token endpoint.
    """
    if not client_id:
        raise ValueError('client_id is required')
    client = state.oauth.clients.get(client_id)
    if client is None:
        client = Client(client_id, new_secret())
        state.oauth.add_client(client)
    owner = state.get_user(user)
    scope = scope.split() if isinstance(scope, str) else list(scope)
    redirect_uri = client.redirect_uris[0] if client.redirect_uris else None
    grant = state.oauth.issue(client_id, owner.id, owner.name, scope, redirect_uri, state.now(), state.config)
    if access_expired:
        grant.access_expires = state.now() - 1
    return {'access_token': grant.access_token, 'refresh_token': grant.refresh_token,
            'expires_in': max(int(round(grant.access_expires - state.now())), 0), 'expires_at': int(grant.access_expires)}


ROUTES = [
    route('GET', '/rest/oauth2/{v}/authorize', authorize, 'authorize', level=None, authenticate=False),
    route('POST', '/rest/oauth2/{v}/token', dc_token, 'token', level=None, authenticate=False),
    route('POST', '/site/oauth2/access_token', cloud_token, 'token', level=None, authenticate=False),
]
