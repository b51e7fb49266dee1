# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Profile one benchmark run with py-spy: the controller, its workers and the modules' Python processes together.

  python tests/bench/profile_scenario.py users [--users 1000]     bitbucket_user, no change (page cap 25)
  python tests/bench/profile_scenario.py fleet                    enforce_token_expiry.yml, 50 instances, -f 25
  options: [--output /tmp/bench-profile.txt] [--rate 100] [--top 40]

Writes py-spy's collapsed stacks (one line per stack and its sample count) and prints where the samples are: per
process kind (main controller process, workers, each module), and per function by self and by total samples.
py-spy samples wall-clock time of threads that are not idle, so on a busy machine a process waiting for a CPU
still collects samples: compare shares, not absolute counts.
"""

import argparse
import collections
import re
import sys
import tempfile

import fleet
import runner
import scenarios

FLEET_SIZE = 50


def profiled_run(kind, users, output, rate, workdir):
    """Prepare the scenario (untimed, unprofiled), then run its measured playbook under py-spy."""
    process = runner.SimProcess(instances=FLEET_SIZE if kind == 'fleet' else 1, page_cap=25)
    try:
        ansible = runner.Ansible(workdir)
        if kind == 'fleet':
            scenario = fleet.Fleet(ansible, process.instances)
        else:
            scenario = scenarios.UsersNoChange(ansible, process.instances[0], users)
        scenario.prepare()
        ansible.command_prefix = [str(runner.VENV_BIN / 'py-spy'), 'record', '--subprocesses', '--format', 'raw',
                                  '--rate', str(rate), '--output', output, '--']
        if kind == 'fleet':
            scenario.enforce()
        else:
            ansible.run('users.yml', scenario.localhost, scenario.vars)
    finally:
        process.stop()


def process_kind(frame):
    """'controller', 'worker', 'module <name>' or 'shell' for a py-spy 'process PID:"command"' frame."""
    command = frame.split(':', 1)[1]
    module = re.search(r'AnsiballZ_(\w+)\.py', command)
    if module:
        return 'shell' if command.startswith('"/bin/sh') else 'module %s' % module.group(1)
    return 'ansible-playbook'


def summarise(output):
    """Samples per process kind, and per function (self: innermost frame; total: anywhere, once per stack)."""
    own, total, kinds = collections.Counter(), collections.Counter(), collections.Counter()
    with open(output) as handle:
        for line in handle:
            stack, dummy, count = line.rstrip('\n').rpartition(' ')
            frames = stack.split(';')
            samples = int(count)
            processes = [index for index, frame in enumerate(frames) if frame.startswith('process ')]
            kind = process_kind(frames[processes[-1]])
            if kind == 'ansible-playbook':
                kind = 'controller (main process)' if len(processes) == 1 else 'controller (workers)'
            kinds[kind] += samples
            inner = frames[processes[-1] + 1:]
            if inner:
                own['%s | %s' % (kind, inner[-1])] += samples
            for frame in set(inner):
                total['%s | %s' % (kind, frame)] += samples
    return kinds, own, total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('scenario', choices=['users', 'fleet'])
    parser.add_argument('--users', type=int, default=1000)
    parser.add_argument('--output', default='/tmp/bench-profile.txt')
    parser.add_argument('--rate', type=int, default=100, help='samples per second')
    parser.add_argument('--top', type=int, default=40)
    args = parser.parse_args(argv)
    profiled_run(args.scenario, args.users, args.output, args.rate, tempfile.mkdtemp(prefix='dcops-profile-'))
    kinds, own, total = summarise(args.output)
    grand = sum(kinds.values()) or 1
    for title, counter in (('process kinds', kinds), ('self', own), ('total', total)):
        print('\n== %s (samples, share of all samples) ==' % title)
        for name, samples in counter.most_common(args.top):
            print('%7d %5.1f%%  %s' % (samples, 100.0 * samples / grand, name[:200]))
    print('\ncollapsed stacks: %s' % args.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
