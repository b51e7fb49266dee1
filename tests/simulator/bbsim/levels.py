"""Global permission levels and OAuth scope caps (docs/dev/bitbucket-api-notes.md §3.5, §1.8)."""

GLOBAL_PERMISSIONS = ('LICENSED_USER', 'PROJECT_CREATE', 'ADMIN', 'SYS_ADMIN')
NONE = 0
LICENSED_USER = 1
ADMIN = 3
SYS_ADMIN = 4

# docs/dev/bitbucket-api-notes.md §1.8: what an OAuth scope allows is capped by the user's own permission; only the admin
# scopes reach the admin endpoints.
SCOPE_CAPS = {
    'PUBLIC_REPOS': LICENSED_USER,
    'ACCOUNT_WRITE': LICENSED_USER,
    'REPO_READ': LICENSED_USER,
    'REPO_WRITE': LICENSED_USER,
    'REPO_ADMIN': LICENSED_USER,
    'PROJECT_ADMIN': LICENSED_USER,
    'ADMIN_WRITE': ADMIN,
    'SYSTEM_ADMIN': SYS_ADMIN,
}


def rank(permission):
    """0 for no permission, 1 (LICENSED_USER) .. 4 (SYS_ADMIN)."""
    if not permission:
        return NONE
    return GLOBAL_PERMISSIONS.index(permission) + 1


def name_of(level):
    """The permission name of a rank, None for 0."""
    return GLOBAL_PERMISSIONS[level - 1] if level else None


def scope_cap(scopes):
    """The highest global level a set of OAuth scopes can exercise."""
    return max([SCOPE_CAPS.get(scope, NONE) for scope in scopes] or [NONE])
