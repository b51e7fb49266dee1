# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Desired state of groups: plan every group from one read of each listing, then make the fewest writes.

FOR INTERNAL COLLECTION USE ONLY.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dcops.bitbucket.plugins.module_utils._bulk import ItemFailure, ItemResult
from ansible_collections.dcops.bitbucket.plugins.module_utils._caller_level import CallerLevel, fold
from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError
from ansible_collections.dcops.bitbucket.plugins.module_utils._permissions_api import rank
from ansible_collections.dcops.bitbucket.plugins.module_utils._readers import (
    GroupReader,
    UserReader,
    group_view as group_object,
    shown,
)

# Group names per PUT /admin/permissions/groups (repeated name=), small enough for any proxy's URL limit.
GRANT_BATCH = 50
UNIDENTIFIED_CALLER = ('Bitbucket did not name the authenticated user (no X-AUSERNAME header), so changes to groups '
                       'with a global permission are not checked against your own permission before they are made')


def stored(option):
    """A permission option as Bitbucket holds it: None for 'none'."""
    return None if option in (None, 'none') else option


class GroupPlan:
    """The writes one group needs."""

    def __init__(self, name, permission_before):
        self.name = name
        self.permission_before = permission_before
        self.create = False
        self.delete = False
        self.grant = None
        self.revoke = False
        self.add = []
        self.remove = []

    @property
    def changed(self):
        return bool(self.create or self.delete or self.grant or self.revoke or self.add or self.remove)

    def describe(self):
        parts = []
        if self.create:
            parts.append('created')
        if self.grant:
            parts.append('global permission %s -> %s' % (shown(self.permission_before), self.grant))
        if self.add:
            parts.append('members added: %s' % ', '.join(self.add))
        if self.remove:
            parts.append('members removed: %s' % ', '.join(self.remove))
        if self.revoke:
            parts.append('global permission %s revoked' % self.permission_before)
        if self.delete:
            parts.append('deleted')
        return '; '.join(parts) or 'no change'


class GroupResult(ItemResult):
    """An ItemResult that carries its plan and the writes made so far."""

    def __init__(self, name, plan, before, after, obj, check_mode):
        msg = plan.describe()
        if check_mode and plan.changed:
            msg = 'check mode, would be: ' + msg
        super(GroupResult, self).__init__(name, changed=plan.changed, msg=msg, before=before, after=after, obj=obj)
        self.plan = plan
        self.done = []

    def fail(self, exc):
        self.failed = True
        self.changed = bool(self.done)
        self.obj = None
        self.msg = 'group %s: %s' % (self.plan.name, exc)
        if self.done:
            self.msg += ' (already done: %s)' % ', '.join(self.done)


