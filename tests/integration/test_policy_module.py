"""bitbucket_access_token_policy through ansible-playbook against the simulator: the whole life of the policy with
Basic and bearer auth (results, diffs, and the exact requests: reads first, writes only on a difference, none in
check mode), each unset style, and failures (bad values before any request, a refused bearer token explained)."""

TASK_REQUESTS = [  # (task, changed, policy before, policy after, requests to the policy endpoint)
    ('Set in check mode', True, None, 90, ['GET']),
    ('Set', True, None, 90, ['GET', 'PUT']),
    ('Set again', False, 90, 90, ['GET']),
    ('Lower', True, 90, 30, ['GET', 'PUT']),
    ('Remove in check mode', True, 30, None, ['GET']),
    ('Remove', True, 30, None, ['GET', 'DELETE']),
    ('Remove again', False, None, None, ['GET']),
]


def shown(days):
    return {'state': 'absent'} if days is None else {'state': 'present', 'max_expiry_days': days}


def test_policy_life_reads_first_and_writes_only_on_a_difference(sim, run_playbook):
    # OAuth 2.0 bearer here; Basic auth runs the same code in the two tests below.
    bearer = sim.control.issue_tokens('ansible')['access_token']
    run = run_playbook('policy_lifecycle.yml', extra_vars={'sim_url': sim.url, 'sim_bearer': bearer})

    for task, changed, before, after, dummy in TASK_REQUESTS:
        result = run.task_result(task)
        assert result['changed'] is changed, task
        assert result['previous_policy'] == {'max_expiry_days': before}, task
        assert result['policy'] == {'max_expiry_days': after}, task
        assert (result['diff']['before'], result['diff']['after']) == (shown(before), shown(after)), task
    log = sim.control.requests()
    assert [r['method'] for r in log] == [m for row in TASK_REQUESTS for m in row[4]]
    assert {r['family'] for r in log} == {'policy'} and {r['auth'] for r in log} == {'bearer'}
    assert [r['body'] for r in log if r['method'] == 'PUT'] == ['{"maxExpiryDays": 90}', '{"maxExpiryDays": 30}']
    assert sim.control.state()['policy'] is None


def test_each_unset_style_is_no_policy(sim, run_playbook):
    run = run_playbook('policy_unset.yml', extra_vars={'sim_url': sim.url})
    expected = {'Set the policy': (True, None), 'Remove the policy': (True, 7)}
    for task, (changed, before) in expected.items():
        results = run.task_results(task)
        assert [(r['changed'], r['previous_policy']['max_expiry_days']) for r in results] == [(changed, before)] * 3
    unset_status = [r['status'] for r in sim.control.requests(family='policy', method='GET')
                    if r['status'] != 200 or not r['body']]
    assert 404 in unset_status and 204 in unset_status
    writes = [r['method'] for r in sim.control.requests(family='policy') if r['method'] != 'GET']
    assert writes == ['PUT', 'DELETE'] * 3


def test_bad_values_fail_before_any_request_and_a_refused_bearer_token_is_explained(sim, run_playbook):
    sim.control.config(policy_rejects_bearer=True)
    bearer = sim.control.issue_tokens('ansible')['access_token']
    run = run_playbook('policy_failures.yml', extra_vars={'sim_url': sim.url, 'sim_bearer': bearer})

    bad = run.task_result('Bad value')['results']
    assert len(bad) == 6 and all(r['failed'] for r in bad)
    messages = [r['msg'] for r in bad]
    assert messages[0] == 'max_expiry_days must be an integer of 1 or more (days); got 0'
    assert "argument 'max_expiry_days' is of type" in messages[1] and 'abc' in messages[1]
    assert messages[2] == 'max_expiry_days must be an integer of 1 or more (days); got True'
    assert "argument 'max_expiry_days' is of type" in messages[3]
    assert messages[4] == 'state is present but all of the following are missing: max_expiry_days'
    assert 'max_expiry_days is not allowed with state=absent' in messages[5]

    refused = run.task_result('Bearer token refused by the server')
    assert refused['failed'] and 'HTTP 401' in refused['msg'] and 'url_username and url_password' in refused['msg']
    assert bearer not in run.stdout
    assert run.task_result('Basic auth instead')['changed'] is True
    # The bad values made no request: the log holds the refused GET, then Basic's GET and PUT.
    assert [(r['method'], r['status'], r['auth']) for r in sim.control.requests()] == [
        ('GET', 401, 'bearer'), ('GET', 404, 'basic'), ('PUT', 200, 'basic')]
