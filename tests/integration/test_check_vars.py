"""dcops.bitbucket.bitbucket_check_vars in a real ansible-playbook run: one inventory host per case, checked against
the spec the collection's playbooks use, with the users and groups items checked against the modules' own item
options (read from their documentation). Nothing here talks to Bitbucket: the check runs before any request."""

import json

SECRET = 'check-vars-secret-Vw93'
USER = {'name': 'alice', 'display_name': 'Alice', 'email': 'alice@example.com', 'password': SECRET}

PLAYBOOK = """\
- name: Check variables
  hosts: all
  gather_facts: false
  tasks:
    - name: Check
      dcops.bitbucket.bitbucket_check_vars:
        argument_spec:
          bitbucket_url: {type: str, required: true}
          bitbucket_users: {type: list, elements: dict}
          bitbucket_groups: {type: list, elements: dict}
          bitbucket_username: {type: str}
          bitbucket_password: {type: str, no_log: true}
          bitbucket_min_validity: {type: int, default: 300}
        item_options:
          bitbucket_users: {module: dcops.bitbucket.bitbucket_user, option: users}
          bitbucket_groups: {module: dcops.bitbucket.bitbucket_group, option: groups}
        required_together:
          - [bitbucket_username, bitbucket_password]
"""

BASE = {'bitbucket_url': 'https://bitbucket.example.com', 'bitbucket_users': [USER], 'bitbucket_groups': [{'name': 'devs'}],
        'bitbucket_username': 'admin', 'bitbucket_password': SECRET}

# host: (variables over BASE, None when the check passes or the texts its message must hold)
CASES = {
    'fine': ({}, None),
    'templated': ({'bitbucket_url': '{{ "https://" ~ "bitbucket.example.com" }}', 'bitbucket_min_validity': '60'}, None),
    'templated_wrong': ({'bitbucket_url': '{{ ["https://bitbucket.example.com"] }}'}, ['bitbucket_url must be a string']),
    'user_unknown_key': ({'bitbucket_users': [dict(USER, colour='blue')]}, ['bitbucket_users[0]', 'colour']),
    'second_user_unknown_keys': ({'bitbucket_users': [USER, dict(USER, name='bob', colour='x', size=1)]},
                                 ['bitbucket_users[1]', 'colour, size']),
    'group_unknown_key': ({'bitbucket_groups': [{'name': 'devs', 'owner': 'x'}]}, ['bitbucket_groups[0]', 'owner']),
    'user_without_name': ({'bitbucket_users': [{'email': 'a@example.com'}]}, ['name', 'bitbucket_users']),
    'user_state_not_a_choice': ({'bitbucket_users': [dict(USER, state='gone')]}, ['state', 'bitbucket_users']),
    'password_a_dictionary': ({'bitbucket_users': [dict(USER, password={'key': SECRET})]},
                              ['bitbucket_users[0].password', 'string']),
    'url_a_list': ({'bitbucket_url': [SECRET]}, ['bitbucket_url must be a string']),
    'url_missing': ({'bitbucket_url': None}, ['bitbucket_url']),
    'password_alone': ({'bitbucket_username': None}, ['bitbucket_password is set, so bitbucket_username is required']),
    'username_alone': ({'bitbucket_password': None}, ['bitbucket_username is set, so bitbucket_password is required']),
    'users_not_a_list': ({'bitbucket_users': 'alice'}, ['bitbucket_users']),
}


def test_check_vars(run_playbook, tmp_path):
    playbook = tmp_path / 'check.yml'
    playbook.write_text(PLAYBOOK)
    hosts = {}
    for host, (variables, dummy) in CASES.items():
        hosts[host] = {key: value for key, value in dict(BASE, **variables).items() if value is not None}
    result = run_playbook(playbook, inventory={'all': {'hosts': hosts}}, verbosity=3, expect_rc=2)
    assert SECRET not in result.stdout + result.stderr
    for host, (variables, expected) in CASES.items():
        outcome = result.task_result('Check', host)
        assert SECRET not in json.dumps(outcome), host
        if expected is None:
            assert not outcome.get('failed'), (host, outcome.get('msg'))
            continue
        assert outcome.get('failed'), host
        for text in expected:
            assert text in outcome['msg'], (host, text, outcome['msg'])

    # Only the spec's own defaults come back, never a variable's value.
    assert result.task_result('Check', 'fine')['defaults'] == {'bitbucket_min_validity': 300}
    assert result.task_result('Check', 'templated')['defaults'] == {'bitbucket_min_validity': 300}


def test_item_options_of_an_unknown_module_fail_clearly(run_playbook, tmp_path):
    playbook = tmp_path / 'check.yml'
    playbook.write_text(PLAYBOOK.replace('dcops.bitbucket.bitbucket_group, option: groups',
                                         'dcops.bitbucket.no_such_module, option: groups'))
    result = run_playbook(playbook, inventory={'all': {'hosts': {'one': BASE}}}, expect_rc=2)
    message = result.task_result('Check', 'one')['msg']
    assert 'item_options.bitbucket_groups' in message and 'dcops.bitbucket.no_such_module' in message
