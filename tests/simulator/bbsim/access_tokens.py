"""HTTP access tokens of users, projects and repositories (docs/dev/bitbucket-api-notes.md §2.2)."""

import base64
import secrets
from dataclasses import dataclass

from .auth import AUTHORISATION_EXCEPTION, NOT_PERMITTED, TOKENS_NOT_ADMIN
from .levels import ADMIN, GLOBAL_PERMISSIONS
from .messages import ApiError, Response
from .policy import NO_OAUTH
from .routing import route
from .state import AccessToken
from .views import user_view

LEVELS = {'READ': 1, 'WRITE': 2, 'ADMIN': 3}
PROJECT_PERMISSIONS = tuple('PROJECT_' + level for level in LEVELS)
REPO_PERMISSIONS = tuple('REPO_' + level for level in LEVELS)


def new_token(state, name, permissions, expiry_days=None, user=None, project=None, repo=None, created=None, raw=None):
    token_id = str(100000000000 + secrets.randbelow(900000000000))
    secret = raw or base64.b64encode(token_id.encode('ascii') + b':' + secrets.token_bytes(24)).decode('ascii')
    token = AccessToken(token_id, name, secret, list(permissions), created if created is not None else state.now_ms(),
                        expiry_days, user_id=user.id if user else None,
                        project=project.upper() if project else None, repo=repo.lower() if repo else None)
    state.access_tokens[token.id] = token
    return token


def token_view(state, token, base_url, raw=False):
    """RestAccessToken as real servers send it: createdDate in epoch ms, expiryDays absent when it never expires."""
    view = {'id': token.id, 'createdDate': token.created, 'name': token.name, 'permissions': list(token.permissions)}
    if token.expiry_days is not None:
        view['expiryDays'] = token.expiry_days
    if token.last_authenticated is not None:
        view['lastAuthenticated'] = token.last_authenticated
    user = state.users.get(token.user_id) if token.user_id is not None else None
    if user is not None:
        view['user'] = user_view(user, base_url)
    if raw:
        view['token'] = token.token
    return view


@dataclass
class Owner:
    """Whose tokens a path names: a user, a project, or a repository of a project."""
    user: object = None
    project: str = None
    repo: str = None

    def owns(self, token):
        if self.user is not None:
            return token.user_id == self.user.id
        return token.user_id is None and token.project == self.project and token.repo == self.repo

    def allowed_permissions(self):
        return REPO_PERMISSIONS if self.repo else PROJECT_PERMISSIONS + REPO_PERMISSIONS


def _owner(call):
    args, state = call.request.path_args, call.state
    if 'slug' in args:
        user = state.find_user_by_slug(args['slug'])
        if user is None:
            raise ApiError(404, 'User %s does not exist.' % args['slug'])
        return Owner(user=user)
    key = args['key'].upper()
    if key not in state.projects:
        raise ApiError(404, 'Project %s does not exist.' % key)
    repo = args.get('repo')
    if repo is not None and repo.lower() not in state.projects[key]:
        raise ApiError(404, 'Repository %s/%s does not exist.' % (key, repo))
    return Owner(project=key, repo=repo.lower() if repo else None)


def _authorise(call, owner, write, create=False):
    """Users manage their own tokens; admins read, edit and revoke others' but never create them (api.md §2.1)."""
    principal, state = call.principal, call.state
    if principal.source == 'oauth' and state.config['access_tokens_reject_oauth']:
        raise ApiError(401, NO_OAUTH, exception_name=AUTHORISATION_EXCEPTION)
    if principal.source == 'token' and write:
        # api.md §2.2: tokens cannot perform changes on behalf of a user, such as creating tokens.
        raise ApiError(401, '%s. %s.' % (NOT_PERMITTED, TOKENS_NOT_ADMIN), exception_name=AUTHORISATION_EXCEPTION)
    own = owner.user is not None and principal.user is owner.user
    if own:
        return
    admin = call.caller_level() >= ADMIN
    outranked = owner.user is not None and state.level_of(owner.user) > call.caller_level()
    if not admin or outranked or (create and owner.user is not None):
        raise ApiError(401, NOT_PERMITTED, exception_name=AUTHORISATION_EXCEPTION)


