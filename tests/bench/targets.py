# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmark targets from the benchmark's samples: figure, baseline, ratio of medians and of best runs, verdict;
the measured reason of each target that does not hold; where the users task's time goes."""

import statistics

from bench_data import CHANGE_EVERY, URI_LOOP_USERS

SIZES = (100, 1000, 5000)
LOOP_SCALE = 1000 // URI_LOOP_USERS
STATISTICS = {'median': statistics.median, 'best': min}
WRITES = ('POST', 'PUT', 'DELETE')


class Figures:
    """Samples and request counts of one run; a statistic of a figure is None when it was not measured."""

    def __init__(self, results):
        self.results = results

    def get(self, key, stat='median'):
        samples = self.results.samples.get(key)
        return STATISTICS[stat](samples) if samples else None

    def total(self, keys, stat='median', scale=1):
        values = [self.get(key, stat) for key in keys]
        return None if None in values else sum(values) * scale

    def requests(self, key):
        return self.results.requests.get(key)


class Row:
    """One line of the targets table. ratios: {'median': r, 'best': r} (None when not measured); check(r) -> bool."""

    def __init__(self, what, measured, baseline, target, ratios=None, check=None, holds=None, shown=None,
                 reference_only=False):
        self.what = what
        self.measured = measured
        self.baseline = baseline
        self.target = target
        self.ratios = ratios or {}
        self.check = check
        self._holds = holds
        self.shown = shown or (lambda ratio: '%.2fx' % ratio)
        self.reference_only = reference_only

    def holds(self, stat='median'):
        if self.check is None:
            return self._holds
        ratio = self.ratios.get(stat)
        return None if ratio is None else self.check(ratio)

    def ratio_text(self, stat):
        ratio = self.ratios.get(stat)
        return '' if ratio is None else self.shown(ratio)

    def verdict(self):
        holds, best = self.holds('median'), self.holds('best')
        if holds is None:
            return 'not measured'
        words = ('within', 'above') if self.reference_only else ('**holds**', '**does not hold**')
        text = words[0] if holds else words[1]
        if best is not None and best != holds:
            text += ' (best runs: %s)' % (words[0] if best else words[1]).strip('*')
        return text

    def cells(self):
        return (self.what, self.measured, self.baseline, self.ratio_text('median'), self.ratio_text('best'),
                self.target, self.verdict())


def seconds(value):
    return 'not measured' if value is None else '%.2f s' % value


def methods(counts):
    if not counts:
        return 'not measured'
    return ' + '.join('%d %s' % (counts[m], m) for m in ('GET',) + WRITES if counts.get(m)) or 'none'


def _writes(counts):
    return sum(counts.get(method, 0) for method in WRITES)


def _ratios(numerator, denominator):
    """{stat: numerator(stat) / denominator(stat)} for the median and the best runs."""
    ratios = {}
    for stat in STATISTICS:
        top, bottom = numerator(stat), denominator(stat)
        ratios[stat] = None if top is None or not bottom else top / bottom
    return ratios


