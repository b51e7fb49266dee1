"""Pacing and bounded concurrency of the shared client (_pacing.py, _concurrency.py) against the simulator's rate
limiter over real HTTP: no 429 under the limit, the limit learned from the settings API, exempt users not paced,
a 429 that comes anyway honoured and counted. The refill rate is scaled up for speed; capacity is Bitbucket's."""

import pytest

from ansible_collections.dcops.bitbucket.plugins.module_utils._concurrency import bounded_map, map_as_listed
from ansible_collections.dcops.bitbucket.plugins.module_utils._connection import client_from_params
from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketHTTPError

ADMIN_PASSWORD = 'admin-password'
USERS = 'rest/api/latest/admin/users'
TOKENS = 'rest/access-tokens/latest/users/'
SETTINGS = '/rest/api/latest/admin/rate-limit/settings'
CAPACITY, FILL_RATE = 60, 50  # Bitbucket's bucket of 60, refilled ten times faster than its 5 per second


def paced_client(sim, **options):
    params = dict(url=sim.url, url_username='admin', url_password=ADMIN_PASSWORD, ca_path=sim.ca_path,
                  validate_certs=True, timeout=30, retries=3, max_concurrency=4)
    params.update(options)
    return client_from_params(params)


def read_users(client, count):
    client.pacer.expect(count)
    return bounded_map(lambda index: client.get(USERS, params={'filter': 'admin'}), range(count),
                       client.max_concurrency)


def rejects(sim):
    return sim.control.rate_limit_state()['rejects']


def test_300_concurrent_reads_under_the_default_bucket_get_no_429(sim):
    sim.control.rate_limit(enabled=True, capacity=CAPACITY, fill_rate=FILL_RATE)
    client = paced_client(sim)

    answers = read_users(client, 300)

    assert len(answers) == 300 and all(a['values'][0]['name'] == 'admin' for a in answers)
    assert rejects(sim) == {}
    summary = client.pacer.summary()
    assert summary['rate_limited_answers'] == 0
    assert summary['rate_limit'] == {'rate': FILL_RATE, 'burst': CAPACITY, 'source': 'settings'}
    # 300 reads and the two look-ups of the limit (the settings, then the caller's own entry: none, so 404).
    assert summary['requests'] == 302 == len(sim.control.requests())
    # Waiting is needed only when the run is faster than the bucket refills (not on a loaded machine).
    assert summary['rate_limit_wait_seconds'] > 0 or summary['seconds'] >= (300 - CAPACITY) / FILL_RATE


def test_a_short_run_sends_no_extra_request_to_learn_the_limit(sim):
    sim.control.rate_limit(enabled=True)
    client = paced_client(sim)
    read_users(client, 20)
    assert [r['path'] for r in sim.control.requests() if SETTINGS in r['path']] == []
    assert client.pacer.summary()['rate_limit']['source'] == 'default'


def test_the_callers_own_bucket_is_learned_from_its_settings_entry(sim):
    sim.control.rate_limit(enabled=True, users={'admin': {'settings': {'capacity': 10, 'fillRate': 40}}})
    client = paced_client(sim)
    read_users(client, 120)
    assert rejects(sim) == {}
    assert client.pacer.summary()['rate_limit'] == {'rate': 40, 'burst': 10, 'source': 'settings'}


def test_an_exempt_user_is_not_paced(sim):
    sim.control.rate_limit(enabled=True, capacity=CAPACITY, fill_rate=FILL_RATE, users={'admin': {'whitelisted': True}})
    client = paced_client(sim)
    read_users(client, 150)
    summary = client.pacer.summary()
    assert summary['rate_limit_wait_seconds'] == 0 and summary['rate_limit']['rate'] is None
    assert rejects(sim) == {}


def test_a_stated_limit_is_kept_without_asking_bitbucket(sim):
    sim.control.rate_limit(enabled=True, capacity=10, fill_rate=40)
    client = paced_client(sim, rate_limit=40, rate_limit_burst=10)
    read_users(client, 80)
    assert rejects(sim) == {}
    assert [r for r in sim.control.requests() if SETTINGS in r['path']] == []
    assert client.pacer.summary()['rate_limit'] == {'rate': 40, 'burst': 10, 'source': 'options'}


@pytest.mark.parametrize('retry_after', [True, False])
def test_a_429_that_comes_anyway_is_waited_out_and_counted(sim, retry_after):
    sim.control.rate_limit(enabled=True, capacity=5, fill_rate=4, retry_after=retry_after)
    client = paced_client(sim, rate_limit=0, max_concurrency=1)
    read_users(client, 12)
    summary = client.pacer.summary()
    assert summary['rate_limited_answers'] == rejects(sim)['admin'] > 0
    assert summary['requests'] == 12 + summary['rate_limited_answers']
    assert summary['rate_limit_wait_seconds'] > 0


def test_a_429_storm_fails_naming_the_rate_limit(sim):
    sim.control.rate_limit(enabled=True, capacity=1, fill_rate=0.01, retry_after=False)
    client = paced_client(sim, rate_limit=0, retries=1)
    client.get(USERS)
    with pytest.raises(BitbucketHTTPError) as failure:
        client.get(USERS)
    assert failure.value.status == 429 and 'rate limited' in str(failure.value)
    assert client.pacer.summary()['rate_limited_answers'] == 2


def test_bounded_map_keeps_the_order_and_raises_the_first_error():
    assert bounded_map(lambda n: n * n, range(50), 4) == [n * n for n in range(50)]

    def fail_on_seven(n):
        if n == 7:
            raise ValueError('seven')
        return n

    with pytest.raises(ValueError, match='seven'):
        bounded_map(fail_on_seven, range(20), 4)


def _listed_then_read(sim, users=200, page_cap=25, latency=0.02):
    sim.control.config(page_cap=page_cap)
    sim.control.seed(users=[{'name': 'user%03d' % index} for index in range(users)])
    sim.control.latency(fixed=latency)
    sim.control.clear_requests()


def test_reads_of_listed_items_start_while_the_listing_goes_on_within_max_concurrency(sim):
    _listed_then_read(sim)
    client = paced_client(sim, rate_limit=0)

    def details(user):
        return client.get(USERS, params={'filter': user['name']})['values'][0]['name']

    names = map_as_listed(details, client.pages(USERS), client.max_concurrency)

    assert names == ['admin'] + ['user%03d' % index for index in range(200)]
    log = [(r['seq'], 'filter=' in r['query']) for r in sim.control.requests()]
    pages = [seq for seq, filtered in log if not filtered]
    assert len(pages) == 9 and len(log) == 9 + 201
    assert min(seq for seq, filtered in log if filtered) < pages[-1]  # the reads did not wait for the last page
    assert sim.control.in_flight()['peak'] == 4  # the listing's request counts as one of the four


def test_a_failed_read_stops_the_listing(sim):
    _listed_then_read(sim, users=400)
    sim.control.fault(method='GET', path='/users/user003$', action='status', status=500, times=None)
    client = paced_client(sim, rate_limit=0, retries=0)

    with pytest.raises(BitbucketHTTPError) as failure:
        map_as_listed(lambda user: client.get(TOKENS + user['slug']), client.pages(USERS), 4)

    assert failure.value.status == 500
    assert sum(1 for r in sim.control.requests() if r['path'].endswith('/admin/users')) < 17  # of 17 pages
