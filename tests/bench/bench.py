# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``make bench``: start the simulators, run every scenario and baseline several times, write the report and chart.

  python tests/bench/bench.py [--reps N] [--heavy-reps N] [--only NAME ...] [--report PATH] [--chart PATH]
                              [--matrix-reps N] [--latencies MS ...] [--matrix-jobs JOB ...]
                              [--keep] [--save JSON] [--render JSON]

Scenarios (see docs/benchmarks.md): ping, policy, users100, users1000, users5000, changes, groups, fleet, and
matrix (the latency and rate-limit matrix, tests/bench/matrix.py).
"""

import argparse
import datetime
import functools
import json
import os
import shutil
import sys
import tempfile
import time

import bench_data
import fleet
import matrix
import report
import runner
import scenarios

REPORT = runner.REPO / 'docs' / 'benchmarks.md'
CHART = runner.REPO / 'docs' / 'benchmarks-scaling.png'
DEFAULT_REPS = 3
DEFAULT_HEAVY_REPS = 1
DEFAULT_MATRIX_REPS = 2
FLEET_SIZE = 50
PAGE_CAP = 25


def build(ansible, single, fleet_instances):
    """The scenarios in the order each repetition runs them, by name."""
    built = [
        ('ping', scenarios.PingFloor(ansible)),
        ('policy', scenarios.PolicyNoChange(ansible, single[0])),
        ('users100', scenarios.UsersNoChange(ansible, single[1], 100)),
        ('users1000', scenarios.UsersNoChange(ansible, single[2], 1000, uri_loop=True)),
        ('users5000', scenarios.UsersNoChange(ansible, single[3], 5000)),
        ('changes', scenarios.UsersWithChanges(ansible, single[4])),
        ('groups', scenarios.GroupsNoChange(ansible, single[5])),
    ]
    if fleet_instances is not None:
        built.append(('fleet', fleet.Fleet(ansible, fleet_instances)))
    return built


def arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--reps', type=int, default=DEFAULT_REPS, help='repetitions of every scenario (medians)')
    parser.add_argument('--heavy-reps', type=int, default=DEFAULT_HEAVY_REPS,
                        help='repetitions of the long runs: the uri loops and the fleet (at most --reps)')
    parser.add_argument('--matrix-reps', type=int, default=DEFAULT_MATRIX_REPS,
                        help='repetitions of the latency and rate-limit matrix (the one-at-a-time audit: the first)')
    parser.add_argument('--latencies', type=int, nargs='+', default=list(matrix.LATENCIES_MS),
                        help='latencies (ms) of the matrix, by default 0 25 100')
    parser.add_argument('--matrix-jobs', nargs='+', choices=[job.name for job in matrix.JOBS],
                        help='jobs of the matrix, by default all of them')
    parser.add_argument('--only', nargs='+', help='run only these scenarios (the report then says so)')
    parser.add_argument('--report', default=str(REPORT))
    parser.add_argument('--chart', default=str(CHART))
    parser.add_argument('--keep', action='store_true', help='keep the work directory (playbook logs, timings)')
    parser.add_argument('--save', metavar='JSON', help='also write the samples and request counts to this file')
    parser.add_argument('--render', metavar='JSON', help='only write the report and chart from a file of --save')
    return parser.parse_args(argv)


def main(argv=None):
    args = arguments(argv)
    if args.render:
        with open(args.render) as handle:
            saved = json.load(handle)
        report.write(args.report, args.chart, bench_data.Results.from_dict(saved['results']), **saved['run'])
        return 0
    started = time.monotonic()
    load_at_start = os.getloadavg()[0]
    workdir = tempfile.mkdtemp(prefix='dcops-bench-')
    processes = []
    try:
        single = runner.SimProcess(instances=6, page_cap=PAGE_CAP)
        processes.append(single)
        wanted = set(args.only or [])
        fleet_instances = None
        if not wanted or 'fleet' in wanted:
            fleet_process = runner.SimProcess(instances=FLEET_SIZE, page_cap=PAGE_CAP)
            processes.append(fleet_process)
            fleet_instances = fleet_process.instances
        ansible = runner.Ansible(workdir)
        chosen = [(name, scenario) for name, scenario in build(ansible, single.instances, fleet_instances)
                  if not wanted or name in wanted]
        results = bench_data.Results()
        for name, scenario in list(chosen):
            _log('prepare %s' % name)
            if not _attempt(results, name, 'preparing', scenario.prepare):
                chosen.remove((name, scenario))
        if not wanted or 'matrix' in wanted:
            matrix_process = runner.SimProcess(instances=len(matrix.JOBS), page_cap=PAGE_CAP)
            processes.append(matrix_process)
            matrix.CONDITIONS[:] = [c for c in matrix.CONDITIONS if c.latency_ms in args.latencies]
            jobs = [job for job in matrix.build(ansible, matrix_process.instances)
                    if not args.matrix_jobs or job.name in args.matrix_jobs]
            _run_matrix(jobs, results, args.matrix_reps)
        for rep in range(1, args.reps + 1):
            for name, scenario in list(chosen):
                _log('repetition %d/%d: %s' % (rep, args.reps, name))
                measure = functools.partial(scenario.measure, results, rep <= args.heavy_reps)
                if not _attempt(results, name, 'repetition %d' % rep, measure):
                    chosen.remove((name, scenario))
        run = {'reps': args.reps, 'elapsed': time.monotonic() - started, 'only': sorted(wanted) if wanted else None,
               'loads': (load_at_start, os.getloadavg()[0]), 'heavy_reps': min(args.heavy_reps, args.reps),
               'matrix_reps': args.matrix_reps,
               'measured': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}
        if args.save:
            with open(args.save, 'w') as handle:
                json.dump({'run': run, 'results': results.as_dict()}, handle, indent=1)
        report.write(args.report, args.chart, results, **run)
        elapsed = run['elapsed']
        _log('wrote %s and %s in %.0f s' % (args.report, args.chart, elapsed))
    finally:
        for process in processes:
            process.stop()
        if args.keep:
            _log('work directory kept: %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _run_matrix(jobs, results, reps):
    for job in list(jobs):
        _log('prepare matrix %s' % job.name)
        if not _attempt(results, 'matrix ' + job.name, 'preparing', job.prepare):
            jobs.remove(job)
    for rep in range(1, reps + 1):
        _log('matrix repetition %d/%d' % (rep, reps))
        _attempt(results, 'matrix', 'repetition %d' % rep,
                 functools.partial(matrix.measure_all, jobs, results, rep == 1, _log))


def _attempt(results, name, stage, action):
    """Run action; a failed run drops its scenario (the report says why) and the others go on."""
    try:
        action()
    except runner.RunFailed as exc:
        _log('%s failed: %s' % (name, exc))
        results.notes.append('%s: failed while %s and was dropped: %s' % (name, stage, str(exc).split('\n', 1)[0]))
        return False
    return True


_STARTED = time.monotonic()


def _log(message):
    sys.stderr.write('bench: [%4.0f s] %s\n' % (time.monotonic() - _STARTED, message))
    sys.stderr.flush()


if __name__ == '__main__':
    sys.exit(main())
