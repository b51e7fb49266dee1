# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run ansible-playbook and the protocol-floor script the same way for every measurement, and read their timings."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent.parent
PLAYBOOKS = BENCH_DIR / 'playbooks'
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO / 'tests'))

# The test suite's fixtures module: the simulator process and the collections path that links to this work tree.
from conftest import COLLECTIONS_PATH, SimProcess  # noqa: E402,F401 pylint: disable=wrong-import-position,unused-import

RUN_TIMEOUT = 1800


class RunFailed(RuntimeError):
    """A measured command did not succeed; the message holds the end of its output."""


class PlaybookRun:
    """Timings of one ansible-playbook run: the process, the playbook (callback) and each task."""

    def __init__(self, process_seconds, document):
        self.process_seconds = process_seconds
        self.playbook_seconds = document['playbook_seconds']
        self.tasks = document['tasks']
        self.document = document

    def result(self, name, host='localhost'):
        """The result of the task called ``name`` on ``host``."""
        for play in self.document['plays']:
            for task in play['tasks']:
                if task['task']['name'] == name and host in task['hosts']:
                    return task['hosts'][host]
        raise RunFailed('no result of task %r' % name)

    def task_seconds(self, name):
        """Wall time of the task called ``name`` (the sum when several tasks have that name)."""
        found = [task['seconds'] for task in self.tasks if task['name'] == name]
        if not found:
            raise RunFailed('no task named %r in the run' % name)
        return sum(found)

    def executed_tasks(self, host):
        """How many tasks ran on ``host`` (any result but skipped)."""
        return sum(1 for task in self.tasks if task['hosts'].get(host) not in (None, 'skipped'))


class Ansible:
    """ansible-playbook from the project venv with this collection, the timing callback and nothing from the user."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        home = self.workdir / 'ansible-home'
        home.mkdir(parents=True, exist_ok=True)
        config = home / 'ansible.cfg'
        config.write_text('[defaults]\n')
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(('ANSIBLE_', 'BITBUCKET_DC_'))}
        self.env.update({
            'ANSIBLE_CONFIG': str(config),
            'ANSIBLE_HOME': str(home),
            'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS_PATH),
            'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'False',
            'ANSIBLE_LOCAL_TEMP': str(home / 'tmp'),
            'ANSIBLE_REMOTE_TEMP': str(home / 'remote_tmp'),
            'ANSIBLE_CALLBACK_PLUGINS': str(BENCH_DIR.parent / 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'playbook_record',
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': 'False',
            'ANSIBLE_HOST_KEY_CHECKING': 'False',
            'PATH': os.pathsep.join([str(VENV_BIN), os.environ.get('PATH', '')]),
        })
        self._runs = 0
        self.command_prefix = []  # for example a profiler: ['py-spy', 'record', ..., '--']

    def inventory(self, name, hosts, group='bench', group_vars=None):
        """A JSON inventory of ``hosts`` ({name: vars}) in ``group``: local connection, this venv's Python."""
        group_vars = dict(group_vars or {}, ansible_connection='local', ansible_python_interpreter=sys.executable)
        path = self.workdir / ('%s-inventory.json' % name)
        path.write_text(json.dumps({'all': {'children': {group: {'hosts': hosts, 'vars': group_vars}}}}))
        return path

    def vars_file(self, name, data):
        path = self.workdir / ('%s-vars.json' % name)
        path.write_text(json.dumps(data))
        return path

    def run(self, playbook, inventory, extra_vars=None, forks=None, vault_password_file=None):
        """Run ``playbook`` (a path, or a name under tests/bench/playbooks); raise RunFailed unless rc is 0."""
        self._runs += 1
        playbook = Path(playbook) if Path(playbook).is_absolute() else PLAYBOOKS / playbook
        timings = self.workdir / ('run%d-timings.json' % self._runs)
        log = self.workdir / ('run%d-%s.log' % (self._runs, playbook.stem))
        command = self.command_prefix + [str(VENV_BIN / 'ansible-playbook'), '-i', str(inventory)]
        if extra_vars is not None:
            command += ['-e', '@%s' % extra_vars]
        if forks:
            command += ['-f', str(forks)]
        if vault_password_file:
            command += ['--vault-password-file', str(vault_password_file)]
        command.append(str(playbook))
        env = dict(self.env, PLAYBOOK_RECORD=str(timings))
        started = time.monotonic()
        with open(log, 'w') as output:
            completed = subprocess.run(command, env=env, cwd=str(self.workdir), stdout=output,
                                       stderr=subprocess.STDOUT, check=False, timeout=RUN_TIMEOUT)
        seconds = time.monotonic() - started
        if completed.returncode != 0 or not timings.exists():
            raise RunFailed('%s failed (rc %d); the end of its output (%s):\n%s'
                            % (playbook.name, completed.returncode, log, _tail(log)))
        return PlaybookRun(seconds, json.loads(timings.read_text()))


def protocol_floor(url, token, mode, desired=None, options=()):
    """Run protocol_floor.py in its own process; returns its report (HTTP seconds and request counts)."""
    command = [sys.executable, str(BENCH_DIR / 'protocol_floor.py'), '--url', url, '--mode', mode] + list(options)
    if desired is not None:
        command += ['--desired', str(desired)]
    env = dict(os.environ, BENCH_TOKEN=token)
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=RUN_TIMEOUT)
    if completed.returncode != 0:
        raise RunFailed('protocol_floor.py --mode %s failed (rc %d):\n%s'
                        % (mode, completed.returncode, completed.stderr[-3000:]))
    return json.loads(completed.stdout)


def _tail(path, lines=40):
    with open(path) as handle:
        return ''.join(handle.readlines()[-lines:])
