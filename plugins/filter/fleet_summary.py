# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet summary of enforce_token_expiry.yml as Markdown: one row per instance, failed ones included."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.dcops.bitbucket.plugins.plugin_utils._markdown import code, inline, table

COLUMNS = (('instance', 'instance'), ('status', 'status'), ('policy_before', 'policy before'),
           ('policy_after', 'policy after'), ('tokens', 'tokens'), ('noncompliant', 'non-compliant'),
           ('never_expiring', 'never expiring'), ('expired', 'expired'), ('revoked', 'revoked'),
           ('failures', 'failures'))


def _policy(days):
    return 'not required' if days is None else 'at most %s days' % days


def _row(instance):
    row = dict(instance)
    row['failures'] = len(instance.get('failures') or []) or None
    if instance.get('status') == 'failed' and instance.get('policy_after') is None:
        row['policy_before'] = row['policy_after'] = None
    else:
        row['policy_before'] = _policy(instance.get('policy_before'))
        row['policy_after'] = _policy(instance.get('policy_after'))
    if instance.get('tokens') is None and instance.get('status') != 'failed':
        row['tokens'] = 'not audited'
    return [row.get(key) for key, dummy in COLUMNS]


def fleet_summary(instances, generated_at=None, check_mode=False):
    """Markdown text: a heading, one line of counts, the table, and each failure with its task and message."""
    if not isinstance(instances, list) or not all(isinstance(i, dict) and i.get('instance') for i in instances):
        raise AnsibleFilterError('fleet_summary takes a list of instance rows, each a dictionary with "instance"')
    instances = sorted(instances, key=lambda i: str(i['instance']))
    failed = [i for i in instances if i.get('status') == 'failed']
    lines = ['# Access-token expiry: fleet summary', '']
    when = ' on %s' % inline(generated_at) if generated_at else ''
    mode = ' in check mode (nothing was changed: policy after and revoked say what would be)' if check_mode else ''
    lines.append('%d instances, %d failed. Generated%s%s.' % (len(instances), len(failed), when, mode))
    lines.append('')
    lines += table([title for dummy, title in COLUMNS], [_row(i) for i in instances])
    if failed or any(i.get('failures') for i in instances):
        lines += ['', '## Failures', '']
        for instance in instances:
            for failure in instance.get('failures') or []:
                lines.append('- %s, %s: %s' % (code(instance['instance']), inline(failure.get('task') or 'task'),
                                               inline(failure.get('msg') or 'failed')))
    return '\n'.join(lines) + '\n'


class FilterModule:
    """dcops.bitbucket.fleet_summary."""

    def filters(self):
        return {'fleet_summary': fleet_summary}