def rows(figures):
    """Every benchmark target (and the groups figures, which have none), in the order of docs/benchmarks.md."""
    f = figures
    found = [_count_row('Policy, no change: requests', f, 'policy',
                        'exactly 1 request, 0 token requests', lambda c: c['total'] == 1 and c['token'] == 0)]
    found.append(Row('Policy, no change: task wall time', seconds(f.get('policy.module_task')),
                     'uri GET task ' + seconds(f.get('policy.uri_task')), '<= 1.3x',
                     _ratios(lambda s: f.get('policy.module_task', s), lambda s: f.get('policy.uri_task', s)),
                     check=lambda ratio: ratio <= 1.3))
    for label, key, loop, target, check in (
            ('Users 1,000, no change', 'users.1000', 'users.1000.uri_loop', 'only GETs',
             lambda c: c.get('GET', 0) > 0 and _writes(c) == 0),
            ('Users 1,000, 50 changes', 'changes', 'changes.uri_loop',
             'exactly the %d writes, plus reads' % (1000 // CHANGE_EVERY),
             lambda c: c.get('PUT') == _writes(c) == 1000 // CHANGE_EVERY)):
        found.append(_count_row('%s: requests' % label, f, key, target, check))
        found.append(_floor_row('%s: task wall time' % label, f, key, '<= 1.5x'))
        found.append(Row('%s: against a uri loop' % label, seconds(f.get(key + '.module_task')),
                         '%d-user uri loop %s x %d = %s' % (URI_LOOP_USERS, seconds(f.get(loop)), LOOP_SCALE,
                                                            seconds(f.total([loop], scale=LOOP_SCALE))),
                         '>= 50x faster',
                         _ratios(lambda s, loop=loop: f.total([loop], s, LOOP_SCALE),
                                 lambda s, key=key: f.get(key + '.module_task', s)),
                         check=lambda ratio: ratio >= 50, shown=lambda ratio: '%.0fx faster' % ratio))
    found.append(_count_row('Groups 100 x 10 members, no change: requests', f, 'groups', 'only GETs (no target set)',
                            lambda c: _writes(c) == 0))
    found.append(_floor_row('Groups 100 x 10 members, no change: task wall time', f, 'groups',
                            '<= 1.5x (no target set; the users\' one)', reference_only=True))
    counts = f.requests('fleet.enforce')
    found.append(Row('Fleet: enforce playbook, 50 instances, -f 25', seconds(f.get('fleet.enforce')) + (
        ' (%s, of which %d token)' % (methods(counts), counts['token']) if counts else ''),
        _fleet_baseline(f), '<= 1.5x',
        _ratios(lambda s: f.get('fleet.enforce', s), lambda s: f.get('fleet.pings', s)),
        check=lambda ratio: ratio <= 1.5))
    found.append(_scaling_row(f))
    return found


def _count_row(what, figures, key, target, check):
    counts, floor = figures.requests(key + '.module'), figures.requests(key + '.floor')
    measured = methods(counts) + (', %d token' % counts['token'] if counts and 'token' in counts else '')
    return Row(what, measured, 'protocol floor: ' + methods(floor), target,
               holds=None if not counts else bool(check(counts)))


def _floor_row(what, figures, key, target, reference_only=False):
    """The module task against the protocol floor plus one ping task, at most 1.5 times."""
    module, floor, ping = (figures.get(k) for k in (key + '.module_task', key + '.floor', 'ping.task'))
    total = figures.total([key + '.floor', 'ping.task'])
    baseline = 'protocol floor %s + ping task %s = %s' % (seconds(floor), seconds(ping), seconds(total))
    return Row(what, seconds(module), baseline, target,
               _ratios(lambda s: figures.get(key + '.module_task', s),
                       lambda s: figures.total([key + '.floor', 'ping.task'], s)),
               check=lambda ratio: ratio <= 1.5, reference_only=reference_only)


def growth(figures, stat):
    """[(users factor, time factor)] between the scaling sizes, or None when a size was not measured."""
    times = [figures.get('users.%d.module_task' % size, stat) for size in SIZES]
    if None in times:
        return None
    return [(b / a, times[i + 1] / times[i]) for i, (a, b) in enumerate(zip(SIZES, SIZES[1:]))]


def _fleet_baseline(figures):
    counts = figures.results.facts.get('fleet.tasks')
    shown = '%d ping tasks per host (the tasks the enforce playbook ran on each host, of its %d)' % tuple(
        counts) if counts else 'as many ping tasks per host'
    return '%s: %s' % (shown, seconds(figures.get('fleet.pings')))


def _scaling_row(figures):
    measured = ', '.join('%s: %s' % (format(size, ','), seconds(figures.get('users.%d.module_task' % size)))
                         for size in SIZES)
    factors = dict((stat, growth(figures, stat)) for stat in STATISTICS)
    return Row('Scaling: users no change at 100, 1,000, 5,000', measured, 'time factor per users factor',
               'linear or better (time grows no faster than users)', factors,
               check=lambda pairs: all(time <= users for users, time in pairs),
               shown=lambda pairs: '; '.join('x%g users: x%.2f' % pair for pair in pairs))


def reasons(figures, found):
    """The measured reason of each target that does not hold (by its medians), from this run's figures."""
    by_what = dict((row.what, row) for row in found)
    said = []
    f = figures
    if by_what['Policy, no change: task wall time'].holds() is False:
        said.append('Policy: the module task takes %s more than the uri GET task (medians). The uri module uses '
                    'Ansible\'s own HTTP code; the collection\'s modules import requests, which alone takes %s in a '
                    'fresh Python here.' % (seconds(f.get('policy.module_task') - f.get('policy.uri_task')),
                                            seconds(f.get('import.requests'))))
    for label, key in (('Users 1,000, no change', 'users.1000'), ('Users 1,000, 50 changes', 'changes')):
        if by_what['%s: task wall time' % label].holds() is not False:
            continue
        allowed = 1.5 * f.total([key + '.floor', 'ping.task'], 'best')
        shape = f.get('users.1000.shape_task', 'best')
        if shape is None:
            said.append('%s: the target allows %s in the best runs; the shape task that would tell Ansible\'s share '
                        'apart was not measured (scenario users1000).' % (label, seconds(allowed)))
            continue
        module = f.get(key + '.module_task', 'best')
        said.append('%s: in the best runs, the target allows %s (1.5 x (protocol floor + ping task)). Ansible alone '
                    'takes %s of that for a task whose argument and result hold 1,000 users and which sends no '
                    'request (the shape task; a ping takes %s), which leaves %s for importing requests (%s), the '
                    'conversation (protocol floor %s) and the module\'s own work; these take %s. The target leaves '
                    'out what Ansible costs per item of a task\'s argument and result.'
                    % (label, seconds(allowed), seconds(shape), seconds(f.get('ping.task', 'best')),
                       seconds(max(allowed - shape, 0)), seconds(f.get('import.requests', 'best')),
                       seconds(f.get(key + '.floor', 'best')), seconds(module - shape)))
    fleet = by_what['Fleet: enforce playbook, 50 instances, -f 25']
    if fleet.holds() is False:
        said.append('Fleet: the enforce playbook takes %s against %s for the pings (medians).'
                    % (seconds(f.get('fleet.enforce')), seconds(f.get('fleet.pings'))))
    scaling = by_what['Scaling: users no change at 100, 1,000, 5,000']
    if scaling.holds() is False:
        said.append('Scaling: %s by the medians and %s by the best runs; the shape task (Ansible alone, no HTTP) '
                    'grows %s.' % (scaling.ratio_text('median'), scaling.ratio_text('best') or 'not measured',
                                   _shape_growth(f)))
    return said


def _shape_growth(figures):
    times = [figures.get('users.%d.shape_task' % size, 'best') for size in SIZES]
    if None in times:
        return 'as it was not measured'
    return ' and '.join('x%.2f' % (b / a) for a, b in zip(times, times[1:])) + ' (best runs)'


def breakdown(figures, size=1000):
    """(part, best-run seconds, median seconds, how) of where the no-change users task's time goes."""
    key = 'users.%d' % size

    def parts(stat):
        ping, shape, module, floor = (figures.get(k, stat) for k in (
            'ping.task', key + '.shape_task', key + '.module_task', key + '.floor'))
        if None in (ping, shape, module, floor):
            return None
        return [ping, shape - ping, module - shape, floor, module]

    best, median = parts('best'), parts('median')
    if best is None:
        return []
    labels = [("Ansible's cost of running any module", 'the ping task'),
              ("Ansible's cost of an argument and a result holding %s users" % format(size, ','),
               'shape task minus ping task'),
              ("requests, the conversation and the module's own work", 'bitbucket_user task minus shape task'),
              ('of which the HTTP conversation itself', 'the protocol floor'),
              ('the bitbucket_user task', 'measured')]
    return [(label, b, m, how) for (label, how), b, m in zip(labels, best, median)]
