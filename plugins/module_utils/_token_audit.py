# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Expiry and compliance of HTTP access tokens, as reported by the audit. FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import time

from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError

DAY_MS = 86400000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def now_ms():
    return int(time.time() * 1000)


def epoch_ms(value):
    """Epoch milliseconds from Bitbucket's number or, as the 9.2 spec declares it, an ISO 8601 string."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    try:
        parsed = datetime.datetime.fromisoformat(str(value).replace('Z', '+00:00'))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return int((parsed - _EPOCH).total_seconds() * 1000)


def iso_utc(ms):
    """'2026-01-31T12:00:00Z' for epoch milliseconds; None stays None."""
    if ms is None:
        return None
    return (_EPOCH + datetime.timedelta(milliseconds=ms)).strftime('%Y-%m-%dT%H:%M:%SZ')


def _expiry_days(raw):
    value = raw.get('expiryDays')
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value


def max_expiry_days_problem(value):
    """Why a max_expiry_days option value is unusable (the message names the option), or None when it is fine."""
    if value is not None and (isinstance(value, bool) or value < 1):
        return 'max_expiry_days must be an integer of 1 or more (days); got %r' % (value,)
    return None


def compliance(expiry_days, max_expiry_days):
    """(compliant, reason) of a token's expiry against the maximum; (None, None) when there is no maximum."""
    if max_expiry_days is None:
        return None, None
    if expiry_days is None:
        return False, 'never expires'
    if expiry_days > max_expiry_days:
        return False, 'expires %d days after creation, more than the maximum of %d' % (expiry_days, max_expiry_days)
    return True, None


def describe_token(raw, owner_type, owner, owner_name, max_expiry_days=None, now=None):
    """The audit record of one token as Bitbucket returned it (docs/dev/bitbucket-api-notes.md §2.2).

    Bitbucket has no expiry date field: a token expires at createdDate + expiryDays * 86400000 ms, and a token
    without expiryDays never expires.
    """
    now = now_ms() if now is None else now
    created = epoch_ms(raw.get('createdDate'))
    days = _expiry_days(raw)
    expires = created + days * DAY_MS if created is not None and days is not None else None
    last = epoch_ms(raw.get('lastAuthenticated'))
    compliant, reason = compliance(days, max_expiry_days)
    return {
        'owner_type': owner_type,
        'owner': owner,
        'owner_name': owner_name,
        'id': str(raw.get('id')),
        'name': raw.get('name'),
        'permissions': sorted(raw.get('permissions') or []),
        'created': iso_utc(created),
        'created_epoch_ms': created,
        'expiry_days': days,
        'expires': iso_utc(expires),
        'expires_epoch_ms': expires,
        'expired': expires is not None and expires <= now,
        'last_authenticated': iso_utc(last),
        'last_authenticated_epoch_ms': last,
        'compliant': compliant,
        'noncompliance_reason': reason,
    }


def summarise(tokens):
    """Counts for a report: all tokens, compliant, non-compliant, never expiring, expired."""
    return {
        'tokens': len(tokens),
        'compliant': sum(1 for t in tokens if t['compliant'] is True),
        'noncompliant': sum(1 for t in tokens if t['compliant'] is False),
        'never_expiring': sum(1 for t in tokens if t['expiry_days'] is None),
        'expired': sum(1 for t in tokens if t['expired']),
    }


class OwnerNotFound(BitbucketError):
    """A user, project or repository asked for does not exist; the message names it."""


def select_users(users, wanted=None):
    """The users to audit: all of them, or those named in wanted (names or slugs, case-insensitive).

    Each user is a dict with name and slug. Raises OwnerNotFound naming every wanted user that is missing.
    """
    users = [dict(name=u.get('name'), slug=u.get('slug') or u.get('name')) for u in users if u.get('name')]
    if wanted is None:
        return users
    index = {}
    for user in users:
        index.setdefault(user['name'].lower(), user)
        index.setdefault(user['slug'].lower(), user)
    missing = [w for w in wanted if w.strip().lower() not in index]
    if missing:
        raise OwnerNotFound('users not found in Bitbucket: %s' % ', '.join(missing))
    selected = []
    for name in wanted:
        user = index[name.strip().lower()]
        if user not in selected:
            selected.append(user)
    return selected


def audit_owner(api, owner_type, owner, max_expiry_days, owner_name=None, required=False, now=None):
    """The audit records of every token of one owner; a missing owner is skipped, or fails when required."""
    found = api.tokens(owner_type, owner)
    if found is None:
        if required:
            raise OwnerNotFound('%s %s not found in Bitbucket (or not visible to this account)' % (owner_type, owner))
        return []
    now = now_ms() if now is None else now
    return [describe_token(raw, owner_type, owner, owner_name or owner, max_expiry_days, now) for raw in found]


def audit_users(api, pages, max_expiry_days, max_concurrency=1, progress=None, now=None):
    """The audit records of each user's tokens, one list per user in the users' order, read concurrently.

    pages yields lists of users (a listing page by page, or one list): each page's users are read while the next
    page is listed.
    """
    from ansible_collections.dcops.bitbucket.plugins.module_utils._concurrency import map_as_listed

    now = now_ms() if now is None else now

    def one(user):
        return audit_owner(api, 'user', user['slug'], max_expiry_days, owner_name=user['name'], now=now)

    return map_as_listed(one, pages, max_concurrency, progress, listed=api.client.pacer.expect)
