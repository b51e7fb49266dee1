"""playbooks/enforce_token_expiry.yml against the simulator: the first run sets the policy, the second sends one
GET per instance and nothing else (no token request while the stored access token is fresh); check mode writes
nothing to Bitbucket but writes the report; revocation deletes exactly the non-compliant tokens; Basic auth for
servers refusing OAuth 2.0 there; bad variables stop a host before any request; and 20 instances at once."""

import json
import time

from oauth_support import CLIENT_ID, CLIENT_SECRET, VAULT_PASSWORD, read_store, seeded_store, write_store

PLAYBOOK = 'enforce_token_expiry.yml'
POLICY_TASK = 'Require token expiry with the maximum in days of bitbucket_access_token_max_expiry_days'
DAY_MS = 86400000


def oauth_host(instance, store, **extra):
    host = {'bitbucket_url': instance.url, 'bitbucket_oauth_client_id': CLIENT_ID,
            'bitbucket_oauth_client_secret': CLIENT_SECRET, 'bitbucket_oauth_token_store': str(store),
            'bitbucket_access_token_max_expiry_days': 90}
    host.update(extra)
    return host


def fleet(**hosts):
    return {'bitbucket_instances': {'hosts': hosts}}


def vault_env(tmp_path, forks=None):
    password_file = tmp_path / 'vault-password.txt'
    password_file.write_text(VAULT_PASSWORD + '\n')
    env = {'ANSIBLE_VAULT_PASSWORD_FILE': str(password_file)}
    if forks:
        env['ANSIBLE_FORKS'] = str(forks)
    return env


def requests_of(instance):
    return [(r['method'], r['family']) for r in instance.control.requests()]


def changed(run):
    return {host: stats['changed'] for host, stats in run.json['stats'].items()}


def assert_no_secret(text, store_data):
    for name, value in (('access token', store_data['access_token']), ('refresh token', store_data['refresh_token']),
                        ('client secret', CLIENT_SECRET), ('vault password', VAULT_PASSWORD)):
        assert value not in text, name


def test_enforce_then_nothing_to_do_then_audit_and_revoke(sim, run_playbook, tmp_path):
    store = tmp_path / 'store.vault.yml'
    store_data = seeded_store(sim, store, access_expired=False)
    now = int(time.time() * 1000)
    seeded = sim.control.seed(users=[{'name': 'alice'}, {'name': 'bob'}], access_tokens=[
        {'user': 'alice', 'name': 'ok', 'permissions': ['REPO_READ'], 'expiryDays': 30, 'createdDate': now},
        {'user': 'alice', 'name': 'forever', 'permissions': ['REPO_READ'], 'createdDate': now},
        {'user': 'bob', 'name': 'long', 'permissions': ['REPO_READ'], 'expiryDays': 60, 'createdDate': now},
    ])['access_tokens']
    ok, forever, long_lived = (t['id'] for t in seeded)
    sim.control.clear_requests()
    reports = tmp_path / 'reports'
    env = vault_env(tmp_path)

    first = run_playbook(PLAYBOOK, inventory=fleet(bb=oauth_host(sim, store)), env=env)
    assert changed(first) == {'bb': 1}
    assert requests_of(sim) == [('GET', 'policy'), ('PUT', 'policy')]
    assert sim.control.state()['policy'] == {'maxExpiryDays': 90}

    sim.control.clear_requests()
    second = run_playbook(PLAYBOOK, inventory=fleet(bb=oauth_host(sim, store)), env=env)
    assert changed(second) == {'bb': 0}
    assert requests_of(sim) == [('GET', 'policy')], 'a no-change run is one GET, and no token request'
    assert 'already so, nothing to do' in second.task_result('Summarise the instance')['msg'][0]

    sim.control.clear_requests()
    audit = dict(bitbucket_access_token_max_expiry_days=30, bitbucket_access_token_audit=True,
                 bitbucket_access_token_revoke_noncompliant=True, bitbucket_access_token_report_dir=str(reports))
    check = run_playbook(PLAYBOOK, inventory=fleet(bb=oauth_host(sim, store, **audit)), env=env, check=True)
    assert [m for m, dummy in requests_of(sim) if m != 'GET'] == [], 'check mode writes nothing to Bitbucket'
    assert check.task_result('Summarise the instance')['msg'] == [
        'Policy: token expiry required, at most 30 days (would be set, was 90).',
        'Tokens: 3 across 3 users, 2 not compliant (1 never expire), 0 expired; 2 would be revoked.']
    report = json.loads((reports / 'bb.json').read_text())
    assert report['check_mode'] is True and report['policy'] == {'max_expiry_days': 30, 'previous_max_expiry_days': 90,
                                                                 'changed': True}
    assert sorted(t['id'] for t in report['revoked']) == sorted([forever, long_lived])

    sim.control.clear_requests()
    enforce = run_playbook(PLAYBOOK, inventory=fleet(bb=oauth_host(sim, store, **audit)), env=env)
    writes = [(r['method'], r['path'].rsplit('/', 1)[-1]) for r in sim.control.requests() if r['method'] != 'GET']
    assert sorted(writes) == sorted([('PUT', 'admin'), ('DELETE', forever), ('DELETE', long_lived)])
    assert [t['id'] for t in sim.control.state()['access_tokens']] == [ok]
    report_text = (reports / 'bb.json').read_text()
    report = json.loads(report_text)
    assert report['check_mode'] is False and report['audit']['summary']['noncompliant'] == 2
    assert {t['name'] for t in report['audit']['tokens']} == {'ok', 'forever', 'long'}
    assert changed(enforce) == {'bb': 2}  # the policy and the revocation; the report is output, not a change

    for text in (first.stdout, second.stdout, check.stdout, enforce.stdout, report_text):
        assert_no_secret(text, store_data)


