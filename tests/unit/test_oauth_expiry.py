# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Expiry arithmetic and endpoint selection of module_utils/_oauth.py (boundaries, where peers got the sign wrong)."""

from __future__ import annotations

import pytest

from ansible_collections.dcops.bitbucket.plugins.module_utils._oauth import (
    CLOUD_TOKEN_URL,
    access_token_is_fresh,
    authorize_url,
    refresh_token_age_warning,
    scope_list,
    token_endpoint_url,
)

NOW = 1_800_000_000


@pytest.mark.parametrize('expires_at, min_validity, fresh', [
    (NOW + 301, 300, True),
    (NOW + 300, 300, True),
    (NOW + 299, 300, False),
    (NOW - 1, 0, False),
    (NOW, 0, True),
    (NOW + 3600, 3601, False),
])
def test_access_token_is_fresh_for_at_least_min_validity(expires_at, min_validity, fresh):
    assert access_token_is_fresh('token', expires_at, min_validity, NOW) is fresh


def test_unknown_expiry_or_no_token_is_never_fresh():
    assert access_token_is_fresh('token', None, 0, NOW) is False
    assert access_token_is_fresh(None, NOW + 3600, 0, NOW) is False
    assert access_token_is_fresh('', NOW + 3600, 0, NOW) is False


def test_refresh_token_warning_starts_at_80_percent_of_the_lifetime():
    lifetime = 90 * 86400
    assert refresh_token_age_warning(NOW - int(0.8 * lifetime) + 1, lifetime, NOW) is None
    warning = refresh_token_age_warning(NOW - int(0.8 * lifetime), lifetime, NOW)
    assert 'expires in about 18 days (issued 72 days ago, lifetime 90 days)' in warning
    assert 'ansible-playbook dcops.bitbucket.bootstrap_oauth' in warning
    expired = refresh_token_age_warning(NOW - lifetime - 86400, lifetime, NOW)
    assert 'has probably expired (issued 91 days ago' in expired


def test_no_warning_without_an_issue_time():
    assert refresh_token_age_warning(None, 7776000, NOW) is None


@pytest.mark.parametrize('value, scopes', [
    ('ADMIN_WRITE REPO_READ', ['ADMIN_WRITE', 'REPO_READ']),
    ('account,repository', ['account', 'repository']),
    (['SYSTEM_ADMIN'], ['SYSTEM_ADMIN']),
    (None, []),
    ('', []),
])
def test_scope_list(value, scopes):
    assert scope_list(value) == scopes


def test_endpoints():
    assert token_endpoint_url('datacenter', 'https://example.com/bitbucket/') == \
        'https://example.com/bitbucket/rest/oauth2/latest/token'
    assert token_endpoint_url('cloud') == CLOUD_TOKEN_URL == 'https://bitbucket.org/site/oauth2/access_token'
    assert token_endpoint_url('cloud', 'https://ignored', 'http://127.0.0.1:9/t') == 'http://127.0.0.1:9/t'
    assert authorize_url('https://example.com/bitbucket') == 'https://example.com/bitbucket/rest/oauth2/latest/authorize'
