# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reliability suite's record: every case a test tries goes to tests/reliability/results/suite.json, and
docs/reliability.md is rendered from it at the end of every run of the suite.

A run of the whole suite (``make test``, ``make pytest``, ``pytest tests/reliability``, with or without xdist)
replaces the results; a run of part of it (a file, ``-k``) replaces the results of the tests it ran and keeps the
others. The load tests (test_load.py, ``make load``) record into results/load.json themselves.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# Appended, not prepended: `conftest` must stay tests/conftest.py for the modules that import from it.
sys.path.append(str(HERE))
sys.path.append(str(REPO / 'tests' / 'tooling'))

# pylint: disable=wrong-import-position
import reliability_report  # noqa: E402
from case_log import PROPERTY, CaseLog  # noqa: E402

SUITE = HERE / 'results' / 'suite.json'
GROUP_OF_FILE = {
    'test_secret_canaries.py': 'Secret canaries',
    'test_fault_matrix.py': 'Fault matrix',
    'test_token_store_faults.py': 'Token store faults',
    'test_bad_input.py': 'Bad input',
}
_STATE = {'config': None, 'reports': []}


@pytest.fixture
def case_log(request):
    """case_log(group, known=None) -> CaseLog recording into this test's report."""
    def make(group, known=None):
        return CaseLog(request.node, group, known)
    return make


def pytest_configure(config):
    _STATE['config'] = config


def _is_worker(config):
    return hasattr(config, 'workerinput')


def _test_id(config, nodeid):
    """'tests/reliability/test_x.py::name' for a test of this suite (load tests excluded), else None."""
    file_part, dummy, rest = nodeid.partition('::')
    path = (Path(str(config.rootpath)) / file_part).resolve()
    if path.parent != HERE or path.name not in GROUP_OF_FILE:
        return None
    return '%s::%s' % (path.relative_to(REPO).as_posix(), rest)


def pytest_runtest_logreport(report):
    config = _STATE['config']
    if config is None or _is_worker(config):
        return
    test = _test_id(config, report.nodeid)
    if test is None or not (report.when == 'call' or (report.when == 'setup' and not report.passed)):
        return
    cases = [dict(value, test=test) for key, value in report.user_properties if key == PROPERTY]
    if not cases and not report.skipped:
        first_line = str(report.longrepr).strip().splitlines()[-1:] if report.failed else []
        cases = [{'group': GROUP_OF_FILE[Path(test.split('::')[0]).name], 'case': test.split('::', 1)[1],
                  'expected': 'the test runs and records its cases', 'test': test,
                  'observed': 'test %s%s' % (report.outcome, (': ' + first_line[0]) if first_line else ''),
                  'holds': report.passed}]
    _STATE['reports'].append((test, cases))


def _whole_suite_ran(config):
    option = config.option
    if option.keyword or option.markexpr or getattr(option, 'deselect', None) or getattr(option, 'lf', False):
        return False
    for arg in config.args:
        if '::' in arg:
            continue
        path = (Path(str(config.invocation_params.dir)) / arg).resolve()
        if path == HERE or path in HERE.parents:
            return True
    return False


def _ordered(cases):
    rank = {group: index for index, group in enumerate(reliability_report.GROUPS)}
    indexed = list(enumerate(cases))
    indexed.sort(key=lambda item: (rank.get(item[1]['group'], 99), item[1]['test'], item[0]))
    return [case for dummy, case in indexed]


def pytest_sessionfinish(session):
    config = session.config
    if _is_worker(config) or not _STATE['reports']:
        return
    ran = set(test for test, dummy in _STATE['reports'])
    cases = [case for dummy, mine in _STATE['reports'] for case in mine]
    if not _whole_suite_ran(config) and SUITE.exists():
        kept = [case for case in json.loads(SUITE.read_text())['cases'] if case['test'] not in ran]
        cases = kept + cases
    SUITE.parent.mkdir(exist_ok=True)
    SUITE.write_text(json.dumps({'cases': _ordered(cases)}, indent=1, sort_keys=True) + '\n')
    reliability_report.main([])


def pytest_terminal_summary(terminalreporter):
    if not _STATE['reports'] or _is_worker(terminalreporter.config):
        return
    cases = [case for dummy, mine in _STATE['reports'] for case in mine]
    held = sum(1 for case in cases if case['holds'])
    terminalreporter.write_line('reliability: %d cases tried in this run, %d hold; %s rewritten'
                                % (len(cases), held, reliability_report.PAGE.relative_to(REPO)))
