# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/benchmarks.md and the scaling chart from the benchmark's samples: medians, ratios, targets, the machine."""

import datetime
import os
import platform
import statistics

import ansible.release
import requests

import chart
from scenarios import CHANGE_EVERY, URI_LOOP_USERS

SIZES = (100, 1000, 5000)
LOOP_SCALE = 1000 // URI_LOOP_USERS
BLUE, ORANGE, GREY, GREEN = (31, 119, 180), (255, 127, 14), (120, 120, 120), (44, 160, 44)

LABELS = {
    'ping.task': 'ansible.builtin.ping task (Ansible floor)',
    'import.requests': 'importing requests in a fresh Python (python -c "import requests" minus python -c "pass")',
    'policy.uri_task': 'policy: ansible.builtin.uri GET task',
    'policy.module_task': 'policy: bitbucket_access_token_policy task',
    'policy.floor': 'policy: protocol floor (1 GET)',
    'changes.module_task': '1,000 users, 50 changes: bitbucket_user task',
    'changes.floor': '1,000 users, 50 changes: protocol floor',
    'changes.uri_loop_100': '100 users, 5 changes: uri loop tasks (GET + PUT)',
    'groups.module_task': '100 groups of 10 members, no change: bitbucket_group task',
    'groups.floor': '100 groups of 10 members, no change: protocol floor',
    'fleet.enforce': 'fleet: enforce_token_expiry.yml, 50 hosts, -f 25 (playbook)',
    'fleet.pings': 'fleet: as many ping tasks per host, 50 hosts, -f 25 (playbook)',
}
for _size in SIZES:
    LABELS['users.%d.module_task' % _size] = '%s users, no change: bitbucket_user task' % format(_size, ',')
    LABELS['users.%d.floor' % _size] = '%s users, no change: protocol floor' % format(_size, ',')
    LABELS['users.%d.shape_task' % _size] = '%s users: same argument and result, no HTTP (shape task)' % format(
        _size, ',')
LABELS['users.1000.uri_loop_100'] = '100 users, no change: uri loop tasks (GET each)'


class Figures:
    """Medians of the samples and request counts, None for what was not measured."""

    def __init__(self, results):
        self.results = results

    def median(self, key):
        samples = self.results.samples.get(key)
        return statistics.median(samples) if samples else None

    def total(self, *keys):
        values = [self.median(key) for key in keys]
        return None if None in values else sum(values)

    def requests(self, key):
        return self.results.requests.get(key)


def _seconds(value):
    return 'not measured' if value is None else '%.2f s' % value


def _ratio(numerator, denominator):
    return None if numerator is None or not denominator else numerator / denominator


def _verdict(holds):
    return 'not measured' if holds is None else ('**holds**' if holds else '**does not hold**')


def _methods(counts):
    if not counts:
        return 'not measured'
    shown = ['%d %s' % (counts[m], m) for m in ('GET', 'POST', 'PUT', 'DELETE') if counts.get(m)]
    return ' + '.join(shown) or 'none'


def _writes(counts):
    return sum(value for method, value in counts.items() if method in ('POST', 'PUT', 'DELETE'))


def target_rows(figures):
    """(what, measured, baseline, ratio, target, verdict) for every target of issue 9."""
    rows = []
    policy = figures.requests('policy.module')
    rows.append(('Policy, no change: requests', _methods(policy) + (', %d token' % policy['token'] if policy else ''),
                 'protocol floor: ' + _methods(figures.requests('policy.floor')), '',
                 'exactly 1 request, 0 token requests',
                 _verdict(None if not policy else policy['total'] == 1 and policy['token'] == 0)))
    module, uri = figures.median('policy.module_task'), figures.median('policy.uri_task')
    ratio = _ratio(module, uri)
    rows.append(('Policy, no change: task wall time', _seconds(module), 'uri GET task ' + _seconds(uri),
                 _times(ratio), '<= 1.3x', _verdict(None if ratio is None else ratio <= 1.3)))
    for label, key, loop in (('Users 1,000, no change', 'users.1000', 'users.1000.uri_loop_100'),
                             ('Users 1,000, 50 changes', 'changes', 'changes.uri_loop_100')):
        rows.extend(_users_rows(figures, label, key, loop))
    rows.extend(_groups_rows(figures))
    enforce, pings = figures.median('fleet.enforce'), figures.median('fleet.pings')
    ratio = _ratio(enforce, pings)
    counts = figures.requests('fleet.enforce')
    rows.append(('Fleet: enforce playbook, 50 instances, -f 25', _seconds(enforce) + (
        ' (%s, of which %d token)' % (_methods(counts), counts['token']) if counts else ''),
        'same number of ping tasks per host: ' + _seconds(pings), _times(ratio), '<= 1.5x',
        _verdict(None if ratio is None else ratio <= 1.5)))
    rows.append(_scaling_row(figures))
    return rows


