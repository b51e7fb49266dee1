"""The oauth_session role's Git push path (roles/oauth_session/tasks/persist_git.yml) against real Git repositories.

One ansible-playbook run covers every case, one inventory host per case, each with its own clone of its own bare
"server" repository: nothing to commit, a push rejected because the branch moved on (rebased once, then pushed),
a conflict on the store itself (this run's store wins), a push that fails (readable message, no credentials
shown) and a store outside any work tree. The plain push is covered by test_awx_job.py. Git runs without any user or system configuration, as in an
execution environment.
"""

import subprocess
import urllib.parse

import pytest
import yaml

from ansible.parsing.vault import VaultLib

from oauth_support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, VAULT, VAULT_PASSWORD, read_store, seeded_store

PASSWORD_IN_URL = 's3cr3t-in-url'

PLAYBOOK = """\
- name: Persist each host's token store
  hosts: all
  gather_facts: false
  tasks:
    - name: Persist
      ansible.builtin.include_role:
        name: dcops.bitbucket.oauth_session
        tasks_from: persist_git
"""


# Git without any user or system configuration, as in an execution environment; the identity is for test setup.
GIT_ENV = {
    'PATH': '/usr/local/bin:/usr/bin:/bin',
    'GIT_CONFIG_NOSYSTEM': '1',
    'GIT_CONFIG_GLOBAL': '/dev/null',
    'GIT_AUTHOR_NAME': 'Test setup', 'GIT_AUTHOR_EMAIL': 'setup@example.invalid',
    'GIT_COMMITTER_NAME': 'Test setup', 'GIT_COMMITTER_EMAIL': 'setup@example.invalid',
}


