# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Errors raised by the shared Bitbucket client. FOR INTERNAL COLLECTION USE ONLY.

Every message built here is safe to show a user: it holds the method, the path without its query string,
the HTTP status and Bitbucket's own error text, scrubbed of the secrets the client knows.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.module_utils.six.moves.urllib.parse import quote, quote_plus

REDACTED = '********'


def spellings(secret):
    """The ways a secret is written in a request that a server or proxy may echo back in an error: as it is,
    URL-encoded (a form body or a query string) and JSON-escaped."""
    return set((secret, quote_plus(secret), quote(secret, safe=''), json.dumps(secret)[1:-1]))


def scrub(text, secrets):
    """Replace every known secret value occurring in text, however the request spelled it."""
    if not text:
        return text
    every = set()
    for secret in secrets:
        if secret:
            every.update(spellings(secret))
    for spelling in sorted(every, key=len, reverse=True):
        text = text.replace(spelling, REDACTED)
    return text


class BitbucketError(Exception):
    """Base class; str() never holds a secret."""

    status = None


class BitbucketConnectionError(BitbucketError):
    """The request did not get an HTTP answer (refused, reset, timed out, TLS failure)."""

    def __init__(self, method, path, reason):
        self.method = method
        self.path = path
        self.reason = reason
        super(BitbucketConnectionError, self).__init__('%s %s: %s' % (method, path, reason))


class BitbucketHTTPError(BitbucketError):
    """Bitbucket (or something in front of it) answered with an unexpected status."""

    def __init__(self, status, method, path, messages=None, error_code=None, hint=None):
        self.status = status
        self.method = method
        self.path = path
        self.messages = list(messages or [])
        self.error_code = error_code
        self.hint = hint
        text = '%s %s: HTTP %s' % (method, path, status)
        if self.messages:
            text += ': ' + '; '.join(self.messages)
        if hint:
            text += ' (%s)' % hint
        super(BitbucketHTTPError, self).__init__(text)


class BitbucketResponseError(BitbucketError):
    """The answer had a success status but could not be understood (not JSON, truncated, paging stuck)."""

    def __init__(self, method, path, reason, status=None):
        self.method = method
        self.path = path
        self.status = status
        super(BitbucketResponseError, self).__init__('%s %s: %s' % (method, path, reason))


def error_messages(data):
    """Bitbucket's errors[].message texts, or an RFC 6749 error and description, from a decoded body."""
    if not isinstance(data, dict):
        return [], None
    errors = data.get('errors')
    if isinstance(errors, list):
        return [e.get('message') for e in errors if isinstance(e, dict) and e.get('message')], None
    if data.get('error'):
        code = str(data.get('error'))
        description = data.get('error_description')
        return [code + (': %s' % description if description else '')], code
    if data.get('message'):
        return [str(data.get('message'))], None
    return [], None
