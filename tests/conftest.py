"""Shared fixtures: the Bitbucket simulator (``sim``, ``sim_factory``) and ansible-playbook runs (``run_playbook``).

See docs/dev/architecture.md for the contract. Importing this file also makes ``ansible_collections.dcops.bitbucket``
importable (through a symlink to the repository) and puts the simulator package ``bbsim`` on ``sys.path``.
"""

import hashlib
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SIMULATOR_PATH = REPO / 'tests' / 'simulator'
PLAYBOOK_DIRS = (REPO / 'tests' / 'integration' / 'playbooks', REPO / 'playbooks', REPO)
CALLBACK_DIR = REPO / 'tests' / 'callback_plugins'
VENV_BIN = Path(sys.executable).parent
START_TIMEOUT = 30

# pytest imports test modules by path (pytest.ini); helpers shared between them are imported by name from here.
for helper_path in (REPO / 'tests' / 'integration', REPO / 'tests' / 'unit', REPO / 'tests', SIMULATOR_PATH,
                    REPO / 'tests' / 'judges'):
    if str(helper_path) not in sys.path:
        sys.path.insert(0, str(helper_path))

import child_process  # noqa: E402 pylint: disable=wrong-import-position
from bbsim.conformance import SpecConformance  # noqa: E402 pylint: disable=wrong-import-position
from bbsim.control import SimControl  # noqa: E402 pylint: disable=wrong-import-position
from judged_sim import Judges, is_integration_test  # noqa: E402 pylint: disable=wrong-import-position


# The collection on a collections path ----------------------------------------------------------------------------
def _link_collection(base):
    """``base``/ansible_collections/dcops/bitbucket -> the repository; False when something else is there."""
    link = base / 'ansible_collections' / 'dcops' / 'bitbucket'
    if link.is_symlink() or link.exists():
        return link.resolve() == REPO
    link.parent.mkdir(parents=True, exist_ok=True)
    try:
        link.symlink_to(REPO, target_is_directory=True)
    except FileExistsError:  # a parallel pytest worker made it first
        pass
    return link.resolve() == REPO


def collections_path():
    """build/collections (gitignored), or a per-checkout directory under the temp dir if build/ holds a copy."""
    base = REPO / 'build' / 'collections'
    if _link_collection(base):
        return base
    digest = hashlib.sha256(str(REPO).encode('utf-8')).hexdigest()[:12]
    base = Path(tempfile.gettempdir()) / ('dcops-bitbucket-collections-%d-%s' % (os.getuid(), digest))
    if not _link_collection(base):
        raise RuntimeError('%s does not link to %s' % (base, REPO))
    return base


COLLECTIONS_PATH = collections_path()
sys.path.insert(0, str(COLLECTIONS_PATH))


# The simulator ---------------------------------------------------------------------------------------------------
class SimInstance:
    """One simulated Bitbucket: ``url``, ``ca_path`` (None without TLS) and ``control`` (SimControl)."""

    def __init__(self, url, ca_path=None):
        self.url = url
        self.ca_path = ca_path
        self.control = SimControl(url, ca_path)

    def __repr__(self):
        return 'SimInstance(%s)' % self.url


class SimProcess:
    """``python -m bbsim`` in a subprocess; its stderr goes to a file shown when it fails to start."""

    def __init__(self, instances=1, tls=False, page_cap=None, options=()):
        command = [sys.executable, '-m', 'bbsim', '--instances', str(instances)] + list(options)
        if tls:
            command.append('--tls')
        if page_cap:
            command += ['--page-cap', str(page_cap)]
        env = dict(os.environ)
        env['PYTHONPATH'] = os.pathsep.join(filter(None, [str(SIMULATOR_PATH), env.get('PYTHONPATH')]))
        self._stderr = tempfile.TemporaryFile(mode='w+')
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self._stderr, env=env, text=True,
                                        preexec_fn=child_process.die_with_parent())  # pylint: disable=subprocess-popen-preexec-fn
        ready = self._ready_line()
        self.instances = [SimInstance(item['url'], item['ca_path']) for item in ready['instances']]

    def _ready_line(self):
        readable = select.select([self.process.stdout], [], [], START_TIMEOUT)[0]
        line = self.process.stdout.readline() if readable else ''
        if not line:
            self._stderr.seek(0)
            output = self._stderr.read()  # before stop(), which closes the file
            self.stop()
            raise RuntimeError('the simulator did not start within %d s:\n%s' % (START_TIMEOUT, output))
        return json.loads(line)

    def stop(self):
        child_process.stop(self.process)
        self.process.stdout.close()
        self._stderr.close()


@pytest.fixture(scope='session')
def spec_conformance():
    """Checks simulator answers against Atlassian's OpenAPI file (tests/openapi)."""
    return SpecConformance.load()


@pytest.fixture(scope='session')
def _sim_process():
    process = SimProcess()
    yield process
    process.stop()


@pytest.fixture(scope='session')
def _judges(_sim_process, spec_conformance, tmp_path_factory):  # pylint: disable=redefined-outer-name
    """Prism and its front before the session's simulator (tests/judges/judged_sim.py)."""
    judges = Judges(_sim_process.instances[0], spec_conformance, tmp_path_factory.mktemp('judges'))
    yield judges
    judges.stop()


@pytest.fixture
def sim(request, _sim_process, spec_conformance):  # pylint: disable=redefined-outer-name
    """A freshly reset simulator instance (one process per test session); integration tests reach it through Prism.

    After the test, every answer the instance gave is checked against the OpenAPI file where it covers the path,
    and for integration tests what Prism found and what the collection sent (tests/judges/judged_sim.py).
    """
    instance = _sim_process.instances[0]
    instance.control.reset()
    judges = request.getfixturevalue('_judges') if is_integration_test(request) else None
    if judges is not None:
        judges.front.findings.take()
        judges.front.findings.take_requests()
    yield judges.instance if judges is not None else instance
    problems = spec_conformance.check_log(instance.control.requests())
    problems += judges.problems(request.node.nodeid) if judges is not None else []
    assert not problems, 'simulator answers that contradict the OpenAPI file:\n' + '\n'.join(problems)


