"""JSON shapes of users and groups (RestApplicationUser, RestDetailedUser, RestDetailedGroup; api.md §3.1)."""


def user_view(user, base_url):
    return {
        'name': user.name,
        'emailAddress': user.email,
        'id': user.id,
        'displayName': user.display_name,
        'active': user.active,
        'slug': user.slug,
        'type': user.type,
        'links': {'self': [{'href': '%s/users/%s' % (base_url, user.slug)}]},
    }


def detailed_user_view(user, base_url):
    view = user_view(user, base_url)
    view.update({
        'directoryName': user.directory,
        'deletable': user.mutable_details,
        'mutableDetails': user.mutable_details,
        'mutableGroups': user.mutable_groups,
    })
    if user.last_auth is not None:
        view['lastAuthenticationTimestamp'] = user.last_auth
    return view


def group_view(group):
    return {'name': group.name, 'deletable': True}


def matches(filter_text, *fields):
    """Bitbucket's ``filter``: a case-insensitive substring of any of the fields; no filter matches all."""
    if not filter_text:
        return True
    needle = filter_text.lower()
    return any(needle in (value or '').lower() for value in fields)


def user_matches(user, filter_text):
    return matches(filter_text, user.name, user.display_name, user.email)
