# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-playbook runs of the reliability suite: inventories with one host per case, and an environment in which
every directory the run may write to (home, temp dirs, Ansible's local and remote temp, the log) is one tree that a
test can scan afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from conftest import PlaybookResult

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PLAYBOOKS = HERE / 'playbooks'
CALLBACKS = HERE.parent / 'callback_plugins'
VAULT_PASSWORD = 'vault-password-for-tests'


def write_inventory(path, hosts, group='all', **group_vars):
    """An inventory file (JSON is YAML): one host per case, local connection, the test venv's Python."""
    group_vars.setdefault('ansible_connection', 'local')
    group_vars.setdefault('ansible_python_interpreter', sys.executable)
    document = {'all': {'vars': group_vars, 'hosts': {} if group != 'all' else hosts}}
    if group != 'all':
        document['all']['children'] = {group: {'hosts': hosts}}
    path.write_text(json.dumps(document, indent=1))
    return str(path)


class RunTree:
    """Directories of one ansible-playbook run: ``inputs`` (what the test gives it) apart from ``scan`` (every place
    the run may write to: HOME, TMPDIR, ANSIBLE_HOME, ANSIBLE_LOCAL_TEMP, ANSIBLE_REMOTE_TEMP, ANSIBLE_LOG_PATH)."""

    def __init__(self, base, vault_password=VAULT_PASSWORD):
        self.inputs = base / 'inputs'
        self.scan = base / 'written'
        for directory in (self.inputs, self.scan / 'home', self.scan / 'tmp', self.scan / 'ansible-home'):
            directory.mkdir(parents=True, exist_ok=True)
        self.log_file = self.scan / 'ansible.log'
        self.vault_password_file = self.inputs / 'vault-password.txt'
        self.vault_password_file.write_text(vault_password + '\n')

    def env(self, forks=None, **extra):
        env = {
            'HOME': str(self.scan / 'home'),
            'TMPDIR': str(self.scan / 'tmp'),
            'ANSIBLE_HOME': str(self.scan / 'ansible-home'),
            'ANSIBLE_LOCAL_TEMP': str(self.scan / 'ansible-home' / 'tmp'),
            'ANSIBLE_REMOTE_TEMP': str(self.scan / 'remote-tmp'),
            'ANSIBLE_LOG_PATH': str(self.log_file),
            'ANSIBLE_VAULT_PASSWORD_FILE': str(self.vault_password_file),
            'ANSIBLE_CALLBACK_PLUGINS': str(CALLBACKS),
            'ANSIBLE_CALLBACKS_ENABLED': 'playbook_record',
        }
        if forks:
            env['ANSIBLE_FORKS'] = str(forks)
        env.update(extra)
        return env

    def timings(self):
        """{task name: {host: seconds}} from the playbook_record callback's file of the last run."""
        record = self.scan / 'results.json'
        tasks = json.loads(record.read_text()).get('tasks', []) if record.exists() else []
        seconds = {}
        for task in tasks:
            seconds.setdefault(task['name'], {}).update(task['host_seconds'])
        return seconds


def failure_text(entry):
    """What a task result says (message, module stderr), for checks and for the page."""
    parts = [entry.get('msg') or '']
    if entry.get('module_stderr'):
        parts.append('module_stderr: %s' % entry['module_stderr'])
    return ' '.join(part for part in parts if part)


def has_traceback(entry):
    """A Python traceback or a module crash in a result (ansible-core 2.19 puts "(traceback unavailable)" in
    `exception` of every failure, which is not one)."""
    text = json.dumps(entry)
    return 'Traceback (most recent call last)' in text or 'MODULE FAILURE' in text or 'module_stderr' in entry


def playbook_command(playbook, inventory, verbosity=0, extra_args=(), wrapper=()):
    command = list(wrapper) + [str(Path(sys.executable).parent / 'ansible-playbook'), '-i', str(inventory)]
    return command + list(extra_args) + (['-' + 'v' * verbosity] if verbosity else []) + [str(playbook)]


def playbook_env(collection_env, tree, forks=None, env=None):
    run_env = dict(collection_env, PLAYBOOK_RECORD=str(tree.scan / 'results.json'))
    run_env.update(tree.env(forks=forks))
    run_env.update(env or {})
    return run_env


def run_ansible(collection_env, tree, playbook, inventory, forks=None, verbosity=0, extra_args=(), wrapper=(),
                env=None, timeout=600):
    """ansible-playbook with this collection, the run tree's environment and callbacks; cwd is the scanned tree."""
    results = tree.scan / 'results.json'
    command = playbook_command(playbook, inventory, verbosity, extra_args, wrapper)
    run_env = playbook_env(collection_env, tree, forks, env)
    started = time.monotonic()
    completed = subprocess.run(command, env=run_env, cwd=str(tree.scan), capture_output=True, text=True, check=False,
                               timeout=timeout, stdin=subprocess.DEVNULL)
    result = PlaybookResult(completed, json.loads(results.read_text()) if results.exists() else {})
    result.seconds = time.monotonic() - started
    return result
