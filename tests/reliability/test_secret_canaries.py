# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secret canaries: every module and every playbook, on success and failure paths (401, 403, a 500 whose body echoes
the request, validation errors, diff and check mode), at -vvvv, with distinctive canary values for the client secret,
the tokens, the authorization code and PKCE verifier, Basic passwords, user passwords and the vault password. None
may appear in stdout, stderr, the JSON callback's output, the log, or any file the runs wrote outside the encrypted
store. Tokens the simulator issued during the runs are searched for too (harvested from its request log)."""

from __future__ import annotations

import queue
import socket
import subprocess
import threading
import time
import urllib.parse

import requests

from ansible.parsing.vault import VaultSecret

from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketHTTPError
from ansible_collections.dcops.bitbucket.plugins.module_utils._http import BitbucketClient
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._file_token_store import FileTokenStore
from playbook_runs import PLAYBOOKS, REPO, RunTree, playbook_command, playbook_env, run_ansible, write_inventory
from secret_scan import basic_header, find, harvest, scanned_files

# Canaries: each unique, and with the characters that URL-encoding, JSON or Base64 would spell differently.
CANARIES = {
    'client secret': 'cnryClientSecret-7Rk2+/=&%!',
    'wrong client secret': 'cnryWrongSecret-1Fe4+/=&',
    'Basic password': 'cnryBasicPw-4Lm9 :@+/',
    'Basic password of a user without admin rights': 'cnryViewerPw-2Hd5!#?',
    'user password 1': 'cnryUserPw1-9Qx&=+',
    'user password 2': 'cnryUserPw2-3Vd7 /?',
    'user password 3': 'cnryUserPw3-6Kc1%20',
    'user password 4': 'cnryUserPw4-8Jm2<>',
    'user password 5': 'cnryUserPw5-5Ne6;,',
    'authorization code': 'cnryAuthCode-5Tb8-',
    'PKCE code verifier': 'cnryCodeVerifier-0Sa3-',
    'refresh token': 'cnryRefreshTok-8Wz3-',
    'access token': 'cnryAccessTok-3Pn6-',
    'vault password': 'cnryVaultPw-6Ys1',
}
USER_PASSWORDS = [CANARIES['user password %d' % n] for n in range(1, 6)]
CLIENT_ID = 'canary-client'
REDIRECT_URI = 'http://127.0.0.1:8765/callback'
VAULT = [('default', VaultSecret(CANARIES['vault password'].encode()))]
SCOPE = 'SYSTEM_ADMIN'  # the tokens reach the tokens of the system administrators too


def seed(instance, redirect_uri=REDIRECT_URI):
    """Users (an administrator with the Basic canary, one without admin rights, alice), a token to revoke, the OAuth
    client with the secret canary. Returns the id of alice's token."""
    seeded = instance.control.seed(
        users=[{'name': 'ops', 'password': CANARIES['Basic password'], 'permission': 'SYS_ADMIN'},
               {'name': 'viewer', 'password': CANARIES['Basic password of a user without admin rights']},
               {'name': 'alice', 'password': 'alice-first-password'}],
        oauth_clients=[{'client_id': CLIENT_ID, 'client_secret': CANARIES['client secret'],
                        'redirect_uris': [redirect_uri]}],
        access_tokens=[{'user': 'alice', 'name': 'ci', 'permissions': ['REPO_READ']}])
    return seeded['access_tokens'][0]['id']


def store(instance, path, access_token=None, expires_at=None):
    """A token store as the consent leaves it, encrypted with the canary vault password."""
    tokens = instance.control.issue_tokens(CLIENT_ID, scope=SCOPE, access_expired=access_token is None)
    now = int(time.time())
    data = {'url': instance.url, 'client_id': CLIENT_ID, 'redirect_uri': REDIRECT_URI,
            'refresh_token': tokens['refresh_token'], 'refresh_token_issued_at': now,
            'access_token': access_token or tokens['access_token'], 'expires_at': expires_at or now - 10,
            'token_type': 'bearer', 'scope': ['ADMIN_WRITE']}
    path.parent.mkdir(parents=True, exist_ok=True)
    token_store = FileTokenStore(str(path), VAULT)
    with token_store.locked():
        token_store.create(data, force=True)
    return str(path)


