"""OAuth 2.0 provider data: registered clients, authorization codes and issued token pairs."""

import secrets
from dataclasses import dataclass, field, replace


def new_secret():
    return secrets.token_urlsafe(32)


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list = field(default_factory=list)
    scopes: list = None
    service_user: str = None


@dataclass
class AuthCode:
    code: str
    client_id: str
    user_id: int
    redirect_uri: str
    scope: list
    challenge: str
    method: str
    issued_at: float
    used: bool = False


@dataclass
class Grant:
    """One access token, and the refresh token that can replace it."""
    client_id: str
    subject_id: int
    subject_name: str
    scope: list
    redirect_uri: str
    access_token: str
    access_expires: float
    refresh_token: str = None
    refresh_expires: float = None
    refresh_issued: float = None


class OAuthStore:
    """Clients, codes and grants. A grant is reachable by its access token and, while valid, its refresh token."""

    def __init__(self):
        self.clients = {}
        self.codes = {}
        self.by_access = {}
        self.by_refresh = {}

    def add_client(self, client):
        self.clients[client.client_id] = client

    def new_code(self, **fields):
        code = AuthCode(code=new_secret(), **fields)
        self.codes[code.code] = code
        return code

    def issue(self, client_id, subject_id, subject_name, scope, redirect_uri, now, config, with_refresh=True):
        grant = Grant(client_id, subject_id, subject_name, list(scope), redirect_uri,
                      new_secret(), now + config['access_token_ttl'])
        if with_refresh:
            grant.refresh_token = new_secret()
            grant.refresh_expires = now + config['refresh_token_ttl']
            grant.refresh_issued = now
            self.by_refresh[grant.refresh_token] = grant
        self.by_access[grant.access_token] = grant
        return grant

    def refresh(self, grant, now, config, scope):
        """A new access token for ``grant``'s refresh token.

        rotate_refresh_tokens: a new refresh token too, and both old tokens die (as Atlassian Cloud does and the
        collection must assume, docs/dev/bitbucket-api-notes.md §1.6). omit_refresh_token: the refresh token is kept as it was
        (and left out of the answer). Without rotation the old access token stays valid until it expires.
        """
        rotate = config['rotate_refresh_tokens']
        new = replace(grant, scope=list(scope), access_token=new_secret(), access_expires=now + config['access_token_ttl'])
        if rotate and not config['omit_refresh_token']:
            del self.by_refresh[grant.refresh_token]
            new.refresh_token = new_secret()
            new.refresh_expires = now + config['refresh_token_ttl']
            new.refresh_issued = now
        self.by_refresh[new.refresh_token] = new
        if rotate:
            self.by_access.pop(grant.access_token, None)
        self.by_access[new.access_token] = new
        return new

    def valid_access(self, token, now):
        """(grant, reason): the grant of a usable access token, or None and why not."""
        grant = self.by_access.get(token)
        if grant is None:
            return None, 'unknown'
        if now >= grant.access_expires:
            return None, 'expired'
        return grant, None

    def valid_refresh(self, token, now):
        grant = self.by_refresh.get(token)
        if grant is None:
            return None, 'unknown'
        if now >= grant.refresh_expires:
            return None, 'expired'
        return grant, None

    def revoke_subject(self, subject_id):
        for tokens in (self.by_access, self.by_refresh):
            for token in [t for t, grant in tokens.items() if grant.subject_id == subject_id]:
                del tokens[token]

    def snapshot(self, now):
        return {
            'clients': [{'client_id': c.client_id, 'redirect_uris': c.redirect_uris, 'scopes': c.scopes,
                         'service_user': c.service_user} for c in self.clients.values()],
            'access_tokens': [_grant_view(g, g.access_token, g.access_expires, now) for g in self.by_access.values()],
            'refresh_tokens': [_grant_view(g, g.refresh_token, g.refresh_expires, now) for g in self.by_refresh.values()],
        }


def _grant_view(grant, token, expires, now):
    return {'token': token, 'client_id': grant.client_id, 'user': grant.subject_name, 'scope': ' '.join(grant.scope),
            'expires_at': expires, 'valid': now < expires}
