# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  url:
    description:
      - Base URL of the Bitbucket Data Center instance, including any context path,
        for example V(https://bitbucket.example.com) or V(https://example.com/bitbucket).
      - Precedence is the task option (or C(module_defaults)), then the environment variable E(BITBUCKET_DC_URL).
    type: str
    required: true
  access_token:
    description:
      - OAuth 2.0 access token sent as an C(Authorization) bearer header. Obtain it with M(dcops.bitbucket.bitbucket_oauth_token)
        or the P(dcops.bitbucket.oauth_session#role) role.
      - Bitbucket refuses personal and project HTTP access tokens on administrative endpoints (BSERV-10482);
        use OAuth 2.0 or Basic auth for those.
      - Mutually exclusive with O(url_username) and O(url_password).
      - When none of O(access_token), O(url_username) and O(url_password) is set on the task, the environment variables
        E(BITBUCKET_DC_TOKEN), or E(BITBUCKET_DC_USERNAME) and E(BITBUCKET_DC_PASSWORD), are used (late binding;
        credentials set on the task always win, and environment credentials are never mixed with them).
    type: str
  url_username:
    description:
      - User name for HTTP Basic auth. Named as in M(ansible.builtin.uri) so that modules can keep C(password) for the
        password of a managed user.
      - Falls back to E(BITBUCKET_DC_USERNAME) as described under O(access_token).
    type: str
  url_password:
    description:
      - Password for HTTP Basic auth. Required with O(url_username).
      - Falls back to E(BITBUCKET_DC_PASSWORD) as described under O(access_token).
      - Repeated failed Basic logins make Bitbucket demand a CAPTCHA, so 401 answers are never retried.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of O(url). Set V(false) only for test instances.
      - Falls back to E(BITBUCKET_DC_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA certificates that sign the server certificate, for instances behind a private CA.
      - Falls back to E(BITBUCKET_DC_CA_PATH).
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request to connect and for each answer.
    type: int
    default: 30
  retries:
    description:
      - How many times a request is sent again after HTTP 429, 502, 503 or 504, or after a connection error.
        C(Retry-After) is honoured (up to 60 seconds); otherwise the wait grows exponentially from half a second.
      - A C(POST) is sent again after a connection error only when the request certainly never reached the server.
      - HTTP 401 is never retried, and the OAuth 2.0 refresh grant is never retried.
    type: int
    default: 3
  rate_limit:
    description:
      - Requests per second this run stays under, that is the refill rate of the calling user's rate-limit bucket
        in Bitbucket. V(0) turns pacing off.
      - Omitted, a run assumes Bitbucket's defaults (a burst of 60 requests, then 5 per second) and, once it has
        sent a burst, reads the real limit from the rate-limit settings API (the calling user's own entry needs an
        administrator; the defaults are kept when it cannot be read). A user exempt from rate limiting is not paced.
      - An HTTP 429 that comes anyway holds every request of the run for its C(Retry-After), or for the bucket's
        refill, and is counted in the result's C(summary).
    type: float
  rate_limit_burst:
    description:
      - How many requests may be sent at once before O(rate_limit) applies, that is the capacity of the rate-limit
        bucket. V(0) sends every request at O(rate_limit) from the first.
      - Omitted, 60 (Bitbucket's default) until the settings API tells otherwise.
    type: int
  max_concurrency:
    description:
      - How many independent reads (each user's tokens, each group's members) are sent at once, over as many
        kept-alive connections. Writes are always sent one after another, in order.
      - V(1) sends every request one at a time.
    type: int
    default: 4
notes:
  - Every write sends the header C(X-Atlassian-Token) with the value C(no-check), which Bitbucket requires on form-like requests.
  - Lists are read page by page, following C(nextPageStart) until C(isLastPage), whatever cap the server puts on
    the page size.
  - No token, password or C(Authorization) header is ever part of a message, warning, diff or returned value.
requirements:
  - requests (Python library on the host that runs the module)
'''