class GroupReconciler:
    """plan(item) -> GroupResult for each desired group (reads only), then apply(results) (writes)."""

    def __init__(self, client, username=None, only=None, check_mode=False):
        self.reader = GroupReader(client)
        self.user_reader = UserReader(client)
        self.groups_api = self.reader.groups_api
        self.perms_api = self.reader.permissions_api
        self.caller = CallerLevel(self.user_reader.users_api, self.perms_api, self._all_permissions, username=username)
        self.only = only
        self.check_mode = check_mode
        self.warnings = []
        self.groups = {}
        self._all = None
        self._users = None

    # reading -------------------------------------------------------------------------------------------------
    def load(self, items):
        """The groups and their global permissions (only the one group of a one-group call), and the members of the
        existing groups whose members are managed."""
        if not items:
            return
        self.groups = self.reader.read(names=[self.only] if self.only else None, permissions=True)
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

    # planning (reads only) -----------------------------------------------------------------------------------
    def plan(self, item):
        name = item['name']
        found = self.groups.get(fold(name))
        existing = found.name if found else None
        current = stored(found.view['permission']) if found else None
        plan = GroupPlan(existing or name, current)
        if item['state'] == 'absent':
            before = group_object(existing, current) if existing else None
            if existing:
                plan.delete = True
                if rank(current):
                    self._check_caller(plan, current, None, [])
            return GroupResult(name, plan, before, None, {'name': plan.name, 'state': 'absent'}, self.check_mode)

        desired = current if item['permission'] is None else stored(item['permission'])
        members_before = members_after = None
        if item['members'] is not None:
            if found is not None and found.error is not None:
                raise found.error
            members_before = found.view['members'] if found else []
            members_after = self._plan_members(plan, members_before, item['members'], item['append'])
        plan.create = not existing
        if desired != current:
            plan.grant = desired
            plan.revoke = desired is None
        if plan.changed and (rank(current) or rank(desired)):
            self._check_caller(plan, current, desired, members_after)
        before = group_object(existing, current, members_before) if existing else None
        after = group_object(plan.name, desired, members_after)
        return GroupResult(name, plan, before, after, after, self.check_mode)

    def _plan_members(self, plan, current, wanted, append):
        """Fill plan.add and plan.remove; return the members the group will have."""
        current_by_key = dict((fold(m), m) for m in current)
        wanted_by_key = {}
        for member in wanted:
            wanted_by_key.setdefault(fold(member), member)
        missing_keys = [k for k in wanted_by_key if k not in current_by_key]
        if missing_keys:
            users = self._user_names()
            unknown = [wanted_by_key[k] for k in missing_keys if k not in users]
            if unknown:
                raise ItemFailure('group %s: %s %s not exist in Bitbucket (members are never created; create the '
                                  'users first)' % (plan.name, 'user' if len(unknown) == 1 else 'users',
                                                    ', '.join(unknown) + (' does' if len(unknown) == 1 else ' do')))
            plan.add = [users[k] for k in missing_keys]
        if append:
            return list(current) + plan.add
        plan.remove = [m for k, m in current_by_key.items() if k not in wanted_by_key]
        return [m for k, m in current_by_key.items() if k in wanted_by_key] + plan.add

    def _check_caller(self, plan, current, desired, members_after):
        """Fail the group before any write when Bitbucket would refuse it for the caller's own level (§3.4, §3.5)."""
        if not self.caller.load():
            if UNIDENTIFIED_CALLER not in self.warnings:
                self.warnings.append(UNIDENTIFIED_CALLER)
            return
        level = self.caller.level()
        if rank(current) > rank(level):
            raise ItemFailure('group %s has the global permission %s, higher than yours (%s): Bitbucket does not let '
                              'you change or delete it' % (plan.name, current, shown(level)))
        if rank(desired) > rank(level):
            raise ItemFailure('group %s: cannot grant %s, which is higher than your own global permission (%s)'
                              % (plan.name, desired, shown(level)))
        key = fold(plan.name)
        if members_after is None:
            member = self.caller.is_member(key)
        else:
            member = fold(self.caller.username) in set(fold(m) for m in members_after)
        level_after = self.caller.level(key, member, desired)
        if rank(level_after) < rank(level):
            raise ItemFailure('group %s: this change (%s) would lower your own global permission (user %s) from %s '
                              'to %s; Bitbucket refuses that' % (plan.name, plan.describe(), self.caller.username,
                                                                 level, shown(level_after)))
        self.caller.commit(key, member, desired)

    # applying (writes) ---------------------------------------------------------------------------------------
    def apply(self, results):
        """Make the planned writes of the groups that did not fail: raises first, the lowering changes last.

        Creating, granting and adding come before removing, revoking and deleting, so the caller's own level
        never dips half-way; a failed write fails its group only.
        """
        todo = [r for r in results if isinstance(r, GroupResult) and not r.failed and r.plan.changed]
        for result in todo:
            if result.plan.create:
                self._step(result, 'created', self.groups_api.create, result.plan.name)
        self._grant(r for r in todo if r.plan.grant)
        for result in todo:
            if result.plan.add:
                self._step(result, 'members added', self.groups_api.add_members, result.plan.name, result.plan.add)
        for result in todo:
            for user in result.plan.remove:
                self._step(result, 'removed %s' % user, self.groups_api.remove_member, result.plan.name, user)
        for result in todo:
            if result.plan.revoke:
                self._step(result, 'permission revoked', self.perms_api.revoke_group, result.plan.name)
            if result.plan.delete:
                self._step(result, 'deleted', self.groups_api.delete, result.plan.name)

    def _grant(self, results):
        """One PUT per permission for up to GRANT_BATCH groups; one per group only when a batch is refused."""
        by_permission = {}
        for result in results:
            if not result.failed:
                by_permission.setdefault(result.plan.grant, []).append(result)
        for permission in sorted(by_permission):
            batch_all = by_permission[permission]
            for start in range(0, len(batch_all), GRANT_BATCH):
                batch = batch_all[start:start + GRANT_BATCH]
                done = 'permission set to %s' % permission
                if len(batch) > 1:
                    try:
                        self.perms_api.set_group([r.plan.name for r in batch], permission)
                    except BitbucketError:
                        pass  # PUT sets the level, so sending it again per group is safe and finds the refused one
                    else:
                        for result in batch:
                            result.done.append(done)
                        continue
                for result in batch:
                    self._step(result, done, self.perms_api.set_group, result.plan.name, permission)

    @staticmethod
    def _step(result, done, call, *args):
        if result.failed:
            return
        try:
            call(*args)
        except BitbucketError as exc:
            result.fail(exc)
        else:
            result.done.append(done)
