# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Three scheduled AWX jobs on the Vault token store: each in a throw-away private data directory, the Bitbucket
credential's Vault inputs injected as AWX injects them, ansible-runner starting ansible-playbook. No Git push and
no vault password: the rotated refresh token reaches the next job through Vault alone."""

from __future__ import annotations

import ansible_runner
import yaml

from oauth_support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI
from test_awx_credential_type import inject_credential, load_definition
from test_awx_job import HOUR, SITE, job_output, runner_env
from vault_sessions import assert_no_secret, refresh_tokens_sent, seeded_secret
from vault_support import JOB_POLICY

ACCESS_TOKEN_TTL = 200
GROUP_VARS = {'bitbucket_oauth_token_store': 'bitbucket/awx/{{ inventory_hostname }}',
              'bitbucket_access_token_max_expiry_days': 90}


def launch(root, number, definition, inputs, base_env, job_type='run'):
    private_data_dir = root / ('job%d' % number)
    project = private_data_dir / 'project'
    (project / 'inventory' / 'group_vars').mkdir(parents=True)
    (private_data_dir / 'env').mkdir()
    (project / 'site.yml').write_text(SITE)
    (project / 'inventory' / 'hosts.yml').write_text(yaml.safe_dump(
        {'bitbucket_instances': {'hosts': {'bitbucket-prod': {}}}}))
    (project / 'inventory' / 'group_vars' / 'bitbucket_instances.yml').write_text(yaml.safe_dump(GROUP_VARS))
    env, args = inject_credential(definition, inputs, private_data_dir)
    env.update(base_env)
    args += ['--check'] * (job_type == 'check')
    return ansible_runner.run(private_data_dir=str(private_data_dir), playbook='site.yml',
                              inventory=str(project / 'inventory' / 'hosts.yml'), cmdline=' '.join(args),
                              envvars=env, quiet=True, timeout=300)


def test_scheduled_jobs_keep_the_rotated_token_in_vault(sim, bao, collection_env, tmp_path):
    path = 'bitbucket/awx/bitbucket-prod'
    first = seeded_secret(sim, bao.admin, path)
    sim.control.config(access_token_ttl=ACCESS_TOKEN_TTL)
    bao.admin.enable_kv('awx-kv')
    bao.admin.kv_put('awx-kv', path, first, cas=0)
    bao.admin.policy('awx-job', JOB_POLICY, mount='awx-kv', path=path)
    role_id, secret_id = bao.admin.approle('awx-job', ['awx-job'])
    inputs = {'url': sim.url, 'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET, 'redirect_uri': REDIRECT_URI,
              'vault_url': bao.url, 'vault_role_id': role_id, 'vault_secret_id': secret_id,
              'vault_mount_point': 'awx-kv'}
    definition = load_definition()
    base_env = runner_env(collection_env, tmp_path)
    root = tmp_path / 'awx'

    outputs, stores = [], [first]
    for number, job_type in enumerate(('run', 'run', 'check'), start=1):
        if number > 1:
            sim.control.advance_clock(HOUR)
            sim.control.clear_requests()
        outputs.append(job_output(launch(root, number, definition, inputs, base_env, job_type)))
        secret, version = bao.admin.kv_get('awx-kv', path)
        assert refresh_tokens_sent(sim) == [stores[-1]['refresh_token']], 'job %d refreshed once' % number
        assert version == number + 1 and secret['refresh_token'] != stores[-1]['refresh_token']
        assert sim.control.state()['valid_refresh_tokens'] == [secret['refresh_token']]
        stores.append(secret)
    assert bao.admin.kv_get('secret', path)[0] == first, 'only the mount of the credential was written'
    assert not list(root.rglob('*.vault.yml')) and not list(root.rglob('.git')), 'no file store, no Git'

    secrets = {'client secret': CLIENT_SECRET, 'secret_id': secret_id}
    for index, store in enumerate(stores):
        secrets['refresh token %d' % index] = store['refresh_token']
        secrets['access token %d' % index] = store['access_token']
    assert_no_secret(outputs, secrets)
