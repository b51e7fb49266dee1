# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input matrix: every option of every module, action, role variable and playbook variable, given values it
cannot take, is rejected before any request with a message naming it. The cases are generated from the specs
themselves (bad_input_cases.py), so a new option is covered the day it is added."""

from __future__ import annotations

import json
import socket
import sys

import yaml

from bad_input_cases import SECRET_IN_BAD_VALUE, Case, generated_cases, integer_options_without_range
from module_harness import ACTIONS, MODULES, action_spec, module_spec, run_action, run_module, warning_texts
from ansible.parsing.dataloader import DataLoader

from oauth_support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, VAULT, seeded_store
from playbook_runs import REPO, RunTree, has_traceback, run_ansible

ONE = {
    'bitbucket_user': {'name': 'alice', 'display_name': 'Alice', 'email': 'alice@example.com', 'password': 'pw-A-7'},
    'bitbucket_group': {'name': 'devs'},
    'bitbucket_access_token_policy': {'max_expiry_days': 30},
    'bitbucket_access_token_info': {},
    'bitbucket_access_token': {'state': 'absent', 'owner': 'alice', 'id': '1'},
}
MANY = {
    'bitbucket_user': {'users': [dict(ONE['bitbucket_user'])]},
    'bitbucket_group': {'groups': [{'name': 'devs'}]},
    'bitbucket_access_token': {'state': 'absent', 'tokens': [{'owner': 'alice', 'id': '1'}]},
}
BASIC_OPTIONS = ('url_username', 'url_password')


def names_held(message, names):
    """Each name (or one of its alternatives, when a tuple) occurs in the message."""
    return all(any(alt in message for alt in (name if isinstance(name, tuple) else (name,))) for name in names)


def shown(names):
    return ' and '.join(' or '.join(name) if isinstance(name, tuple) else name for name in names)


def judge_rejection(result, names, requests):
    """(observed, holds) of a case that must be refused before any request, naming the options."""
    message = result.get('msg') or ''
    problems = []
    if not result.get('failed'):
        problems.append('accepted')
    if not names_held(message, names):
        problems.append('the message does not name %s' % shown(names))
    if requests:
        problems.append('%d request(s) made' % requests)
    if SECRET_IN_BAD_VALUE in json.dumps(result):
        problems.append('the bad value (a secret) is shown')
    if has_traceback(result):
        problems.append('traceback')
    observed = '%srejected: %s' % ('PROBLEMS: %s. ' % '; '.join(problems) if problems else '', message) \
        if result.get('failed') else 'PROBLEMS: %s. accepted' % '; '.join(problems)
    return observed, not problems


def test_every_module_option(sim, case_log):
    log = case_log('Bad input')
    token = sim.control.issue_tokens('bad-input')['access_token']
    connection = {'url': sim.url, 'access_token': token, 'timeout': 5, 'retries': 0}
    basic = {'url': sim.url, 'url_username': 'admin', 'url_password': 'admin-password', 'timeout': 5, 'retries': 0}
    for name in MODULES:
        spec = module_spec(name)
        base, many = dict(connection, **ONE[name]), dict(connection, **MANY.get(name, {}))
        for arguments in [base] + ([many] if name in MANY else []):
            sim.control.clear_requests()
            result = run_module(name, arguments)
            assert sim.control.requests(), '%s did not accept its valid base arguments: %s' % (name, result)
        unranged = integer_options_without_range(spec['argument_spec'])
        log.check('%s: every integer option has a declared range' % name, 'a range (or none, said so) for each',
                  'missing for %s' % ', '.join(unranged) if unranged else 'all declared', not unranged)
        cases = generated_cases(name, spec['argument_spec'], base, many if name in MANY else None, spec,
                                swap_credentials=(BASIC_OPTIONS, dict(basic, **ONE[name])))
        for case in cases:
            sim.control.clear_requests()
            result = run_module(name, case.args)
            observed, holds = judge_rejection(result, case.names, len(sim.control.requests()))
            log.check(case.label, 'rejected before any request, naming %s' % shown(case.names), observed, holds)

        sim.control.clear_requests()
        result = run_module(name, dict(base, url='http://bitbucket.example.invalid'))
        warned = [text for text in warning_texts(result) if 'plain http://' in text and 'bitbucket.example.invalid'
                  in text]
        leaked = token in json.dumps(result)
        log.check('%s: a token over plain http:// to a host that is not loopback' % name,
                  'a warning naming plain http:// and the host; the token never shown',
                  '%s; %s; token shown: %s' % (warned[0] if warned else 'no warning', result.get('msg'), leaked),
                  bool(warned) and not leaked and not sim.control.requests())
    log.verify()


# The actions (controller-side modules), in this process too ----------------------------------------------------------
ALWAYS_REFRESH = 10 ** 7  # min_validity: an accepted case always refreshes, so that it shows in the request log


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def test_every_action_option(sim, case_log, tmp_path):
    log = case_log('Bad input')
    loader = DataLoader()
    loader.set_vault_secrets(VAULT)
    store = tmp_path / 'store.vault.yml'
    bases = {
        'bitbucket_oauth_token': {'url': sim.url, 'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET,
                                  'token_store': str(store), 'timeout': 5, 'min_validity': ALWAYS_REFRESH},
        'bitbucket_oauth_authorize': {'url': sim.url, 'client_id': CLIENT_ID, 'timeout': 1,
                                      'redirect_uri': 'http://127.0.0.1:%d/callback' % free_port()},
    }
    for name in ACTIONS:
        spec = action_spec(name)
        cases = generated_cases(name, spec['argument_spec'], bases[name], rules=spec)
        for case in cases:
            seeded_store(sim, store)
            result = run_action(name, case.args, loader)
            observed, holds = judge_rejection(result, case.names, len(sim.control.requests()))
            log.check(case.label, 'rejected before any request, naming %s' % shown(case.names), observed, holds)
    seeded_store(sim, store)
    result = run_action('bitbucket_oauth_token', bases['bitbucket_oauth_token'], loader)
    outcome = 'refreshed' if result.get('refreshed') else result.get('msg')
    log.check('bitbucket_oauth_token: the valid base arguments are accepted (so each rejection is due to its bad value)',
              'a refresh', '%s; %d token request(s)' % (outcome, len(sim.control.requests(family='token'))),
              bool(result.get('refreshed')))
    result = run_action('bitbucket_oauth_token', dict(bases['bitbucket_oauth_token'], url='http://bitbucket.example.invalid',
                                                      token_store=str(tmp_path / 'other.vault.yml'),
                                                      grant_type='client_credentials'), loader)
    warned = [text for text in result.get('warnings', []) if 'plain http://' in text and 'bitbucket.example.invalid'
              in text]
    log.check('bitbucket_oauth_token: client secret and tokens over plain http:// to a host that is not loopback',
              'a warning naming plain http:// and the host; the secret never shown',
              '%s; %s' % (warned[0] if warned else 'no warning', result.get('msg')),
              bool(warned) and CLIENT_SECRET not in json.dumps(result))
    log.verify()


# Role and playbook variables, through ansible-playbook ---------------------------------------------------------------
ROLE_SPEC = REPO / 'roles' / 'oauth_session' / 'meta' / 'argument_specs.yml'
# Role and playbook variables, and the module option each one is passed to: a message naming the option names it too.
FEEDS = {'bitbucket_url': 'url', 'bitbucket_oauth_client_id': 'client_id', 'bitbucket_oauth_client_secret':
         'client_secret', 'bitbucket_oauth_redirect_uri': 'redirect_uri', 'bitbucket_oauth_token_store': 'token_store',
         'bitbucket_oauth_min_validity': 'min_validity', 'bitbucket_oauth_scope': 'scope',
         'bitbucket_oauth_consent_timeout': 'timeout', 'bitbucket_oauth_force': 'force',
         'bitbucket_username': 'url_username', 'bitbucket_password': 'url_password', 'bitbucket_users': 'users',
         'bitbucket_groups': 'groups'}
BASELINES = {'enforce': 'enforce_token_expiry.yml with the oauth_session role', 'users': 'manage_users.yml'}
PLACEHOLDER_URL, PLACEHOLDER_STORE = 'http://placeholder.invalid', '/placeholder/store.vault.yml'


def playbook_spec(name):
    """The argument spec of a playbook's bitbucket_check_vars task (in a block or not)."""
    def tasks(entries):
        for task in entries:
            yield task
            for section in ('block', 'rescue', 'always'):
                yield from tasks(task.get(section, []))

    for play in yaml.safe_load((REPO / 'playbooks' / name).read_text()):
        for task in tasks(play.get('tasks', [])):
            if 'dcops.bitbucket.bitbucket_check_vars' in task:
                return task['dcops.bitbucket.bitbucket_check_vars']['argument_spec']
    raise AssertionError('%s has no bitbucket_check_vars task' % name)


