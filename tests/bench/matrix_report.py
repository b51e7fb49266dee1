# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The latency and rate-limit matrix in docs/benchmarks.md: targets with ratios of medians, every cell, the chart."""

import chart
from matrix import AUDIT_CONCURRENCY, CAPACITY, CONCURRENCY, CONDITIONS, FILL_RATE
from targets import Row, seconds

JOBS = (('policy', 'Policy, no change', True), ('users', 'Users 1,000, no change', True),
        ('changes', 'Users 1,000, 50 changes', False), ('groups', 'Groups 100 x 10 members, no change', True),
        ('audit', 'Token audit, 1,000 users', True))
COLOURS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189)]
NO_CHANGE_TARGET, RATE_TARGET, EXEMPT_TARGET, MAX_429 = 1.25, 1.1, 0.35, 5


def _floor(f, job, condition, stat):
    key = 'm.%s.%s' % (job, condition.key)
    return f.total([key + '.floor', key + '.import', 'm.%s.shape' % job], stat)


def _ratios(f, top, bottom):
    ratios = {}
    for stat in ('median', 'best'):
        a, b = top(stat), bottom(stat)
        ratios[stat] = None if a is None or not b else a / b
    return ratios


def _floor_text(f, job, condition):
    key = 'm.%s.%s' % (job, condition.key)
    return 'requests script %s + its import of requests %s + shape task %s' % (
        seconds(f.get(key + '.floor')), seconds(f.get(key + '.import')), seconds(f.get('m.%s.shape' % job)))


def _rejected(f, key):
    """429s the module itself received (its summary); the simulator's counter also holds the floor script's."""
    summary = f.results.facts.get(key + '.summary') or {}
    if summary.get('rate_limited_answers') is not None:
        return summary['rate_limited_answers']
    return (f.requests(key + '.module') or {}).get('rejected')


def _rate_floor(f, key, job, stat):
    """(requests - capacity) / refill rate of the fewest requests, plus the shape task."""
    counts = f.requests(key + '.floor')
    shape = f.get('m.%s.shape' % job, stat)
    if not counts or shape is None:
        return None
    sent = sum(value for name, value in counts.items() if name != '429')
    return max(sent - CAPACITY, 0) / float(FILL_RATE) + shape


def rows(f):
    found = []
    for job, label, no_change in JOBS:
        for condition in CONDITIONS:
            key = 'm.%s.%s' % (job, condition.key)
            rejected = _rejected(f, key)
            target = no_change and condition.latency_ms in (25, 100)
            what = '%s, %s' % (label, condition.label())
            if rejected:
                what += ' (%d answers of 429)' % rejected
            found.append(Row(what, seconds(f.get(key + '.module')), _floor_text(f, job, condition),
                             '<= %.2fx' % NO_CHANGE_TARGET if target else 'none (%.2fx shown)' % NO_CHANGE_TARGET,
                             _ratios(f, lambda s, key=key: f.get(key + '.module', s),
                                     lambda s, job=job, c=condition: _floor(f, job, c, s)),
                             check=lambda ratio: ratio <= NO_CHANGE_TARGET, reference_only=not target))
            found[-1].cell = (job, condition)
    for condition in CONDITIONS:
        if not condition.limited:
            continue
        key = 'm.audit.%s' % condition.key
        rejected = _rejected(f, key)
        found.append(Row('Token audit, 1,000 users, %s: against the rate-limit floor' % condition.label(),
                         '%s, %s answers of 429' % (seconds(f.get(key + '.module')), rejected),
                         '(requests - %d) / %d per second + shape task = %s'
                         % (CAPACITY, FILL_RATE, seconds(_rate_floor(f, key, 'audit', 'median'))),
                         '<= %.1fx, at most %d answers of 429' % (RATE_TARGET, MAX_429),
                         _ratios(f, lambda s, key=key: f.get(key + '.module', s),
                                 lambda s, key=key: _rate_floor(f, key, 'audit', s)),
                         check=lambda ratio, rejected=rejected: ratio <= RATE_TARGET and (rejected or 0) <= MAX_429))
        found[-1].cell = ('audit', condition)
    found.append(Row('Token audit, 1,000 users, exempt user, 100 ms: %d at a time' % AUDIT_CONCURRENCY,
                     seconds(f.get('m.audit.exempt.c%d' % AUDIT_CONCURRENCY)),
                     'one request at a time %s' % seconds(f.get('m.audit.exempt.c1')),
                     '<= %.2fx' % EXEMPT_TARGET,
                     _ratios(f, lambda s: f.get('m.audit.exempt.c%d' % AUDIT_CONCURRENCY, s),
                             lambda s: f.get('m.audit.exempt.c1', s)),
                     check=lambda ratio: ratio <= EXEMPT_TARGET))
    return found


