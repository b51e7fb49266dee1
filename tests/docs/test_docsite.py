"""The built docsite (make docs) as a reader sees it: headless Chromium renders a module page and a guide.

Screenshots go to build/docsite/screenshots/; the checks read the rendered DOM (--dump-dom), so what they find is
text Chromium laid out, not the RST. Chromium is installed with tests/tooling/install_chromium.sh where missing;
where it cannot be, the tests are skipped with a line saying why.
"""

import ast
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / 'build' / 'docsite' / 'build' / 'html' / 'collections' / 'dcops' / 'bitbucket'
SCREENSHOTS = REPO / 'build' / 'docsite' / 'screenshots'
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--no-first-run', '--disable-sync', '--disable-quic', '--hide-scrollbars']


@pytest.fixture(scope='module')
def chromium():
    if not shutil.which('chromium'):
        installed = subprocess.run([str(REPO / 'tests' / 'tooling' / 'install_chromium.sh')], capture_output=True,
                                   text=True, check=False, timeout=900)
        if installed.returncode != 0:
            pytest.skip('docsite test skipped: Chromium is not installed and could not be installed: %s'
                        % installed.stderr.strip()[-300:])
    return shutil.which('chromium')


@pytest.fixture(scope='module')
def site():
    assert (SITE / 'index.html').exists(), 'no docsite at %s: run make docs first' % SITE
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SITE


def _browse(chromium, page, tmp_path, *args):
    command = [chromium, *FLAGS, '--user-data-dir=%s' % (tmp_path / 'profile'), *args, page.as_uri()]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=180)
    assert completed.returncode == 0, 'chromium: rc %d\n%s' % (completed.returncode, completed.stderr[-3000:])
    return completed.stdout


def rendered_text(chromium, page, tmp_path):
    """The page's text after Chromium rendered it: the DOM without scripts, styles and tags, whitespace collapsed."""
    dom = _browse(chromium, page, tmp_path, '--dump-dom')
    dom = re.sub(r'(?is)<(script|style)\b.*?</\1>', ' ', dom)
    return ' '.join(html.unescape(re.sub(r'<[^>]+>', ' ', dom)).split())


def screenshot(chromium, page, tmp_path, name):
    path = SCREENSHOTS / name
    path.unlink(missing_ok=True)
    _browse(chromium, page, tmp_path, '--screenshot=%s' % path, '--window-size=1280,1600')
    header = path.read_bytes()[:24]
    assert header[:8] == b'\x89PNG\r\n\x1a\n' and int.from_bytes(header[16:20], 'big') == 1280, path
    print('screenshot: %s' % path)
    return path


def module_docs(name):
    """DOCUMENTATION, EXAMPLES and RETURN of plugins/modules/<name>.py, parsed."""
    tree = ast.parse((REPO / 'plugins' / 'modules' / (name + '.py')).read_text())
    values = {node.targets[0].id: node.value.value for node in tree.body
              if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', '') in ('DOCUMENTATION', 'EXAMPLES', 'RETURN')}
    return {key: yaml.safe_load(value) for key, value in values.items()}


def test_module_page_shows_options_examples_and_return_values(chromium, site, tmp_path):
    page = site / 'bitbucket_user_module.html'
    screenshot(chromium, page, tmp_path, 'bitbucket_user_module.png')
    text = rendered_text(chromium, page, tmp_path)
    docs = module_docs('bitbucket_user')
    assert 'dcops.bitbucket.bitbucket_user module' in text
    assert docs['DOCUMENTATION']['short_description'] in text
    for heading in ('Parameters', 'Examples', 'Return Values'):
        assert heading in text, 'no %r section on %s' % (heading, page.name)
    missing = [option for option in docs['DOCUMENTATION']['options'] if option not in text]
    assert not missing, 'options not rendered: %s' % missing
    missing = [key for key in docs['RETURN'] if key not in text]
    assert not missing, 'return values not rendered: %s' % missing
    example_names = [task['name'] for task in docs['EXAMPLES'] if 'name' in task]
    assert example_names and all(' '.join(name.split()) in text for name in example_names), example_names


def _markdown_headings(path):
    """Heading texts of a Markdown file (outside code fences), without inline markup."""
    headings, fenced = [], False
    for line in path.read_text().splitlines():
        if line.startswith('```'):
            fenced = not fenced
        elif not fenced and re.match(r'#{1,6} ', line):
            heading = re.sub(r'\[([^]]*)\]\([^)]*\)', r'\1', line.lstrip('#').strip())
            headings.append(re.sub(r'[`*]', '', heading))
    return headings


def test_guide_page_shows_every_heading_and_is_linked_from_the_index(chromium, site, tmp_path):
    page = site / 'docsite' / 'oauth.html'
    screenshot(chromium, page, tmp_path, 'guide_oauth.png')
    text = rendered_text(chromium, page, tmp_path)
    headings = _markdown_headings(REPO / 'docs' / 'oauth.md')
    assert len(headings) > 3
    missing = [heading for heading in headings if heading not in text]
    assert not missing, 'guide headings not rendered: %s' % missing
    index = rendered_text(chromium, site / 'index.html', tmp_path)
    assert 'Guides' in index and 'OAuth 2.0 setup and the token store' in index