def first_failure(run, host):
    """The first failed task result of a host (its message says why the host stopped), or {}."""
    for play in run.json.get('plays', []):
        for task in play['tasks']:
            entry = task['hosts'].get(host)
            if entry and entry.get('failed'):
                return entry
    return {}


def placed(sim_factory, cases, directory, stores=True):
    """Each case on its own simulator instance, with its own token store (only a path when stores is false), so that
    a request can be told to come from that case: [(case, variables, instance)]."""
    instances = sim_factory(len(cases))
    directory.mkdir(parents=True, exist_ok=True)
    result = []
    for index, (case, instance) in enumerate(zip(cases, instances)):
        store = directory / ('store-%03d.vault.yml' % index)
        if stores:
            seeded_store(instance, store)
        own = {PLACEHOLDER_URL: instance.url, PLACEHOLDER_STORE: str(store)}
        variables = {key: own.get(value, value) if isinstance(value, str) else value for key, value in case.args.items()}
        result.append((case, variables, instance))
    return result


def without_serial(name, directory):
    """A copy of a playbook whose plays run their hosts together (with serial: 1 the first failing case would end the
    play); nothing else changes."""
    plays = yaml.safe_load((REPO / 'playbooks' / name).read_text())
    for play in plays:
        play.pop('serial', None)
        play['vars_files'] = [str(REPO / 'playbooks' / path) for path in play.get('vars_files', [])]
        if not play['vars_files']:
            del play['vars_files']
    path = directory / name
    path.write_text(json.dumps(plays, indent=1))
    return path


