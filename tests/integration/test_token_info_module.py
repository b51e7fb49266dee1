"""bitbucket_access_token_info and bitbucket_access_token through ansible-playbook against the simulator: 200 users
with expiring, never-expiring, too-long and expired tokens get the right flags; revocation deletes exactly the
non-compliant tokens, nothing in check mode, nothing the second time; and each task sends exactly the requests it
should (users listed once, page by page; one token listing per user)."""

import math
import time

DAY_MS = 86400000
MAX_DAYS = 90
PAGE_CAP = 50
USERS = 200
TOKEN_BASE = '/rest/access-tokens/latest/'


def token_specs(now_ms):
    """Seeded tokens: per user a pattern of (expiryDays, age in days); every tenth user has none."""
    patterns = [[(30, 1)], [(None, 400)], [(365, 2)], [(10, 100)], [(MAX_DAYS, 0), (None, 3)]]
    specs = []
    for i in range(USERS):
        if i % 10 == 9:
            continue
        for n, (days, age) in enumerate(patterns[i % 5]):
            spec = {'user': 'user%03d' % i, 'name': 'token-%d' % n, 'permissions': ['REPO_READ'],
                    'createdDate': now_ms - age * DAY_MS, 'lastAuthenticated': now_ms - DAY_MS}
            if days is not None:
                spec['expiryDays'] = days
            specs.append(spec)
    specs.append({'project': 'OPS', 'name': 'project-deploy', 'permissions': ['PROJECT_READ', 'REPO_READ'],
                  'createdDate': now_ms})
    specs.append({'project': 'OPS', 'repo': 'deploy', 'name': 'repo-ci', 'permissions': ['REPO_WRITE'],
                  'expiryDays': 60, 'createdDate': now_ms})
    return specs


def expected_flags(specs, now_ms):
    flags = {}
    for spec, seeded_id in specs:
        days = spec.get('expiryDays')
        flags[seeded_id] = (days is not None and days <= MAX_DAYS,
                            days is not None and spec['createdDate'] + days * DAY_MS <= now_ms)
    return flags


def kind(entry):
    """What a request was, coarsely: ('GET', 'users'), ('GET', 'tokens'), ('DELETE', 'token') ..."""
    path = entry['path']
    if path.startswith('/rest/api/latest/admin/users'):
        return entry['method'], 'users'
    if path.startswith(TOKEN_BASE):
        parts = path[len(TOKEN_BASE):].split('/')
        one = len(parts) in (3, 5)  # users/{slug}/{id}, projects/{key}/{id} or projects/{key}/repos/{slug}/{id}
        return entry['method'], 'token' if one else 'tokens'
    return entry['method'], path


def settled(kinds):
    """kinds with each run of user listings and token listings put in order: listings first, then token reads."""
    reads = (('GET', 'users'), ('GET', 'tokens'))
    out, run = [], []
    for one in kinds + [None]:
        if one in reads:
            run.append(one)
            continue
        out += sorted(run, key=reads.index)
        run = []
        if one is not None:
            out.append(one)
    return out


