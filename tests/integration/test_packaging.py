"""What users get from Galaxy: the built tarball, installed with ansible-galaxy, documented, and working.

The collection is built with ``ansible-galaxy collection build`` and installed into a temporary collections path
once per module; everything that follows uses only that installed copy (never the source tree): the execution
environment build context, ansible-doc and antsibull-docs, and playbooks/enforce_token_expiry.yml against the
simulator. The changelog is linted and released from the fragments in a staged copy.
"""

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from oauth_support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, VAULT_PASSWORD, read_store, seeded_store
from test_awx_credential_type import fake_awx_collection

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GALAXY = yaml.safe_load((REPO / 'galaxy.yml').read_text())
FQCN = '%s.%s' % (GALAXY['namespace'], GALAXY['name'])
MODULES = sorted(path.stem for path in (REPO / 'plugins' / 'modules').glob('*.py') if path.stem != '__init__')


def run(command, env, cwd=None, timeout=300):
    completed = subprocess.run([str(part) for part in command], env=env, cwd=cwd, capture_output=True, text=True,
                               check=False, timeout=timeout)
    assert completed.returncode == 0, '%s: rc %d\n%s\n%s' % (
        ' '.join(map(str, command[:3])), completed.returncode, completed.stdout[-5000:], completed.stderr[-5000:])
    return completed


@pytest.fixture(scope='module')
def installed(tmp_path_factory, collection_env):
    """The tarball built from the work tree and installed into an empty collections path that nothing else uses."""
    dist = tmp_path_factory.mktemp('dist')
    collections = tmp_path_factory.mktemp('collections')
    env = dict(collection_env, ANSIBLE_COLLECTIONS_PATH=str(collections))
    run([BIN / 'ansible-galaxy', 'collection', 'build', REPO, '--output-path', dist], env)
    (tarball,) = dist.glob('*.tar.gz')
    run([BIN / 'ansible-galaxy', 'collection', 'install', '--offline', '--force', tarball, '-p', collections], env)
    root = collections / 'ansible_collections' / GALAXY['namespace'] / GALAXY['name']
    return SimpleNamespace(tarball=tarball, collections=collections, root=root, env=env)


def test_tarball_holds_what_users_need_and_nothing_else(installed):
    with tarfile.open(installed.tarball) as archive:
        names = set(archive.getnames())
    manifest = json.loads((installed.root / 'MANIFEST.json').read_text())['collection_info']
    assert (manifest['namespace'], manifest['name'], manifest['version']) == (
        GALAXY['namespace'], GALAXY['name'], GALAXY['version'])
    needed = {'README.md', 'COPYING', 'meta/runtime.yml', 'meta/execution-environment.yml', 'requirements.txt', 'bindep.txt',
              'extensions/awx/credential_type.yml', 'docs/awx.md', 'changelogs/changelog.yaml',
              'roles/oauth_session/tasks/main.yml', 'roles/oauth_session/tasks/persist_git.yml',
              'roles/oauth_session/meta/argument_specs.yml', 'playbooks/register_awx_credential_type.yml',
              'playbooks/enforce_token_expiry.yml', 'playbooks/bootstrap_oauth.yml', 'playbooks/manage_users.yml'}
    needed |= {'plugins/modules/%s.py' % name for name in MODULES}
    assert needed <= names, 'missing from the tarball: %s' % sorted(needed - names)
    # A rule, not a frozen list: test results, Molecule secrets and benchmark output never ship.
    unwanted = [name for name in names if name.split('/')[0] in ('.venv', '.nox', '.git', 'build', '.pytest_cache')
                or name.startswith(('docs/dev', 'tests/output', 'tests/reliability/results', 'tests/bench/results'))
                or '/molecule/' in '/' + name or '__pycache__' in name or name.endswith(('.pyc', '.log'))
                or 'vault-password' in name]
    assert not unwanted, 'in the tarball but not meant for users: %s' % unwanted[:10]


EE_DEFINITION = """\
version: 3
images:
  base_image:
    name: quay.io/ansible/awx-ee:latest
dependencies:
  galaxy: requirements.yml
additional_build_files:
  - src: {tarball}
    dest: collections
"""


