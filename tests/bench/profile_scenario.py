# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Profile the users scenario (no change, page cap 25) with py-spy, controller and module processes together.

  python tests/bench/profile_users.py [--users 1000] [--output /tmp/users-profile.txt] [--rate 250]

Writes py-spy's collapsed stacks (one line per stack with its sample count) and prints the functions that hold the
most samples, by self time and by total time, with the processes they ran in (ansible-playbook and its workers,
the module's Python).
"""

import argparse
import collections
import subprocess
import sys
import tempfile

import runner
import scenarios

TOP = 30


def record(ansible, extra_vars, output, rate):
    """py-spy record over one users.yml run: every Python process it starts, idle time excluded."""
    inventory = ansible.inventory('localhost', {'localhost': {}})
    command = [str(runner.VENV_BIN / 'py-spy'), 'record', '--subprocesses', '--format', 'raw', '--rate', str(rate),
               '--output', output, '--', str(runner.VENV_BIN / 'ansible-playbook'), '-i', str(inventory),
               '-e', '@%s' % extra_vars, str(runner.PLAYBOOKS / 'users.yml')]
    completed = subprocess.run(command, env=dict(ansible.env, BENCH_TIMINGS=str(ansible.workdir / 'timings.json')),
                               cwd=str(ansible.workdir), capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise runner.RunFailed('py-spy record failed:\n%s\n%s' % (completed.stdout[-3000:], completed.stderr[-3000:]))


def summarise(output):
    """Samples per process (the innermost process on the stack), and per function: self (innermost frame) and
    total (anywhere on the stack, counted once per stack)."""
    own, total, processes = collections.Counter(), collections.Counter(), collections.Counter()
    with open(output) as handle:
        for line in handle:
            stack, dummy, count = line.rstrip('\n').rpartition(' ')
            frames = stack.split(';')
            samples = int(count)
            process = [frame for frame in frames if frame.startswith('process ')][-1]
            processes[_short(process)] += samples
            own[frames[-1]] += samples
            for frame in set(frames):
                if not frame.startswith('process '):
                    total[frame] += samples
    return own, total, processes


def _short(process):
    """'process 123:"python .../AnsiballZ_ping.py"' -> '123 python AnsiballZ_ping.py'."""
    pid, dummy, command = process[len('process '):].partition(':')
    words = [word.rsplit('/', 1)[-1] for word in command.strip('"').split()[:3]]
    return '%s %s' % (pid, ' '.join(words))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--users', type=int, default=1000)
    parser.add_argument('--output', default='/tmp/users-profile.txt')
    parser.add_argument('--rate', type=int, default=250, help='samples per second')
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix='dcops-profile-')
    process = runner.SimProcess(instances=1, page_cap=25)
    try:
        ansible = runner.Ansible(workdir)
        scenario = scenarios.UsersNoChange(ansible, process.instances[0], args.users)
        scenario.prepare()
        record(ansible, scenario.vars, args.output, args.rate)
    finally:
        process.stop()
    own, total, processes = summarise(args.output)
    grand = sum(processes.values()) or 1
    for title, counter in (('processes', processes), ('self', own), ('total', total)):
        print('\n== %s (samples, share of all) ==' % title)
        for name, samples in counter.most_common(TOP):
            print('%6d %5.1f%%  %s' % (samples, 100.0 * samples / grand, name))
    print('\ncollapsed stacks: %s' % args.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
