"""Expiry arithmetic and compliance rules of the access-token audit (pure functions, no server needed)."""

import pytest

from ansible_collections.dcops.bitbucket.plugins.module_utils._token_audit import (
    DAY_MS,
    OwnerNotFound,
    compliance,
    describe_token,
    epoch_ms,
    iso_utc,
    select_users,
    summarise,
)

CREATED = 1609249808751  # the createdDate of the captured create response (docs/dev/bitbucket-api-notes.md §2.2)
NOW = CREATED + 10 * DAY_MS


def test_expiry_is_created_plus_expiry_days_and_iso_is_utc():
    token = describe_token({'id': 158910532909, 'name': 'che5', 'createdDate': CREATED, 'expiryDays': 90,
                            'permissions': ['REPO_WRITE', 'PROJECT_WRITE'], 'lastAuthenticated': CREATED + 1000},
                           'user', 'alice', 'Alice', max_expiry_days=90, now=NOW)
    assert token['expires_epoch_ms'] == CREATED + 90 * 86400000
    assert token['created'] == '2020-12-29T13:50:08Z'
    assert token['expires'] == '2021-03-29T13:50:08Z'
    assert token['last_authenticated'] == '2020-12-29T13:50:09Z'
    assert token['id'] == '158910532909'
    assert token['permissions'] == ['PROJECT_WRITE', 'REPO_WRITE']
    assert (token['compliant'], token['expired'], token['noncompliance_reason']) == (True, False, None)
    assert (token['owner_type'], token['owner'], token['owner_name']) == ('user', 'alice', 'Alice')


def test_never_expiring_token_has_null_expiry_and_is_not_compliant():
    token = describe_token({'id': '1', 'name': 'forever', 'createdDate': CREATED}, 'user', 'bob', 'bob',
                           max_expiry_days=365, now=NOW)
    assert token['expiry_days'] is None and token['expires'] is None and token['expires_epoch_ms'] is None
    assert token['expired'] is False
    assert token['compliant'] is False and token['noncompliance_reason'] == 'never expires'
    assert token['last_authenticated'] is None


@pytest.mark.parametrize('days, limit, expected', [
    (30, 30, True), (31, 30, False), (1, 30, True), (None, 30, False), (400, None, None), (None, None, None),
])
def test_compliance_boundaries(days, limit, expected):
    assert compliance(days, limit)[0] is expected


def test_expired_token_is_flagged_and_judged_by_its_lifetime():
    raw = {'id': '2', 'name': 'old', 'createdDate': CREATED, 'expiryDays': 5}
    token = describe_token(raw, 'project', 'OPS', 'OPS', max_expiry_days=30, now=NOW)
    assert token['expired'] is True and token['compliant'] is True
    raw['expiryDays'] = 10
    assert describe_token(raw, 'project', 'OPS', 'OPS', now=CREATED + 10 * DAY_MS)['expired'] is True
    assert describe_token(raw, 'project', 'OPS', 'OPS', now=CREATED + 10 * DAY_MS - 1)['expired'] is False


def test_iso_created_date_as_the_spec_declares_it_is_read_too():
    assert epoch_ms('2020-12-29T13:50:08.751Z') == CREATED
    assert epoch_ms('2020-12-29T13:50:08.751+00:00') == CREATED
    assert epoch_ms('not a date') is None and epoch_ms(None) is None and epoch_ms(True) is None
    assert iso_utc(None) is None


def test_unusable_expiry_days_count_as_never_expiring():
    for value in (0, -3, 'ninety', True, None):
        token = describe_token({'id': '3', 'createdDate': CREATED, 'expiryDays': value}, 'user', 'c', 'c',
                               max_expiry_days=30, now=NOW)
        assert token['expiry_days'] is None and token['compliant'] is False


def test_summary_counts():
    tokens = [describe_token({'id': str(i), 'createdDate': CREATED, 'expiryDays': days}, 'user', 'u', 'u',
                             max_expiry_days=30, now=NOW) for i, days in enumerate([5, 30, 31, None, None])]
    assert summarise(tokens) == {'tokens': 5, 'compliant': 2, 'noncompliant': 3, 'never_expiring': 2, 'expired': 1}


def test_select_users_by_name_or_slug_case_insensitively_and_names_the_missing():
    listing = [{'name': 'Alice', 'slug': 'alice'}, {'name': 'bob@example.com', 'slug': 'bob_example.com'}, {}]
    assert [u['slug'] for u in select_users(listing)] == ['alice', 'bob_example.com']
    assert [u['name'] for u in select_users(listing, ['ALICE', 'bob_example.com', 'alice'])] == \
        ['Alice', 'bob@example.com']
    with pytest.raises(OwnerNotFound, match='users not found in Bitbucket: carol, dave'):
        select_users(listing, ['alice', 'carol', 'dave'])
