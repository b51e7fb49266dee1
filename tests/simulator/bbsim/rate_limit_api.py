"""The rate-limit settings API: {base}/rest/api/latest/admin/rate-limit/settings (docs/dev/bitbucket-api-notes.md §3.6)."""

from .levels import ADMIN
from .messages import ApiError, Response
from .rate_limit import validated_settings
from .routing import route
from .views import user_view


def get_settings(call):
    limiter = call.instance.rate_limit
    return Response.json({'enabled': limiter.enabled, 'defaultSettings': dict(limiter.defaults)})


def put_settings(call):
    data = call.request.json()
    if not isinstance(data, dict) or not isinstance(data.get('enabled'), bool):
        raise ApiError(400, 'enabled must be a boolean.', context='enabled')
    settings = validated_settings(data.get('defaultSettings'))
    call.instance.rate_limit.configure(enabled=data['enabled'], capacity=settings['capacity'],
                                       fill_rate=settings['fillRate'])
    return get_settings(call)


def _entry(call, name, entry):
    return {'user': user_view(call.state.find_user(name), call.base_url),
            'settings': entry['settings'] or dict(call.instance.rate_limit.defaults),
            'whitelisted': entry['whitelisted']}


def list_users(call):
    text = (call.request.params.get('filter') or [''])[0].lower()
    entries = [_entry(call, name, entry) for name, entry in sorted(call.instance.rate_limit.users.items())
               if text in name.lower() and call.state.find_user(name)]
    return call.page(entries)


def _user(call):
    user = call.state.find_user_by_slug(call.request.path_args['slug'])
    if user is None:
        raise ApiError(404, 'User %s does not exist.' % call.request.path_args['slug'])
    return user


def _settings_of(data):
    whitelisted = bool(data.get('whitelisted'))
    return (None if whitelisted and 'settings' not in data else validated_settings(data.get('settings'))), whitelisted


def set_users(call):
    data = call.request.json()
    names = data.get('usernames') if isinstance(data, dict) else None
    if not names or not isinstance(names, list):
        raise ApiError(400, 'usernames are required.', context='usernames')
    settings, whitelisted = _settings_of(data)
    users = [call.state.find_user(name) for name in names]
    if None in users:
        raise ApiError(404, 'User %s does not exist.' % names[users.index(None)])
    for user in users:
        call.instance.rate_limit.set_user(user.name, settings, whitelisted)
    return Response.json([_entry(call, user.name, call.instance.rate_limit.users[user.name]) for user in users])


def get_user(call):
    user = _user(call)
    entry = call.instance.rate_limit.users.get(user.name)
    if entry is None:
        raise ApiError(404, 'User %s has no rate limit settings.' % user.name)
    return Response.json(_entry(call, user.name, entry))


def put_user(call):
    user = _user(call)
    data = call.request.json()
    settings, whitelisted = _settings_of(data if isinstance(data, dict) else {})
    call.instance.rate_limit.set_user(user.name, settings, whitelisted)
    return Response.json(_entry(call, user.name, call.instance.rate_limit.users[user.name]))


def delete_user(call):
    user = _user(call)
    call.instance.rate_limit.delete_user(user.name)
    return Response.empty()


PATH = '/rest/api/{v}/admin/rate-limit/settings'
ROUTES = [
    route('GET', PATH, get_settings, 'rate_limit'),
    route('PUT', PATH, put_settings, 'rate_limit', level=ADMIN),
    route('GET', PATH + '/users', list_users, 'rate_limit', level=ADMIN),
    route('POST', PATH + '/users', set_users, 'rate_limit', level=ADMIN),
    route('GET', PATH + '/users/<slug>', get_user, 'rate_limit', level=ADMIN),
    route('PUT', PATH + '/users/<slug>', put_user, 'rate_limit', level=ADMIN),
    route('DELETE', PATH + '/users/<slug>', delete_user, 'rate_limit', level=ADMIN),
]