def _validated_permissions(owner, permissions):
    if not isinstance(permissions, list) or not permissions or not all(isinstance(p, str) for p in permissions):
        raise ApiError(400, 'A token must have at least one permission.', context='permissions')
    for permission in permissions:
        if permission in GLOBAL_PERMISSIONS:
            raise ApiError(400, 'Tokens may not have the following permission: %s' % permission, context='permissions')
        if permission not in owner.allowed_permissions():
            raise ApiError(400, 'Unknown or unsupported permission: %s' % permission, context='permissions')
    project = max([LEVELS[p[8:]] for p in permissions if p.startswith('PROJECT_')] or [0])
    repo = max([LEVELS[p[5:]] for p in permissions if p.startswith('REPO_')] or [0])
    if project > repo:
        raise ApiError(400, "A token's repository permission must be as high as its project permission.",
                       context='permissions')
    return sorted(set(permissions))


def _validated_expiry(state, data):
    days = data.get('expiryDays')
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        raise ApiError(400, 'expiryDays must be a positive number of days.', context='expiryDays')
    policy = state.policy
    if policy is not None and days is None:
        raise ApiError(400, 'Tokens must expire: set expiryDays (at most %d).' % policy['maxExpiryDays'],
                       context='expiryDays')
    if policy is not None and days > policy['maxExpiryDays']:
        raise ApiError(400, 'Tokens may not be valid for more than %d days.' % policy['maxExpiryDays'],
                       context='expiryDays')
    return days


def _token(call, owner):
    token = call.state.access_tokens.get(call.request.path_args['token_id'])
    if token is None or not owner.owns(token):
        raise ApiError(404, 'Access token %s does not exist.' % call.request.path_args['token_id'])
    return token


def list_tokens(call):
    owner = _owner(call)
    _authorise(call, owner, write=False)
    tokens = sorted((t for t in call.state.access_tokens.values() if owner.owns(t)), key=lambda t: (t.created, t.id))
    return call.page([token_view(call.state, token, call.base_url) for token in tokens])


def create_token(call):
    owner = _owner(call)
    _authorise(call, owner, write=True, create=True)
    data = call.request.json_object()
    name = data.get('name')
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, 'A token name is required.', context='name')
    permissions = _validated_permissions(owner, data.get('permissions'))
    days = _validated_expiry(call.state, data)
    token = new_token(call.state, name, permissions, days, owner.user, owner.project, owner.repo)
    return Response.json(token_view(call.state, token, call.base_url, raw=True))


def get_token(call):
    owner = _owner(call)
    _authorise(call, owner, write=False)
    return Response.json(token_view(call.state, _token(call, owner), call.base_url))


def update_token(call):
    owner = _owner(call)
    _authorise(call, owner, write=True)
    token = _token(call, owner)
    data = call.request.json_object()
    if 'expiryDays' in data and data['expiryDays'] != token.expiry_days:
        # api.md §2.1: "Once a token's expiry date has been set, it can't be changed."
        raise ApiError(400, "A token's expiry cannot be changed.", context='expiryDays')
    if 'name' in data:
        if not isinstance(data['name'], str) or not data['name'].strip():
            raise ApiError(400, 'A token name is required.', context='name')
        token.name = data['name']
    if 'permissions' in data:
        token.permissions = _validated_permissions(owner, data['permissions'])
    return Response.json(token_view(call.state, token, call.base_url))


def delete_token(call):
    owner = _owner(call)
    _authorise(call, owner, write=True)
    del call.state.access_tokens[_token(call, owner).id]
    return Response.empty()


def _routes():
    routes = []
    for owner_path in ('users/<slug>', 'projects/<key>', 'projects/<key>/repos/<repo>'):
        base = '/rest/access-tokens/{v}/' + owner_path
        routes += [
            route('GET', base, list_tokens, 'access_tokens'),
            route('PUT', base, create_token, 'access_tokens'),
            route('GET', base + '/<token_id>', get_token, 'access_tokens'),
            route('POST', base + '/<token_id>', update_token, 'access_tokens'),
            route('DELETE', base + '/<token_id>', delete_token, 'access_tokens'),
        ]
    return routes


ROUTES = _routes()
