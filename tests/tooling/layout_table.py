# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the layout table of docs/dev/architecture.md: every file under plugins/ with its one-line job.

The job line comes from the file itself, so the table cannot drift from the code: a module's short_description, a
doc fragment's name and options, otherwise the first sentence of the file's docstring. A plugin file without any of
these is an error (give it a docstring).

    python tests/tooling/layout_table.py          rewrite the table
    python tests/tooling/layout_table.py --check  exit 1 when the table is stale (tests/unit/test_layout_table.py)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / 'docs' / 'dev' / 'architecture.md'
BEGIN = '<!-- layout table: written by tests/tooling/layout_table.py, do not edit by hand -->'
END = '<!-- end of layout table -->'
COLLECTION = 'dcops.bitbucket'
# Said once in every private file's docstring; not part of its job.
BOILERPLATE = 'FOR INTERNAL COLLECTION USE ONLY.'


def first_sentence(text):
    paragraph = ' '.join(text.strip().split('\n\n')[0].split()).replace(BOILERPLATE, '').strip()
    for end in ('. ', '; '):
        if end in paragraph:
            paragraph = paragraph.split(end, maxsplit=1)[0]
    return paragraph.rstrip('.')


def assignments(tree):
    """Top-level and class-level string constants of a file: {name: text}."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def fragment_job(path, constants):
    names = []
    for attribute, text in constants.items():
        if attribute.isupper():
            suffix = '' if attribute == 'DOCUMENTATION' else '.' + attribute.lower()
            options = sorted((yaml.safe_load(text) or {}).get('options') or {})
            names.append('`%s.%s%s`%s' % (COLLECTION, path.stem, suffix,
                                          ' (%s)' % ', '.join(options) if options else ''))
    return 'doc fragment%s %s' % ('s' if len(names) > 1 else '', '; '.join(names))


def job(path):
    """The one-line job of a plugin file."""
    tree = ast.parse(path.read_text(encoding='utf-8'))
    constants = assignments(tree)
    if path.parent.name == 'doc_fragments':
        return fragment_job(path, constants)
    if path.parent.name == 'modules' and 'DOCUMENTATION' in constants:
        return yaml.safe_load(constants['DOCUMENTATION'])['short_description'].rstrip('.')
    docstring = ast.get_docstring(tree)
    if not docstring:
        raise ValueError('%s has no docstring saying what it is for' % path.relative_to(REPO))
    return first_sentence(docstring)


def table():
    rows = ['| file | job |', '|---|---|']
    for path in sorted((REPO / 'plugins').rglob('*.py')):
        if path.name != '__init__.py' and '__pycache__' not in path.parts:
            rows.append('| `%s` | %s |' % (path.relative_to(REPO), job(path).replace('|', '\\|')))
    return '\n'.join(rows)


def rewritten(page):
    if BEGIN not in page or END not in page:
        raise ValueError('%s has no layout table markers' % PAGE.relative_to(REPO))
    head, rest = page.split(BEGIN, 1)
    dummy, tail = rest.split(END, 1)
    return '%s%s\n%s\n%s%s' % (head, BEGIN, table(), END, tail)


def main(argv):
    page = PAGE.read_text(encoding='utf-8')
    new = rewritten(page)
    if '--check' in argv:
        if new != page:
            print('%s: the layout table is stale; run python tests/tooling/layout_table.py' % PAGE.relative_to(REPO))
            return 1
        return 0
    if new != page:
        PAGE.write_text(new, encoding='utf-8')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
