# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reconcile many items in one call, one failure not stopping the others. FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.dcops.bitbucket.plugins.module_utils._diff import make_diff
from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError
from ansible_collections.dcops.bitbucket.plugins.module_utils._run_summary import with_summary


class ItemFailure(BitbucketError):
    """A desired state that cannot be applied to one item; the message names the item and the reason."""


class ItemResult:
    """Outcome of reconciling one item."""

    def __init__(self, name, changed=False, failed=False, msg='', before=None, after=None, obj=None):
        self.name = name
        self.changed = changed
        self.failed = failed
        self.msg = msg
        self.before = before
        self.after = after
        self.obj = obj

    def as_dict(self, kind):
        result = {'name': self.name, 'changed': self.changed, 'failed': self.failed, 'msg': self.msg}
        if self.obj is not None:
            result[kind] = self.obj
        return result

    def diff(self, kind):
        return make_diff(self.before, self.after, label='%s %s' % (kind, self.name))


# Options that, given at the top level with a list of items, are the default of the items that do not set their own.
ITEM_DEFAULTS = ('state', 'append')


def with_defaults(items, params):
    """Copies of the list items, each key of ITEM_DEFAULTS the item leaves unset taken from the top level."""
    filled = []
    for item in items:
        item = dict(item)
        for key in ITEM_DEFAULTS:
            if item.get(key) is None:
                item[key] = params.get(key)
        filled.append(item)
    return filled


def duplicate_names(items, key='name'):
    """Names that occur more than once in a list of item dicts, in first-seen order."""
    seen, dupes = set(), []
    for item in items:
        name = item.get(key)
        if name in seen and name not in dupes:
            dupes.append(name)
        seen.add(name)
    return dupes


def reconcile_all(items, reconcile_one, key='name'):
    """Call reconcile_one(item) -> ItemResult for every item; a BitbucketError or ItemFailure fails only that item.

    Writes already made for an item before its failure are reported in its message by the reconciler.
    """
    results = []
    for item in items:
        try:
            results.append(reconcile_one(item))
        except (BitbucketError, ItemFailure) as exc:
            results.append(ItemResult(item.get(key), failed=True, msg=str(exc)))
    return results


def exit_with_results(module, results, kind, single):
    """Finish the module: one item's keys at top level, or a list; fail at the end if any item failed.

    kind is the return key of one object ('user', 'group'); the bulk list is returned under kind + 's'.
    """
    changed = any(r.changed for r in results)
    failed = [r for r in results if r.failed]
    output = {'changed': changed}
    if module._diff:
        diffs = [r.diff(kind) for r in results if r.changed]
        output['diff'] = diffs[0] if single and diffs else diffs
    if single:
        result = results[0]
        output[kind] = result.obj
        if result.failed:
            module.fail_json(msg=result.msg, **output)
        module.exit_json(msg=result.msg, **output)
    output[kind + 's'] = [r.as_dict(kind) for r in results]
    with_summary(module, output)
    if module._diff:
        for entry, result in zip(output[kind + 's'], results):
            if result.changed:
                entry['diff'] = result.diff(kind)
    if failed:
        details = '; '.join('%s: %s' % (r.name, r.msg) for r in failed)
        module.fail_json(msg='%d of %d %ss failed: %s' % (len(failed), len(results), kind, details), **output)
    summary = '%d %ss reconciled, %d changed' % (len(results), kind, sum(1 for r in results if r.changed))
    module.exit_json(msg=summary, **output)
