# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The drift summary of manage_users.yml as Markdown, from the results of bitbucket_group and bitbucket_user."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.dcops.bitbucket.plugins.plugin_utils._markdown import code, inline, table

KINDS = (('groups', 'group'), ('users', 'user'))
ACTIONS = (('create', 'to create'), ('change', 'to change'), ('delete', 'to delete'), ('failed', 'failed'))


def _absent(view):
    return not view or view.get('state') == 'absent'


def _values(value):
    return ', '.join(code(v) for v in value) if value else 'none'


def _field_change(key, before, after):
    """One changed field: lists as what is added and removed, other values as old -> new."""
    if isinstance(before, list) or isinstance(after, list):
        old, new = set(before or []), set(after or [])
        parts = ['+ ' + _values(sorted(new - old))] if new - old else []
        parts += ['- ' + _values(sorted(old - new))] if old - new else []
        return '%s %s' % (key, ', '.join(parts))
    return '%s %s -> %s' % (key, code(before) if before is not None else 'unset', code(after))


def _fields(view):
    """What a new item will have, in its own words."""
    return '; '.join('%s %s' % (key, _values(value) if isinstance(value, list) else code(value))
                     for key, value in sorted(view.items()) if key not in ('name', 'state') and value is not None)


def _entry(item):
    """(action, Markdown list item) for one changed or failed item of a bulk result; None when unchanged."""
    name = code(item.get('name'))
    if item.get('failed'):
        return 'failed', '- %s: %s' % (name, inline(item.get('msg') or 'failed'))
    if not item.get('changed'):
        return None
    diff = item.get('diff') or {}
    before, after = diff.get('before'), diff.get('after')
    if not isinstance(before, dict) or not isinstance(after, dict):
        return 'change', '- %s: %s' % (name, inline(item.get('msg') or 'changed'))
    if _absent(before):
        details = _fields(after)
        return 'create', '- %s%s' % (name, ': ' + details if details else '')
    if _absent(after):
        return 'delete', '- %s' % name
    keys = sorted(set(before) | set(after))
    changes = [_field_change(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
    return 'change', '- %s: %s' % (name, '; '.join(changes) if changes else inline(item.get('msg') or 'changed'))


def _items(result, kind):
    if not isinstance(result, dict) or result.get('skipped'):
        return None
    items = result.get(kind)
    if not isinstance(items, list):
        if result.get('failed'):
            return [{'name': '(all %s)' % kind, 'failed': True, 'msg': result.get('msg')}]
        return None
    return items


def drift_summary(results, instance=None):
    """Markdown text: counts per kind and action, then the items to create, change and delete, and the failures.

    results: {'groups': the registered result of bitbucket_group with groups, 'users': that of bitbucket_user with
    users}; either may be missing or skipped. Items need the per-item diff (diff mode) to show changed fields.
    """
    if not isinstance(results, dict):
        raise AnsibleFilterError('drift_summary takes a dictionary with the results of the groups and users tasks')
    title = '# Drift summary' + (': %s' % inline(instance) if instance else '')
    sections, counts, checked = [], [], []
    for kind, singular in KINDS:
        items = _items(results.get(kind), kind)
        if items is None:
            continue
        checked.append('%d %s' % (len(items), kind if len(items) != 1 else singular))
        entries = [e for e in (_entry(item) for item in items if isinstance(item, dict)) if e]
        counts.append([kind] + [sum(1 for action, dummy in entries if action == a) for a, dummy in ACTIONS])
        for action, heading in ACTIONS:
            lines = [line for a, line in entries if a == action]
            if lines:
                sections += ['', '## %s %s (%d)' % (kind.capitalize(), heading, len(lines)), ''] + lines
    listed = ' and '.join(checked) if checked else 'nothing'
    if not sections:
        return '%s\n\nNo drift: Bitbucket matches the %s listed.\n' % (title, listed)
    totals = [sum(row[i] for row in counts) for i in range(1, len(ACTIONS) + 1)]
    summary = ', '.join('%d %s' % (n, heading) for n, (dummy, heading) in zip(totals, ACTIONS))
    lines = [title, '', 'Drift in the %s listed: %s.' % (listed, summary), '']
    lines += table([''] + [heading for dummy, heading in ACTIONS], counts)
    return '\n'.join(lines + sections) + '\n'


class FilterModule:
    """dcops.bitbucket.drift_summary."""

    def filters(self):
        return {'drift_summary': drift_summary}