def record(log, batch, run, prefix):
    for index, (case, variables, instance) in enumerate(batch):
        names = [(name, FEEDS[name]) if name in FEEDS else name for name in case.names]
        result = first_failure(run, '%s%03d' % (prefix, index)) or {'failed': False}
        observed, holds = judge_rejection(result, names, len(instance.control.requests()))
        log.check(case.label, 'rejected before any request, naming %s' % shown(names), observed, holds)


def test_every_role_and_playbook_variable(sim_factory, collection_env, case_log, tmp_path):
    log = case_log('Bad input')
    role_vars = {'bitbucket_url': PLACEHOLDER_URL, 'bitbucket_oauth_client_id': CLIENT_ID,
                 'bitbucket_oauth_client_secret': CLIENT_SECRET, 'bitbucket_oauth_token_store': PLACEHOLDER_STORE,
                 'bitbucket_oauth_redirect_uri': REDIRECT_URI, 'bitbucket_oauth_min_validity': ALWAYS_REFRESH}

    # enforce_token_expiry.yml runs the oauth_session role: the role's variables are tried through it.
    enforce_base = dict(role_vars, bitbucket_access_token_max_expiry_days=30)
    role_spec = yaml.safe_load(ROLE_SPEC.read_text())['argument_specs']['main']['options']
    role_cases = [case._replace(label=case.label.replace('enforce_token_expiry.yml', 'oauth_session role'))
                  for case in generated_cases('enforce_token_expiry.yml', role_spec, enforce_base, lean=True)]
    enforce_cases = generated_cases('enforce_token_expiry.yml', playbook_spec('enforce_token_expiry.yml'),
                                    enforce_base, lean=True)
    enforce_cases.append(Case('enforce_token_expiry.yml: bitbucket_password without bitbucket_username',
                              dict(enforce_base, bitbucket_password='pw'), ['bitbucket_username']))
    enforce = placed(sim_factory, role_cases + enforce_cases + [Case('baseline', enforce_base, [])],
                     tmp_path / 'enforce-stores')

    bootstrap_base = dict(role_vars, bitbucket_oauth_consent_timeout=1)
    del bootstrap_base['bitbucket_oauth_min_validity']
    bootstrap_cases = [case._replace(args=dict(case.args, bitbucket_oauth_redirect_uri='http://127.0.0.1:%d/cb'
                                               % free_port()))
                       if case.args.get('bitbucket_oauth_redirect_uri') == REDIRECT_URI else case
                       for case in generated_cases('bootstrap_oauth.yml', playbook_spec('bootstrap_oauth.yml'),
                                                   bootstrap_base, lean=True)]
    bootstrap = placed(sim_factory, bootstrap_cases, tmp_path / 'bootstrap-stores', stores=False)

    users_base = {'bitbucket_url': PLACEHOLDER_URL, 'bitbucket_username': 'admin',
                  'bitbucket_password': 'admin-password', 'bitbucket_groups': [{'name': 'devs'}],
                  'bitbucket_users': [{'name': 'alice', 'display_name': 'Alice', 'email': 'alice@example.com',
                                       'password': 'pw-Alice-7', 'groups': ['devs']}]}
    item = users_base['bitbucket_users'][0]
    users = placed(sim_factory, [
        Case('manage_users.yml: bitbucket_users given a dictionary', dict(users_base, bitbucket_users={'a': 1}),
             ['bitbucket_users']),
        Case('manage_users.yml: a bitbucket_users item that is not a dictionary',
             dict(users_base, bitbucket_users=['alice']), ['bitbucket_users']),
        Case('manage_users.yml: unknown key inside a bitbucket_users item',
             dict(users_base, bitbucket_users=[dict(item, unknown_key=1)]), ['bitbucket_users', 'unknown_key']),
        Case('manage_users.yml: unknown key inside a bitbucket_groups item',
             dict(users_base, bitbucket_groups=[{'name': 'devs', 'unknown_key': 1}]),
             ['bitbucket_groups', 'unknown_key']),
        Case('manage_users.yml: bitbucket_url without a scheme', dict(users_base, bitbucket_url='bitbucket.example.com'),
             ['bitbucket_url']),
        Case('manage_users.yml: bitbucket_password without bitbucket_username',
             {k: v for k, v in users_base.items() if k != 'bitbucket_username'}, ['bitbucket_username']),
        Case('baseline', users_base, []),
    ], tmp_path / 'users-stores', stores=False)

    # Two runs: enforce_token_expiry.yml, then manage_users.yml and bootstrap_oauth.yml together (other groups; the
    # play whose every host fails, which ends a run, goes last).
    runs = []
    for playbooks, groups in ((['enforce_token_expiry.yml'], {'bitbucket_instances': ('enforce', enforce)}),
                              (['manage_users.yml', 'bootstrap_oauth.yml'],
                               {'bootstrap_cases': ('bootstrap', bootstrap), 'bitbucket_instances': ('users', users)})):
        tree = RunTree(tmp_path / playbooks[0])
        wrapper = tree.inputs / 'playbook.yml'
        wrapper.write_text(json.dumps([{'import_playbook': str(without_serial(name, tree.inputs))}
                                       for name in playbooks]))
        inventory = {'all': {'vars': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable},
                             'children': {group: {'hosts': {'%s%03d' % (prefix, index): variables
                                                            for index, (dummy, variables, dummy2) in enumerate(batch)}}
                                          for group, (prefix, batch) in groups.items()}}}
        (tree.inputs / 'inventory.json').write_text(json.dumps(inventory))
        run = run_ansible(collection_env, tree, wrapper, tree.inputs / 'inventory.json', forks=16,
                          extra_args=['-e', json.dumps({'bitbucket_bootstrap_host': 'bootstrap_cases'})])
        assert run.json.get('stats'), 'the playbook did not run:\n%s\n%s' % (run.stdout[-3000:], run.stderr[-3000:])
        assert 'Traceback' not in run.stdout + run.stderr
        runs.append((run, groups))

    for run, groups in runs:
        for prefix, batch in groups.values():
            cases = [item for item in batch if item[0].label != 'baseline']
            record(log, cases, run, prefix)
            for index, (case, variables, instance) in enumerate(batch):
                if case.label == 'baseline':
                    log.check('%s: the valid base variables are accepted (so each rejection is due to its bad value)'
                              % BASELINES[prefix], 'the baseline host makes requests and succeeds',
                              '%d request(s); failed: %s' % (len(instance.control.requests()),
                                                             bool(first_failure(run, '%s%03d' % (prefix, index)))),
                              instance.control.requests() and not first_failure(run, '%s%03d' % (prefix, index)))
    log.verify()
