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
author:
  - dcops.bitbucket contributors (@dcops)
options:
  names:
    description:
      - Read only these users (names compared case-insensitively). Names that do not exist are left out.
      - One lookup per name; for many users, reading all (and picking in the playbook) costs fewer requests.
      - Mutually exclusive with O(filter).
    type: list
    elements: str
  filter:
    description:
      - Read only the users whose name, display name or e-mail address contains this text (Bitbucket's own filter,
        case-insensitive).
    type: str
  include_permission:
    description:
      - Read each user's own global permission (not the ones it gets through groups) into RV(users[].permission).
      - Costs one listing of the users holding a global permission (one per name with O(names)).
    type: bool
    default: true
  include_groups:
    description:
      - Read each user's groups into RV(users[].groups).
      - With O(names), one request per user. Otherwise the module lists the groups first and, when there are fewer
        groups than users, reads each group's members instead of each user's groups (one request per page of
        members, at least one per group); else one request per user.
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
  - Needs the ADMIN global permission (user administration).
  - No password or token is ever read or returned; Bitbucket does not give them out.
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
      description: User name, as Bitbucket spells it.
      type: str
      sample: jane.doe
    display_name:
      description: Display name.
      type: str
      sample: Jane Doe
    email:
      description: E-mail address.
      type: str
      sample: jane.doe@example.com
    state:
      description: Always V(present).
      type: str
      sample: present
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

from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError
from ansible_collections.dcops.bitbucket.plugins.module_utils._info import SELECTION_OPTIONS, problems, read_users
from ansible_collections.dcops.bitbucket.plugins.module_utils._module import BitbucketModule


def main():
    argument_spec = dict(SELECTION_OPTIONS, include_groups=dict(type='bool', default=False))
    module = BitbucketModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    found = problems(params)
    if found:
        module.fail_json(msg='; '.join(found))
    try:
        users, facts = read_users(module.client, names=params['names'], filter=params['filter'],
                                  include_permission=params['include_permission'],
                                  include_groups=params['include_groups'])
    except BitbucketError as exc:
        module.fail_from(exc)
    module.exit_json(changed=False, users=users, user_facts=facts)


if __name__ == '__main__':
    main()