def _users_rows(figures, label, key, loop_key):
    counts = figures.requests(key + '.module')
    floor_counts = figures.requests(key + '.floor')
    if key == 'changes':
        wanted = 1000 // CHANGE_EVERY
        holds = None if not counts else _writes(counts) == wanted and counts.get('PUT') == wanted
        target = 'exactly the %d writes, plus reads' % wanted
    else:
        holds = None if not counts else set(k for k, v in counts.items() if v and k in (
            'GET', 'POST', 'PUT', 'DELETE')) == {'GET'}
        target = 'only GETs'
    rows = [('%s: requests' % label, _methods(counts), 'protocol floor: ' + _methods(floor_counts), '', target,
             _verdict(holds))]
    module = figures.median(key + '.module_task')
    floor, ping = figures.median(key + '.floor'), figures.median('ping.task')
    base = figures.total(key + '.floor', 'ping.task')
    ratio = _ratio(module, base)
    rows.append(('%s: task wall time' % label, _seconds(module),
                 'protocol floor %s + ping task %s = %s' % (_seconds(floor), _seconds(ping), _seconds(base)),
                 _times(ratio), '<= 1.5x', _verdict(None if ratio is None else ratio <= 1.5)))
    loop = figures.median(loop_key)
    scaled = None if loop is None else loop * LOOP_SCALE
    speedup = _ratio(scaled, module)
    rows.append(('%s: against a uri loop' % label, _seconds(module),
                 '%d-user uri loop %s x %d = %s' % (URI_LOOP_USERS, _seconds(loop), LOOP_SCALE, _seconds(scaled)),
                 '%s faster' % _times(speedup) if speedup else '', '>= 50x faster',
                 _verdict(None if speedup is None else speedup >= 50)))
    return rows


def _groups_rows(figures):
    """Issue 9 sets no target for groups; the users' 1.5x is applied for reference."""
    counts = figures.requests('groups.module')
    module, floor, ping = (figures.median(k) for k in ('groups.module_task', 'groups.floor', 'ping.task'))
    base = figures.total('groups.floor', 'ping.task')
    ratio = _ratio(module, base)
    return [('Groups 100 x 10 members, no change: requests', _methods(counts),
             'protocol floor: ' + _methods(figures.requests('groups.floor')), '', 'only GETs (no target set)',
             _verdict(None if not counts else _writes(counts) == 0)),
            ('Groups 100 x 10 members, no change: task wall time', _seconds(module),
             'protocol floor %s + ping task %s = %s' % (_seconds(floor), _seconds(ping), _seconds(base)),
             _times(ratio), '<= 1.5x (no target set; the users\' target)',
             _verdict(None if ratio is None else ratio <= 1.5))]


