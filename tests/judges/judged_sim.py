"""The integration tests' simulator behind Prism: one Prism and one front per pytest worker (tests/conftest.py).

After each test, ``problems`` lists what the judges refuse: any request violation Prism found, any answer violation
that no named spec defect explains (tests/simulator/bbsim/conformance.py), and any query parameter or body key the
collection sent (its User-Agent) that the spec does not declare for the operation (Prism does not check those). Every finding is
also written to build/judges/<pytest run>/ (running totals after each test), where ``summary.py`` counts them.
"""

import json
import os
from collections import Counter
from pathlib import Path

from prism import JudgedFront, PrismProcess, derived_spec

REPO = Path(__file__).resolve().parents[2]
FINDINGS_DIR = REPO / 'build' / 'judges'
INTEGRATION = REPO / 'tests' / 'integration'
COLLECTION_USER_AGENT = 'dcops.bitbucket/'


class JudgedInstance:
    """Looks like a SimInstance: ``url`` is the front; ``control`` still talks to the simulator itself."""

    def __init__(self, instance, front):
        self.url = front.url
        self.ca_path = None
        self.control = instance.control
        self.simulator_url = instance.url
        self.front = front

    def __repr__(self):
        return 'JudgedInstance(%s -> %s)' % (self.url, self.simulator_url)


class Judges:
    """Prism and the front for one worker, started on first use; ``stats`` is written out at the end."""

    def __init__(self, instance, spec_conformance, workdir):
        self.prism = PrismProcess(derived_spec(spec_conformance.spec, workdir), instance.url)
        self.front = JudgedFront(instance.url, self.prism.url)
        self.conformance = spec_conformance
        self.instance = JudgedInstance(instance, self.front)
        self.kinds = Counter()
        self.tests = 0

    def problems(self, test_id):
        """What the judges refuse in the traffic since the last call; every finding is counted by kind."""
        self.tests += 1
        problems = []
        for violation in self.front.findings.take():
            where = '%s %s -> %s: %s' % (violation['method'], violation['path'], violation['status'],
                                         violation['message'])
            if violation['location'][:1] == ['request']:
                self.kinds['request violation'] += 1
                problems.append('Prism, request: ' + where)
                continue
            defect = self.conformance.explain_violation(violation)
            self.kinds['response violation: ' + (defect or 'unexplained')] += 1
            if defect is None:
                problems.append('Prism, answer (no named spec defect explains it): ' + where)
        for sent in self.front.findings.take_requests():
            if not sent['user_agent'].startswith(COLLECTION_USER_AGENT):
                continue  # a test's own request (ansible.builtin.uri markers), not the collection's
            for problem in self.conformance.undeclared_inputs(sent['method'], sent['path'], sent['query'],
                                                              sent['body']):
                self.kinds['undeclared input'] += 1
                problems.append(problem)
        if problems:
            self._append('problems', {'test': test_id, 'problems': problems})
        self._append('stats', self._stats())
        return problems

    def _stats(self):
        findings = self.front.findings
        return {'tests': self.tests, 'checked_by_prism': findings.checked, 'direct': findings.direct,
                'kinds': dict(self.kinds), 'prism_startup_seconds': round(self.prism.startup_seconds, 2)}

    def _append(self, name, record):
        run = FINDINGS_DIR / os.environ.get('PYTEST_XDIST_TESTRUNUID', 'run-%d' % os.getpid())
        run.mkdir(parents=True, exist_ok=True)
        worker = os.environ.get('PYTEST_XDIST_WORKER', 'main')
        with open(run / ('%s-%s.jsonl' % (name, worker)), 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(record) + '\n')

    def stop(self):
        self.front.stop()
        self.prism.stop()


def is_integration_test(request):
    return INTEGRATION in Path(str(request.node.path)).resolve().parents
