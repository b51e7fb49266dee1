"""Prints one line per ansible-core x Python pair from nox's --report file, then 'N passed, N failed, N skipped'."""

import json
import sys


def main(report_path):
    with open(report_path, encoding='utf-8') as report:
        sessions = json.load(report)['sessions']
    counts = {'success': 0, 'failed': 0, 'skipped': 0}
    for session in sessions:
        result = session['result']
        counts[result if result in counts else 'failed'] += 1
        reason = ' (%s)' % session['reason'] if session.get('reason') else ''
        print('%-40s %-8s %5.0f s%s' % (session['signatures'][0], result, session['duration'], reason))
    print('matrix: %d passed, %d failed, %d skipped' % (counts['success'], counts['failed'], counts['skipped']))
    return 1 if counts['failed'] else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
