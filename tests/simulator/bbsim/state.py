"""The state of one simulated Bitbucket instance: users, groups, tokens, policy, config and the clock."""

import itertools
import threading
import time
from dataclasses import dataclass, field

from .levels import rank
from .messages import ApiError
from .oauth_store import OAuthStore

INTERNAL_DIRECTORY = 'Bitbucket Internal Directory'
ADMIN_NAME = 'admin'
ADMIN_PASSWORD = 'admin-password'
KEEP = object()

DEFAULT_CONFIG = {
    'page_cap': 25,
    'access_token_ttl': 3600,
    'refresh_token_ttl': 7776000,
    'code_ttl': 10,
    'rotate_refresh_tokens': True,
    'omit_refresh_token': False,
    'policy_unset_style': '404',
    'policy_rejects_bearer': False,
    'access_tokens_reject_oauth': False,
    'require_redirect_uri_on_refresh': True,
    'default_group': 'stash-users',
    'cloud_scope_key': 'scopes',
    'authorize_user': None,
    'authorize_decision': 'approve',
    'version': '9.2.0',
    'omit_username_header': False,  # as a proxy that drops X-AUSERNAME from the answers
    # Shapes seen on real servers (docs/dev/bitbucket-api-notes.md §3.11): 204 answers labelled application/json,
    # user listings without the directory and mutability fields.
    'json_on_204': False,
    'user_fields': 'detailed',
}
CONFIG_CHOICES = {
    'policy_unset_style': ('404', '204', 'empty'),
    'cloud_scope_key': ('scopes', 'scope'),
    'authorize_decision': ('approve', 'deny'),
    'user_fields': ('detailed', 'minimal'),
}


def slug_of(name):
    return name.lower()


@dataclass
class User:
    id: int
    name: str
    display_name: str
    email: str
    password: str = None
    permission: str = None
    directory: str = INTERNAL_DIRECTORY
    mutable_details: bool = True
    mutable_groups: bool = True
    type: str = 'NORMAL'
    active: bool = True
    last_auth: int = None

    @property
    def slug(self):
        return slug_of(self.name)


@dataclass
class Group:
    name: str
    permission: str = None
    members: set = field(default_factory=set)


@dataclass
class AccessToken:
    """An HTTP access token: personal (user), project (project) or repository (project + repo)."""
    id: str
    name: str
    token: str
    permissions: list
    created: int
    expiry_days: int = None
    last_authenticated: int = None
    user_id: int = None
    project: str = None
    repo: str = None

    def expired(self, now_ms):
        return self.expiry_days is not None and now_ms >= self.created + self.expiry_days * 86400000


class State:
    """All mutable data of one instance. Callers hold ``lock`` (the server does, around every request)."""

    def __init__(self, page_cap=None):
        self.lock = threading.RLock()
        self.default_page_cap = page_cap or DEFAULT_CONFIG['page_cap']
        self.reset()

    def reset(self):
        self.config = dict(DEFAULT_CONFIG, page_cap=self.default_page_cap)
        self.clock_offset = 0.0
        self.users = {}
        self.groups = {}
        self.directories = {INTERNAL_DIRECTORY: {'type': 'INTERNAL', 'description': 'Users managed by Bitbucket'}}
        self.oauth = OAuthStore()
        self.access_tokens = {}
        self.projects = {}
        self.policy = None
        self.captcha = set()
        self._ids = itertools.count(1)
        default_group = self.add_group(self.config['default_group'], 'LICENSED_USER')
        admin = self.add_user(ADMIN_NAME, 'Administrator', 'admin@example.com', ADMIN_PASSWORD, permission='SYS_ADMIN')
        default_group.members.add(admin.id)

    # clock ---------------------------------------------------------------------------------------------------
    def now(self):
        """Seconds since the epoch on the simulated clock."""
        return time.time() + self.clock_offset

    def now_ms(self):
        return int(self.now() * 1000)

    # users ---------------------------------------------------------------------------------------------------
    def add_user(self, name, display_name, email, password=None, **details):
        user = User(next(self._ids), name, display_name, email, password, **details)
        self.users[user.id] = user
        return user

    def find_user(self, name):
        key = (name or '').lower()
        return next((user for user in self.users.values() if user.name.lower() == key), None)

    def find_user_by_slug(self, slug):
        return next((user for user in self.users.values() if user.slug == slug), None)

    def get_user(self, name, context='name'):
        user = self.find_user(name)
        if user is None:
            raise ApiError(404, 'User %s does not exist.' % name, context=context,
                           exception_name='com.atlassian.bitbucket.user.NoSuchUserException')
        return user

    def sorted_users(self, users=None):
        return sorted(self.users.values() if users is None else users, key=lambda user: user.name.lower())

    def remove_user(self, user):
        del self.users[user.id]
        for group in self.groups.values():
            group.members.discard(user.id)
        for token_id in [tid for tid, token in self.access_tokens.items() if token.user_id == user.id]:
            del self.access_tokens[token_id]
        self.oauth.revoke_subject(user.id)

    # groups --------------------------------------------------------------------------------------------------
    def add_group(self, name, permission=None):
        group = Group(name, permission)
        self.groups[name.lower()] = group
        return group

    def find_group(self, name):
        return self.groups.get((name or '').lower())

    def get_group(self, name, context='name'):
        group = self.find_group(name)
        if group is None:
            raise ApiError(404, 'Group %s does not exist.' % name, context=context,
                           exception_name='com.atlassian.bitbucket.user.NoSuchGroupException')
        return group

    def sorted_groups(self, groups=None):
        return sorted(self.groups.values() if groups is None else groups, key=lambda group: group.name.lower())

    def groups_of(self, user):
        return self.sorted_groups(group for group in self.groups.values() if user.id in group.members)

    def members_of(self, group):
        return self.sorted_users(self.users[user_id] for user_id in group.members if user_id in self.users)

    # permissions ---------------------------------------------------------------------------------------------
    def level_of(self, user, own=KEEP, group_overrides=None):
        """A user's effective global level: the highest of its own and its groups' permissions (api.md §3.5).

        ``own`` and ``group_overrides`` ({group name lower case: permission or None}) answer "what if".
        """
        overrides = group_overrides or {}
        ranks = [rank(user.permission if own is KEEP else own)]
        for group in self.groups_of(user):
            key = group.name.lower()
            ranks.append(rank(overrides[key] if key in overrides else group.permission))
        return max(ranks)

    # projects ------------------------------------------------------------------------------------------------
    def ensure_project(self, key, repo=None):
        repos = self.projects.setdefault(key.upper(), set())
        if repo:
            repos.add(repo.lower())
