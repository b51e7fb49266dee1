# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Who the module authenticates as: an OAuth 2.0 bearer token or HTTP Basic auth. Where it connects to is in the
    # dcops.bitbucket.connection fragment.
    DOCUMENTATION = r'''
options:
  access_token:
    description:
      - OAuth 2.0 access token sent as an C(Authorization) bearer header. Obtain it with M(dcops.bitbucket.bitbucket_oauth_token)
        or the P(dcops.bitbucket.oauth_session#role) role.
      - Bitbucket refuses personal and project HTTP access tokens on administrative endpoints (BSERV-10482);
        use OAuth 2.0 or Basic auth for those.
      - Mutually exclusive with O(url_username) and O(url_password).
      - Precedence, for the three auth options together - when any of O(access_token), O(url_username) and
        O(url_password) is set on the task (or by C(module_defaults)), only those are used; when none is, the
        environment variables E(BITBUCKET_DC_TOKEN), or E(BITBUCKET_DC_USERNAME) and E(BITBUCKET_DC_PASSWORD), are
        (late binding, so that credentials from the environment are never mixed with those of the task).
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
notes:
  - No token, password or C(Authorization) header is ever part of a message, warning, diff or returned value.
'''