def auth(kind, instance):
    """Connection variables of a scenario."""
    if kind == 'token':
        return {'canary_access_token': instance.control.issue_tokens(CLIENT_ID, scope=SCOPE)['access_token']}
    if kind == 'basic':
        return {'canary_username': 'ops', 'canary_password': CANARIES['Basic password']}
    if kind == '401':
        return {'canary_access_token': CANARIES['access token']}
    return {'canary_username': 'viewer', 'canary_password': CANARIES['Basic password of a user without admin rights']}


def run_scenarios(collection_env, tree, playbook, hosts, instances, group='all'):
    """The echo fault on the echo_500 host's instance, the inventory, and one -vvvv --diff run of the playbook."""
    instances['echo_500'].control.fault(action='echo', path='.*', times=None)
    inventory = write_inventory(tree.inputs / 'inventory.json', hosts, group=group)
    run = run_ansible(collection_env, tree, playbook, inventory, forks=len(hosts), verbosity=4, extra_args=['--diff'])
    return tree, run, list(instances.values())


def modules_run(sim_factory, collection_env, tmp_path):
    """canary_modules.yml: five scenarios, every module."""
    tree = RunTree(tmp_path / 'modules', CANARIES['vault password'])
    scenarios = {'token_ok': 'token', 'basic_ok': 'basic', 'unauthorized_401': '401', 'forbidden_403': '403',
                 'echo_500': 'token'}
    instances = dict(zip(scenarios, sim_factory(len(scenarios))))
    hosts = {}
    for host, kind in scenarios.items():
        instance = instances[host]
        revoke_id = seed(instance)
        plain = instance.control.issue_tokens(CLIENT_ID, scope=SCOPE)
        hosts[host] = dict(auth(kind, instance), bitbucket_url=instance.url, canary_revoke_id=revoke_id,
                           canary_client_id=CLIENT_ID, canary_redirect_uri=REDIRECT_URI,
                           canary_client_secret=CANARIES['wrong client secret' if kind == '401' else 'client secret'],
                           canary_token_store=store(instance, tree.scan / 'stores' / host / 'store.vault.yml'),
                           canary_refresh_token=CANARIES['refresh token'] if kind == '401' else plain['refresh_token'],
                           canary_code=CANARIES['authorization code'], canary_code_verifier=CANARIES['PKCE code verifier'],
                           canary_user_passwords=USER_PASSWORDS, canary_validation=host == 'token_ok')
    return run_scenarios(collection_env, tree, PLAYBOOKS / 'canary_modules.yml', hosts, instances)


def enforce_run(sim_factory, collection_env, tmp_path):
    """enforce_token_expiry.yml with the audit, revocation and report: OAuth, Basic, a 401 and an echoing 500."""
    tree = RunTree(tmp_path / 'enforce', CANARIES['vault password'])
    names = ('oauth_ok', 'basic_ok', 'unauthorized_401', 'echo_500')
    instances = dict(zip(names, sim_factory(len(names))))
    common = {'bitbucket_oauth_client_id': CLIENT_ID, 'bitbucket_oauth_client_secret': CANARIES['client secret'],
              'bitbucket_oauth_redirect_uri': REDIRECT_URI, 'bitbucket_access_token_max_expiry_days': 30,
              'bitbucket_access_token_audit': True, 'bitbucket_access_token_revoke_noncompliant': True,
              'bitbucket_access_token_report_dir': str(tree.scan / 'reports')}
    hosts = {}
    for host, instance in instances.items():
        seed(instance)
        hosts[host] = dict(common, bitbucket_url=instance.url)
        path = tree.scan / 'stores' / host / 'store.vault.yml'
        if host == 'basic_ok':
            hosts[host].update(bitbucket_username='ops', bitbucket_password=CANARIES['Basic password'])
        elif host == 'unauthorized_401':
            hosts[host]['bitbucket_oauth_token_store'] = store(instance, path, CANARIES['access token'],
                                                               int(time.time()) + 3600)
        else:
            hosts[host]['bitbucket_oauth_token_store'] = store(instance, path)
    return run_scenarios(collection_env, tree, REPO / 'playbooks' / 'enforce_token_expiry.yml', hosts, instances,
                         'bitbucket_instances')


