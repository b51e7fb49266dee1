# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The file export_users.yml writes: bitbucket_groups and bitbucket_users as YAML, in a stable order and layout."""

from __future__ import annotations

import yaml

from ansible.errors import AnsibleFilterError

USER_KEYS = ('name', 'display_name', 'email', 'permission', 'groups')
DIRECTORY_USER_KEYS = ('name', 'permission', 'groups')
GROUP_KEYS = ('name', 'permission', 'members')


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key, no aliases: the layout a person edits and Git diffs line by line."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data):
        return True


def _plain(value):
    """Plain Python values: the YAML writer does not know the types Ansible wraps variables in."""
    if isinstance(value, dict):
        return dict((str(key), _plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool) or value is None:
        return value
    return int(value) if isinstance(value, int) else str(value)


def _picked(item, keys):
    return dict((key, _plain(item[key])) for key in keys if item.get(key) is not None)


def _key(item):
    return str(item.get('name')).lower()


def _read_only(facts, name):
    return (facts.get(name) or {}).get('mutable_details') is False


def users_as_code(info, directory_users=False, header=None):
    """YAML text with bitbucket_groups and bitbucket_users, from the results of bitbucket_group_info and
    bitbucket_user_info.

    info: {'groups': [...], 'users': [...], 'user_facts': {...}}, the modules' return values. Users of read-only
    directories are left out, or with directory_users kept with their groups and permission only. No key that
    is not an option of bitbucket_group or bitbucket_user is written, and `state: present` (the default) is left out.
    """
    if not isinstance(info, dict) or not isinstance(info.get('users'), list) or not isinstance(info.get('groups'), list):
        raise AnsibleFilterError('users_as_code takes a dictionary with the "groups" of bitbucket_group_info and the '
                                 '"users" (and "user_facts") of bitbucket_user_info')
    facts = info.get('user_facts') or {}
    users = []
    for user in sorted(info['users'], key=_key):
        if not _read_only(facts, user.get('name')):
            users.append(_picked(user, USER_KEYS))
        elif directory_users:
            users.append(_picked(user, DIRECTORY_USER_KEYS))
    document = {'bitbucket_groups': [_picked(group, GROUP_KEYS) for group in sorted(info['groups'], key=_key)],
                'bitbucket_users': users}
    text = yaml.dump(document, Dumper=_Dumper, default_flow_style=False, sort_keys=False, allow_unicode=True,
                     width=10000, explicit_start=True)
    lines = ['# ' + line if line else '#' for line in (header or '').splitlines()]
    return text.replace('---\n', '---\n' + ''.join(line + '\n' for line in lines), 1)


class FilterModule:
    """dcops.bitbucket.users_as_code."""

    def filters(self):
        return {'users_as_code': users_as_code}
