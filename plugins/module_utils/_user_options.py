# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""bitbucket_user's options, the desired states they make, and the problems visible before any request.

FOR INTERNAL COLLECTION USE ONLY.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dcops.bitbucket.plugins.module_utils._bulk import ITEM_DEFAULTS, duplicate_names, with_defaults
from ansible_collections.dcops.bitbucket.plugins.module_utils._caller_level import fold
from ansible_collections.dcops.bitbucket.plugins.module_utils._permissions_api import PERMISSION_CHOICES

# The options of one user; the module takes them at the top level (one user) or as `users` items (many).
USER_OPTIONS = dict(
    name=dict(type='str'),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    display_name=dict(type='str'),
    email=dict(type='str'),
    password=dict(type='str', no_log=True),
    update_password=dict(type='str', default='on_create', choices=['on_create', 'always'], no_log=False),
    notify=dict(type='bool', default=False),
    add_to_default_group=dict(type='bool', default=True),
    groups=dict(type='list', elements='str'),
    append=dict(type='bool', default=False),
    permission=dict(type='str', choices=list(PERMISSION_CHOICES)),
    new_name=dict(type='str'),
)
# Top-level options that cannot be given with `users` (the others are the items' defaults, see ITEM_DEFAULTS).
PER_USER_KEYS = tuple(key for key in USER_OPTIONS if key != 'name' and key not in ITEM_DEFAULTS)


def user_item_spec():
    """Suboptions of one `users` item: the same keys, `name` required, unknown keys rejected by Ansible."""
    spec = dict((key, dict(value)) for key, value in USER_OPTIONS.items())
    spec['name']['required'] = True
    for key in ITEM_DEFAULTS:
        spec[key].pop('default')  # unset in an item: the top-level value
    return spec


ARGUMENT_SPEC = dict(USER_OPTIONS, users=dict(type='list', elements='dict', options=user_item_spec()))
MUTUALLY_EXCLUSIVE = [('name', 'users')] + [('users', key) for key in PER_USER_KEYS]


def desired_users(params):
    """The list of user desired states from the module parameters (one user or the `users` list)."""
    if params.get('users') is not None:
        return with_defaults(params['users'], params)
    return [dict((key, params.get(key)) for key in USER_OPTIONS)]


def validate(users, list_name=None):
    """Problems in the desired states that need no request to see, each naming the option; [] when none."""
    found = []
    for index, user in enumerate(users):
        where = '%s[%d] (%s): ' % (list_name, index, user.get('name')) if list_name else ''
        if not user.get('name'):
            found.append(where + 'name must be a non-empty user name')
        if user.get('state') == 'absent' and user.get('new_name'):
            found.append(where + 'new_name cannot be used with state: absent (rename a user that stays present)')
        if user.get('notify') and user.get('password') is not None:
            found.append(where + 'notify and password are mutually exclusive: with notify, Bitbucket mails a link '
                         'to choose a password')
        if user.get('password') == '':
            found.append(where + 'password must not be empty')
        if any(not group for group in user.get('groups') or []):
            found.append(where + 'groups must not hold an empty group name')
    if list_name:
        dupes = duplicate_names([{'name': fold(u['name'])} for u in users if u.get('name')])
        if dupes:
            found.append('%s lists these users more than once: %s' % (list_name, ', '.join(dupes)))
        names = set(fold(u['name']) for u in users if u.get('name'))
        for user in users:
            new_name = user.get('new_name')
            if new_name and fold(new_name) != fold(user.get('name') or '') and fold(new_name) in names:
                found.append('%s renames %s to %s, which is also listed by name; list each user once'
                             % (list_name, user['name'], user['new_name']))
        targets = [fold(u['new_name']) for u in users if u.get('new_name')]
        taken = [name for name in set(targets) if targets.count(name) > 1]
        if taken:
            found.append('%s renames several users to the same name: %s' % (list_name, ', '.join(sorted(taken))))
    return found


def problems(params):
    """What is wrong with the module's parameters, before any request; [] when nothing is."""
    return validate(desired_users(params), list_name='users' if params.get('users') is not None else None)