@pytest.fixture
def sim_factory():
    """sim_factory(n, tls=False, page_cap=None, options=()) -> ``n`` SimInstance served by a separate process
    (``options``: more command-line arguments)."""
    started = []

    def start(n=1, tls=False, page_cap=None, options=()):
        process = SimProcess(n, tls, page_cap, options)
        started.append(process)
        return process.instances

    yield start
    for process in started:
        process.stop()


# ansible-playbook -----------------------------------------------------------------------------------------------
class PlaybookResult:
    """rc, stdout, stderr and ``json``: {"plays": [...], "stats": {...}} written by the playbook_record callback."""

    def __init__(self, completed, document):
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.json = document

    def task_results(self, name):
        """Per-host results of every task called ``name`` (in run order): a list of result dicts with 'host'."""
        results = []
        for play in self.json.get('plays', []):
            for task in play['tasks']:
                if task['task']['name'] == name:
                    results += [dict(result, host=host) for host, result in task['hosts'].items()]
        return results

    def task_result(self, name, host=None):
        """The single result of task ``name`` (on ``host`` if given); fails when there is not exactly one."""
        results = [r for r in self.task_results(name) if host is None or r['host'] == host]
        assert len(results) == 1, 'expected one result of task %r, got %d' % (name, len(results))
        return results[0]


@pytest.fixture(scope='session')
def collection_env(tmp_path_factory):
    """Environment for ansible-* commands: this collection on the collections path, no user config, local temp."""
    home = tmp_path_factory.mktemp('ansible')
    config = home / 'ansible.cfg'
    config.write_text('[defaults]\n')
    env = {key: value for key, value in os.environ.items() if not key.startswith(('ANSIBLE_', 'BITBUCKET_DC_'))}
    env.update({
        'ANSIBLE_CONFIG': str(config),
        'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS_PATH),
        'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'False',
        'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'ANSIBLE_HOST_KEY_CHECKING': 'False',
        'ANSIBLE_RETRY_FILES_ENABLED': 'False',
        'ANSIBLE_LOCAL_TEMP': str(home / 'tmp'),
        'ANSIBLE_REMOTE_TEMP': str(home / 'remote_tmp'),
        'ANSIBLE_HOME': str(home),
        'ANSIBLE_CALLBACK_PLUGINS': str(CALLBACK_DIR),
        'ANSIBLE_CALLBACKS_ENABLED': 'playbook_record',
        'PATH': os.pathsep.join([str(VENV_BIN), os.environ.get('PATH', '')]),
    })
    return env


def _playbook_path(playbook):
    path = Path(playbook)
    if path.is_absolute():
        return path
    for directory in PLAYBOOK_DIRS:
        if (directory / path).exists():
            return directory / path
    raise FileNotFoundError('playbook %s not found in %s' % (playbook, ', '.join(map(str, PLAYBOOK_DIRS))))


def _inventory_file(inventory, directory):
    """A path as given; a dict written as a YAML (JSON) inventory; None: localhost, local connection, venv Python."""
    if isinstance(inventory, (str, Path)):
        return str(inventory)
    if inventory is None:
        inventory = {'all': {'hosts': {'localhost': {}}}}
    inventory = json.loads(json.dumps(inventory))
    group_vars = inventory.setdefault('all', {}).setdefault('vars', {})
    group_vars.setdefault('ansible_connection', 'local')
    group_vars.setdefault('ansible_python_interpreter', sys.executable)
    path = directory / 'inventory.yml'
    path.write_text(json.dumps(inventory))
    return str(path)


@pytest.fixture
def run_playbook(collection_env, tmp_path):  # pylint: disable=redefined-outer-name
    """run_playbook(playbook, extra_vars=None, check=False, diff=False, verbosity=0, env=None, inventory=None,
    expect_rc=0) -> PlaybookResult. ``extra_vars`` go through a file, never the command line."""
    runs = iter(range(1, 1000))

    def run(playbook, extra_vars=None, check=False, diff=False, verbosity=0, env=None, inventory=None, expect_rc=0):
        directory = tmp_path / ('run%d' % next(runs))
        directory.mkdir()
        results_path = directory / 'results.json'
        command = [str(VENV_BIN / 'ansible-playbook'), '-i', _inventory_file(inventory, directory)]
        if extra_vars:
            vars_path = directory / 'extra_vars.json'
            vars_path.write_text(json.dumps(extra_vars))
            command += ['-e', '@%s' % vars_path]
        command += ['--check'] * bool(check) + ['--diff'] * bool(diff)
        if verbosity:
            command.append('-' + 'v' * verbosity)
        command.append(str(_playbook_path(playbook)))
        run_env = dict(collection_env, PLAYBOOK_RECORD=str(results_path))
        run_env.update(env or {})
        started = time.monotonic()
        completed = subprocess.run(command, env=run_env, cwd=str(directory), capture_output=True, text=True,
                                   check=False, timeout=600)
        document = json.loads(results_path.read_text()) if results_path.exists() else {}
        document.setdefault('duration', time.monotonic() - started)
        result = PlaybookResult(completed, document)
        if expect_rc is not None:
            assert result.rc == expect_rc, 'ansible-playbook %s: rc %d, expected %d\nSTDOUT:\n%s\nSTDERR:\n%s' % (
                playbook, result.rc, expect_rc, result.stdout[-6000:], result.stderr[-3000:])
        return result

    return run