def test_execution_environment_build_context(installed, tmp_path):
    """ansible-builder create (no container engine) for an EE that installs the tarball, then the two build steps
    that read the collection's metadata, run as the generated Containerfile runs them: the galaxy stage installs
    _build/requirements.yml, the builder stage runs _build/scripts/introspect.py over what it installed."""
    (tmp_path / 'requirements.yml').write_text(yaml.safe_dump(
        {'collections': [{'name': 'collections/%s' % installed.tarball.name, 'type': 'file'}]}))
    (tmp_path / 'execution-environment.yml').write_text(EE_DEFINITION.format(tarball=installed.tarball))
    context = tmp_path / 'context'
    run([BIN / 'ansible-builder', 'create', '--file', tmp_path / 'execution-environment.yml', '--context', context,
         '--output-filename', 'Containerfile'], installed.env, cwd=tmp_path)

    build = context / '_build'
    assert (build / 'collections' / installed.tarball.name).read_bytes() == installed.tarball.read_bytes()
    assert 'ansible-galaxy collection install' in (context / 'Containerfile').read_text()

    image_collections = tmp_path / 'usr-share-ansible-collections'
    env = dict(installed.env, ANSIBLE_COLLECTIONS_PATH=str(image_collections))
    run([BIN / 'ansible-galaxy', 'collection', 'install', '--offline', '-r', 'requirements.yml', '-p',
         image_collections], env, cwd=build)
    assert (image_collections / 'ansible_collections' / 'dcops' / 'bitbucket' / 'meta' /
            'execution-environment.yml').is_file()
    pip, bindep = tmp_path / 'requirements.txt', tmp_path / 'bindep.txt'
    run([sys.executable, build / 'scripts' / 'introspect.py', 'introspect', '--write-pip', pip,
         '--write-bindep', bindep, image_collections], env)
    assert pip.read_text().splitlines() == ['requests>=2.25  # from collection dcops.bitbucket']
    assert bindep.read_text().splitlines() == ['git [platform:rpm]  # from collection dcops.bitbucket',
                                               'git [platform:dpkg]  # from collection dcops.bitbucket']


def test_documentation_renders_from_the_installed_collection(installed):
    names = ['%s.%s' % (FQCN, name) for name in MODULES]
    docs = json.loads(run([BIN / 'ansible-doc', '--json', '-t', 'module', *names], installed.env).stdout)
    assert sorted(docs) == names
    for name, entry in docs.items():
        documentation = entry['doc']
        assert documentation['short_description'] and documentation['description'], name
        assert documentation['options'] and documentation.get('attributes'), name
        assert 'EXAMPLES' not in entry or entry['examples'] is not None
        assert (entry.get('examples') or '').count('- name:') >= 2, '%s: EXAMPLES too thin' % name
        assert entry.get('return'), '%s: RETURN is empty' % name
        assert all(value.get('description') for value in entry['return'].values()), name
        assert documentation['collection'] == FQCN

    role = json.loads(run([BIN / 'ansible-doc', '--json', '-t', 'role', '%s.oauth_session' % FQCN],
                          installed.env).stdout)['%s.oauth_session' % FQCN]
    options = role['entry_points']['main']['options']
    assert {'bitbucket_url', 'bitbucket_oauth_client_secret', 'bitbucket_oauth_token_store',
            'bitbucket_oauth_token_store_git_push', 'bitbucket_oauth_token_store_git_branch'} <= set(options)
    assert all(option.get('description') for option in options.values())

    plain = run([BIN / 'ansible-doc', '-t', 'module', '%s.bitbucket_oauth_token' % FQCN], installed.env).stdout
    assert 'EXAMPLES:' in plain and 'RETURN VALUES:' in plain

    lint = run([BIN / 'antsibull-docs', 'lint-collection-docs', '--plugin-docs', installed.root],
               dict(installed.env, PATH=os.pathsep.join([str(BIN), installed.env['PATH']])))
    assert 'error' not in (lint.stdout + lint.stderr).lower()