def test_audit_of_200_users_and_revocation_of_exactly_the_noncompliant_tokens(sim, run_playbook):
    sim.control.config(page_cap=PAGE_CAP)
    sim.control.seed(users=[{'name': 'user%03d' % i} for i in range(USERS)],
                     projects=[{'key': 'OPS', 'repos': ['deploy']}])
    now_ms = int(time.time() * 1000)
    specs = token_specs(now_ms)
    seeded = sim.control.seed(access_tokens=specs)['access_tokens']
    flags = expected_flags(zip(specs, (t['id'] for t in seeded)), now_ms)
    personal = [t['id'] for spec, t in zip(specs, seeded) if 'user' in spec]
    noncompliant = sorted(i for i in personal if not flags[i][0])
    sim.control.clear_requests()

    run = run_playbook('token_audit.yml', extra_vars={'sim_url': sim.url}, diff=True)
    result = run.task_result

    bad = [r['msg'] for r in result('Bad options')['results']]
    assert bad == ['max_expiry_days must be an integer of 1 or more (days); got 0',
                   "repositories: 'deploy' is not PROJECT_KEY/repository_slug",
                   'users must not contain empty names']

    audit = result('Audit every user')
    assert audit['changed'] is False
    assert {t['id']: (t['compliant'], t['expired']) for t in audit['tokens']} == \
        {i: flags[i] for i in personal}
    counts = {key: audit['summary'][key] for key in
              ('users_scanned', 'tokens', 'compliant', 'noncompliant', 'never_expiring', 'expired')}
    assert counts == {'users_scanned': USERS + 1, 'tokens': 200, 'compliant': 100, 'noncompliant': 100,
                      'never_expiring': 60, 'expired': 40}
    # More than a burst of requests: the run read the rate-limit settings, found the limit off and was not paced.
    assert audit['summary']['rate_limit'] == {'rate': None, 'burst': None, 'source': 'settings'}
    assert audit['summary']['rate_limited_answers'] == 0 and audit['summary']['rate_limit_wait_seconds'] == 0
    assert len(noncompliant) == 100
    never = next(t for t in audit['tokens'] if t['owner'] == 'user001')
    assert (never['expires'], never['compliant'], never['noncompliance_reason']) == (None, False, 'never expires')
    too_long = next(t for t in audit['tokens'] if t['owner'] == 'user002')
    assert too_long['noncompliance_reason'] == 'expires 365 days after creation, more than the maximum of 90'
    assert too_long['expires_epoch_ms'] == too_long['created_epoch_ms'] + 365 * DAY_MS

    unjudged = result('Audit in check mode without a maximum')
    assert {t['compliant'] for t in unjudged['tokens']} == {None} and unjudged['summary']['noncompliant'] == 0

    some = result('Audit two users, a project and a repository')
    assert [(t['owner_type'], t['owner'], t['name'], t['compliant']) for t in some['tokens']] == [
        ('user', 'user001', 'token-0', False), ('user', 'user002', 'token-0', False),
        ('project', 'OPS', 'project-deploy', False), ('repository', 'OPS/deploy', 'repo-ci', True)]
    assert some['summary']['users_scanned'] == 2
    assert result('Audit missing users')['msg'] == 'users not found in Bitbucket: ghost, phantom'

    check = result('Revoke in check mode')
    assert check['changed'] and sorted(t['token']['id'] for t in check['tokens'] if t['changed']) == noncompliant
    assert all(t['msg'] == 'would be revoked' for t in check['tokens'])
    assert check['diff'][0]['after'] == {'state': 'absent'} and check['diff'][0]['before']['name']
    revoked = result('Revoke')
    assert sorted(t['token']['id'] for t in revoked['tokens'] if t['changed']) == noncompliant
    again = result('Revoke again')
    assert not again['changed'] and {t['msg'] for t in again['tokens']} == {'not found (already revoked)'}
    after = result('Audit after the revocation')
    assert after['summary']['noncompliant'] == 0 and after['summary']['tokens'] == len(personal) - len(noncompliant)

    left = {t['id'] for t in sim.control.state()['access_tokens']}
    assert left == set(t['id'] for t in seeded) - set(noncompliant)

    # The exact requests, task by task: nothing for bad options, users listed once per audit (page by page),
    # one token listing per user, a read before each delete, and no delete in check mode or the second time.
    pages = math.ceil((USERS + 1) / PAGE_CAP)
    audit_all = [('GET', 'users')] * pages + [('GET', 'tokens')] * (USERS + 1)
    reads = [('GET', 'token')] * len(noncompliant)
    expected = (audit_all + audit_all
                + [('GET', 'users')] * pages + [('GET', 'tokens')] * 4
                + [('GET', 'users')] * pages
                + reads
                + [('GET', 'token'), ('DELETE', 'token')] * len(noncompliant)
                + reads
                + audit_all)
    # Runs of more than a burst of requests also read the rate-limit settings once (the pacer's look-up). An audit
    # of every user reads each page's tokens while it lists the next page (tests/unit/test_client_pacing.py), so
    # within a run of listings and token reads only the counts are fixed.
    sent = [kind(entry) for entry in sim.control.requests() if '/rate-limit/' not in entry['path']]
    assert settled(sent) == settled(expected)
