# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What bitbucket_user_info and bitbucket_group_info read, through the readers. FOR INTERNAL COLLECTION USE ONLY.

Everything is read by UserReader and GroupReader (_readers.py); this file only chooses what to read and in which
way costs the fewest requests, and puts the answers in the order and shape the modules return.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dcops.bitbucket.plugins.module_utils._caller_level import fold
from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError
from ansible_collections.dcops.bitbucket.plugins.module_utils._module import BitbucketModule
from ansible_collections.dcops.bitbucket.plugins.module_utils._readers import GroupReader, UserReader

SELECTION_OPTIONS = dict(
    names=dict(type='list', elements='str'),
    filter=dict(type='str'),
    include_permission=dict(type='bool', default=True),
)


class InfoReadError(BitbucketError):
    """A part of one user or group could not be read; the message names it."""


def problems(params):
    """What is wrong with the selection options, each naming the option; [] when they are fine."""
    found = []
    if params.get('names') is not None and params.get('filter') is not None:
        found.append('names and filter are mutually exclusive')
    if any(not (name or '').strip() for name in params.get('names') or []):
        found.append('names must not contain empty names')
    if params.get('filter') is not None and not params['filter'].strip():
        found.append('filter must not be empty (omit it to read everything)')
    return found


def _by_name(found):
    return [found[key] for key in sorted(found)]


def _raise_item_errors(found, what):
    for item in found:
        if item.error is not None:
            raise InfoReadError('could not read the %s of %s: %s' % (what, item.name, item.error))


def run_info_module(options, read):
    """The whole of an _info module: the selection options and `options`, then exit with read(client, params)."""
    module = BitbucketModule(argument_spec=dict(SELECTION_OPTIONS, **options), supports_check_mode=True)
    found = problems(module.params)
    if found:
        module.fail_json(msg='; '.join(found))
    try:
        result = read(module.client, module.params)
    except BitbucketError as exc:
        module.fail_from(exc)
    module.exit_json(changed=False, **result)


def read_users(client, params):
    """{'users': the users sorted by name as the `users` option takes them, 'user_facts': {name: facts}}."""
    names = params['names']
    users = UserReader(client).read(names=names, filter=params['filter'], permissions=params['include_permission'])
    if params['include_groups'] and users:
        _add_groups(client, users, per_user=names is not None)
    ordered = _by_name(users)
    return {'users': [item.view for item in ordered], 'user_facts': dict((item.name, item.facts) for item in ordered)}


def _add_groups(client, users, per_user):
    """Add view['groups'] to each user with the fewer requests: one read per user, or one per group inverted.

    Reading each group's members costs the group listing plus at least one request per group, reading each user's
    groups one request per user; so for every user (or a filter) the groups are listed first, and their members
    are read when there are fewer groups than users.
    """
    groups = {} if per_user else GroupReader(client).read()
    if per_user or len(groups) >= len(users):
        UserReader(client).read_groups(users.values())
        _raise_item_errors(users.values(), 'groups')
        return
    GroupReader(client).read_members(groups.values())
    _raise_item_errors(groups.values(), 'members')
    for user in users.values():
        user.view['groups'] = []
    for group in _by_name(groups):
        for member in group.view['members']:
            if fold(member) in users:
                users[fold(member)].view['groups'].append(group.name)
    for user in users.values():
        user.view['groups'] = sorted(user.view['groups'])


def read_groups(client, params):
    """{'groups': the groups sorted by name as the `groups` option takes them}."""
    groups = GroupReader(client).read(names=params['names'], filter=params['filter'],
                                      permissions=params['include_permission'], members=params['include_members'])
    if params['include_members']:
        _raise_item_errors(groups.values(), 'members')
    return {'groups': [item.view for item in _by_name(groups)]}
