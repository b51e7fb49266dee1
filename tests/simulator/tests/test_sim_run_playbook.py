"""The run_playbook and collection_env fixtures: the collection resolves, results come back as JSON, no_log holds."""

import subprocess

import yaml
from conftest import REPO

PLAYBOOK = '''
- name: Probe the simulator
  hosts: all
  gather_facts: false
  tasks:
    - name: Read application properties
      ansible.builtin.uri:
        url: "{{ sim_url }}/rest/api/latest/application-properties"
        return_content: true
      register: props

    - name: Hidden secret
      ansible.builtin.debug:
        msg: "{{ secret }}"
      no_log: true

    - name: Fail on purpose
      ansible.builtin.fail:
        msg: "stop here"
      when: fail_now | default(false)
'''


def test_collection_env_puts_this_collection_on_the_path(collection_env):
    listed = subprocess.run(['ansible-galaxy', 'collection', 'list', 'dcops.bitbucket'], env=collection_env,
                            capture_output=True, text=True, check=True)
    version = yaml.safe_load((REPO / 'galaxy.yml').read_text())['version']
    assert 'dcops.bitbucket' in listed.stdout and version in listed.stdout


def test_run_playbook_returns_task_results_and_honours_no_log(sim, run_playbook, tmp_path):
    playbook = tmp_path / 'probe.yml'
    playbook.write_text(PLAYBOOK)
    result = run_playbook(str(playbook), extra_vars={'sim_url': sim.url, 'secret': 'S3CRET-value'})
    props = result.task_result('Read application properties')
    assert props['host'] == 'localhost' and props['json']['version'] == '9.2.0' and props['status'] == 200
    hidden = result.task_result('Hidden secret')
    assert 'S3CRET-value' not in str(hidden) and 'S3CRET-value' not in result.stdout
    assert result.task_results('Fail on purpose')[0]['skipped'] is True
    assert result.json['stats']['localhost']['failures'] == 0
    assert [e['path'] for e in sim.control.requests()] == ['/rest/api/latest/application-properties']

    failed = run_playbook(str(playbook), extra_vars={'sim_url': sim.url, 'secret': 'x', 'fail_now': True}, expect_rc=2)
    assert failed.task_result('Fail on purpose')['msg'] == 'stop here'
