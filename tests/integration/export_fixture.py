"""The instance the export tests read: 300 users (30 of them from a read-only LDAP directory), 40 groups with and
without global permissions, users with their own permissions, memberships, all behind a page cap of 25; and what
the exported file must hold for it, derived here from the seed (not from the collection's code)."""

import math

PAGE_CAP = 25
USERS = 300
GROUPS = 40
LDAP_FROM = 270  # user270 .. user299 come from the read-only directory
LDAP = 'corp-ldap'
DEFAULT_GROUP = 'stash-users'


def user_name(i):
    return 'user%03d' % i


def group_name(i):
    return 'team%02d' % i


def group_permission(i):
    return {0: 'PROJECT_CREATE', 1: 'LICENSED_USER'}.get(i % 4)


def user_permission(i):
    return 'ADMIN' if i % 50 == 25 else 'PROJECT_CREATE' if i % 10 == 0 else None


def teams_of(i):
    return sorted({group_name(i % GROUPS), group_name((i * 7 + 3) % GROUPS)})


def seed(sim):
    sim.control.config(page_cap=PAGE_CAP)
    groups = [{'name': group_name(i), 'permission': group_permission(i)} for i in range(GROUPS)]
    users = []
    for i in range(USERS):
        user = {'name': user_name(i), 'displayName': 'User %03d' % i, 'emailAddress': '%s@example.com' % user_name(i),
                'password': 'cnryUserPw-%03d-Zq8' % i, 'groups': teams_of(i), 'permission': user_permission(i)}
        if i >= LDAP_FROM:
            user['directory'] = LDAP
        users.append(user)
    sim.control.seed(groups=groups, users=users)


def expected_document(directory_users=False):
    """bitbucket_groups and bitbucket_users as the export must write them (the seeded admin included)."""
    groups = [{'name': DEFAULT_GROUP, 'permission': 'LICENSED_USER'}]  # as Bitbucket sets it up
    groups += [{'name': group_name(i), 'permission': group_permission(i) or 'none'} for i in range(GROUPS)]
    users = [{'name': 'admin', 'display_name': 'Administrator', 'email': 'admin@example.com', 'permission': 'SYS_ADMIN',
              'groups': [DEFAULT_GROUP]}]
    for i in range(USERS):
        user = {'name': user_name(i), 'display_name': 'User %03d' % i, 'email': '%s@example.com' % user_name(i),
                'permission': user_permission(i) or 'none', 'groups': sorted(teams_of(i) + [DEFAULT_GROUP])}
        if i >= LDAP_FROM:
            if not directory_users:
                continue
            del user['display_name'], user['email']
        users.append(user)
    return {'bitbucket_groups': sorted(groups, key=lambda g: g['name']), 'bitbucket_users': users}


def pages(count):
    return max(1, math.ceil(count / PAGE_CAP))


def expected_info_requests():
    """{path: GETs} that the export's two _info tasks send (Basic auth: no token request; the rate-limit settings,
    read only when the client's copy of the bucket runs dry, are counted apart).

    bitbucket_group_info: the group listing and the group-permission listing.
    bitbucket_user_info with include_groups: the user listing, the user-permission listing, and, as there are fewer
    groups than users, the group listing again and each group's members (page by page) instead of one read per user.
    """
    members = {group_name(i): 0 for i in range(GROUPS)}
    for i in range(USERS):
        for team in teams_of(i):
            members[team] += 1
    members[DEFAULT_GROUP] = USERS + 1
    granted_users = 1 + sum(1 for i in range(USERS) if user_permission(i))
    granted_groups = 1 + sum(1 for i in range(GROUPS) if group_permission(i))
    return {
        'admin/groups': 2 * pages(GROUPS + 1),
        'admin/permissions/groups': pages(granted_groups),
        'admin/users': pages(USERS + 1),
        'admin/permissions/users': pages(granted_users),
        'admin/groups/more-members': sum(pages(n) for n in members.values()),
    }
