# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Desired state of Bitbucket users: options, validation, plan and apply. FOR INTERNAL COLLECTION USE ONLY.

One reconciler serves one user (`name`) and many (`users`): Bitbucket is read once up front (all users, and only
what the desired states need: global permissions, group names), memberships are read only for users whose groups
are managed, and then each user gets the fewest writes that reach its desired state.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import secrets

from ansible_collections.dcops.bitbucket.plugins.module_utils._bulk import ItemFailure, ItemResult, duplicate_names
from ansible_collections.dcops.bitbucket.plugins.module_utils._caller_level import CallerLevel, fold
from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import (
    BitbucketConnectionError,
    BitbucketError,
    BitbucketHTTPError,
    BitbucketResponseError,
)
from ansible_collections.dcops.bitbucket.plugins.module_utils._permissions_api import (
    PERMISSION_CHOICES,
    rank,
)
from ansible_collections.dcops.bitbucket.plugins.module_utils._readers import GroupReader, UserReader, user_view

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
PER_USER_KEYS = tuple(key for key in USER_OPTIONS if key != 'name')
ADMIN_RANK = rank('ADMIN')


def user_item_spec():
    """Suboptions of one `users` item: the same keys, `name` required, unknown keys rejected by Ansible."""
    spec = dict((key, dict(value)) for key, value in USER_OPTIONS.items())
    spec['name']['required'] = True
    return spec


def desired_users(params):
    """The list of user desired states from the module parameters (one user or the `users` list)."""
    if params.get('users') is not None:
        return [dict(item) for item in params['users']]
    return [dict((key, params.get(key)) for key in USER_OPTIONS)]


def validate(users, list_name=None):
    """Problems in the desired states that need no request to see, each naming the option; [] when none."""
    problems = []
    for index, user in enumerate(users):
        where = '%s[%d] (%s): ' % (list_name, index, user.get('name')) if list_name else ''
        if not user.get('name'):
            problems.append(where + 'name must be a non-empty user name')
        if user.get('state') == 'absent' and user.get('new_name'):
            problems.append(where + 'new_name cannot be used with state: absent (rename a user that stays present)')
        if user.get('notify') and user.get('password') is not None:
            problems.append(where + 'notify and password are mutually exclusive: with notify, Bitbucket mails a link '
                            'to choose a password')
        if user.get('password') == '':
            problems.append(where + 'password must not be empty')
        if any(not group for group in user.get('groups') or []):
            problems.append(where + 'groups must not hold an empty group name')
    if list_name:
        dupes = duplicate_names([{'name': fold(u['name'])} for u in users if u.get('name')])
        if dupes:
            problems.append('%s lists these users more than once: %s' % (list_name, ', '.join(dupes)))
        names = set(fold(u['name']) for u in users if u.get('name'))
        for user in users:
            new_name = user.get('new_name')
            if new_name and fold(new_name) != fold(user.get('name') or '') and fold(new_name) in names:
                problems.append('%s renames %s to %s, which is also listed by name; list each user once'
                                % (list_name, user['name'], user['new_name']))
        targets = [fold(u['new_name']) for u in users if u.get('new_name')]
        taken = [name for name in set(targets) if targets.count(name) > 1]
        if taken:
            problems.append('%s renames several users to the same name: %s' % (list_name, ', '.join(sorted(taken))))
    return problems


class Step:
    """One planned write: what it does (for messages) and how (a call on the API classes)."""

    def __init__(self, kind, summary, call):
        self.kind = kind
        self.summary = summary
        self.call = call