def reasons(f, found):
    """Where the time goes in each targeted cell that does not hold (medians)."""
    said = []
    for row in found:
        cell = getattr(row, 'cell', None)
        if cell is None or row.reference_only or row.holds() is not False:
            continue
        job, condition = cell
        key = 'm.%s.%s' % (job, condition.key)
        summary = f.results.facts.get(key + '.summary') or {}
        parts = (key + '.module', key + '.floor', key + '.import', 'm.%s.shape' % job)
        module, script, imported, shape = (f.get(part) for part in parts)
        if None in (module, script, imported, shape):
            continue
        if summary.get('requests') is not None:
            conversation = 'by its summary: %s requests over %s s, %s s waited for the rate limit' % (
                summary['requests'], summary.get('seconds'), summary.get('rate_limit_wait_seconds'))
        else:
            conversation = 'by the simulator\'s count: %s' % _methods(f.requests(key + '.module'), skip=('total',))
        said.append('%s: the task takes %s; the requests script %s (%s), its import of requests %s and the shape '
                    'task %s; the %s left is the module\'s start beyond importing requests (the collection\'s code), '
                    'its own work and its conversation (%s).'
                    % (row.what, seconds(module), seconds(script), _methods(f.requests(key + '.floor')),
                       seconds(imported), seconds(shape), seconds(module - script - imported - shape), conversation))
    return said


def _methods(counts, skip=()):
    return ', '.join('%s %s' % (v, k) for k, v in sorted((counts or {}).items()) if v and k not in skip) or 'none'


def lines(f, chart_path, reps=None):
    found = rows(f)
    if not any(row.ratios.get('median') for row in found):
        return []
    out = ['', '## Latency and rate limit', '',
           'Each job at a fixed latency per answer of 0, 25 and 100 ms, without and with Bitbucket\'s default rate '
           'limit (a bucket of %d; its refill scaled from 5 to %d per second so that the run stays short: the '
           'ratios, not the seconds, are what counts). The floor is a plain requests script sending the fewest '
           'requests the API allows with the same concurrency (%d; the audit %d, see below) and the same bucket '
           'known exactly, and its import of requests (which the module pays too), plus the shape task (the same '
           'argument, the real module\'s recorded result, no HTTP). Under the rate limit the audit is also held to '
           'the rate-limit floor, (requests - capacity) / refill rate, plus the shape task. Medians of %s '
           'repetitions (the policy, whose runs last under a second: 3 module and shape runs in each; the '
           'one-at-a-time audit: 1).' % (CAPACITY, FILL_RATE, CONCURRENCY, AUDIT_CONCURRENCY, reps or 'the'), '',
           'The audit sets `max_concurrency: %d`: at 100 ms one connection carries at most 10 requests a second, so '
           'the default 4 (40 per second) could not use this bucket\'s %d per second and the audit would be bound by '
           'the latency, not the limit. In general, requests in flight = refill rate x latency; at Bitbucket\'s '
           'default 5 per second the default 4 suffice up to 800 ms.' % (AUDIT_CONCURRENCY, FILL_RATE), '',
           '![task time over its floor, by job and condition](%s)' % chart_path.rsplit('/', 1)[-1], '',
           '| what | measured (median) | floor (median) | ratio | ratio, best runs | target | verdict |',
           '|---|---|---|---|---|---|---|']
    out += ['| %s |' % ' | '.join(row.cells()) for row in found]
    why = reasons(f, found)
    if why:
        out += ['', 'Where the time goes where a target does not hold, measured in this run:', '']
        out += ['- %s' % reason for reason in why]
    return out


def write_chart(path, f):
    groups = [condition.label() for condition in CONDITIONS]
    bars = []
    for (job, label, dummy), colour in zip(JOBS, COLOURS):
        values = []
        for condition in CONDITIONS:
            module, floor = f.get('m.%s.%s.module' % (job, condition.key)), _floor(f, job, condition, 'median')
            values.append(module / floor if module and floor else None)
        if any(values):
            bars.append((label, colour, values))
    if bars:
        chart.grouped_bars(path, 'Task time over its floor (medians)', 'task / floor', groups, bars,
                           reference=('no-change target at 25 and 100 ms: %.2fx' % NO_CHANGE_TARGET, NO_CHANGE_TARGET))