def git(*args, cwd=None):
    completed = subprocess.run(['git', *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, 'git %s: %s%s' % (' '.join(args), completed.stdout, completed.stderr)
    return completed.stdout.strip()


class Case:
    """A bare 'server' repository with main holding tokens/store.vault.yml and README, and a clone of it."""

    def __init__(self, root, name):
        self.server = root / name / 'server.git'
        self.clone = root / name / 'clone'
        self.other = root / name / 'other'
        git('init', '--quiet', '--bare', '--initial-branch=main', str(self.server))
        git('clone', '--quiet', str(self.server), str(self.other))
        (self.other / 'tokens').mkdir()
        (self.other / 'tokens' / 'store.vault.yml').write_text('store v0\n')
        (self.other / 'README').write_text('config\n')
        git('add', '.', cwd=self.other)
        git('commit', '--quiet', '-m', 'initial', cwd=self.other)
        git('push', '--quiet', 'origin', 'HEAD:refs/heads/main', cwd=self.other)
        git('clone', '--quiet', str(self.server), str(self.clone))
        self.store = self.clone / 'tokens' / 'store.vault.yml'

    def push_from_other(self, path, content, message):
        """Someone else moves main on after our clone was made."""
        (self.other / path).write_text(content)
        git('commit', '--quiet', '-am', message, cwd=self.other)
        git('push', '--quiet', 'origin', 'HEAD:refs/heads/main', cwd=self.other)

    def server_log(self):
        return git('log', '--format=%an <%ae>|%s', 'main', cwd=self.server).splitlines()

    def server_file(self, path):
        return git('show', 'main:%s' % path, cwd=self.server)


def task_result(result, name, host):
    """The result of the role task ``name`` on ``host`` (task names carry the role's name as a prefix)."""
    found = [r for r in result.task_results('dcops.bitbucket.oauth_session : ' + name) if r['host'] == host]
    assert len(found) == 1, 'expected one result of %r on %s, got %d' % (name, host, len(found))
    return found[0]


@pytest.fixture
def cases(tmp_path):
    made = {name: Case(tmp_path, name) for name in ('unchanged', 'behind', 'conflict', 'denied')}
    made['behind'].store.write_text('store v1 behind\n')
    made['behind'].push_from_other('README', 'config, edited elsewhere\n', 'edit README elsewhere')
    made['conflict'].store.write_text('store v1 from this run\n')
    made['conflict'].push_from_other('tokens/store.vault.yml', 'store v1 from somewhere else\n', 'other store')
    made['denied'].store.write_text('store v1 denied\n')
    return made


def test_git_push_path(cases, tmp_path, run_playbook):
    outside = tmp_path / 'not-a-repo'
    outside.mkdir()
    (outside / 'store.vault.yml').write_text('store\n')
    hosts = {name: {'bitbucket_oauth_token_store': str(case.store)} for name, case in cases.items()}
    hosts['denied']['bitbucket_oauth_token_store_git_remote'] = 'http://bitbucket-bot:%s@127.0.0.1:9/none.git' % (
        PASSWORD_IN_URL)
    hosts['outside'] = {'bitbucket_oauth_token_store': str(outside / 'store.vault.yml')}
    playbook = tmp_path / 'persist.yml'
    playbook.write_text(PLAYBOOK)
    heads_before = {name: git('rev-parse', 'main', cwd=case.server) for name, case in cases.items()}

    result = run_playbook(playbook, inventory={'all': {'hosts': hosts}}, verbosity=3, expect_rc=2,
                          env={'GIT_CONFIG_NOSYSTEM': '1', 'GIT_CONFIG_GLOBAL': '/dev/null'})

    stats = result.json['stats']
    assert stats['unchanged']['changed'] == 0 and stats['unchanged']['failures'] == 0
    assert stats['behind']['failures'] == 0 and stats['conflict']['failures'] == 0
    assert stats['denied']['failures'] == 1 and stats['outside']['failures'] == 1

    # Nothing to commit: no commit, nothing pushed.
    assert git('rev-parse', 'main', cwd=cases['unchanged'].server) == heads_before['unchanged']
    assert git('rev-parse', 'HEAD', cwd=cases['unchanged'].clone) == heads_before['unchanged']

    # Rejected as non-fast-forward: rebased onto the other commit once, then pushed; the other change is kept.
    behind = cases['behind']
    assert behind.server_log() == [
        'dcops.bitbucket <dcops.bitbucket@localhost>|Rotate the Bitbucket OAuth 2.0 token store [skip ci]',
        'Test setup <setup@example.invalid>|edit README elsewhere', 'Test setup <setup@example.invalid>|initial']
    assert behind.server_file('tokens/store.vault.yml') == 'store v1 behind'
    assert behind.server_file('README') == 'config, edited elsewhere'

    # The store itself conflicts: the version this run wrote (the newest refresh token) wins.
    conflict = cases['conflict']
    assert conflict.server_file('tokens/store.vault.yml') == 'store v1 from this run'
    assert len(conflict.server_log()) == 3
    assert git('status', '--porcelain', cwd=conflict.clone) == ''

    # A push that cannot succeed fails readably, keeps the commit locally and never shows the URL's password.
    denied = cases['denied']
    assert git('rev-parse', 'main', cwd=denied.server) == heads_before['denied']
    assert git('log', '-1', '--format=%s', cwd=denied.clone) == 'Rotate the Bitbucket OAuth 2.0 token store [skip ci]'
    failure = task_result(result, 'Fail when the token store commit could not be pushed', host='denied')
    assert 'Could not push the commit of the rotated token store %s' % denied.store in failure['msg']
    assert 'http://127.0.0.1:9/none.git main' in failure['msg']
    assert 'ansible-playbook dcops.bitbucket.bootstrap_oauth' in failure['msg']
    assert PASSWORD_IN_URL not in result.stdout + result.stderr

    outside_failure = task_result(result, 'Fail when the token store is not in a Git work tree', host='outside')
    assert 'is not inside a Git work tree' in outside_failure['msg']
    assert str(outside / 'store.vault.yml') in outside_failure['msg']


SESSION_PLAYBOOK = """\
- name: OAuth 2.0 session from a token store kept in Git
  hosts: all
  connection: local
  gather_facts: false
  roles:
    - role: dcops.bitbucket.oauth_session
"""


def vault_env(tmp_path):
    password_file = tmp_path / 'vault-password.txt'
    password_file.write_text(VAULT_PASSWORD + '\n')
    return {'ANSIBLE_VAULT_PASSWORD_FILE': str(password_file)}


def clone_of(server, directory):
    git('clone', '--quiet', str(server), str(directory))
    return directory / 'tokens' / 'store.vault.yml'


def test_git_path_takes_the_store_another_job_pushed_after_invalid_grant(sim, sim_factory, run_playbook, tmp_path):
    """Two jobs cloned one remote holding refresh token R1. Job B refreshes (R1 -> R2) and pushes; job A, still on
    R1, is refused, fetches the remote's store and refreshes once with R2. A job whose remote holds nothing newer
    fails with the bootstrap hint, its store and the remote untouched."""
    (other,) = sim_factory(1)
    setup = tmp_path / 'setup'
    server = tmp_path / 'server.git'
    git('init', '--quiet', '--bare', '--initial-branch=main', str(server))
    store_setup = clone_of(server, setup)
    store_setup.parent.mkdir()
    (setup / '.gitignore').write_text('*.lock\n')
    original = seeded_store(sim, store_setup)
    git('add', '.', cwd=setup)
    git('commit', '--quiet', '-m', 'consent', cwd=setup)
    git('push', '--quiet', 'origin', 'HEAD:refs/heads/main', cwd=setup)
    store_a, store_b = clone_of(server, tmp_path / 'a'), clone_of(server, tmp_path / 'b')
    lonely_server = tmp_path / 'lonely.git'
    git('clone', '--quiet', '--bare', str(server), str(lonely_server))
    store_lonely = clone_of(lonely_server, tmp_path / 'lonely')
    dead = seeded_store(other, store_lonely, refresh_token='a-refresh-token-never-issued')
    git('commit', '--quiet', '-am', 'dead token', cwd=tmp_path / 'lonely')
    git('push', '--quiet', 'origin', 'HEAD:refs/heads/main', cwd=tmp_path / 'lonely')
    lonely_head = git('rev-parse', 'main', cwd=lonely_server)
    lonely_bytes = store_lonely.read_bytes()
    playbook = tmp_path / 'session.yml'
    playbook.write_text(SESSION_PLAYBOOK)
    common = {'bitbucket_oauth_client_id': CLIENT_ID, 'bitbucket_oauth_client_secret': CLIENT_SECRET,
              'bitbucket_oauth_redirect_uri': REDIRECT_URI, 'bitbucket_oauth_token_store_git_push': True}
    env = dict(vault_env(tmp_path), GIT_CONFIG_NOSYSTEM='1', GIT_CONFIG_GLOBAL='/dev/null')

    run_playbook(playbook, env=env, inventory={'all': {'vars': common, 'hosts': {
        'b': {'bitbucket_url': sim.url, 'bitbucket_oauth_token_store': str(store_b)}}}})
    pushed_by_b = yaml.safe_load(VaultLib(VAULT).decrypt(git('show', 'main:tokens/store.vault.yml', cwd=server)))
    assert pushed_by_b['refresh_token'] != original['refresh_token']

    # min_validity just under the token lifetime: B's fresh access token is not enough, so A must refresh with R2.
    result = run_playbook(playbook, env=env, expect_rc=2, inventory={'all': {'vars': common, 'hosts': {
        'a': {'bitbucket_url': sim.url, 'bitbucket_oauth_token_store': str(store_a),
              'bitbucket_oauth_min_validity': 3599},
        'lonely': {'bitbucket_url': other.url, 'bitbucket_oauth_token_store': str(store_lonely)}}}})

    stats = result.json['stats']
    assert stats['a']['failures'] == 0 and stats['lonely']['failures'] == 1
    sent = [dict(urllib.parse.parse_qsl(entry['body']))['refresh_token'] for entry in sim.control.requests('token')]
    assert sent == [original['refresh_token'], original['refresh_token'], pushed_by_b['refresh_token']], \
        'B with R1; A with R1 (refused), then once with the R2 B pushed'
    on_remote = yaml.safe_load(VaultLib(VAULT).decrypt(git('show', 'main:tokens/store.vault.yml', cwd=server)))
    assert sim.control.state()['valid_refresh_tokens'] == [on_remote['refresh_token']] == [read_store(store_a)[
        'refresh_token']], 'A pushed the refresh token it obtained, and it is the live one'
    assert git('status', '--porcelain', cwd=tmp_path / 'a') == ''

    failure = task_result(result, 'Fail with the reason no access token was obtained', host='lonely')
    assert 'invalid_grant' in failure['msg'] and 'ansible-playbook dcops.bitbucket.bootstrap_oauth' in failure['msg']
    assert 'a-refresh-token-never-issued' not in result.stdout + result.stderr
    assert len(other.control.requests('token')) == 1, 'nothing newer on the remote: no second attempt'
    assert store_lonely.read_bytes() == lonely_bytes and dead['refresh_token'] == read_store(store_lonely)[
        'refresh_token']
    assert git('rev-parse', 'main', cwd=lonely_server) == lonely_head
