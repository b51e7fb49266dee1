"""Pacing proven, not timed: one token-audit task sends over 300 requests to a simulator that limits the user with
Bitbucket's default bucket (60 requests), refilled ten times faster than Bitbucket's 5 per second so that the test
takes seconds; the refill rate only scales the waits, the client learns it from the settings API either way.
The simulator rejects nothing, and the result's summary (printed at -v) says so."""

import json

USERS = 300
PAGE_CAP = 100
CAPACITY, FILL_RATE = 60, 50


def test_a_300_request_audit_under_the_default_bucket_gets_no_429(sim, run_playbook):
    sim.control.config(page_cap=PAGE_CAP)
    sim.control.seed(users=[{'name': 'user%03d' % i} for i in range(USERS)])
    sim.control.seed(access_tokens=[{'user': 'user%03d' % i, 'name': 'ci', 'permissions': ['REPO_READ'],
                                     'expiryDays': 30} for i in range(0, USERS, 3)])
    sim.control.rate_limit(enabled=True, capacity=CAPACITY, fill_rate=FILL_RATE)
    sim.control.clear_requests()

    run = run_playbook('token_audit_paced.yml', extra_vars={'sim_url': sim.url}, verbosity=1)

    audit = run.task_result('Audit every user')
    sent = sim.control.requests()
    assert len(sent) >= 300
    assert sim.control.rate_limit_state()['rejects'] == {}
    assert {entry['status'] for entry in sent} == {200, 404}  # 404: the caller has no rate-limit entry of its own
    summary = audit['summary']
    assert summary['users_scanned'] == USERS + 1 and summary['tokens'] == USERS // 3
    assert summary['requests'] == len(sent)
    assert summary['rate_limited_answers'] == 0
    assert summary['rate_limit'] == {'rate': FILL_RATE, 'burst': CAPACITY, 'source': 'settings'}
    # Past the burst the run had to wait for the bucket: (requests - capacity) / refill rate at the least.
    # Waiting is needed only when the run is faster than the bucket refills (not on a loaded machine).
    assert summary['rate_limit_wait_seconds'] > 0 or summary['seconds'] >= (len(sent) - CAPACITY) / FILL_RATE
    assert summary['seconds'] >= (len(sent) - CAPACITY) / FILL_RATE
    # What an Ansible user sees at -v: the task's result, summary included.
    shown = run.stdout.split('ok: [localhost] => ', 1)[1]
    assert json.loads(shown[:shown.index('\n\n')] if '\n\n' in shown else shown)['summary']['requests'] == len(sent)
