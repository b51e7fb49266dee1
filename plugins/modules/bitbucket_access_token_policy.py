#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: bitbucket_access_token_policy
short_description: Make HTTP access-token expiry mandatory on Bitbucket Data Center
version_added: 1.0.0
description:
  - Sets or removes the global policy that makes every new HTTP access token (personal, project and repository)
    expire, with a maximum lifetime in days (Administration, HTTP access tokens, "Require token expiry").
  - Reads the policy first (C(GET /rest/access-tokens/latest/admin)) and writes (C(PUT) or C(DELETE)) only when it
    differs, so a second run makes no write.
  - The policy only applies to tokens created afterwards; the expiry of an existing token cannot be changed. Use
    M(dcops.bitbucket.bitbucket_access_token_info) to find tokens that break the policy and
    M(dcops.bitbucket.bitbucket_access_token) to revoke them.
author:
  - dcops.bitbucket contributors (@dcops)
options:
  state:
    description:
      - V(present) requires an expiry on new tokens of at most O(max_expiry_days) days.
      - V(absent) removes the requirement, so users may create tokens that never expire again.
    type: str
    choices: [present, absent]
    default: present
  max_expiry_days:
    description:
      - Longest lifetime, in days, a new token may have. An integer of 1 or more.
      - Required with O(state=present); not allowed with O(state=absent).
      - Checked before any request is made.
    type: int
extends_documentation_fragment:
  - dcops.bitbucket.connection
  - dcops.bitbucket.auth
  - dcops.bitbucket.attributes
  - dcops.bitbucket.attributes.action_group
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - The endpoint is not in Atlassian's OpenAPI files; an unset policy may be answered with HTTP 404, HTTP 204 or an
    empty object, and all three are read as "no policy".
  - Atlassian's KB calls this endpoint with OAuth 2.0 bearer tokens, while an older Atlassian REST reference says
    OAuth 2.0 apps cannot call it. If Bitbucket answers a bearer token with HTTP 401 here, the error says so; use
    Basic auth (O(url_username) and O(url_password)) with a system administrator's account instead.
  - Requires the system administrator (C(SYS_ADMIN)) global permission.
seealso:
  - module: dcops.bitbucket.bitbucket_access_token_info
  - module: dcops.bitbucket.bitbucket_access_token
  - name: Managing HTTP access tokens (Bitbucket Data Center)
    description: Atlassian's administration guide for HTTP access tokens and the expiry requirement.
    link: https://confluence.atlassian.com/bitbucketserver/managing-http-access-tokens-1005339986.html
'''

EXAMPLES = r'''
- name: Require every new access token to expire within 90 days
  dcops.bitbucket.bitbucket_access_token_policy:
    url: https://bitbucket.example.com
    access_token: "{{ bitbucket_access_token }}"
    max_expiry_days: 90

- name: Same with Basic auth, for servers that refuse OAuth 2.0 tokens on this endpoint
  dcops.bitbucket.bitbucket_access_token_policy:
    url: https://bitbucket.example.com
    url_username: "{{ bitbucket_username }}"
    url_password: "{{ bitbucket_password }}"
    max_expiry_days: 90

- name: Let users create tokens that never expire again
  dcops.bitbucket.bitbucket_access_token_policy:
    url: https://bitbucket.example.com
    access_token: "{{ bitbucket_access_token }}"
    state: absent
'''

RETURN = r'''
policy:
  description:
    - The policy after the task (in check mode, the policy the task would have set).
  returned: success
  type: dict
  contains:
    max_expiry_days:
      description: Longest lifetime in days of a new token; V(null) when token expiry is not required.
      type: int
      returned: always
      sample: 90
previous_policy:
  description: The policy found before the task, in the same form as RV(policy).
  returned: success
  type: dict
  sample: {max_expiry_days: null}
'''

from ansible_collections.dcops.bitbucket.plugins.module_utils._access_tokens_api import AccessTokensApi
from ansible_collections.dcops.bitbucket.plugins.module_utils._diff import make_diff
from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError
from ansible_collections.dcops.bitbucket.plugins.module_utils._module import BitbucketModule
from ansible_collections.dcops.bitbucket.plugins.module_utils._token_audit import max_expiry_days_problem


def _shown(max_expiry_days):
    """The policy as the diff shows it: absent, or present with its maximum."""
    return None if max_expiry_days is None else {'state': 'present', 'max_expiry_days': max_expiry_days}


def problems(params):
    """Reasons the options cannot be used; empty when they are fine."""
    if params['state'] == 'absent' and params['max_expiry_days'] is not None:
        return ['max_expiry_days is not allowed with state=absent (absent removes the expiry requirement)']
    problem = max_expiry_days_problem(params['max_expiry_days'])
    return [problem] if problem else []


def main():
    module = BitbucketModule(
        argument_spec=dict(
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            max_expiry_days=dict(type='int'),
        ),
        required_if=[('state', 'present', ['max_expiry_days'])],
        supports_check_mode=True,
        problems=problems,
    )
    wanted = module.params['max_expiry_days']

    api = AccessTokensApi(module.client, bearer=bool(module.params['access_token']))
    current = changed = None
    try:
        current = api.policy()
        changed = current != wanted
        if changed and not module.check_mode:
            if wanted is None:
                api.delete_policy()
            else:
                api.set_policy(wanted)
    except BitbucketError as exc:
        module.fail_from(exc)

    result = dict(changed=changed, policy={'max_expiry_days': wanted},
                  previous_policy={'max_expiry_days': current})
    if module._diff:
        result['diff'] = make_diff(_shown(current), _shown(wanted), label='access-token expiry policy')
    module.exit_json(**result)


if __name__ == '__main__':
    main()
