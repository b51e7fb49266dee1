#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: bitbucket_access_token
short_description: Revoke HTTP access tokens on Bitbucket Data Center
version_added: 1.0.0
description:
  - Revokes (deletes) personal, project or repository HTTP access tokens, one (O(owner) and O(id)) or many
    (O(tokens)) in one call over one connection.
  - Each token is read first and deleted only when it exists, so a second run changes nothing.
  - Creating tokens is not supported; Bitbucket shows a new token's secret only once, which does not fit a
    declarative task.
  - Usually fed with the non-compliant tokens found by M(dcops.bitbucket.bitbucket_access_token_info).
author:
  - dcops.bitbucket contributors (@dcops)
options:
  state:
    description:
      - V(absent) revokes the token(s). Required, so that a revocation is always written out.
    type: str
    choices: [absent]
    required: true
  owner_type:
    description: Whose token O(id) is.
    type: str
    choices: [user, project, repository]
    default: user
  owner:
    description:
      - The user slug (usually the user name in lower case), the project key, or C(PROJECT_KEY/repository_slug),
        after O(owner_type). Required with O(id).
    type: str
  id:
    description: Id of the token to revoke.
    type: str
  tokens:
    description:
      - Many tokens to revoke. Each item needs C(owner) and C(id) and may have C(owner_type) (default V(user)), as
        described for the options of the same names.
      - Other keys are ignored, so the RV(dcops.bitbucket.bitbucket_access_token_info#module:tokens) entries of
        M(dcops.bitbucket.bitbucket_access_token_info) can be passed as they are.
      - A failing token does not stop the others; the task fails at the end if any failed.
      - Mutually exclusive with O(owner) and O(id).
    type: list
    elements: dict
extends_documentation_fragment:
  - dcops.bitbucket.connection
  - dcops.bitbucket.auth
  - dcops.bitbucket.attributes
  - dcops.bitbucket.attributes.action_group
attributes:
  check_mode:
    support: full
    details: Reads each token to report whether it would be revoked; deletes nothing.
  diff_mode:
    support: full
notes:
  - Project and repository tokens need a Data Center licence.
  - An older Atlassian REST reference says OAuth 2.0 apps cannot call the access-token endpoints. If Bitbucket answers a
    bearer token with HTTP 401 there, the error says so; use Basic auth (O(url_username), O(url_password)) instead.
seealso:
  - module: dcops.bitbucket.bitbucket_access_token_info
  - module: dcops.bitbucket.bitbucket_access_token_policy
'''

EXAMPLES = r'''
- name: Revoke one personal token
  dcops.bitbucket.bitbucket_access_token:
    url: https://bitbucket.example.com
    access_token: "{{ bitbucket_access_token }}"
    owner: alice
    id: "158910532909"
    state: absent

- name: Find the tokens that break a 90-day maximum
  dcops.bitbucket.bitbucket_access_token_info:
    url: https://bitbucket.example.com
    access_token: "{{ bitbucket_access_token }}"
    max_expiry_days: 90
  register: audit

- name: Revoke them
  dcops.bitbucket.bitbucket_access_token:
    url: https://bitbucket.example.com
    access_token: "{{ bitbucket_access_token }}"
    tokens: "{{ audit.tokens | selectattr('compliant', 'false') }}"
    state: absent
'''

RETURN = r'''
token:
  description: With O(id), the token that was (or in check mode would be) revoked; V(null) when it did not exist.
  returned: success, with O(id)
  type: dict
  sample: {owner_type: user, owner: alice, id: "158910532909", name: ci, permissions: [REPO_READ]}
tokens:
  description: With O(tokens), one result per item, in order.
  returned: with O(tokens)
  type: list
  elements: dict
  contains:
    name:
      description: Which token, as C(ID of OWNER_TYPE OWNER).
      type: str
      returned: always
      sample: 158910532909 of user alice
    changed:
      description: Whether this token was (or in check mode would be) revoked.
      type: bool
      returned: always
    failed:
      description: Whether revoking this token failed.
      type: bool
      returned: always
    msg:
      description: What happened to this token.
      type: str
      returned: always
      sample: revoked
    token:
      description: The token as it was before it was revoked; absent when it did not exist.
      type: dict
      returned: when the token existed
summary:
  description:
    - With O(tokens), what the run cost; C(requests) sent, C(rate_limit_wait_seconds) spent waiting for the rate limit
      (see O(rate_limit)), C(rate_limited_answers) (HTTP 429), C(seconds), and C(rate_limit), the pace it kept.
  returned: with O(tokens)
  type: dict
'''

from ansible_collections.dcops.bitbucket.plugins.module_utils._access_tokens_api import (
    OWNER_TYPES,
    AccessTokensApi,
    split_repository,
)
from ansible_collections.dcops.bitbucket.plugins.module_utils._bulk import ItemResult, exit_with_results, reconcile_all
from ansible_collections.dcops.bitbucket.plugins.module_utils._module import BitbucketModule


def _entries(params):
    """(where, entry) of each token: the top-level options, or each item of `tokens`."""
    if params['tokens'] is None:
        return [('', params)]
    return [('tokens[%d]: ' % index, entry) for index, entry in enumerate(params['tokens'])]


def _token(entry):
    owner_type = entry.get('owner_type') or 'user'
    owner = str(entry.get('owner') or '').strip()
    token_id = str(entry.get('id') or '').strip()
    return dict(owner_type=owner_type, owner=owner, id=token_id, name='%s of %s %s' % (token_id, owner_type, owner))


def problems(params):
    """What is wrong with the tokens to revoke, each naming the item; empty when nothing is."""
    found = []
    for where, entry in _entries(params):
        token = _token(entry)
        if token['owner_type'] not in OWNER_TYPES:
            found.append('%sowner_type must be one of %s' % (where, ', '.join(OWNER_TYPES)))
        if not token['owner'] or not token['id']:
            found.append('%sowner and id are both required' % where)
        elif token['owner_type'] == 'repository':
            try:
                split_repository(token['owner'])
            except ValueError as exc:
                found.append('%sowner: %s' % (where, exc))
    return found


def revoker(api, check_mode):
    """The per-token step for reconcile_all: read the token, delete it if it exists."""
    def revoke_one(item):
        found = api.token(item['owner_type'], item['owner'], item['id'])
        if found is None:
            return ItemResult(item['name'], msg='not found (already revoked)')
        before = dict(owner_type=item['owner_type'], owner=item['owner'], id=item['id'],
                      name=found.get('name'), permissions=sorted(found.get('permissions') or []))
        if check_mode:
            return ItemResult(item['name'], changed=True, msg='would be revoked', before=before, obj=before)
        if not api.revoke(item['owner_type'], item['owner'], item['id']):
            return ItemResult(item['name'], msg='not found (already revoked)')
        return ItemResult(item['name'], changed=True, msg='revoked', before=before, obj=before)
    return revoke_one


def main():
    module = BitbucketModule(
        argument_spec=dict(
            state=dict(type='str', choices=['absent'], required=True),
            owner_type=dict(type='str', choices=list(OWNER_TYPES), default='user'),
            owner=dict(type='str'),
            id=dict(type='str'),
            tokens=dict(type='list', elements='dict', no_log=False),
        ),
        mutually_exclusive=[('tokens', 'owner'), ('tokens', 'id')],
        required_one_of=[('id', 'tokens')],
        required_together=[('owner', 'id')],
        supports_check_mode=True,
        problems=problems,
    )
    items = [_token(entry) for dummy, entry in _entries(module.params)]
    api = AccessTokensApi(module.client, bearer=bool(module.params['access_token']))
    results = reconcile_all(items, revoker(api, module.check_mode))
    exit_with_results(module, results, 'token', single=module.params['tokens'] is None)


if __name__ == '__main__':
    main()
