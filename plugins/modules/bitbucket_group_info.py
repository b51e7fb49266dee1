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
  - One name in O(names) is looked up with Bitbucket's filter; several are picked from the listing of all groups.
author:
  - dcops.bitbucket contributors (@dcops)
options:
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
  - dcops.bitbucket.info
notes:
  - Needs the ADMIN global permission (group administration).
seealso:
  - module: dcops.bitbucket.bitbucket_group
  - module: dcops.bitbucket.bitbucket_user_info
'''

EXAMPLES = r'''
# In a play whose module_defaults set the connection of the whole action group:
#   module_defaults:
#     group/dcops.bitbucket.bitbucket:
#       url: "{{ bitbucket_url }}"
#       access_token: "{{ bitbucket_access_token }}"
- name: Read the groups whose name holds "team", with their members
  dcops.bitbucket.bitbucket_group_info:
    filter: team
    include_members: true
  register: teams

- name: Put them back as they were read (nothing changes)
  dcops.bitbucket.bitbucket_group:
    groups: "{{ teams.groups }}"

- name: Names of the groups that hold a global permission
  ansible.builtin.debug:
    msg: "{{ teams.groups | rejectattr('permission', 'eq', 'none') | map(attribute='name') }}"

- name: Read two groups with Basic auth for this task only
  dcops.bitbucket.bitbucket_group_info:
    names: [developers, ops]
  module_defaults:
    group/dcops.bitbucket.bitbucket:
      url: https://bitbucket.example.com
      url_username: automation
      url_password: "{{ vault_bitbucket_password }}"
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

from ansible_collections.dcops.bitbucket.plugins.module_utils._info import read_groups, run_info_module


def main():
    run_info_module(dict(include_members=dict(type='bool', default=False)), read_groups)


if __name__ == '__main__':
    main()