def test_basic_auth_where_oauth_is_refused_and_bad_variables_stop_before_any_request(sim, run_playbook, tmp_path):
    sim.control.config(policy_rejects_bearer=True, access_tokens_reject_oauth=True)
    basic = {'bitbucket_url': sim.url, 'bitbucket_username': 'admin', 'bitbucket_password': 'admin-password',
             'bitbucket_access_token_max_expiry_days': '45', 'bitbucket_access_token_audit': 'true'}
    bad = {'bitbucket_url': sim.url, 'bitbucket_username': 'admin', 'bitbucket_password': 'admin-password'}
    run = run_playbook(PLAYBOOK, env=vault_env(tmp_path), expect_rc=2, inventory=fleet(
        basic=basic, zero=dict(bad, bitbucket_access_token_max_expiry_days=0),
        word=dict(bad, bitbucket_access_token_max_expiry_days='ninety'),
        boolean=dict(bad, bitbucket_access_token_max_expiry_days=True), missing=bad,
        nouser={'bitbucket_url': sim.url, 'bitbucket_password': 'admin-password',
                'bitbucket_access_token_max_expiry_days': 30}))
    failures = {r['host']: r['msg'] for name in ('Check the variables',
                                                 'Check that the maximum expiry is a whole number of days')
                for r in run.task_results(name) if r.get('failed')}
    assert sorted(failures) == ['boolean', 'missing', 'nouser', 'word', 'zero']
    for host in ('zero', 'word', 'boolean', 'missing'):
        assert 'bitbucket_access_token_max_expiry_days' in failures[host], host
    assert 'bitbucket_password is set, so bitbucket_username is required too' in failures['nouser']
    assert 'admin-password' not in run.stdout
    assert sim.control.state()['policy'] == {'maxExpiryDays': 45}
    assert {r['auth'] for r in sim.control.requests()} == {'basic'}, 'only the good host called, with Basic auth'
    assert sim.control.requests(family='token') == []


def test_fleet_of_20_instances_at_once(sim_factory, run_playbook, tmp_path):
    instances = sim_factory(20)
    hosts, stores = {}, []
    for n, instance in enumerate(instances):
        stores.append(tmp_path / ('bb%02d.vault.yml' % n))
        seeded_store(instance, stores[-1], access_expired=False)
        hosts['bb%02d' % n] = oauth_host(instance, stores[-1])
    env = vault_env(tmp_path, forks=20)

    started = time.monotonic()
    first = run_playbook(PLAYBOOK, inventory=fleet(**hosts), env=env)
    first_seconds = time.monotonic() - started
    assert set(changed(first).values()) == {1} and len(changed(first)) == 20
    for instance in instances:
        assert instance.control.state()['policy'] == {'maxExpiryDays': 90}
        instance.control.clear_requests()

    # Half the instances an hour later: their access token has expired, so their session refreshes it once.
    for store in stores[::2]:
        write_store(store, dict(read_store(store), expires_at=int(time.time()) - 10))
    started = time.monotonic()
    second = run_playbook(PLAYBOOK, inventory=fleet(**hosts), env=env)
    second_seconds = time.monotonic() - started
    # The only change a refresh makes is to the token store on the controller.
    assert changed(second) == {'bb%02d' % n: 1 - n % 2 for n in range(20)}
    assert not any(r['changed'] for r in second.task_results(POLICY_TASK))
    for n, instance in enumerate(instances):
        expected = [('POST', 'token'), ('GET', 'policy')] if n % 2 == 0 else [('GET', 'policy')]
        assert requests_of(instance) == expected, n
    print('\nfleet of 20 (-f 20): first run %.1f s, no-change run %.1f s' % (first_seconds, second_seconds))
