# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The plan of each desired user, on the reconcile engine (_reconcile.py). FOR INTERNAL COLLECTION USE ONLY.

One reconciler serves one user (`name`) and many (`users`): Bitbucket is read once up front (all users, and only
what the desired states need: global permissions, group names, the groups of the users whose groups are managed),
and then each user gets the fewest writes that reach its desired state, made user by user.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import secrets

from ansible_collections.dcops.bitbucket.plugins.module_utils._bulk import ItemFailure
from ansible_collections.dcops.bitbucket.plugins.module_utils._caller_level import CallerLevel, fold
from ansible_collections.dcops.bitbucket.plugins.module_utils._permissions_api import rank
from ansible_collections.dcops.bitbucket.plugins.module_utils._readers import GroupReader, UserReader, user_view
from ansible_collections.dcops.bitbucket.plugins.module_utils._reconcile import Plan, Reconciler, Step
from ansible_collections.dcops.bitbucket.plugins.module_utils._user_refusals import lost_create_hint, refusal


class UserReconciler(Reconciler):
    """load(desired) reads Bitbucket; run(desired) plans and, unless in check mode, applies every user.

    Names are compared case-insensitively, as Bitbucket's directories do; results use Bitbucket's spelling.
    """

    noun = 'user'

    def __init__(self, client, check_mode=False, username=None, add_secret=None):
        super(UserReconciler, self).__init__(check_mode=check_mode)
        self.reader = UserReader(client)
        self.group_reader = GroupReader(client)
        self.users_api = self.reader.users_api
        self.permissions_api = self.reader.permissions_api
        self.caller = CallerLevel(self.users_api, self.permissions_api, self.permissions_api.groups,
                                  username=username)
        self.warnings = self.caller.warnings
        self.add_secret = add_secret or client.add_secret
        self.users = {}
        self.group_names = None

    # reading -------------------------------------------------------------------------------------------------
    def load(self, items, single=False):
        """All users (or, for one user, only its names) and their global permissions; group names when managed;
        the groups of the users whose groups are managed."""
        names = [n for n in (items[0]['name'], items[0].get('new_name')) if n] if single else None
        self.users = self.reader.read(names=names, permissions=True)
        managed = [d for d in items if d.get('groups') is not None and d.get('state') != 'absent']
        if managed:
            self.group_names = dict((key, group.name) for key, group in self.group_reader.read().items())
        members = []
        for wanted in managed:
            try:
                current = self._resolve_rename(wanted)
            except ItemFailure:
                continue  # fails when planned, before anything is read for it
            if current is not None and current not in members:
                members.append(current)
        self.reader.read_groups(members)

    def permission_of(self, name):
        """The global permission granted to the user directly, 'none' when there is none."""
        found = self.users.get(fold(name))
        return found.view['permission'] if found else 'none'

    # planning ------------------------------------------------------------------------------------------------
    def plan(self, item):
        current = self._resolve_rename(item)
        if item.get('state') == 'absent':
            before, after, steps = self._plan_absent(current)
        elif current is None:
            before, after, steps = self._plan_create(item)
        else:
            before, after, steps = self._plan_update(item, current)
        return Plan(item['name'], item['name'], before, after, steps)

    def unchanged_message(self, plan):
        return 'absent' if plan.after is None else 'unchanged'

    def explain(self, plan, step, exc):
        name = (plan.after or plan.before or {}).get('name')
        return refusal(exc, step.phase, name, self.permission_of(name or ''))

    def lost_answer_hint(self, plan, step):
        return lost_create_hint(plan, step)

    def _resolve_rename(self, desired):
        """The current user (after a rename already done, the renamed one), or None."""
        name, new_name = desired['name'], desired.get('new_name')
        current = self.users.get(fold(name))
        if new_name and fold(new_name) != fold(name) and fold(new_name) in self.users:
            if current is not None:
                raise ItemFailure('cannot rename user %s to %s: a user named %s already exists'
                                  % (current.name, new_name, self.users[fold(new_name)].name))
            return self.users[fold(new_name)]
        return current

    def _plan_absent(self, current):
        if current is None:
            return None, None, []
        name = current.name
        if current.facts['deletable'] is False or current.facts['mutable_details'] is False:
            raise ItemFailure('cannot delete user %s: it belongs to the read-only user directory %s; remove it there'
                              % (name, _directory(current)))
        if (self.caller.username or self.caller.identified()) and fold(self.caller.username) == fold(name):
            raise ItemFailure('cannot delete user %s: it is the user these credentials authenticate as' % name)
        self._check_caller(name, self.permission_of(name), None)
        return dict(current.view), None, [Step('delete', 'deleted', lambda: self.users_api.delete(name))]

    def _plan_create(self, desired):
        name = desired.get('new_name') or desired['name']
        missing = [key for key in ('display_name', 'email') if not desired.get(key)]
        if missing:
            raise ItemFailure('cannot create user %s: %s %s required to create a user'
                              % (name, ' and '.join(missing), 'is' if len(missing) == 1 else 'are'))
        if not desired.get('notify') and desired.get('password') is None:
            raise ItemFailure('cannot create user %s: set password, or notify: true to have Bitbucket mail a link to '
                              'choose one' % name)
        groups = self._checked_groups(name, desired)
        exact_groups = groups is not None and not desired.get('append')
        permission = desired.get('permission') or 'none'
        self._check_caller(name, 'none', permission)
        after = user_view({'name': name, 'displayName': desired['display_name'], 'emailAddress': desired['email']},
                          groups=groups, permission=permission)
        steps = [Step('create', 'created', lambda: self._create(name, desired, not exact_groups))]
        if desired.get('password') is not None:
            steps.append(Step('password', 'password set',
                              lambda: self.users_api.set_password(name, desired['password'])))
        if groups:
            steps.append(Step('groups', 'added to %s' % ', '.join(groups),
                              lambda: self.users_api.add_groups(name, groups)))
        if permission != 'none':
            steps.append(Step('permission', 'permission %s granted' % permission,
                              lambda: self.permissions_api.set_user(name, permission)))
        if groups is not None and desired.get('append') and desired.get('add_to_default_group'):
            # The new user is also in the default group, whose name only Bitbucket knows: read it back.
            steps.append(Step('read', None, lambda: after.update(groups=self.users_api.groups_of(name)), write=False))
        return None, after, steps

    def _create(self, name, desired, add_to_default_group):
        """Create with a throw-away password (the API only takes query parameters) or with notify."""
        throwaway = None
        if not desired.get('notify'):
            throwaway = secrets.token_urlsafe(24)
            self.add_secret(throwaway)
        self.users_api.create(name, desired['display_name'], desired['email'], password=throwaway,
                              add_to_default_group=add_to_default_group and desired.get('add_to_default_group'),
                              notify=desired.get('notify'))

    def _plan_update(self, desired, current):
        name = current.name
        new_name = desired.get('new_name')
        if new_name == name:
            new_name = None
        groups_managed = desired.get('groups') is not None
        if groups_managed and current.error is not None:
            raise current.error
        before = dict(current.view)
        after = dict(before)
        steps = []

        permission = desired.get('permission')
        if permission and permission != before['permission']:
            if permission == 'none':
                steps.append(Step('permission', 'permission %s revoked' % before['permission'],
                                  lambda: self.permissions_api.revoke_user(name)))
            else:
                steps.append(Step('permission', 'permission %s granted' % permission,
                                  lambda: self.permissions_api.set_user(name, permission)))
            after['permission'] = permission

        details = dict((key, desired[key]) for key in ('display_name', 'email')
                       if desired.get(key) is not None and desired[key] != before[key])
        set_password = desired.get('password') is not None and desired.get('update_password') == 'always'
        if (new_name or details or set_password) and current.facts['mutable_details'] is False:
            changes = sorted(list(details) + (['name'] if new_name else [])) + (['password'] if set_password else [])
            raise ItemFailure('cannot change %s of user %s: it belongs to the read-only user directory %s'
                              % (', '.join(changes), name, _directory(current)))
        after.update(details)
        target = new_name or name
        if new_name:
            after['name'] = new_name
            steps.append(Step('rename', 'renamed from %s' % name, lambda: self.users_api.rename(name, new_name)))
        if details:
            steps.append(Step('update', 'changed %s' % ', '.join(sorted(details)),
                              lambda: self.users_api.update(target, details.get('display_name'),
                                                            details.get('email'))))
        if set_password:
            steps.append(Step('password', 'password set',
                              lambda: self.users_api.set_password(target, desired['password'])))
        if groups_managed:
            steps.extend(self._group_steps(target, desired, current, before['groups'], after))
        if steps:
            self._check_caller(name, before['permission'], after['permission'] if permission else None)
        return before, after, steps

    def _group_steps(self, name, desired, current, current_groups, after):
        wanted = self._checked_groups(name, desired)
        have = dict((fold(group), group) for group in current_groups)
        target = dict(have) if desired.get('append') else {}
        target.update((fold(group), group) for group in wanted)
        to_add = sorted(target[key] for key in target if key not in have)
        to_remove = sorted(have[key] for key in have if key not in target)
        if (to_add or to_remove) and current.facts['mutable_groups'] is False:
            raise ItemFailure('cannot change the groups of user %s: it belongs to the read-only user directory %s, '
                              'which manages its group memberships' % (current.name, _directory(current)))
        after['groups'] = sorted(target.values())
        steps = []
        if to_add:
            steps.append(Step('groups', 'added to %s' % ', '.join(to_add),
                              lambda: self.users_api.add_groups(name, to_add)))
        for group in to_remove:
            steps.append(Step('groups', 'removed from %s' % group,
                              lambda group=group: self.users_api.remove_group(name, group)))
        return steps

    def _checked_groups(self, name, desired):
        """The desired groups as Bitbucket spells them, sorted and unique; None when not managed.

        Fails naming every group that does not exist, before anything is written for the user.
        """
        if desired.get('groups') is None:
            return None
        known = self.group_names or {}
        missing = sorted(set(group for group in desired['groups'] if fold(group) not in known))
        if missing:
            raise ItemFailure('user %s: group%s %s do%s not exist (bitbucket_user does not create groups; create them '
                              'with dcops.bitbucket.bitbucket_group first)'
                              % (name, 's' if len(missing) > 1 else '', ', '.join(missing),
                                 '' if len(missing) > 1 else 'es'))
        return sorted(set(known[fold(group)] for group in desired['groups']))

    def _check_caller(self, name, held, granted):
        """Fail before writing when Bitbucket would refuse for the authenticated user's own level.

        Only users holding ADMIN or more, and grants of ADMIN or more, can be out of an administrator's reach,
        so the caller's level is read (three GETs, once) only for those.
        """
        if max(rank(held), rank(granted)) >= rank('ADMIN'):
            self.caller.check('user', name, held, granted)


def _directory(user):
    return "'%s'" % (user.facts['directory'] or 'unknown')