def users_run(sim_factory, collection_env, tmp_path):
    """manage_users.yml with groups and users with passwords: OAuth, Basic, a 403 and an echoing 500."""
    tree = RunTree(tmp_path / 'users', CANARIES['vault password'])
    names = ('oauth_ok', 'basic_ok', 'forbidden_403', 'echo_500')
    instances = dict(zip(names, sim_factory(len(names))))
    users = [{'name': 'carol', 'display_name': 'Carol', 'email': 'carol@example.com', 'password': USER_PASSWORDS[0],
              'groups': ['canary-devs']},
             {'name': 'alice', 'password': USER_PASSWORDS[1], 'update_password': 'always'}]
    hosts = {}
    for host, instance in instances.items():
        seed(instance)
        hosts[host] = {'bitbucket_url': instance.url, 'bitbucket_users': users,
                       'bitbucket_groups': [{'name': 'canary-devs', 'permission': 'PROJECT_CREATE'}]}
        if host == 'oauth_ok':
            hosts[host].update(bitbucket_oauth_client_id=CLIENT_ID, bitbucket_oauth_client_secret=CANARIES['client secret'],
                               bitbucket_oauth_redirect_uri=REDIRECT_URI, bitbucket_oauth_token_store=store(
                                   instance, tree.scan / 'stores' / host / 'store.vault.yml'))
        elif host == 'forbidden_403':
            hosts[host].update(bitbucket_username='viewer',
                               bitbucket_password=CANARIES['Basic password of a user without admin rights'])
        else:
            hosts[host].update(bitbucket_username='ops', bitbucket_password=CANARIES['Basic password'])
    return run_scenarios(collection_env, tree, REPO / 'playbooks' / 'manage_users.yml', hosts, instances,
                         'bitbucket_instances')


class Browser(threading.Thread):
    """Plays the browser of a logged-in administrator for each authorization URL the playbook shows."""

    def __init__(self, lines):
        super().__init__(daemon=True)
        self.lines = lines
        self.codes = []

    def run(self):
        while True:
            line = self.lines.get()
            if line is None:
                return
            if '/rest/oauth2/latest/authorize?' not in line:
                continue
            url = line[line.index('http'):].split()[0]
            answer = requests.get(url, auth=('admin', 'admin-password'), allow_redirects=False, timeout=10)
            location = answer.headers.get('Location', '')
            self.codes += [v for k, v in urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query) if k == 'code']
            try:
                requests.get(location, timeout=10)
            except requests.RequestException:
                pass


