#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: bitbucket_user
short_description: Manage Bitbucket Data Center users, their groups and global permissions
version_added: 1.0.0
description:
  - Creates, updates, renames and deletes users of Bitbucket Data Center, sets their passwords, group memberships
    and the global permission granted to them directly.
  - Manages one user (O(name)) or many (O(users)). Bitbucket is read once up front (the users and their own global
    permissions; the group names, and the groups of each user, only where O(groups) is given), and then each user
    gets only the writes its desired state needs. A run that changes nothing sends only C(GET) requests.
  - Passwords never travel in a URL. Bitbucket's create call takes only query parameters, which proxies and access logs
    record, so a user is created with a random throw-away password that is never shown and the real password is then
    set through the JSON body of the credentials endpoint. With O(notify=true) no password is sent at all. No
    password is ever returned, logged or shown in a diff.
  - Requires the ADMIN global permission (SYS_ADMIN to manage SYS_ADMIN users or to grant SYS_ADMIN); see the notes.
author:
  - dcops.bitbucket contributors (@dcops)
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
    details:
      - The diff shows each changed user as V(name), V(display_name), V(email), V(state), and V(groups) (sorted) and
        V(permission) when they are managed. Passwords are never part of it.
options:
  name:
    description:
      - Name (login) of the one user to manage. Mutually exclusive with O(users); one of the two is required.
    type: str
  users:
    description:
      - Many users at once, each a dictionary with the same keys as this module's per-user options. Unknown keys are
        rejected.
      - Mutually exclusive with O(name) and with the per-user options at the top level, except O(state) and
        O(append), the defaults of the items that do not set their own, as in O(dcops.bitbucket.bitbucket_group#module:groups).
      - A user may appear only once (by O(users[].name), and no O(users[].new_name) may repeat a listed name).
      - One failing user does not stop the others. Each user's outcome is in RV(users); the task fails at the end when
        any user failed.
    type: list
    elements: dict
    suboptions:
      name: {description: Name (login) of the user., type: str, required: true}
      state: {description: "As O(state); defaults to the top-level O(state).", type: str, choices: [present, absent]}
      display_name: {description: As O(display_name)., type: str}
      email: {description: As O(email)., type: str}
      password: {description: As O(password)., type: str}
      update_password: {description: As O(update_password)., type: str, choices: [on_create, always], default: on_create}
      notify: {description: As O(notify)., type: bool, default: false}
      add_to_default_group: {description: As O(add_to_default_group)., type: bool, default: true}
      groups: {description: As O(groups)., type: list, elements: str}
      append: {description: "As O(append); defaults to the top-level O(append).", type: bool}
      permission: {description: As O(permission)., type: str, choices: [LICENSED_USER, PROJECT_CREATE, ADMIN, SYS_ADMIN, none]}
      new_name: {description: As O(new_name)., type: str}
  state:
    description:
      - V(present) creates or updates the user, V(absent) deletes it. With O(users), the state of items that set none.
      - The user the credentials authenticate as cannot be deleted, nor a user of a read-only (LDAP, Crowd) directory;
        the module fails saying so before sending anything.
    type: str
    choices: [present, absent]
    default: present
  display_name:
    description:
      - Display name. Required to create a user; updated when it differs.
    type: str
  email:
    description:
      - E-mail address. Required to create a user; updated when it differs.
    type: str
  password:
    description:
      - Password of the user, set when the user is created (and on every run with O(update_password=always)).
      - Sent only in a JSON request body, never in a URL; never returned.
      - To create a user, set O(password) or O(notify=true). Mutually exclusive with O(notify).
    type: str
  update_password:
    description:
      - V(on_create) sets O(password) only when the user is created.
      - V(always) sets it on every run. Bitbucket cannot tell whether a password is already the one given, so with
        V(always) the task reports C(changed) on every run when O(password) is set (as M(ansible.builtin.user) does).
    type: str
    choices: [on_create, always]
    default: on_create
  notify:
    description:
      - When creating the user, send no password and let Bitbucket e-mail the user a link to choose one
        (Bitbucket needs a mail server for this). Ignored for users that exist.
    type: bool
    default: false
  add_to_default_group:
    description:
      - When creating the user, add it to Bitbucket's default group (usually C(stash-users)), as Bitbucket does by default.
        Ignored for users that exist.
      - With O(groups) and O(append=false) the new user ends up in exactly O(groups), so this has no effect then.
    type: bool
    default: true
  groups:
    description:
      - Groups the user belongs to. Omitted, memberships are left alone.
      - Every group must exist (this module does not create groups; use M(dcops.bitbucket.bitbucket_group) first);
        otherwise the user fails naming the missing groups, before anything is written for it.
      - With O(append=false) the user ends up in exactly these groups, B(the default group included). A user whose
        O(groups) does not list C(stash-users) (or your default group) is removed from it, which can take away its
        licence. O(groups=[]) removes the user from every group.
    type: list
    elements: str
  append:
    description:
      - V(false) makes the memberships exactly O(groups); V(true) adds O(groups) and removes nothing,
        as for M(ansible.builtin.user). With O(users), the value for the items that do not set their own.
    type: bool
    default: false
  permission:
    description:
      - The user's own global permission (not those it gets through groups); V(none) revokes it, omitted it is left alone.
    type: str
    choices: [LICENSED_USER, PROJECT_CREATE, ADMIN, SYS_ADMIN, none]
  new_name:
    description:
      - Rename the user O(name) to this name. Idempotent. When O(name) no longer exists and O(new_name) does, the rename
        is taken as done and the other options apply to O(new_name); when neither exists, the user is created as
        O(new_name). Fails when both exist. Not allowed with O(state=absent).
    type: str
notes:
  - Users of read-only directories (LDAP, Crowd; Bitbucket reports C(mutableDetails) or C(mutableGroups) false) cannot
    have their details, passwords, names or (for C(mutableGroups)) groups changed, nor be deleted; the module fails
    naming the user and its directory before writing. Their global permission can still be managed.
  - Bitbucket refuses (HTTP 401, 403 or 409) changes to users above your own global permission, grants above it, and
    lowering your own level. The first two fail before any write; other refusals are explained, not only shown as a
    status. You are known from O(url_username) or, with a token, Bitbucket's C(X-AUSERNAME) answer header; without
    it the module warns that these checks (and the one that you do not delete yourself) were not made.
seealso:
  - module: dcops.bitbucket.bitbucket_group
  - module: ansible.builtin.user
'''

EXAMPLES = r'''
# The first task shows the connection options; the others take them from module_defaults (group/dcops.bitbucket.bitbucket).
- name: Create a user who chooses a password from the e-mailed link
  dcops.bitbucket.bitbucket_user:
    url: https://bitbucket.example.com
    access_token: "{{ bitbucket_access_token }}"
    name: jdoe
    display_name: Jane Doe
    email: jane.doe@example.com
    notify: true
    groups: [stash-users, developers]
    permission: PROJECT_CREATE

- name: Create a service user with a password from the vault
  dcops.bitbucket.bitbucket_user:
    name: ci-bot
    display_name: CI robot
    email: ci@example.com
    password: "{{ vault_ci_bot_password }}"
    groups: [ci]
    append: true

- name: Rename a user (does nothing once done) and revoke its own global permission
  dcops.bitbucket.bitbucket_user:
    name: jdoe
    new_name: jane.doe
    permission: none

- name: Apply all users from variables (see docs/users-as-code.md)
  dcops.bitbucket.bitbucket_user:
    users: "{{ bitbucket_users }}"

- name: Delete a user
  dcops.bitbucket.bitbucket_user:
    name: former.employee
    state: absent
'''

RETURN = r'''
user:
  description:
    - The user after the task (what it would be, in check mode), with O(name). Never holds a password.
    - For a user that is absent, only RV(user.name) and RV(user.state).
  returned: when O(name) is used
  type: dict
  contains:
    name: {description: "User name, after any rename.", type: str, sample: jane.doe}
    display_name: {description: Display name., type: str, sample: Jane Doe}
    email: {description: E-mail address., type: str, sample: jane.doe@example.com}
    state: {description: V(present) or V(absent)., type: str, sample: present}
    groups: {description: "Groups of the user, sorted; only when O(groups) is managed.", type: list, elements: str,
             sample: [developers, stash-users]}
    permission: {description: "The user's own global permission (V(none) when it has none).", type: str,
                 sample: PROJECT_CREATE}
users:
  description: One entry per item of O(users), in the same order.
  returned: when O(users) is used
  type: list
  elements: dict
  contains:
    name: {description: "The user name as given in O(users[].name).", type: str, sample: jdoe}
    changed: {description: "Whether this user was (or, in check mode, would be) changed.", type: bool, sample: true}
    failed: {description: Whether this user failed. Other users were still handled., type: bool, sample: false}
    msg: {description: "What was done (V(unchanged), V(created; password set), ...) or why it failed.", type: str,
          sample: changed email}
    user: {description: "The user after the task, with the keys of RV(user).", type: dict, returned: when the user did
           not fail, sample: {name: jdoe, display_name: Jane Doe, email: jane.doe@example.com, state: present}}
    diff: {description: "This user's before and after, in diff mode, when it changed.", type: dict, returned: in diff
           mode when the user changed, sample: {before: {email: old@example.com}, after: {email: new@example.com}}}
msg: {description: "What was done to the user, or with O(users) a summary.", returned: always, type: str,
      sample: "500 users reconciled, 3 changed"}
summary: {description: "With O(users): C(requests), C(rate_limit_wait_seconds), C(rate_limited_answers) (HTTP 429),
  C(seconds) and the pace kept, C(rate_limit) (see O(rate_limit))", returned: with O(users), type: dict}
'''

from ansible_collections.dcops.bitbucket.plugins.module_utils._module import BitbucketModule
from ansible_collections.dcops.bitbucket.plugins.module_utils._reconcile import reconcile_in
from ansible_collections.dcops.bitbucket.plugins.module_utils._user_options import ARGUMENT_SPEC, MUTUALLY_EXCLUSIVE
from ansible_collections.dcops.bitbucket.plugins.module_utils._user_options import desired_users, problems
from ansible_collections.dcops.bitbucket.plugins.module_utils._user_reconcile import UserReconciler


def main():
    module = BitbucketModule(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=MUTUALLY_EXCLUSIVE,
        required_one_of=[('name', 'users')],
        supports_check_mode=True,
        problems=problems,
    )
    reconciler = UserReconciler(module.client, check_mode=module.check_mode,
                                username=module.params.get('url_username'), add_secret=module.add_secret)
    reconcile_in(module, reconciler, desired_users(module.params), single=module.params['users'] is None)


if __name__ == '__main__':
    main()
