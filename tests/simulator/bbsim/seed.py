"""Seeding state through the control API (``POST /_sim/seed``) and the matching ``GET /_sim/state`` snapshot."""

from .access_tokens import new_token
from .levels import GLOBAL_PERMISSIONS
from .oauth_store import Client
from .policy import validated_policy
from .state import INTERNAL_DIRECTORY

USER_KEYS = {'name', 'displayName', 'emailAddress', 'password', 'permission', 'groups', 'directory', 'mutableDetails',
             'mutableGroups', 'type', 'active', 'addToDefaultGroup', 'lastAuthenticationTimestamp'}
TOKEN_KEYS = {'user', 'name', 'permissions', 'expiryDays', 'createdDate', 'lastAuthenticated', 'project', 'repo', 'token'}


def _check_keys(kind, spec, allowed):
    unknown = set(spec) - allowed
    if unknown:
        raise ValueError('unknown %s keys: %s' % (kind, ', '.join(sorted(unknown))))


def _permission(value):
    if value is not None and value not in GLOBAL_PERMISSIONS:
        raise ValueError('permission must be one of %s or null' % ', '.join(GLOBAL_PERMISSIONS))
    return value


def _group(state, spec):
    _check_keys('group', spec, {'name', 'permission'})
    group = state.find_group(spec['name']) or state.add_group(spec['name'])
    group.permission = _permission(spec.get('permission', group.permission))
    return group


def _user(state, spec):
    """A user as if created through the API (default group included unless addToDefaultGroup is false)."""
    _check_keys('user', spec, USER_KEYS)
    name = spec['name']
    if state.find_user(name):
        raise ValueError('user %s already exists' % name)
    directory = spec.get('directory', INTERNAL_DIRECTORY)
    internal = directory == INTERNAL_DIRECTORY
    if not internal:
        state.directories.setdefault(directory, {'type': 'DELEGATING_LDAP', 'description': 'Read-only LDAP directory'})
    user = state.add_user(
        name, spec.get('displayName', name), spec.get('emailAddress', '%s@example.com' % name), spec.get('password'),
        permission=_permission(spec.get('permission')), directory=directory,
        mutable_details=spec.get('mutableDetails', internal), mutable_groups=spec.get('mutableGroups', internal),
        type=spec.get('type', 'NORMAL'), active=spec.get('active', True), last_auth=spec.get('lastAuthenticationTimestamp'))
    groups = list(spec.get('groups', []))
    if spec.get('addToDefaultGroup', True):
        groups.append(state.config['default_group'])
    for group_name in groups:
        (state.find_group(group_name) or state.add_group(group_name)).members.add(user.id)
    return user


def _client(state, spec):
    _check_keys('oauth client', spec, {'client_id', 'client_secret', 'redirect_uris', 'scopes', 'service_user'})
    state.oauth.add_client(Client(spec['client_id'], spec['client_secret'], list(spec.get('redirect_uris', [])),
                                  spec.get('scopes'), spec.get('service_user')))


def _token(state, spec):
    _check_keys('access token', spec, TOKEN_KEYS)
    user = state.get_user(spec['user']) if spec.get('user') else None
    if spec.get('project'):
        state.ensure_project(spec['project'], spec.get('repo'))
    token = new_token(state, spec['name'], spec['permissions'], spec.get('expiryDays'), user=user,
                      project=spec.get('project'), repo=spec.get('repo'), created=spec.get('createdDate'),
                      raw=spec.get('token'))
    token.last_authenticated = spec.get('lastAuthenticated')
    return {'id': token.id, 'token': token.token}


def apply(state, spec):
    """Add everything in ``spec``; returns the created access tokens' ids and secrets."""
    _check_keys('seed', spec, {'users', 'groups', 'oauth_clients', 'access_tokens', 'policy', 'projects'})
    for group in spec.get('groups', []):
        _group(state, group)
    for user in spec.get('users', []):
        _user(state, user)
    for client in spec.get('oauth_clients', []):
        _client(state, client)
    for project in spec.get('projects', []):
        state.ensure_project(project['key'])
        for repo in project.get('repos', []):
            state.ensure_project(project['key'], repo)
    tokens = [_token(state, token) for token in spec.get('access_tokens', [])]
    if 'policy' in spec:
        state.policy = validated_policy(spec['policy']) if spec['policy'] is not None else None
    return {'access_tokens': tokens}


def snapshot(state):
    """Everything, as plain JSON, for tests to assert on."""
    users = []
    for user in state.sorted_users():
        users.append({
            'id': user.id, 'name': user.name, 'slug': user.slug, 'displayName': user.display_name,
            'emailAddress': user.email, 'password': user.password, 'permission': user.permission,
            'effective_permission': GLOBAL_PERMISSIONS[state.level_of(user) - 1] if state.level_of(user) else None,
            'groups': [group.name for group in state.groups_of(user)], 'directory': user.directory,
            'mutableDetails': user.mutable_details, 'mutableGroups': user.mutable_groups, 'type': user.type,
            'active': user.active, 'lastAuthenticationTimestamp': user.last_auth,
        })
    groups = [{'name': group.name, 'permission': group.permission,
               'members': [user.name for user in state.members_of(group)]} for group in state.sorted_groups()]
    oauth = state.oauth.snapshot(state.now())
    return {
        'now': state.now(),
        'config': dict(state.config),
        'users': users,
        'groups': groups,
        'permissions': {'users': {u['name']: u['permission'] for u in users if u['permission']},
                        'groups': {g['name']: g['permission'] for g in groups if g['permission']}},
        'access_tokens': [_token_view(state, token) for token in state.access_tokens.values()],
        'policy': state.policy,
        'projects': {key: sorted(repos) for key, repos in state.projects.items()},
        'oauth': oauth,
        'valid_refresh_tokens': [entry['token'] for entry in oauth['refresh_tokens'] if entry['valid']],
        'valid_access_tokens': [entry['token'] for entry in oauth['access_tokens'] if entry['valid']],
    }


def _token_view(state, token):
    user = state.users.get(token.user_id)
    return {'id': token.id, 'name': token.name, 'user': user.name if user else None, 'project': token.project,
            'repo': token.repo, 'permissions': token.permissions, 'createdDate': token.created,
            'expiryDays': token.expiry_days, 'lastAuthenticated': token.last_authenticated, 'token': token.token,
            'expired': token.expired(state.now_ms())}
