"""The simulator's latency and Bitbucket's per-user rate limiter with its settings API, over HTTP."""

import threading
import time

from bbsim.rest import Rest

USERS = '/rest/api/latest/admin/users'
SETTINGS = '/rest/api/latest/admin/rate-limit/settings'


def _statuses(rest, count):
    return [rest.get(USERS).status_code for _request in range(count)]


def test_bucket_empties_after_capacity_then_429_with_retry_after_and_counted(sim):
    sim.control.rate_limit(enabled=True, capacity=5, fill_rate=0.1)
    statuses = _statuses(Rest(sim), 7)
    assert statuses == [200] * 5 + [429, 429]
    limited = Rest(sim).get(USERS)
    assert limited.headers['Retry-After'].isdigit() and int(limited.headers['Retry-After']) >= 1
    assert limited.json()['errors'][0]['message']
    assert sim.control.rate_limit_state()['rejects'] == {'admin': 3}


def test_retry_after_can_be_left_out(sim):
    sim.control.rate_limit(enabled=True, capacity=1, fill_rate=0.1, retry_after=False)
    rest = Rest(sim)
    assert rest.get(USERS).status_code == 200
    limited = rest.get(USERS)
    assert limited.status_code == 429 and 'Retry-After' not in limited.headers


def test_refill_restores_tokens(sim):
    sim.control.rate_limit(enabled=True, capacity=2, fill_rate=10)
    rest = Rest(sim)
    assert _statuses(rest, 3)[-1] == 429
    time.sleep(0.25)
    assert _statuses(rest, 2) == [200, 200]


def test_enabled_without_values_uses_bitbucket_defaults(sim):
    sim.control.rate_limit(enabled=True)
    assert Rest(sim).get(SETTINGS).json() == {'enabled': True, 'defaultSettings': {'capacity': 60, 'fillRate': 5}}


def test_exempt_user_is_never_limited(sim):
    sim.control.rate_limit(enabled=True, capacity=1, fill_rate=0.1)
    rest = Rest(sim)
    answer = rest.post(SETTINGS + '/users', json={'usernames': ['admin'], 'whitelisted': True})
    assert answer.status_code == 200
    assert set(_statuses(rest, 10)) == {200}


def test_settings_round_trip_changes_the_live_limit(sim):
    rest = Rest(sim)
    assert rest.get(SETTINGS).json()['enabled'] is False
    assert rest.put(SETTINGS, json={'enabled': 'yes'}).status_code == 400
    assert rest.put(SETTINGS, json={'enabled': True, 'defaultSettings': {'capacity': 3, 'fillRate': 0.5}}).status_code \
        == 400
    body = {'enabled': True, 'defaultSettings': {'capacity': 3, 'fillRate': 1}}
    assert rest.put(SETTINGS, json=body).json() == body
    assert rest.get(SETTINGS).json() == body
    assert 429 in _statuses(rest, 6)


def test_per_user_settings_get_set_list_delete(sim):
    sim.control.seed(users=[{'name': 'dev', 'password': 'pw'}])
    sim.control.rate_limit(enabled=True, capacity=100, fill_rate=1)
    admin = Rest(sim)
    path = SETTINGS + '/users/dev'
    assert admin.put(path, json={'settings': {'capacity': 1, 'fillRate': 1}}).status_code == 200
    assert admin.get(path).json()['settings'] == {'capacity': 1, 'fillRate': 1}
    assert [v['user']['name'] for v in admin.values(SETTINGS + '/users')] == ['dev']
    dev = Rest(sim, 'dev', 'pw')
    assert [dev.get(USERS).status_code for dummy in range(4)].count(429) >= 1
    assert dev.put(SETTINGS, json={'enabled': False, 'defaultSettings': {'capacity': 1, 'fillRate': 1}}).status_code \
        in (401, 403, 429)
    assert admin.delete(path).status_code == 204
    assert admin.get(path).status_code == 404


def test_latency_adds_at_least_the_set_delay(sim):
    rest = Rest(sim)
    sim.control.latency(fixed=0.2)
    started = time.monotonic()
    assert rest.get(USERS).status_code == 200
    assert time.monotonic() - started >= 0.2
    sim.control.latency(min=0.1, max=0.15, seed=7)
    started = time.monotonic()
    _statuses(rest, 3)
    assert time.monotonic() - started >= 0.3


def test_command_line_sets_latency_and_limit_and_reset_returns_to_them(sim_factory):
    (instance,) = sim_factory(options=['--latency', '0.1..0.12', '--rate-limit', '--rate-limit-capacity', '2',
                                       '--rate-limit-fill-rate', '0.1', '--no-retry-after'])
    instance.control.reset()
    assert instance.control.rate_limit_state()['retry_after'] is False
    rest = Rest(instance)
    started = time.monotonic()
    statuses = _statuses(rest, 3)
    assert time.monotonic() - started >= 0.3
    assert statuses == [200, 200, 429]
    assert rest.get(SETTINGS).status_code == 429


def test_in_flight_counts_the_requests_answered_at_once(sim):
    sim.control.latency(fixed=0.3)
    threads = [threading.Thread(target=Rest(sim).get, args=(USERS,)) for _thread in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sim.control.in_flight() == {'now': 0, 'peak': 3}
    Rest(sim).get(USERS)
    assert sim.control.in_flight()['peak'] == 3
    sim.control.clear_requests()
    assert sim.control.in_flight() == {'now': 0, 'peak': 0}
