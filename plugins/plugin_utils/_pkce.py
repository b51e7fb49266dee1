# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Proof Key for Code Exchange (RFC 7636) for the consent. FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import annotations

import base64
import hashlib
import secrets


def pkce_pair():
    """(code_verifier, S256 code_challenge) as RFC 7636 sections 4.1 and 4.2 define them."""
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode('ascii')).digest()).rstrip(b'=')
    return verifier, challenge.decode('ascii')
