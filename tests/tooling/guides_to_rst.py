"""docs/<guide>.md -> docs/docsite/rst/<guide>.rst, the pages antsibull-docs renders beside the module docs.

The Markdown guides are the source (GitHub shows them); the RST copies are what the docsite and Galaxy render, since
antsibull-docs takes only RST extra docs. Run by make docs; ``--check`` only reports copies that are out of date.
Links between guides become :ref: links to the guide's (or heading's) label; links to other repository files
become links to the repository (galaxy.yml ``repository``).
"""

import argparse
import json
import re
import sys
from pathlib import Path

import pypandoc
import yaml
from pygments.lexers import find_lexer_class_by_name
from pygments.util import ClassNotFound

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / 'docs'
RST_DIR = DOCS / 'docsite' / 'rst'
GUIDES = ('oauth', 'token-expiry', 'users-as-code', 'groups-as-code', 'awx')  # extra-docs.yml lists the same
LABEL_PREFIX = 'ansible_collections.dcops.bitbucket.docsite.'
HEADER = '..\n  Generated from docs/{guide}.md by make docs (tests/tooling/guides_to_rst.py): edit the Markdown.\n\n'


def label(guide, anchor=None):
    return LABEL_PREFIX + guide + ('.' + anchor if anchor else '')


def _text(inlines):
    """The plain text of pandoc inlines (for the text of a :ref: link)."""
    parts = []
    for node in inlines:
        kind, content = node['t'], node.get('c')
        if kind in ('Str', 'Code'):
            parts.append(content if kind == 'Str' else content[1])
        elif kind in ('Space', 'SoftBreak', 'LineBreak'):
            parts.append(' ')
        elif isinstance(content, list) and content and isinstance(content[-1], list):
            parts.append(_text(content[-1]))
    return ''.join(parts).replace('<', r'\<').replace('`', r'\`')


def _target(guide, url, repository):
    """(label or None, url) for a Markdown link target."""
    if '://' in url or url.startswith('mailto:'):
        return None, url
    path, anchor = (url.split('#', 1) + [''])[:2]
    if not path:
        return label(guide, anchor), None
    resolved = (DOCS / path).resolve()
    if resolved.parent == DOCS and resolved.suffix == '.md' and resolved.stem in GUIDES:
        return label(resolved.stem, anchor or None), None
    return None, '%s/blob/main/%s%s' % (repository, resolved.relative_to(REPO).as_posix(), '#' + anchor if anchor else '')


def _known_lexer(name):
    try:
        return bool(find_lexer_class_by_name(name))
    except ClassNotFound:
        return False


def _parses(lexer, code):
    """False for a YAML sketch that is not YAML (antsibull-docs lint parses yaml code blocks)."""
    if lexer not in ('yaml', 'yml'):
        return True
    try:
        yaml.safe_load(code)
    except yaml.YAMLError:
        return False
    return True


def _walk(node, guide, repository):
    """Rewrites Link nodes in place; returns the node (or its replacement)."""
    if isinstance(node, list):
        return [_walk(item, guide, repository) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get('t') == 'CodeBlock':
        node['c'][0][1] = [name for name in node['c'][0][1] if _known_lexer(name) and _parses(name, node['c'][1])]
        return node
    if node.get('t') == 'Link':
        attr, inlines, (url, title) = node['c']
        ref, new_url = _target(guide, url, repository)
        if ref:
            return {'t': 'RawInline', 'c': ['rst', ':ref:`%s <%s>`' % (_text(inlines), ref)]}
        node['c'] = [attr, _walk(inlines, guide, repository), [new_url, title]]
        return node
    if 'c' in node:
        node['c'] = _walk(node['c'], guide, repository)
    return node


def _with_heading_labels(blocks, guide):
    """An RST label before every heading (and the guide's own label first), for :ref: links."""
    result = [{'t': 'RawBlock', 'c': ['rst', '.. _%s:' % label(guide)]}]
    for block in blocks:
        if block['t'] == 'Header':
            anchor = block['c'][1][0]
            block['c'][1][0] = ''  # pandoc would write its own label, without the collection's prefix
            if block['c'][0] > 1 and anchor:
                result.append({'t': 'RawBlock', 'c': ['rst', '.. _%s:' % label(guide, anchor)]})
        result.append(block)
    return result


def convert(guide, repository):
    document = json.loads(pypandoc.convert_file(str(DOCS / (guide + '.md')), 'json', format='gfm'))
    document['blocks'] = _with_heading_labels(_walk(document['blocks'], guide, repository), guide)
    rst = pypandoc.convert_text(json.dumps(document), 'rst', format='json', extra_args=['--wrap=none'])
    # pandoc writes a raw block right above the next one; a label needs a blank line before its heading
    rst = re.sub(r'^(\.\. _%s[^\n]*:)\n(?!\n)' % re.escape(LABEL_PREFIX), '\\1\n\n', rst, flags=re.M)
    return HEADER.format(guide=guide) + rst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true', help='report out-of-date copies, write nothing')
    args = parser.parse_args(argv)
    repository = yaml.safe_load((REPO / 'galaxy.yml').read_text())['repository'].rstrip('/')
    RST_DIR.mkdir(parents=True, exist_ok=True)
    stale = []
    for guide in GUIDES:
        path = RST_DIR / (guide + '.rst')
        text = convert(guide, repository)
        if not path.exists() or path.read_text() != text:
            stale.append(path.relative_to(REPO).as_posix())
            if not args.check:
                path.write_text(text)
    verb = 'out of date with docs/*.md (make docs rewrites them; commit them)' if args.check else 'rewritten from docs/*.md'
    print('guides: %d of %d RST pages %s%s' % (len(stale), len(GUIDES), verb, (': ' + ', '.join(stale)) if stale else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
