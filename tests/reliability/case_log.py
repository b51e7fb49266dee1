# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cases a reliability test tried, each with what was expected and what was observed.

A test asks the ``case_log`` fixture for a CaseLog, checks each case, then calls ``verify()``. Every case goes into the
test's ``user_properties`` as it is checked (so it reaches the pytest-xdist controller with the report), and
tests/reliability/conftest.py turns them into tests/reliability/results/suite.json and docs/reliability.md.

A case listed in ``known`` is one that does not hold yet: it is reported as such, and ``verify()`` fails as soon as it
holds (the strict-xfail rule), so the list cannot go stale.
"""

from __future__ import annotations

import re

PROPERTY = 'reliability_case'
MAX_OBSERVED = 400

# Values that differ between runs (ports, temporary paths, timings) are replaced, so that the generated page only
# changes when an outcome does.
_VOLATILE = (
    (re.compile(r'https?://127\.0\.0\.1:\d+'), '<sim>'),
    (re.compile(r'/(?:tmp|var/tmp|private/tmp)/[^\s\'",;:)]+'), '<path>'),
    (re.compile(r'\.recovery-\d{8}T\d{6}Z-\d+'), '.recovery-<stamp>'),
    (re.compile(r'\b\d+\.\d+ ?s\b'), '<t> s'),
    (re.compile(r"Valid booleans include: (?:'?\w+'?(?:, )?)+"), 'Valid booleans include: <the booleans>'),
    (re.compile(r'\s+'), ' '),
)


def normalise(text):
    """One line without run-specific values, at most MAX_OBSERVED characters."""
    text = str(text)
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    text = text.strip()
    return text if len(text) <= MAX_OBSERVED else text[:MAX_OBSERVED - 3] + '...'


class CaseLog:
    """Cases of one test, in one group of docs/reliability.md."""

    def __init__(self, node, group, known=None):
        self.node = node
        self.group = group
        self.known = dict(known or {})
        self.cases = []

    def check(self, name, expected, observed, holds):
        """Record one case; returns whether it holds."""
        entry = {'group': self.group, 'case': name, 'expected': expected, 'observed': normalise(observed),
                 'holds': bool(holds)}
        if name in self.known:
            entry['known'] = self.known[name]
        self.cases.append(entry)
        self.node.user_properties.append((PROPERTY, entry))
        return bool(holds)

    def verify(self):
        """Fail listing every case that does not hold unexpectedly, and every known case that holds now."""
        problems = []
        for case in self.cases:
            if not case['holds'] and 'known' not in case:
                problems.append('does not hold: %s\n    expected: %s\n    observed: %s'
                                % (case['case'], case['expected'], case['observed']))
            if case['holds'] and 'known' in case:
                problems.append('holds now, remove it from the known cases: %s' % case['case'])
        tried = set(case['case'] for case in self.cases)
        for name in sorted(set(self.known) - tried):
            problems.append('known case never tried (stale entry): %s' % name)
        summary = '%d of %d %s cases:' % (len(problems), len(self.cases), self.group)
        assert not problems, '\n'.join([summary] + problems)
