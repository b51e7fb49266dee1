"""Scheduled AWX jobs, one after the other, run the way AWX runs them, against a TLS simulator.

What AWX does for each job, and this test repeats:
- project update: the controller's project cache fetches the project's Git repository;
- a fresh private data directory; the project copied into it as ``git clone --depth 1 --single-branch`` of the
  cache on a temporary ``awx_internal/<uuid>`` branch (awx RunProjectUpdate.make_local_copy), so ``origin`` is the
  cache, not the Git server;
- the custom credential injected by its injectors (env, a CA file under ``env/``, extra vars as ``-e @file``:
  test_awx_credential_type.inject_credential), the Vault credential as ``--ask-vault-pass`` with the prompt
  answered through ansible-runner's ``passwords`` (awx RunJob.build_args / get_password_prompts);
- ansible-runner starts ansible-playbook in the project directory.

The project is a GitOps repository holding a playbook that imports dcops.bitbucket.enforce_token_expiry, the
inventory, and the vault-encrypted token store, which the role pushes back to the Git server after a refresh.
Between the jobs the simulator's clock moves on an hour, so the previous job's access token is dead there. The
third job is a check job (``--check``): it still refreshes, so it must still push the rotated store.
"""

import re
import subprocess
import sys
import uuid
from pathlib import Path

import ansible_runner
import pytest
import yaml

from oauth_support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, VAULT_PASSWORD, read_store, seeded_store
from test_awx_credential_type import inject_credential, load_definition
from test_awx_git_persist import GIT_ENV, git

# Shorter than the role's default min_validity (300 s): the controller refreshes on every job, as it would after
# the real hour between scheduled jobs; the simulator's clock is moved by that hour too.
ACCESS_TOKEN_TTL = 200
HOUR = 3600
MAX_EXPIRY_DAYS = 90

SITE = """\
- name: Enforce HTTP access-token expiry
  ansible.builtin.import_playbook: dcops.bitbucket.enforce_token_expiry
"""

GROUP_VARS = {
    'bitbucket_oauth_token_store': 'tokens/{{ inventory_hostname }}.vault.yml',  # relative to the project
    'bitbucket_oauth_token_store_git_push': True,
    'bitbucket_oauth_token_store_git_branch': 'main',
    'bitbucket_access_token_max_expiry_days': MAX_EXPIRY_DAYS,
}


class Controller:
    """The parts of AWX that run a job template: project cache, per-job project copy, injection, runner."""

    def __init__(self, root, server, definition, inputs, base_env):
        self.root = root
        self.server = server
        self.cache = root / 'projects' / '_8__bitbucket_config'
        self.definition = definition
        self.inputs = inputs
        self.base_env = base_env
        self.jobs = 0
        git('clone', '--quiet', str(server), str(self.cache))

    def update_project(self):
        git('fetch', '--quiet', 'origin', cwd=self.cache)
        git('checkout', '--quiet', '--force', '-B', 'main', 'origin/main', cwd=self.cache)
        return git('rev-parse', 'HEAD', cwd=self.cache)

    def _copy_project(self, private_data_dir):
        branch = 'awx_internal/%s' % uuid.uuid4()
        git('branch', branch, 'HEAD', cwd=self.cache)
        git('clone', '--quiet', '--depth', '1', '--single-branch', '--branch', branch, self.cache.as_uri(),
            str(private_data_dir / 'project'))
        git('branch', '--quiet', '-D', branch, cwd=self.cache)

    def launch(self, job_type='run'):
        self.jobs += 1
        self.update_project()
        private_data_dir = self.root / ('job%d' % self.jobs)
        (private_data_dir / 'env').mkdir(parents=True)
        self._copy_project(private_data_dir)
        env, args = inject_credential(self.definition, self.inputs, private_data_dir)
        env.update(self.base_env)
        args += ['--check'] * (job_type == 'check') + ['--ask-vault-pass']
        return ansible_runner.run(
            private_data_dir=str(private_data_dir), playbook='site.yml',
            inventory=str(private_data_dir / 'project' / 'inventory' / 'hosts.yml'),
            cmdline=' '.join(args), envvars=env, passwords={r'Vault password:\s*?$': VAULT_PASSWORD},
            quiet=True, timeout=300)


def runner_env(collection_env, tmp_path):
    """What the execution environment provides: the collection, a Python with requests, git without config."""
    keep = ('ANSIBLE_CONFIG', 'ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH', 'ANSIBLE_HOME',
            'ANSIBLE_LOCAL_TEMP', 'ANSIBLE_REMOTE_TEMP', 'ANSIBLE_NOCOLOR', 'PATH')
    env = {name: collection_env[name] for name in keep}
    env.update(ANSIBLE_PYTHON_INTERPRETER=sys.executable, HOME=str(tmp_path / 'home'),
               GIT_CONFIG_NOSYSTEM='1', GIT_CONFIG_GLOBAL='/dev/null')
    return env


