#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: bitbucket_group_info
short_description: Read Bitbucket Data Center groups, their global permissions and members
version_added: 1.0.0
description:
  - Reads all groups of Bitbucket Data Center, those named in O(names), or those matching O(filter), and as asked each
    group's own global permission and its members.
  - Returns them in RV(groups) with exactly the keys that O(dcops.bitbucket.bitbucket_group#module:groups) takes, so the
    output can be applied back unchanged.
  - Reads only what is asked, page by page. Never changes anything.
author:
  - dcops.bitbucket contributors (@dcops)
options:
  names:
    description:
      - Read only these groups (names compared case-insensitively). Names that do not exist are left out.
      - One name is looked up with Bitbucket's filter; several are picked from the listing of all groups.
      - Mutually exclusive with O(filter).
    type: list
    elements: str
  filter:
    description: Read only the groups whose name contains this text (Bitbucket's own filter, case-insensitive).
    type: str
  include_permission:
    description:
      - Read each group's own global permission into RV(groups[].permission).
      - Costs one listing of the groups holding a global permission.
    type: bool
    default: true
  include_members:
    description:
      - Read each group's members into RV(groups[].members).
      - One request per page of members, at least one per group.
    type: bool
    default: false
extends_documentation_fragment:
  - dcops.bitbucket.connection
  - dcops.bitbucket.auth
  - dcops.bitbucket.attributes
  - dcops.bitbucket.attributes.action_group
attributes:
  check_mode:
    support: full
    details: The module only reads, so it runs unchanged in check mode.
  diff_mode:
    support: none
notes:
  - Needs the ADMIN global permission (group administration).
seealso:
  - module: dcops.bitbucket.bitbucket_group
  - module: dcops.bitbucket.bitbucket_user_info
'''

EXAMPLES = r'''
- name: Read and apply groups, with the connection set once for the whole action group
  module_defaults:
    group/dcops.bitbucket.bitbucket:
      url: https://bitbucket.example.com
      access_token: "{{ bitbucket_access_token }}"
  block:
    - name: Read every group with its global permission and members
      dcops.bitbucket.bitbucket_group_info:
        include_members: true
      register: current

    - name: Apply them back (changes nothing)
      dcops.bitbucket.bitbucket_group:
        groups: "{{ current.groups }}"

    - name: Read the groups whose name holds "team", without members
      dcops.bitbucket.bitbucket_group_info:
        filter: team
      register: teams
'''

RETURN = r'''
groups:
  description:
    - The groups read, sorted by name (case-insensitively), each with the keys of
      O(dcops.bitbucket.bitbucket_group#module:groups).
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Group name, as Bitbucket spells it.
      type: str
      sample: developers
    state:
      description: Always V(present).
      type: str
      sample: present
    permission:
      description: The group's own global permission, V(none) when it has none.
      type: str
      returned: when O(include_permission=true)
      sample: PROJECT_CREATE
    members:
      description: User names of the members, sorted case-insensitively.
      type: list
      elements: str
      returned: when O(include_members=true)
      sample: [alice, bob]
'''

from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError
from ansible_collections.dcops.bitbucket.plugins.module_utils._info import SELECTION_OPTIONS, problems, read_groups
from ansible_collections.dcops.bitbucket.plugins.module_utils._module import BitbucketModule


def main():
    argument_spec = dict(SELECTION_OPTIONS, include_members=dict(type='bool', default=False))
    module = BitbucketModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    found = problems(params)
    if found:
        module.fail_json(msg='; '.join(found))
    try:
        groups = read_groups(module.client, names=params['names'], filter=params['filter'],
                             include_permission=params['include_permission'],
                             include_members=params['include_members'])
    except BitbucketError as exc:
        module.fail_from(exc)
    module.exit_json(changed=False, groups=groups)


if __name__ == '__main__':
    main()
