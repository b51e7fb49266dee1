"""The HTTP access-token expiry policy: {base}/rest/access-tokens/latest/admin (docs/dev/bitbucket-api-notes.md §2.1)."""

from .auth import scheme_of
from .levels import ADMIN
from .messages import ApiError, Response
from .routing import route

# docs/dev/bitbucket-api-notes.md §2.1: "Forge and OAuth2 apps cannot access this REST resource" (config policy_rejects_bearer).
NO_OAUTH = 'Forge and OAuth2 apps cannot access this REST resource.'


def validated_policy(data):
    days = data.get('maxExpiryDays') if isinstance(data, dict) else None
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ApiError(400, 'maxExpiryDays must be a positive number of days.', context='maxExpiryDays')
    return {'maxExpiryDays': days}


def _check_bearer(call):
    if call.state.config['policy_rejects_bearer'] and scheme_of(call.request) == 'bearer':
        raise ApiError(401, NO_OAUTH, exception_name='com.atlassian.bitbucket.AuthorisationException')


def get_policy(call):
    _check_bearer(call)
    if call.state.policy is not None:
        return Response.json(call.state.policy)
    # Unverified on a real instance (docs/dev/bitbucket-api-notes.md §7.6): the unset policy may be a 404, a 204 or an empty object.
    style = call.state.config['policy_unset_style']
    if style == '204':
        return Response.empty()
    if style == 'empty':
        return Response.json({})
    raise ApiError(404, 'No access token policy is configured.')


def put_policy(call):
    _check_bearer(call)
    call.state.policy = validated_policy(call.request.json())
    return Response.json(call.state.policy)


def delete_policy(call):
    _check_bearer(call)
    call.state.policy = None
    return Response.empty()


PATH = '/rest/access-tokens/{v}/admin'
ROUTES = [
    route('GET', PATH, get_policy, 'policy', level=ADMIN),
    route('PUT', PATH, put_policy, 'policy', level=ADMIN),
    route('DELETE', PATH, delete_policy, 'policy', level=ADMIN),
]