def bootstrap_run(sim_factory, collection_env, tmp_path):
    """bootstrap_oauth.yml, the consent played by a browser thread: one store created, one refused client secret.
    Its stderr goes with its stdout, read line by line as the authorization URLs come."""
    tree = RunTree(tmp_path / 'bootstrap', CANARIES['vault password'])
    good, bad = sim_factory(2)
    hosts = {}
    for host, instance, secret in (('consent_ok', good, 'client secret'), ('refused_secret', bad, 'wrong client secret')):
        port = free_port()
        redirect_uri = 'http://127.0.0.1:%d/callback' % port
        seed(instance, redirect_uri)
        hosts[host] = {'bitbucket_url': instance.url, 'bitbucket_oauth_client_id': CLIENT_ID,
                       'bitbucket_oauth_client_secret': CANARIES[secret], 'bitbucket_oauth_redirect_uri': redirect_uri,
                       'bitbucket_oauth_token_store': str(tree.scan / 'stores' / host / 'store.vault.yml'),
                       'bitbucket_oauth_consent_timeout': 60}
        (tree.scan / 'stores' / host).mkdir(parents=True)
    inventory = write_inventory(tree.inputs / 'inventory.json', hosts, group='bootstrap')
    command = playbook_command(REPO / 'playbooks' / 'bootstrap_oauth.yml', inventory, verbosity=4,
                               extra_args=['-e', '{"bitbucket_bootstrap_host": "bootstrap"}'])
    process = subprocess.Popen(command, env=playbook_env(collection_env, tree), cwd=str(tree.scan),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    browser = Browser(lines)
    browser.start()
    stdout = []
    for line in process.stdout:
        stdout.append(line)
        lines.put(line)
    lines.put(None)
    process.wait(timeout=300)
    browser.join(timeout=30)
    return tree, (process.returncode, ''.join(stdout), ''), [good, bad]


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def echoed(instances):
    """How many answers of the echo fault repeated a canary: proof that the 500 paths had secrets to hide."""
    count = 0
    for instance in instances:
        for entry in instance.control.requests():
            body = entry.get('response_body') or ''
            if entry.get('fault') == 'echo' and any(value in body or urllib.parse.quote_plus(value) in body
                                                    for value in CANARIES.values()):
                count += 1
    return count


REST_TASKS = ('Policy', 'Audit', 'Revoke', 'Group', 'Create a user with a password', 'Change a password',
              'Users in bulk')
# Bitbucket answers a user without the permission with 401 "You are not permitted" on most admin endpoints.
FAILING = {'unauthorized_401': 'HTTP 401', 'forbidden_403': 'not permitted', 'echo_500': 'HTTP 500'}
RUNS = (
    ('canary_modules.yml (every module)', modules_run,
     'success with a token and with Basic, 401, 403, 500 echoing the request, validation errors, check mode'),
    ('playbooks/enforce_token_expiry.yml', enforce_run,
     'audit, revocation and report with OAuth and with Basic, 401, 500 echoing the request'),
    ('playbooks/manage_users.yml', users_run, 'groups and users with passwords with OAuth and with Basic, 403, '
                                              '500 echoing the request'),
)


def paths_taken(run, modules):
    """Which hosts succeeded and failed (and, for the module run, that each REST task failed with its status)."""
    failed = sorted(host for host, stats in run.json['stats'].items() if stats['failures'])
    text = 'hosts that failed: %s' % (', '.join(failed) or 'none')
    if not modules:
        return text, failed == sorted(host for host in run.json['stats'] if not host.endswith('_ok'))
    wrong = []
    for task in REST_TASKS:
        for entry in run.task_results(task):
            status = FAILING.get(entry['host'])
            if bool(entry.get('failed')) != bool(status) or (status and status not in entry.get('msg', '')):
                wrong.append('%s on %s' % (task, entry['host']))
    return text + '; REST tasks that did not end as their scenario wants: %s' % (', '.join(wrong) or 'none'), not wrong


def test_no_secret_in_any_output_or_file(sim_factory, collection_env, case_log, tmp_path):
    log = case_log('Secret canaries')
    results = []
    for label, make, scenarios in RUNS:
        tree, run, instances = make(sim_factory, collection_env, tmp_path)
        assert run.json.get('stats'), '%s did not run:\n%s\n%s' % (label, run.stdout[-3000:], run.stderr[-3000:])
        taken, expected = paths_taken(run, 'modules' in label)
        log.check('%s: the scenarios take their paths' % label, scenarios, taken, expected)
        results.append(('%s at -vvvv --diff: %s' % (label, scenarios), tree, run.stdout, run.stderr, instances,
                        'Traceback (most recent call last)' in run.stdout + run.stderr))
    tree, (rc, stdout, dummy), instances = bootstrap_run(sim_factory, collection_env, tmp_path)
    created = (tree.scan / 'stores' / 'consent_ok' / 'store.vault.yml').exists()
    log.check('playbooks/bootstrap_oauth.yml: the scenarios take their paths',
              'the consent creates the store; a refused client secret fails',
              'store created: %s; refused: %s; rc %d' % (created, 'invalid_client' in stdout, rc),
              created and 'invalid_client' in stdout and rc == 2)
    results.append(('playbooks/bootstrap_oauth.yml at -vvvv: a consent that creates the store, a refused client '
                    'secret', tree, stdout, '', instances, 'Traceback (most recent call last)' in stdout))

    for label, tree, stdout, stderr, instances, traceback in results:
        secrets = dict(CANARIES)
        secrets['Basic header of the administrator'] = basic_header('ops', CANARIES['Basic password'])
        harvested = set().union(*[harvest(instance) for instance in instances])
        secrets.update(('secret issued or sent during the run #%d' % n, value)
                       for n, value in enumerate(sorted(harvested - set(secrets.values()))))
        leaks = find(secrets, {'stdout': stdout, 'stderr': stderr}, tree.scan)
        log.check(label, 'no canary and no token issued during the run in stdout, stderr, the JSON callback output, '
                         'the log or any file written outside the encrypted store',
                  '%s; %d secrets searched (%d canaries, %d issued or sent during the run) in stdout, stderr and %d '
                  'files (JSON callback output, ansible.log, reports, home, temporary directories)%s' % (
                      '; '.join(str(leak) for leak in leaks[:5]) or 'none found', len(secrets), len(CANARIES),
                      len(secrets) - len(CANARIES), scanned_files(tree.scan),
                      '; a traceback in the output' if traceback else ''),
                  not leaks and not traceback)
    echoes = echoed([instance for result in results for instance in result[4]])
    log.check('the 500 answers echo the request, secrets included (so that hiding them is tested)',
              'the simulator echoed canaries back', '%d echoed answers held a canary' % echoes, echoes > 0)
    log.verify()


def test_an_echoed_request_is_scrubbed_however_it_spells_the_secrets(sim, case_log):
    """The shared client's error text: a 500 that echoes the request (Basic header in Base64, a URL-encoded form, a
    JSON body) shows none of the secrets the client knows."""
    log = case_log('Secret canaries')
    password, secret = CANARIES['Basic password'], CANARIES['client secret']
    client = BitbucketClient(sim.url, username='ops', password=password, retries=0)
    client.add_secret(secret)
    sim.control.fault(action='echo', path='.*', times=None)
    shown = []
    for call in (lambda: client.request('POST', 'rest/oauth2/latest/token', data={'client_secret': secret}),
                 lambda: client.request('PUT', 'rest/api/latest/admin/users/credentials',
                                        json={'password': secret, 'passwordConfirm': secret})):
        try:
            call()
        except BitbucketHTTPError as exc:
            shown.append(str(exc))
    echoed_bodies = [entry['response_body'] for entry in sim.control.requests()]
    leaks = find({'secret': secret, 'password': password, 'Basic header': basic_header('ops', password)},
                 {'error %d' % index: text for index, text in enumerate(shown)})
    log.check('the shared client, a 500 echoing a Basic header, a form and a JSON body',
              'the error text holds none of the secrets, in any spelling',
              '%d errors, %d echoed bodies held the secrets; leaks: %s' % (
                  len(shown), sum(1 for body in echoed_bodies if basic_header('ops', password) in body),
                  '; '.join(map(str, leaks)) or 'none'),
              len(shown) == 2 and not leaks)
    log.verify()
