# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The plan of each desired group, on the reconcile engine (_reconcile.py). FOR INTERNAL COLLECTION USE ONLY.

Every group is planned from one read of each listing; the writes are then made phase by phase across all groups,
raising ones first (create, grant, add members) and lowering ones last (remove members, revoke, delete), so that
the caller's own level never dips part-way through a run. Grants of one permission are batched.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dcops.bitbucket.plugins.module_utils._bulk import ItemFailure
from ansible_collections.dcops.bitbucket.plugins.module_utils._caller_level import CallerLevel, fold
from ansible_collections.dcops.bitbucket.plugins.module_utils._permissions_api import rank
from ansible_collections.dcops.bitbucket.plugins.module_utils._readers import GroupReader, UserReader, group_view, shown
from ansible_collections.dcops.bitbucket.plugins.module_utils._reconcile import Plan, Reconciler, Step

# Group names per PUT /admin/permissions/groups (repeated name=), small enough for any proxy's URL limit.
GRANT_BATCH = 50


def stored(option):
    """A permission option as Bitbucket holds it: None for 'none'."""
    return None if option in (None, 'none') else option


class GroupReconciler(Reconciler):
    """load(items) reads Bitbucket; run(items) plans every group and, unless in check mode, applies the plans."""

    noun = 'group'
    phases = ('create', 'grant', 'add', 'remove', 'withdraw')
    done_separator = ', '
    batch_size = GRANT_BATCH

    def __init__(self, client, username=None, check_mode=False):
        super(GroupReconciler, self).__init__(check_mode=check_mode)
        self.reader = GroupReader(client)
        self.user_reader = UserReader(client)
        self.groups_api = self.reader.groups_api
        self.perms_api = self.reader.permissions_api
        self.caller = CallerLevel(self.user_reader.users_api, self.perms_api, self._all_permissions, username=username)
        self.warnings = self.caller.warnings
        self.only = None
        self.groups = {}
        self._all = None
        self._users = None

    # reading -------------------------------------------------------------------------------------------------
    def load(self, items, single=False):
        """The groups and their global permissions (for one group, only those its name matches), and the members
        of the existing groups whose members are managed."""
        self.only = items[0]['name'] if single else None
        self.groups = self.reader.read(names=[self.only] if single else None, permissions=True)
        managed = [self.groups.get(fold(i['name'])) for i in items if i['state'] != 'absent' and i['members'] is not None]
        self.reader.read_members([group for group in managed if group is not None])

    def _all_permissions(self):
        """{group name: permission} of every group (the caller's level depends on groups not managed here)."""
        if self._all is None:
            if self.only is None:
                self._all = dict((g.name, stored(g.view['permission'])) for g in self.groups.values())
            else:
                self._all = self.perms_api.groups()
        return self._all

    def _user_names(self):
        """{fold(user name): user name} of every user, read once when some member has to be added."""
        if self._users is None:
            self._users = self.user_reader.names()
        return self._users

    def batch_call(self, key, arguments):
        self.perms_api.set_group(arguments, key)

    # planning (reads only) -----------------------------------------------------------------------------------
    def plan(self, item):
        found = self.groups.get(fold(item['name']))
        existing = found.name if found else None
        name = existing or item['name']
        current = stored(found.view['permission']) if found else None
        if item['state'] == 'absent':
            if not existing:
                return Plan(item['name'], name, None, None, [])
            steps = [Step('withdraw', 'deleted', lambda: self.groups_api.delete(name))]
            if rank(current):
                self._check_caller(name, steps, current, None, [])
            return Plan(item['name'], name, group_view(existing, current), None, steps)

        desired = current if item['permission'] is None else stored(item['permission'])
        members_before = members_after = None
        add, remove = [], []
        if item['members'] is not None:
            if found is not None and found.error is not None:
                raise found.error
            members_before = found.view['members'] if found else []
            members_after, add, remove = self._plan_members(name, members_before, item['members'], item['append'])
        steps = []
        if not existing:
            steps.append(Step('create', 'created', lambda: self.groups_api.create(name)))
        if desired != current and desired is not None:
            steps.append(Step('grant', 'global permission %s -> %s' % (shown(current), desired),
                              lambda: self.perms_api.set_group(name, desired),
                              done='permission set to %s' % desired, batch=(desired, name)))
        if add:
            steps.append(Step('add', 'members added: %s' % ', '.join(add),
                              lambda: self.groups_api.add_members(name, add), done='members added'))
        for index, user in enumerate(remove):
            steps.append(Step('remove', None if index else 'members removed: %s' % ', '.join(remove),
                              lambda user=user: self.groups_api.remove_member(name, user), done='removed %s' % user))
        if desired != current and desired is None:
            steps.append(Step('withdraw', 'global permission %s revoked' % current,
                              lambda: self.perms_api.revoke_group(name), done='permission revoked'))
        if steps and (rank(current) or rank(desired)):
            self._check_caller(name, steps, current, desired, members_after)
        before = group_view(existing, current, members_before) if existing else None
        return Plan(item['name'], name, before, group_view(name, desired, members_after), steps)

    def _plan_members(self, name, current, wanted, append):
        """(members after, users to add, users to remove)."""
        current_by_key = dict((fold(m), m) for m in current)
        wanted_by_key = {}
        for member in wanted:
            wanted_by_key.setdefault(fold(member), member)
        missing_keys = [k for k in wanted_by_key if k not in current_by_key]
        add = []
        if missing_keys:
            users = self._user_names()
            unknown = [wanted_by_key[k] for k in missing_keys if k not in users]
            if unknown:
                raise ItemFailure('group %s: %s %s not exist in Bitbucket (members are never created; create the '
                                  'users first)' % (name, 'user' if len(unknown) == 1 else 'users',
                                                    ', '.join(unknown) + (' does' if len(unknown) == 1 else ' do')))
            add = [users[k] for k in missing_keys]
        if append:
            return list(current) + add, add, []
        remove = [m for k, m in current_by_key.items() if k not in wanted_by_key]
        return [m for k, m in current_by_key.items() if k in wanted_by_key] + add, add, remove

    def _check_caller(self, name, steps, current, desired, members_after):
        """Fail the group before any write when Bitbucket would refuse it for the caller's own level: above the
        caller, granting more than the caller holds, or lowering the caller's own level."""
        if not self.caller.identified():
            return
        self.caller.check('group', name, current, desired)
        level = self.caller.level()
        key = fold(name)
        if members_after is None:
            member = self.caller.is_member(key)
        else:
            member = fold(self.caller.username) in set(fold(m) for m in members_after)
        level_after = self.caller.level(key, member, desired)
        if rank(level_after) < rank(level):
            change = '; '.join(step.summary for step in steps if step.summary)
            raise ItemFailure('group %s: this change (%s) would lower your own global permission (user %s) from %s '
                              'to %s; Bitbucket refuses that' % (name, change, self.caller.username, level,
                                                                 shown(level_after)))
        self.caller.commit(key, member, desired)