def test_changelog_lints_and_releases_from_the_fragments(tmp_path, collection_env):
    env = dict(collection_env, ANSIBLE_COLLECTIONS_PATH=str(tmp_path / 'stage'))
    run([BIN / 'antsibull-changelog', 'lint'], env, cwd=REPO)
    run([BIN / 'antsibull-changelog', 'lint-changelog-yaml', REPO / 'changelogs' / 'changelog.yaml'], env, cwd=REPO)
    stage = Path(run([sys.executable, REPO / 'tests' / 'tooling' / 'stage_collection.py', tmp_path / 'stage'],
                     env, cwd=REPO).stdout.strip())
    fragments = [yaml.safe_load(path.read_text()) for path in sorted((stage / 'changelogs' / 'fragments').glob('*.yml'))]
    assert fragments, 'no changelog fragments'

    run([BIN / 'antsibull-changelog', 'release'], env, cwd=stage)

    changelog = (stage / 'CHANGELOG.rst').read_text()
    assert 'v%s' % GALAXY['version'] in changelog
    flat = ' '.join(changelog.split())
    config = yaml.safe_load((stage / 'changelogs' / 'config.yaml').read_text())
    published = {name for name, dummy in config['sections']} | {config['prelude_section_name']}
    for fragment in fragments:
        for section, entries in fragment.items():
            if section not in published:  # trivial: deliberately not in the changelog
                continue
            for entry in [entries] if isinstance(entries, str) else entries:
                assert ' '.join(entry.split())[:60] in flat, 'fragment entry missing from CHANGELOG.rst: %s' % entry
    assert all('%s.%s' % (FQCN, name) in changelog for name in MODULES), 'new modules are listed'
    if not yaml.safe_load((REPO / 'changelogs' / 'changelog.yaml').read_text())['releases']:
        # Nothing was released before: no release can fix a bug or a vulnerability of code nobody had.
        assert not any(set(fragment) & {'bugfixes', 'security_fixes'} for fragment in fragments)
        assert 'Bugfixes' not in changelog and 'Security Fixes' not in changelog
    released = yaml.safe_load((stage / 'changelogs' / 'changelog.yaml').read_text())
    assert GALAXY['version'] in released['releases']


def test_enforce_playbook_runs_from_the_installed_copy(installed, sim, tmp_path):
    store = tmp_path / 'prod.vault.yml'
    before = seeded_store(sim, store)
    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(yaml.safe_dump({'bitbucket_instances': {'hosts': {'prod': {
        'ansible_python_interpreter': sys.executable,
        'bitbucket_url': sim.url, 'bitbucket_oauth_client_id': CLIENT_ID,
        'bitbucket_oauth_client_secret': CLIENT_SECRET, 'bitbucket_oauth_redirect_uri': REDIRECT_URI,
        'bitbucket_oauth_token_store': str(store), 'bitbucket_access_token_max_expiry_days': 30}}}}))
    password_file = tmp_path / 'vault-password'
    password_file.write_text(VAULT_PASSWORD)
    env = dict(installed.env, ANSIBLE_VAULT_PASSWORD_FILE=str(password_file))
    env.pop('ANSIBLE_CALLBACKS_ENABLED', None)

    output = run([BIN / 'ansible-playbook', '-i', inventory, '%s.enforce_token_expiry' % FQCN], env,
                 cwd=tmp_path).stdout

    assert 'prod' in output and 'failed=0' in output
    assert sim.control.state()['policy'] == {'maxExpiryDays': 30}
    (refresh,) = sim.control.requests(family='token')
    assert 'refresh_token=%s' % before['refresh_token'] in refresh['body']
    assert read_store(store)['refresh_token'] != before['refresh_token']
    assert str(REPO) not in output


def test_awx_registration_playbook_runs_by_name_from_the_installed_copy(installed, tmp_path):
    """As docs/awx.md tells users to run it; a stand-in awx.awx takes the place of the controller."""
    paths = os.pathsep.join([str(installed.collections), fake_awx_collection(tmp_path / 'fake')])
    output = run([BIN / 'ansible-playbook', '%s.register_awx_credential_type' % FQCN],
                 dict(installed.env, ANSIBLE_COLLECTIONS_PATH=paths), cwd=tmp_path).stdout
    assert 'localhost' in output and 'changed=1' in output and 'failed=0' in output
