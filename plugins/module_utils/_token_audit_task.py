# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The audit bitbucket_access_token_info runs: what its options ask for, read. FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dcops.bitbucket.plugins.module_utils._access_tokens_api import (
    AccessTokensApi,
    split_repository,
)
from ansible_collections.dcops.bitbucket.plugins.module_utils._token_audit import (
    audit_owner,
    audit_users,
    max_expiry_days_problem,
    select_users,
    summarise,
)
from ansible_collections.dcops.bitbucket.plugins.module_utils._users_api import UsersApi


def problems(params):
    """Reasons the options cannot be used, each naming the option; empty when they are fine."""
    found = []
    if max_expiry_days_problem(params['max_expiry_days']):
        found.append(max_expiry_days_problem(params['max_expiry_days']))
    for option in ('users', 'projects'):
        if any(not (value or '').strip() for value in params[option] or []):
            found.append('%s must not contain empty names' % option)
    for value in params['repositories']:
        try:
            split_repository(value)
        except ValueError as exc:
            found.append('repositories: %s' % exc)
    return found


def audit(client, params, progress=None):
    """(tokens, summary): the tokens of the users, projects and repositories asked for, and counts over them.

    The summary also says what the run cost: requests, seconds waited for the rate limit, 429 answers, seconds.
    """
    api = AccessTokensApi(client, bearer=bool(params['access_token']))
    limit = params['max_expiry_days']
    if params['users'] is None:
        pages = (select_users(page) for page in UsersApi(client).pages())
    else:
        pages = [[] if params['users'] == [] else select_users(UsersApi(client).all().values(), params['users'])]
    per_user = audit_users(api, pages, limit, client.max_concurrency, progress)
    tokens = []
    for found in per_user:
        tokens.extend(found)
    for key in params['projects']:
        tokens.extend(audit_owner(api, 'project', key, limit, required=True))
    for repository in params['repositories']:
        tokens.extend(audit_owner(api, 'repository', repository, limit, required=True))
    summary = summarise(tokens)
    summary['users_scanned'] = len(per_user)
    summary.update(client.pacer.summary())
    return tokens, summary
