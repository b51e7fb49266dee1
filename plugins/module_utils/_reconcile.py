# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One plan/apply engine for the modules that reconcile many items. FOR INTERNAL COLLECTION USE ONLY.

A reconciler reads Bitbucket once (load), then plans every item from what it read, with no request of its own
beyond reads: a Plan holds the item's normalised before and after objects and its ordered Steps, each with a phase
and a summary. The result message, `changed` and the diff come from the plan alone, so check mode is the same run
without the apply. Applying makes the steps in order: item by item, or, when the reconciler names its phases, phase
by phase across all items (the steps of one phase may then be batched). A failure, when planning or applying,
fails its item only; the message says what was already done for it, and that a write whose answer was lost may
have been made.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from itertools import groupby

from ansible_collections.dcops.bitbucket.plugins.module_utils._bulk import ItemResult, exit_with_results
from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import (
    BitbucketConnectionError,
    BitbucketError,
    BitbucketResponseError,
)

LOST_ANSWER = ' (Bitbucket may have done this write before the answer was lost%s)'


class Step:
    """One planned request (or a few that belong together).

    phase: what kind of write it is ('create', 'groups', ...), and with Reconciler.phases when it is made.
    summary: what it does, for the result message; None when the previous step's summary covers it.
    call: makes the request(s).
    done: what to report as already done when a later step of the item fails (default: summary).
    write: False for a read that completes the after object (made only outside check mode, never reported).
    batch: (key, argument): steps of one phase with the same key may be made together, see Reconciler.batch_call.
    """

    def __init__(self, phase, summary, call, done=None, write=True, batch=None):
        self.phase = phase
        self.summary = summary
        self.call = call
        self.done = done or summary
        self.write = write
        self.batch = batch


class Plan:
    """What one item needs. label: the item's name as given; name: as Bitbucket spells it, for messages."""

    def __init__(self, label, name, before, after, steps):
        self.label = label
        self.name = name
        self.before = before
        self.after = after
        self.steps = list(steps)
        self.done = []
        self.failure = None

    @property
    def changed(self):
        return any(step.write for step in self.steps)

    def describe(self):
        """The summaries of the planned writes, in order ('' when there are none)."""
        return '; '.join(step.summary for step in self.steps if step.write and step.summary)


class Reconciler:
    """Base of a reconciler: subclasses read in load(items) and return a Plan from plan(item), raising a
    BitbucketError (usually ItemFailure) for an item that cannot be applied."""

    noun = 'item'
    phases = None  # None: item by item; else the order of the phases across all items
    done_separator = '; '
    batch_size = 50

    def __init__(self, check_mode=False):
        self.check_mode = check_mode
        self.warnings = []

    def load(self, items, single=False):
        """Read what planning the items needs (nothing else); single: the call names one item."""

    def plan(self, item):
        raise NotImplementedError

    def unchanged_message(self, plan):
        return 'no change'

    def explain(self, plan, step, exc):
        """The failure message of a step; subclasses explain refusals they understand."""
        return '%s %s: %s' % (self.noun, plan.name, exc)

    def lost_answer_hint(self, plan, step):
        """What a write whose answer was lost leaves behind, beyond 'it may have been made' ('; ...')."""
        return ''

    def batch_call(self, key, arguments):
        """Make the steps of one batch with one request."""
        raise NotImplementedError

    # the engine ----------------------------------------------------------------------------------------------
    def run(self, items, key='name'):
        """Plan every item, apply the plans unless in check mode; one ItemResult per item, in order."""
        plans = []
        for item in items:
            try:
                plans.append(self.plan(item))
            except BitbucketError as exc:
                plans.append(ItemResult(item.get(key), failed=True, msg=str(exc)))
        if not self.check_mode:
            self.apply([plan for plan in plans if isinstance(plan, Plan)])
        return [self.result(plan) if isinstance(plan, Plan) else plan for plan in plans]

    def apply(self, plans):
        queue = []
        for index, plan in enumerate(plans):
            for order, step in enumerate(plan.steps):
                rank = self.phases.index(step.phase) if self.phases else 0
                queue.append((rank, index, order, plan, step))
        queue.sort(key=lambda entry: entry[:3])
        for dummy, entries in groupby(queue, key=lambda entry: entry[0]):
            entries = [entry[3:] for entry in entries]
            self._apply_batches([entry for entry in entries if entry[1].batch is not None])
            for plan, step in entries:
                if step.batch is None:
                    self._make(plan, step)

    def _apply_batches(self, entries):
        """One request per batch key for up to batch_size items; one per item only when a batch is refused."""
        by_key = {}
        for plan, step in entries:
            if plan.failure is None:
                by_key.setdefault(step.batch[0], []).append((plan, step))
        for key in sorted(by_key):
            pending = by_key[key]
            for start in range(0, len(pending), self.batch_size):
                batch = pending[start:start + self.batch_size]
                if len(batch) > 1:
                    try:
                        self.batch_call(key, [step.batch[1] for plan, step in batch])
                    except BitbucketError:
                        pass  # made again one by one below, which finds the item Bitbucket refuses
                    else:
                        for plan, step in batch:
                            plan.done.append(step.done)
                        continue
                for plan, step in batch:
                    self._make(plan, step)

    def _make(self, plan, step):
        if plan.failure is not None:
            return
        try:
            step.call()
        except BitbucketError as exc:
            plan.failure = self.explain(plan, step, exc) + self._lost_answer(plan, step, exc)
            if plan.done:
                plan.failure += ' (already done: %s)' % self.done_separator.join(plan.done)
            return
        if step.write:
            plan.done.append(step.done)

    def _lost_answer(self, plan, step, exc):
        if not step.write or not isinstance(exc, (BitbucketConnectionError, BitbucketResponseError)):
            return ''
        return LOST_ANSWER % self.lost_answer_hint(plan, step)

    def result(self, plan):
        """The ItemResult of a plan: what was (or in check mode would be) done, and the object after it."""
        if plan.failure is not None:
            return ItemResult(plan.label, changed=bool(plan.done), failed=True, msg=plan.failure,
                              before=plan.before, after=plan.after)
        msg = plan.describe()
        if msg and self.check_mode:
            msg = 'check mode, would be: ' + msg
        obj = plan.after if plan.after is not None else {'name': plan.name, 'state': 'absent'}
        return ItemResult(plan.label, changed=plan.changed, msg=msg or self.unchanged_message(plan),
                          before=plan.before, after=plan.after, obj=obj)


def reconcile_in(module, reconciler, items, single):
    """A reconciling module's run: read, plan, apply, warn, and exit with one result or the list of them."""
    try:
        if items:
            reconciler.load(items, single=single)
    except BitbucketError as exc:
        module.fail_from(exc)
    results = reconciler.run(items)
    for warning in reconciler.warnings:
        module.warn(warning)
    exit_with_results(module, results, reconciler.noun, single)