class UserReconciler:
    """Reads Bitbucket once (`load`), then `reconcile(desired)` plans and, unless in check mode, applies one user.

    Names are compared case-insensitively, as Bitbucket's directories do; results use Bitbucket's spelling.
    """

    def __init__(self, client, check_mode=False, username=None, add_secret=None):
        self.reader = UserReader(client)
        self.group_reader = GroupReader(client)
        self.users_api = self.reader.users_api
        self.permissions_api = self.reader.permissions_api
        self.caller = CallerLevel(self.users_api, self.permissions_api, self.permissions_api.groups,
                                  username=username)
        self.check_mode = check_mode
        self.add_secret = add_secret or client.add_secret
        self.users = {}
        self.permissions = {}
        self.group_names = None

    # reading -------------------------------------------------------------------------------------------------
    def load(self, desired, single=False):
        """All users (or, for one user, only its names) and their global permissions; group names when managed;
        the groups of the users whose groups are managed."""
        names = [n for n in (desired[0]['name'], desired[0].get('new_name')) if n] if single else None
        self.users = self.reader.read(names=names, permissions=True)
        managed = [d for d in desired if d.get('groups') is not None and d.get('state') != 'absent']
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

    def _permission_of(self, name):
        """The global permission granted to the user directly, 'none' when there is none."""
        found = self.users.get(fold(name))
        return found.view['permission'] if found else 'none'

    # planning ------------------------------------------------------------------------------------------------
    def reconcile(self, desired):
        current = self._resolve_rename(desired)
        if desired.get('state') == 'absent':
            before, after, steps = self._plan_absent(current)
        elif current is None:
            before, after, steps = self._plan_create(desired)
        else:
            before, after, steps = self._plan_update(desired, current)
        return self._apply(desired['name'], before, after, steps)

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
        caller = self.caller.username or (self.caller.load() and self.caller.username)
        if caller and fold(caller) == fold(name):
            raise ItemFailure('cannot delete user %s: it is the user these credentials authenticate as' % name)
        self._check_caller(name, self._permission_of(name), None)
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
        if permission != 'none':
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
        if groups is not None and desired.get('append') and desired.get('add_to_default_group') \
                and not self.check_mode:
            # The new user is also in the default group, whose name only Bitbucket knows: read it back.
            steps.append(Step('read', None, lambda: after.update(groups=self.users_api.groups_of(name))))
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
        current_groups = before.get('groups')
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

        details = {}
        if new_name:
            details['name'] = new_name
        for key in ('display_name', 'email'):
            if desired.get(key) is not None and desired[key] != before[key]:
                details[key] = desired[key]
        set_password = desired.get('password') is not None and desired.get('update_password') == 'always'
        if (details or set_password) and current.facts['mutable_details'] is False:
            changes = sorted(details) + (['password'] if set_password else [])
            raise ItemFailure('cannot change %s of user %s: it belongs to the read-only user directory %s'
                              % (', '.join(changes), name, _directory(current)))
        after.update(details)
        target = new_name or name
        if new_name:
            steps.append(Step('rename', 'renamed from %s' % name, lambda: self.users_api.rename(name, new_name)))
        changed_details = [key for key in ('display_name', 'email') if key in details]
        if changed_details:
            steps.append(Step('update', 'changed %s' % ', '.join(changed_details),
                              lambda: self.users_api.update(target, details.get('display_name'),
                                                            details.get('email'))))
        if set_password:
            steps.append(Step('password', 'password set', lambda: self.users_api.set_password(target,
                                                                                              desired['password'])))
        if groups_managed:
            steps.extend(self._group_steps(target, desired, current, current_groups, after))
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
        """Fail before writing when Bitbucket would refuse for the authenticated user's own level (§3.3, §3.5).

        Only users holding ADMIN or more, and grants of ADMIN or more, can be out of an administrator's reach,
        so the caller's level is read (three GETs, once) only for those.
        """
        if max(rank(held), rank(granted)) < ADMIN_RANK or not self.caller.load():
            return
        level = self.caller.level() or 'none'
        if rank(held) > rank(level):
            raise ItemFailure('user %s holds the global permission %s, higher than yours (%s): Bitbucket does not let '
                              'you change or delete it' % (name, held, level))
        if rank(granted) > rank(level):
            raise ItemFailure('cannot grant %s to user %s: it is higher than your own global permission (%s)'
                              % (granted, name, level))

    # applying ------------------------------------------------------------------------------------------------
    def _apply(self, label, before, after, steps):
        done = []
        writes = [step for step in steps if step.summary]
        if not self.check_mode:
            for step in steps:
                try:
                    step.call()
                except BitbucketError as exc:
                    msg = self._explain(exc, step, after or before) + _unknown_outcome(exc, step, steps)
                    if done:
                        msg += ' (already done: %s)' % '; '.join(done)
                    return ItemResult(label, changed=bool(done), failed=True, msg=msg, before=before, after=after)
                if step.summary:
                    done.append(step.summary)
        if writes:
            msg = '; '.join(step.summary for step in writes)
            if self.check_mode:
                msg = 'check mode, would be: ' + msg
        else:
            msg = 'absent' if after is None else 'unchanged'
        obj = after if after is not None else {'name': label, 'state': 'absent'}
        return ItemResult(label, changed=bool(writes), msg=msg, before=before, after=after, obj=obj)

    def _explain(self, exc, step, user):
        """Turn a refusal into a sentence naming the user and the likely reason; other errors as they are."""
        name = (user or {}).get('name')
        if not isinstance(exc, BitbucketHTTPError) or exc.status not in (401, 403, 409):
            return 'user %s: %s' % (name, exc)
        if step.kind == 'delete' and exc.status == 409:
            reason = 'Bitbucket does not let a user delete itself'
        elif step.kind in ('create', 'groups') and exc.status == 403:
            reason = 'the licence would be exceeded, or a group holds a higher permission than the authenticated user'
        elif rank(self._permission_of(name or '')) >= ADMIN_RANK:
            reason = ('%s holds the global permission %s, and Bitbucket refuses changes to users with a higher '
                      'permission level than the authenticated user' % (name, self._permission_of(name)))
        elif step.kind == 'permission':
            reason = ('granting or revoking a global permission needs at least that permission and at least the '
                      "user's level, and may not lower the authenticated user's own level")
        else:
            reason = 'user administration needs the ADMIN global permission'
        return 'cannot %s user %s: %s (%s)' % (_VERBS.get(step.kind, 'change'), name, reason, exc)


def _unknown_outcome(exc, step, steps):
    """For a write whose answer was lost or unreadable: say that Bitbucket may have done it, and what that leaves."""
    if not step.summary or not isinstance(exc, (BitbucketConnectionError, BitbucketResponseError)):
        return ''
    text = ' (Bitbucket may have done this write before the answer was lost'
    if step.kind == 'create' and any(later.kind == 'password' for later in steps):
        text += ('; if the user exists now, it has a random password that nobody knows: run again with '
                 'update_password: always to set the password')
    return text + ')'


_VERBS = {'create': 'create', 'delete': 'delete', 'rename': 'rename', 'update': 'update', 'password': 'set the password of',
          'groups': 'change the groups of', 'permission': 'change the global permission of', 'read': 'read'}


def _directory(user):
    return "'%s'" % (user.facts['directory'] or 'unknown')
