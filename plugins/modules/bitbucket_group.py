#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: bitbucket_group
short_description: Manage Bitbucket Data Center groups, their global permission and their members
version_added: 1.0.0
description:
  - Creates and deletes groups, sets the global permission granted to a group, and sets or extends its members.
  - Manages one group (O(name)) or many (O(groups)) in one call. Either way each listing is read once (the groups, the
    groups' global permissions, and the members of the groups whose O(members) are given), and then only the writes
    needed are made, so a second run makes no write.
  - Before any write, fails a group whose change Bitbucket would refuse because of your own global permission (see
    the notes), and a group whose O(members) name a user that does not exist, naming the user.
  - With O(groups) one failing group does not stop the others; every group's result is in RV(groups), and the task
    fails at the end if any group failed.
author:
  - dcops.bitbucket contributors (@dcops)
options:
  name:
    description:
      - Name of the one group to manage. Mutually exclusive with O(groups); one of the two is required.
      - Group and user names are compared case-insensitively, as Bitbucket's user directories do.
    type: str
  state:
    description:
      - V(present) creates the group if needed; V(absent) deletes it (with its global permission and memberships).
      - With O(groups), the state of the items that do not set their own.
      - O(permission) and O(members) are ignored with V(absent).
    type: str
    choices: [present, absent]
    default: present
  permission:
    description:
      - The group's own global permission; V(none) revokes it, omitted it is left alone. With O(groups), set it per item.
    type: str
    choices: [LICENSED_USER, PROJECT_CREATE, ADMIN, SYS_ADMIN, none]
  members:
    description:
      - User names of the group's members. When omitted, membership is left untouched.
      - With O(append=false), exactly these users (an empty list removes every member); with O(append=true), these
        users are added and nobody is removed.
      - Users are never created; a user that does not exist fails the group before any write, naming the user.
      - Only with O(name); with O(groups) set it on each item.
    type: list
    elements: str
  append:
    description:
      - Whether O(members) are added to the current members (V(true)) or are the exact member list (V(false)).
      - With O(groups), the value for the items that do not set their own.
    type: bool
    default: false
  groups:
    description:
      - Many groups at once, each with the same keys as the single-group options. Unknown keys are refused. A name
        may appear only once (compared case-insensitively); duplicates are refused before any request.
      - Mutually exclusive with O(name), O(permission) and O(members). O(state) and O(append) are the defaults of the
        items that do not set their own, as in O(dcops.bitbucket.bitbucket_user#module:users).
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the group.
        type: str
        required: true
      state:
        description: As O(state); defaults to the top-level O(state).
        type: str
        choices: [present, absent]
      permission:
        description: As O(permission).
        type: str
        choices: [LICENSED_USER, PROJECT_CREATE, ADMIN, SYS_ADMIN, none]
      members:
        description: As O(members).
        type: list
        elements: str
      append:
        description: As O(append); defaults to the top-level O(append).
        type: bool
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
  - Requires the C(ADMIN) global permission. Bitbucket also refuses, and this module fails before any write for,
    changing or deleting a group whose permission is higher than yours, granting a permission higher than yours,
    and any change that would lower your own permission (deleting, demoting or leaving a group you get your
    permission through). Your permission is the highest of your own and your groups' global permissions.
  - With an OAuth 2.0 token the authenticated user is known from Bitbucket's C(X-AUSERNAME) response header (without
    it, the module warns that these checks were not made). They need up to four extra reads, made only when a group
    with a global permission is about to change.
  - Writes are ordered so that your own permission never dips part-way; one request grants a permission to many groups.
  - Diff mode shows each changed group before and after; the members are shown when O(members) is given.
seealso:
  - module: dcops.bitbucket.bitbucket_user
  - name: Groups as code
    description: Keeping groups, their permissions and members in Git with this module and playbooks/manage_users.yml.
    link: https://github.com/dcops/bitbucket/blob/main/docs/groups-as-code.md
'''

EXAMPLES = r'''
- name: Developers exist, may create projects, and have exactly these members
  dcops.bitbucket.bitbucket_group:
    url: https://bitbucket.example.com
    access_token: "{{ bitbucket_access_token }}"
    name: developers
    permission: PROJECT_CREATE
    members: [alice, bob]

- name: Add a contractor without touching the other members
  dcops.bitbucket.bitbucket_group:
    url: https://bitbucket.example.com
    access_token: "{{ bitbucket_access_token }}"
    name: developers
    members: [carol]
    append: true

- name: Revoke the group's global permission, keep the group
  dcops.bitbucket.bitbucket_group:
    url: https://bitbucket.example.com
    access_token: "{{ bitbucket_access_token }}"
    name: legacy-admins
    permission: none

- name: Every group from the Git repository in one call
  dcops.bitbucket.bitbucket_group:
    url: https://bitbucket.example.com
    access_token: "{{ bitbucket_access_token }}"
    groups:
      - name: developers
        permission: PROJECT_CREATE
        members: [alice, bob]
      - name: release-managers
        permission: ADMIN
      - name: old-team
        state: absent
  register: result

- name: Delete a group
  dcops.bitbucket.bitbucket_group:
    url: https://bitbucket.example.com
    url_username: "{{ bitbucket_username }}"
    url_password: "{{ bitbucket_password }}"
    name: old-team
    state: absent
'''

RETURN = r'''
group:
  description:
    - The group after the task (in check mode, as the task would leave it). Only with O(name).
    - Not returned when the group failed.
  returned: success with O(name)
  type: dict
  contains:
    name:
      description: The group name, spelt as Bitbucket holds it for an existing group.
      type: str
      returned: always
      sample: developers
    state:
      description: V(present) or V(absent).
      type: str
      returned: always
      sample: present
    permission:
      description: The group's own global permission; V(none) when it has none.
      type: str
      returned: when RV(group.state=present)
      sample: PROJECT_CREATE
    members:
      description: User names of the members, sorted.
      type: list
      elements: str
      returned: when O(members) is given and RV(group.state=present)
      sample: [alice, bob]
groups:
  description: One entry per item of O(groups), in order. Only with O(groups).
  returned: with O(groups), also when the task fails
  type: list
  elements: dict
  contains:
    name:
      description: The group name as given.
      type: str
      returned: always
      sample: developers
    changed:
      description: Whether this group changed (or, in check mode, would change).
      type: bool
      returned: always
    failed:
      description: Whether this group failed; its writes, if any were made before the failure, are named in RV(groups[].msg).
      type: bool
      returned: always
    msg:
      description: What was (or would be) done to this group, C(no change), or why it failed.
      type: str
      returned: always
      sample: "created; global permission none -> PROJECT_CREATE; members added: alice, bob"
    group:
      description: The group after the task, as RV(group).
      type: dict
      returned: when the group did not fail
msg:
  description: What was done (one group) or a summary (many groups); names every failed group on failure.
  returned: always
  type: str
  sample: 3 groups reconciled, 1 changed
summary: {description: "With O(groups): the run's C(requests), C(rate_limit_wait_seconds), C(rate_limited_answers)
  (HTTP 429) and C(seconds), and C(rate_limit), the pace kept (see O(rate_limit))", returned: with O(groups), type: dict}
'''

from ansible_collections.dcops.bitbucket.plugins.module_utils._group_options import ARGUMENT_SPEC, MUTUALLY_EXCLUSIVE
from ansible_collections.dcops.bitbucket.plugins.module_utils._group_options import desired_groups, problems
from ansible_collections.dcops.bitbucket.plugins.module_utils._group_reconcile import GroupReconciler
from ansible_collections.dcops.bitbucket.plugins.module_utils._module import BitbucketModule
from ansible_collections.dcops.bitbucket.plugins.module_utils._reconcile import reconcile_in


def main():
    module = BitbucketModule(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=MUTUALLY_EXCLUSIVE,
        required_one_of=[('name', 'groups')],
        supports_check_mode=True,
        problems=problems,
    )
    reconciler = GroupReconciler(module.client, username=module.params['url_username'], check_mode=module.check_mode)
    reconcile_in(module, reconciler, desired_groups(module.params), single=module.params['groups'] is None)


if __name__ == '__main__':
    main()
