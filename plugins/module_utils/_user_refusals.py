# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Why Bitbucket refused a write to a user, in a sentence. FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketHTTPError
from ansible_collections.dcops.bitbucket.plugins.module_utils._permissions_api import rank

VERBS = {'create': 'create', 'delete': 'delete', 'rename': 'rename', 'update': 'update',
         'password': 'set the password of', 'groups': 'change the groups of',
         'permission': 'change the global permission of', 'read': 'read'}


def refusal(exc, phase, name, held):
    """The message of a failed step of a user: a refusal (401, 403, 409) as a sentence naming the user and the
    likely reason, other errors as they are. phase: the step's; held: the user's own global permission."""
    if not isinstance(exc, BitbucketHTTPError) or exc.status not in (401, 403, 409):
        return 'user %s: %s' % (name, exc)
    if phase == 'delete' and exc.status == 409:
        reason = 'Bitbucket does not let a user delete itself'
    elif phase in ('create', 'groups') and exc.status == 403:
        reason = 'the licence would be exceeded, or a group holds a higher permission than the authenticated user'
    elif rank(held) >= rank('ADMIN'):
        reason = ('%s holds the global permission %s, and Bitbucket refuses changes to users with a higher '
                  'permission level than the authenticated user' % (name, held))
    elif phase == 'permission':
        reason = ('granting or revoking a global permission needs at least that permission and at least the '
                  "user's level, and may not lower the authenticated user's own level")
    else:
        reason = 'user administration needs the ADMIN global permission'
    return 'cannot %s user %s: %s (%s)' % (VERBS.get(phase, 'change'), name, reason, exc)


def lost_create_hint(plan, step):
    """What a lost answer to creating a user leaves behind when its password was to be set next."""
    if step.phase == 'create' and any(later.phase == 'password' for later in plan.steps):
        return ('; if the user exists now, it has a random password that nobody knows: run again with '
                'update_password: always to set the password')
    return ''
