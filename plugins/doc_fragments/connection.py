# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Where the module connects to and how; who it authenticates as is in the dcops.bitbucket.auth fragment.
    # Precedence for every option: the task option (or module_defaults), then its environment variable, then the
    # default.
    DOCUMENTATION = r'''
options:
  url:
    description:
      - Base URL of the Bitbucket Data Center instance, including any context path,
        for example V(https://bitbucket.example.com) or V(https://example.com/bitbucket).
      - Precedence is the task option (or C(module_defaults)), then the environment variable E(BITBUCKET_DC_URL).
    type: str
    required: true
  validate_certs:
    description:
      - Whether to verify the TLS certificate of O(url). Set V(false) only for test instances.
      - Precedence is the task option (or C(module_defaults)), then E(BITBUCKET_DC_VALIDATE_CERTS), then V(true).
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA certificates that sign the server certificate, for instances behind a private CA.
      - Precedence is the task option (or C(module_defaults)), then E(BITBUCKET_DC_CA_PATH).
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
      - While a listing is still being read page by page, its next page counts as one of these.
      - To use a rate limit of R requests per second at a latency of L seconds per answer, about R x L reads must
        be under way at once; the default suffices for Bitbucket's default limit (5 per second) up to 800 ms.
      - V(1) sends every request one at a time.
    type: int
    default: 4
notes:
  - Every write sends the header C(X-Atlassian-Token) with the value C(no-check), which Bitbucket requires on form-like requests.
  - Lists are read page by page, following C(nextPageStart) until C(isLastPage), whatever cap the server puts on
    the page size.
requirements:
  - requests (Python library on the host that runs the module)
'''
