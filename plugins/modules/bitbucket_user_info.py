#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: bitbucket_user_info
short_description: Read Bitbucket Data Center users, their groups and global permissions
version_added: 1.0.0
description:
  - Reads all users of Bitbucket Data Center, those named in O(names), or those matching O(filter), with their display
    name and e-mail address, and as asked their own global permission and their groups.
  - Returns them in RV(users) with exactly the keys that O(dcops.bitbucket.bitbucket_user#module:users) takes, so the
    output can be applied back unchanged, and what Bitbucket alone decides (directory, active) in RV(user_facts).
  - Reads only what is asked, page by page. Never changes anything.
  - With O(names), each user is one lookup; for many users, reading all and picking in the playbook costs fewer
    requests.
author:
  - dcops.bitbucket contributors (@dcops)
options:
  include_groups:
    description:
      - Read each user's groups into RV(users[].groups).
      - With O(names), one request per user. Otherwise the module lists the groups first and, when there are fewer
        groups than users, reads each group's members instead of each user's groups (one request per page of
        members, at least one per group); else one request per user.
    type: bool
    default: false
notes:
  - Needs the ADMIN global permission (user administration).
  - No password or token is ever read or returned; Bitbucket does not give them out.
extends_documentation_fragment:
  - dcops.bitbucket.connection
  - dcops.bitbucket.auth
  - dcops.bitbucket.attributes
  - dcops.bitbucket.attributes.action_group
  - dcops.bitbucket.info
seealso:
  - module: dcops.bitbucket.bitbucket_user
  - module: dcops.bitbucket.bitbucket_group_info
'''

EXAMPLES = r'''
- name: Read and apply users, with the connection set once for the whole action group
  module_defaults:
    group/dcops.bitbucket.bitbucket:
      url: https://bitbucket.example.com
      access_token: "{{ bitbucket_access_token }}"
  block:
    - name: Read every user with its groups and global permission
      dcops.bitbucket.bitbucket_user_info:
        include_groups: true
      register: current

    - name: Apply them back (changes nothing)
      dcops.bitbucket.bitbucket_user:
        users: "{{ current.users }}"

    - name: Show the users of read-only (LDAP, Crowd) directories
      ansible.builtin.debug:
        msg: "{{ current.user_facts | dict2items | rejectattr('value.mutable_details') | map(attribute='key') }}"

    - name: Read two users, without their permission
      dcops.bitbucket.bitbucket_user_info:
        names: [alice, bob]
        include_permission: false
'''

RETURN = r'''
users:
  description:
    - The users read, sorted by name (case-insensitively), each with the keys of
      O(dcops.bitbucket.bitbucket_user#module:users). Never a password.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The login name, spelt as Bitbucket holds it.
      type: str
      sample: alice
    display_name:
      description: The name shown for the user.
      type: str
      sample: Alice Example
    email:
      description: The user's e-mail address.
      type: str
      sample: alice@example.com
    permission:
      description: The user's own global permission, V(none) when it has none.
      type: str
      returned: when O(include_permission=true)
      sample: PROJECT_CREATE
    groups:
      description: Names of the user's groups, sorted.
      type: list
      elements: str
      returned: when O(include_groups=true)
      sample: [developers, stash-users]
    state:
      description: Always V(present) (users that exist).
      type: str
      sample: present
user_facts:
  description: What Bitbucket alone decides about each user of RV(users), by user name.
  returned: success
  type: dict
  sample: {jane.doe: {directory: Bitbucket Internal Directory, active: true, mutable_details: true,
           mutable_groups: true, deletable: true}}
  contains:
    directory:
      description: Name of the user directory the user comes from.
      type: str
    active:
      description: Whether the user may log in.
      type: bool
    mutable_details:
      description: Whether the directory lets Bitbucket change the user's details; V(false) for read-only directories.
      type: bool
    mutable_groups:
      description: Whether the directory lets Bitbucket change the user's group memberships.
      type: bool
    deletable:
      description: Whether Bitbucket can delete the user.
      type: bool
'''

from ansible_collections.dcops.bitbucket.plugins.module_utils._info import read_users, run_info_module


def main():
    run_info_module(dict(include_groups=dict(type='bool', default=False)), read_users)


if __name__ == '__main__':
    main()
