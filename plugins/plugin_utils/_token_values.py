# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a grant leaves behind: the task's return values and the new store content. FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import annotations

from ansible_collections.dcops.bitbucket.plugins.module_utils._oauth import scope_list


def token_result(tokens, now, refreshed):
    """The documented return values for a token (fresh from the endpoint or reused)."""
    return {
        'changed': refreshed,
        'refreshed': refreshed,
        'access_token': tokens['access_token'],
        'token_type': tokens.get('token_type') or 'bearer',
        'expires_at': int(tokens['expires_at']),
        'expires_in': max(int(tokens['expires_at']) - int(now), 0),
        'scope': scope_list(tokens.get('scope')),
    }


def merge_refresh_token(old_token, old_issued_at, tokens, now):
    """(refresh_token, issued_at) after a grant: a response without a refresh token keeps the old one."""
    new_token = tokens.get('refresh_token')
    if not new_token or new_token == old_token:
        return old_token, old_issued_at
    return new_token, int(now)


def store_content(params, data, tokens, now):
    """The store fields after a grant: the tokens, and what the task and the old content (data) say of the rest."""
    refresh_token, issued_at = merge_refresh_token(data.get('refresh_token'), data.get('refresh_token_issued_at'),
                                                   tokens, now)
    return {
        'url': params['url'] or data.get('url'),
        'client_id': params['client_id'],
        'redirect_uri': params['redirect_uri'] or data.get('redirect_uri'),
        'refresh_token': refresh_token,
        'refresh_token_issued_at': issued_at,
        'access_token': tokens['access_token'],
        'expires_at': tokens['expires_at'],
        'token_type': tokens['token_type'],
        'scope': tokens['scope'],
    }
