# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""bitbucket_group's options, the desired states they make, and the problems visible before any request.

FOR INTERNAL COLLECTION USE ONLY.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dcops.bitbucket.plugins.module_utils._bulk import duplicate_names, with_defaults
from ansible_collections.dcops.bitbucket.plugins.module_utils._caller_level import fold
from ansible_collections.dcops.bitbucket.plugins.module_utils._permissions_api import PERMISSION_CHOICES

GROUP_OPTIONS = dict(
    name=dict(type='str', required=True),
    state=dict(type='str', choices=['present', 'absent']),
    permission=dict(type='str', choices=list(PERMISSION_CHOICES)),
    members=dict(type='list', elements='str'),
    append=dict(type='bool'),
)

ARGUMENT_SPEC = dict(
    name=dict(type='str'),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    permission=dict(type='str', choices=list(PERMISSION_CHOICES)),
    members=dict(type='list', elements='str'),
    append=dict(type='bool', default=False),
    groups=dict(type='list', elements='dict', options=GROUP_OPTIONS),
)
# The top-level options that describe one group; with `groups` each item sets its own (see _bulk.ITEM_DEFAULTS).
MUTUALLY_EXCLUSIVE = [('name', 'groups'), ('groups', 'permission'), ('groups', 'members')]


def desired_groups(params):
    """The desired groups (one from the top-level options, or the `groups` items), every key set."""
    if params['groups'] is not None:
        return with_defaults(params['groups'], params)
    return [dict((key, params[key]) for key in GROUP_OPTIONS)]


def problems(params):
    """What is wrong with the module's parameters, before any request; [] when nothing is."""
    bulk = params['groups'] is not None
    items = desired_groups(params)
    found = []
    for index, item in enumerate(items):
        where = 'groups[%d].' % index if bulk else ''
        if not (item['name'] or '').strip():
            found.append('%sname must be a non-empty group name' % where)
        if any(not (member or '').strip() for member in item['members'] or []):
            found.append('%smembers of group %s holds an empty user name' % (where, item['name']))
    duplicates = duplicate_names([{'name': fold(item['name'])} for item in items if item['name']])
    if duplicates:
        found.append('groups lists these group names more than once (names are case-insensitive): %s'
                     % ', '.join(duplicates))
    return found