def reasons(figures):
    """A sentence with the measured reason for each ratio target that does not hold."""
    found = []
    module, uri, imports = (figures.median(k) for k in ('policy.module_task', 'policy.uri_task', 'import.requests'))
    if None not in (module, uri, imports) and module > 1.3 * uri:
        found.append('Policy: the module task takes %.2f s more than the uri GET task. The uri module uses Ansible\'s '
                     'own HTTP code; the collection\'s modules import requests, which alone takes %.2f s in a fresh '
                     'Python here.' % (module - uri, imports))
    ping = figures.median('ping.task')
    for label, key in (('Users 1,000, no change', 'users.1000'), ('Users 1,000, 50 changes', 'changes')):
        module, floor = figures.median(key + '.module_task'), figures.median(key + '.floor')
        shape = figures.median('users.1000.shape_task')
        if None in (module, floor, ping, shape) or module <= 1.5 * (floor + ping):
            continue
        found.append('%s: the target allows %.2f s (1.5 x (protocol floor + ping task)). Ansible alone needs %.2f s '
                     'for a task whose argument and result hold 1,000 users (the shape task, no HTTP): %.2f s more '
                     'than a ping, for validating 1,000 sub-option dicts, scrubbing no_log values from the result '
                     'and the echoed arguments, and encoding, decoding and templating them. requests, the HTTP '
                     'conversation and the module\'s own work add %.2f s, against a protocol floor of %.2f s.'
                     % (label, 1.5 * (floor + ping), shape, shape - ping, module - shape, floor))
    enforce, pings = figures.median('fleet.enforce'), figures.median('fleet.pings')
    if None not in (enforce, pings) and enforce > 1.5 * pings:
        found.append('Fleet: the enforce playbook takes %.2f s against %.2f s for the pings; see the per-task '
                     'timings kept with --keep.' % (enforce, pings))
    return found


def breakdown(figures, size=1000):
    """Rows (part, seconds, how it is measured) of where the no-change users task's time goes."""
    key = 'users.%d' % size
    ping, shape, module, floor = (figures.median(k) for k in (
        'ping.task', key + '.shape_task', key + '.module_task', key + '.floor'))
    if None in (ping, shape, module, floor):
        return []
    return [
        ("Ansible's cost of running any module", ping, 'the ping task'),
        ("Ansible's cost of an argument and a result holding %s users" % format(size, ','), shape - ping,
         'shape task minus ping task'),
        ('requests, the HTTP conversation and the module\'s own work', module - shape,
         'bitbucket_user task minus shape task'),
        ('of which the HTTP conversation itself', floor, 'the protocol floor'),
        ('the bitbucket_user task', module, 'measured'),
    ]


def scaling(figures):
    """[(users, task seconds, floor seconds)] for the sizes measured."""
    points = []
    for size in SIZES:
        task, floor = figures.median('users.%d.module_task' % size), figures.median('users.%d.floor' % size)
        if task is not None:
            points.append((size, task, floor))
    return points


def _scaling_row(figures):
    points = dict((size, task) for size, task, dummy in scaling(figures))
    if len(points) < len(SIZES):
        return ('Scaling: users no change at 100, 1,000, 5,000', 'not measured', '', '', 'linear or better',
                _verdict(None))
    growth = [(points[b] / points[a], b / a) for a, b in zip(SIZES, SIZES[1:])]
    measured = ', '.join('%s: %s' % (format(size, ','), _seconds(points[size])) for size in SIZES)
    ratios = '; '.join('x%g users -> x%.2f time' % (users, time) for time, users in growth)
    return ('Scaling: users no change at 100, 1,000, 5,000', measured, ratios, '', 'linear or better (time grows '
            'no faster than users)', _verdict(all(time <= users for time, users in growth)))


def _times(ratio):
    return '' if ratio is None else '%.2fx' % ratio


