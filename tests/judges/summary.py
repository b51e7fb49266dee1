"""One line on the latest pytest run's judges: requests Prism checked, requests sent around it, findings by kind.

``python tests/judges/summary.py [build/judges/<run>]``; prints nothing when no integration test used Prism.
"""

import json
import sys
from collections import Counter
from pathlib import Path

FINDINGS_DIR = Path(__file__).resolve().parents[2] / 'build' / 'judges'


def latest_run():
    runs = [path for path in FINDINGS_DIR.glob('*') if path.is_dir() and list(path.glob('stats-*.jsonl'))]
    return max(runs, key=lambda path: path.stat().st_mtime) if runs else None


def summary(run):
    totals, kinds, startups = Counter(), Counter(), []
    for stats_file in sorted(run.glob('stats-*.jsonl')):
        lines = stats_file.read_text().splitlines()
        if not lines:
            continue
        stats = json.loads(lines[-1])  # a worker's running totals, written after each test
        totals.update({key: stats[key] for key in ('tests', 'checked_by_prism', 'direct')})
        kinds.update(stats['kinds'])
        startups.append(stats['prism_startup_seconds'])
    found = ', '.join('%s: %d' % item for item in sorted(kinds.items())) or 'none'
    return ('%(checked_by_prism)d requests checked by Prism, %(direct)d sent around it, in %(tests)d tests; '
            % totals + 'findings: %s; Prism startup %s s' % (found, ' / '.join('%.1f' % s for s in startups)))


def main(argv):
    run = Path(argv[1]) if len(argv) > 1 else latest_run()
    if run is not None:
        print(summary(run))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