def project_repository(tmp_path, sim):
    """The Git server's bare repository with the first commit of the project; returns its path."""
    server = tmp_path / 'git-server' / 'bitbucket-config.git'
    work = tmp_path / 'project-authoring'
    git('init', '--quiet', '--bare', '--initial-branch=main', str(server))
    git('clone', '--quiet', str(server), str(work))
    (work / 'site.yml').write_text(SITE)
    (work / 'inventory' / 'group_vars').mkdir(parents=True)
    (work / 'inventory' / 'hosts.yml').write_text(yaml.safe_dump(
        {'bitbucket_instances': {'hosts': {'bitbucket-prod': {}}}}))
    group_vars = dict(GROUP_VARS, bitbucket_oauth_token_store_git_remote=server.as_uri())
    (work / 'inventory' / 'group_vars' / 'bitbucket_instances.yml').write_text(yaml.safe_dump(group_vars))
    (work / 'tokens').mkdir()
    seeded_store(sim, work / 'tokens' / 'bitbucket-prod.vault.yml')
    (work / '.gitignore').write_text('tokens/*.lock\ntokens/*.recovery-*\n')
    git('add', '.', cwd=work)
    git('commit', '--quiet', '-m', 'Bitbucket configuration and token store', cwd=work)
    git('push', '--quiet', 'origin', 'HEAD:refs/heads/main', cwd=work)
    return server


def server_store(server, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(subprocess.run(['git', 'show', 'main:tokens/bitbucket-prod.vault.yml'], cwd=server,
                                    env=GIT_ENV, capture_output=True, check=True).stdout)
    return read_store(path)


def job_output(run):
    assert run.status == 'successful', 'job %s (rc %s):\n%s' % (run.status, run.rc, run.stdout.read()[-6000:])
    return run.stdout.read()


def refresh_tokens_sent(sim):
    return [re.search(r'refresh_token=([^&]+)', entry['body']).group(1)
            for entry in sim.control.requests(family='token')]


@pytest.fixture
def tls_sim(sim_factory):
    (instance,) = sim_factory(1, tls=True)
    return instance


def test_scheduled_jobs_keep_the_rotated_token_through_git(tls_sim, collection_env, tmp_path):
    sim = tls_sim
    server = project_repository(tmp_path, sim)
    first_store = server_store(server, tmp_path, 'store0.yml')
    sim.control.config(access_token_ttl=ACCESS_TOKEN_TTL)
    inputs = {'url': sim.url, 'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET, 'redirect_uri': REDIRECT_URI,
              'username': 'admin', 'password': 'admin-password', 'ca_bundle': Path(sim.ca_path).read_text()}
    awx = Controller(tmp_path / 'awx', server, load_definition(), inputs, runner_env(collection_env, tmp_path))

    # Job 1: the store's access token has expired; one refresh, the rotated store is pushed to the Git server.
    output = job_output(awx.launch())
    after_first = server_store(server, tmp_path, 'store1.yml')
    assert refresh_tokens_sent(sim) == [first_store['refresh_token']]
    assert after_first['refresh_token'] != first_store['refresh_token']
    assert sim.control.state()['valid_refresh_tokens'] == [after_first['refresh_token']]
    assert sim.control.state()['policy'] == {'maxExpiryDays': MAX_EXPIRY_DAYS}
    log = git('log', '--format=%an|%s', 'main', cwd=server).splitlines()
    assert log == ['dcops.bitbucket|Rotate the Bitbucket OAuth 2.0 token store [skip ci]',
                   'Test setup|Bitbucket configuration and token store']
    assert git('show', '--name-only', '--format=', 'main', cwd=server) == 'tokens/bitbucket-prod.vault.yml'
    outputs = [output]

    # An hour later the first job's access token is dead at Bitbucket. Job 2 starts from a fresh copy of the
    # project, finds the rotated refresh token there and refreshes exactly once with it.
    sim.control.advance_clock(HOUR)
    sim.control.clear_requests()
    outputs.append(job_output(awx.launch()))
    after_second = server_store(server, tmp_path, 'store2.yml')
    assert refresh_tokens_sent(sim) == [after_first['refresh_token']]
    assert after_second['refresh_token'] not in (after_first['refresh_token'], first_store['refresh_token'])
    assert sim.control.state()['valid_refresh_tokens'] == [after_second['refresh_token']]
    policy_calls = sim.control.requests(family='policy')
    assert policy_calls and all(entry['auth'] == 'bearer' and entry['status'] < 400 for entry in policy_calls)
    assert len(git('log', '--format=%H', 'main', cwd=server).splitlines()) == 3

    # A check job an hour later: nothing changes in Bitbucket, but the refresh it needs is persisted all the same.
    sim.control.advance_clock(HOUR)
    sim.control.clear_requests()
    outputs.append(job_output(awx.launch(job_type='check')))
    after_check = server_store(server, tmp_path, 'store3.yml')
    assert refresh_tokens_sent(sim) == [after_second['refresh_token']]
    assert sim.control.state()['valid_refresh_tokens'] == [after_check['refresh_token']]
    assert [entry['method'] for entry in sim.control.requests(family='policy')] == ['GET']
    assert len(git('log', '--format=%H', 'main', cwd=server).splitlines()) == 4

    # Nothing secret in either job's output.
    secrets = {'client secret': CLIENT_SECRET, 'vault password': VAULT_PASSWORD, 'basic password': 'admin-password'}
    for index, store in enumerate((first_store, after_first, after_second, after_check)):
        secrets['refresh token %d' % index] = store['refresh_token']
        secrets['access token %d' % index] = store['access_token']
    leaked = [name for name, value in secrets.items() if any(value in text for text in outputs)]
    assert not leaked, 'secrets in the job output: %s' % ', '.join(leaked)