def machine():
    """(name, value) rows describing where the benchmark ran."""
    model = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as handle:
            model = next(line.split(':', 1)[1].strip() for line in handle if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    return [('CPU', model), ('cores', '%d (usable by the benchmark: %d)' % (os.cpu_count(), usable)),
            ('Python', platform.python_version()), ('ansible-core', ansible.release.__version__),
            ('requests', requests.__version__), ('OS', platform.platform())]


def write(report_path, chart_path, results, reps, elapsed, only=None, loads=None, heavy_reps=None):
    figures = Figures(results)
    lines = ['# Benchmarks', '',
             'Generated by `make bench` (`tests/bench/bench.py`) on %s. Do not edit by hand: run `make bench` again.'
             % datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'), '']
    if only:
        lines += ['**Partial run**: only %s.' % ', '.join(only), '']
    lines += ['## Targets (issue 9)', '', 'Medians of %d repetitions (the uri loops and the fleet: %d); ratios are '
              'ratios of medians.' % (reps, heavy_reps or reps), '',
              '| what | measured | baseline | ratio | target | verdict |', '|---|---|---|---|---|---|']
    lines += ['| %s |' % ' | '.join(row) for row in target_rows(figures)]
    why = reasons(figures)
    if why:
        lines += ['', 'Why a target does not hold, measured in this run:', ''] + ['- %s' % reason for reason in why]
    parts = breakdown(figures)
    if parts:
        lines += ['', '## Where the time of the users task goes (1,000 users, no change)', '',
                  'The shape task runs `tests/bench/playbooks/library/bench_user_shape.py`: the same `users` argument '
                  'and a no-change result of the same shape, without requests or any HTTP request.', '',
                  '| part | seconds | share | measured as |', '|---|---|---|---|']
        lines += ['| %s | %.2f | %.0f%% | %s |' % (part, seconds, 100.0 * seconds / parts[-1][1], how)
                  for part, seconds, how in parts]
    lines += ['', '## Every figure', '', '| figure | median | min | max | runs |', '|---|---|---|---|---|']
    for key, samples in results.samples.items():
        figure = (LABELS.get(key, key), statistics.median(samples), min(samples), max(samples), len(samples))
        lines.append('| %s | %.3f s | %.3f s | %.3f s | %d |' % figure)
    lines += ['', '## Requests (from the simulator\'s request log)', '', '| run | requests |', '|---|---|']
    for key, counts in results.requests.items():
        lines.append('| %s | %s |' % (key, ', '.join('%s %s' % (k, v) for k, v in sorted(counts.items()))))
    lines += ['', '## Scaling', '', '![users, no change: wall time by number of users](%s)'
              % os.path.basename(chart_path), '']
    lines += ['| users | bitbucket_user task | protocol floor | task per 1,000 users |', '|---|---|---|---|']
    for size, task, floor in scaling(figures):
        row = (format(size, ','), _seconds(task), _seconds(floor), _seconds(task * 1000 / size))
        lines.append('| %s | %s | %s | %s |' % row)
    lines += ['', '## Machine', '', '| | |', '|---|---|']
    lines += ['| %s | %s |' % row for row in machine()]
    if loads:
        lines.append('| load average (1 min) at start, end | %.2f, %.2f |' % loads)
    lines.append('| benchmark wall time | %d min %02d s |' % divmod(int(elapsed), 60))
    if results.notes:
        lines += ['', '## Notes from this run', ''] + ['- %s' % note for note in results.notes]
    lines += ['', _read_method()]
    with open(report_path, 'w') as handle:
        handle.write('\n'.join(lines).rstrip() + '\n')
    write_chart(chart_path, figures)


def write_chart(path, figures):
    points = scaling(figures)
    if not points:
        return
    ping = figures.median('ping.task') or 0
    series = [chart.Series('bitbucket_user task', BLUE, [(n, task) for n, task, dummy in points])]
    shapes = [(point[0], figures.median('users.%d.shape_task' % point[0])) for point in points]
    if all(seconds is not None for dummy, seconds in shapes):
        series.append(chart.Series('same argument and result without HTTP (shape task)', GREEN, shapes))
    floors = [(n, floor) for n, dummy, floor in points if floor is not None]
    if floors:
        series += [chart.Series('protocol floor + one ping task', ORANGE, [(n, f + ping) for n, f in floors]),
                   chart.Series('target: 1.5 x (protocol floor + one ping task)', ORANGE,
                                [(n, 1.5 * (f + ping)) for n, f in floors], dashed=True, markers=False),
                   chart.Series('protocol floor (HTTP only)', GREY, floors)]
    reference = dict((n, task) for n, task, dummy in points).get(1000)
    if reference:
        series.append(chart.Series('proportional to users, through the 1,000-user task', BLUE,
                                   [(0, 0), (SIZES[-1], reference * SIZES[-1] / 1000)], dashed=True, markers=False))
    chart.line_chart(path, 'Users, no change: wall time by number of users (page cap 25)', 'users', 'seconds',
                     series, [0, 1000, 2000, 3000, 4000, 5000])


def _read_method():
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'method.md')) as handle:
        return handle.read()
