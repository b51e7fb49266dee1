# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The layout table of docs/dev/architecture.md lists every plugin file with its current job line."""

from __future__ import annotations

import importlib.util
from pathlib import Path

TOOL = Path(__file__).resolve().parents[1] / 'tooling' / 'layout_table.py'


def load():
    spec = importlib.util.spec_from_file_location('layout_table', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_layout_table_is_current():
    tool = load()
    page = tool.PAGE.read_text(encoding='utf-8')
    assert tool.rewritten(page) == page, 'docs/dev/architecture.md: the layout table is stale; run ' \
                                         'python tests/tooling/layout_table.py'


def test_every_plugin_file_is_a_row():
    tool = load()
    page = tool.PAGE.read_text(encoding='utf-8')
    listed = page.split(tool.BEGIN)[1].split(tool.END)[0]
    files = [path for path in (tool.REPO / 'plugins').rglob('*.py') if path.name != '__init__.py']
    assert files
    for path in files:
        assert '| `%s` |' % path.relative_to(tool.REPO) in listed


def test_a_new_plugin_file_makes_the_table_stale(tmp_path, monkeypatch):
    tool = load()
    repo = tmp_path / 'repo'
    (repo / 'plugins' / 'module_utils').mkdir(parents=True)
    (repo / 'docs' / 'dev').mkdir(parents=True)
    page = repo / 'docs' / 'dev' / 'architecture.md'
    monkeypatch.setattr(tool, 'REPO', repo)
    monkeypatch.setattr(tool, 'PAGE', page)
    (repo / 'plugins' / 'module_utils' / '_a.py').write_text('"""Does A. FOR INTERNAL COLLECTION USE ONLY."""\n')
    page.write_text('# Page\n\n%s\n%s\n' % (tool.BEGIN, tool.END))
    assert tool.main([]) == 0 and tool.main(['--check']) == 0
    assert '| `plugins/module_utils/_a.py` | Does A |' in page.read_text()
    (repo / 'plugins' / 'module_utils' / '_b.py').write_text('"""Does B; and more."""\n')
    assert tool.main(['--check']) == 1
    (repo / 'plugins' / 'module_utils' / '_c.py').write_text('X = 1\n')
    try:
        tool.main([])
    except ValueError as exc:
        assert '_c.py has no docstring' in str(exc)
    else:
        raise AssertionError('a plugin file without a docstring was accepted')
