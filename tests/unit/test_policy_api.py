"""AccessTokensApi's policy calls against the simulator over HTTP: every unset style, Basic and bearer, and the
explanations added to a refused bearer token and to a server without the endpoint."""

import pytest

from ansible_collections.dcops.bitbucket.plugins.module_utils._access_tokens_api import AccessTokensApi
from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketHTTPError
from ansible_collections.dcops.bitbucket.plugins.module_utils._http import BitbucketClient


def basic_api(sim):
    return AccessTokensApi(BitbucketClient(sim.url, username='admin', password='admin-password', retries=0))


def bearer_api(sim):
    token = sim.control.issue_tokens('ansible')['access_token']
    return AccessTokensApi(BitbucketClient(sim.url, access_token=token, retries=0), bearer=True)


def policy_log(sim):
    return [(r['method'], r['status'], r['auth']) for r in sim.control.requests(family='policy')]


@pytest.mark.parametrize('style, unset_status', [('404', 404), ('204', 204), ('empty', 200)])
def test_every_unset_style_reads_as_no_policy(sim, style, unset_status):
    sim.control.config(policy_unset_style=style)
    api = basic_api(sim)
    assert api.policy() is None
    api.set_policy(45)
    assert api.policy() == 45 and sim.control.state()['policy'] == {'maxExpiryDays': 45}
    api.delete_policy()
    assert api.policy() is None and sim.control.state()['policy'] is None
    assert policy_log(sim) == [('GET', unset_status, 'basic'), ('PUT', 200, 'basic'), ('GET', 200, 'basic'),
                               ('DELETE', 204, 'basic'), ('GET', unset_status, 'basic')]


def test_bearer_works_and_a_refused_bearer_token_is_told_to_use_basic_auth(sim):
    api = bearer_api(sim)
    api.set_policy(7)
    assert api.policy() == 7
    sim.control.config(policy_rejects_bearer=True)
    sim.control.clear_requests()
    with pytest.raises(BitbucketHTTPError) as refused:
        api.policy()
    message = str(refused.value)
    assert refused.value.status == 401 and 'Forge and OAuth2 apps cannot access' in message
    assert 'try Basic auth (url_username and url_password' in message and 'bitbucket_password' in message
    assert policy_log(sim) == [('GET', 401, 'bearer')]  # a 401 is never sent again
    assert basic_api(sim).policy() == 7


def test_a_401_to_basic_auth_gets_no_oauth_advice(sim):
    sim.control.seed(users=[{'name': 'dev', 'password': 'dev-password'}])
    api = AccessTokensApi(BitbucketClient(sim.url, username='dev', password='dev-password', retries=0))
    with pytest.raises(BitbucketHTTPError) as refused:
        api.policy()
    assert refused.value.status == 401 and 'Basic auth' not in str(refused.value)


def test_a_server_without_the_policy_endpoint_is_explained_on_write(sim):
    sim.control.fault(method='PUT', path='/rest/access-tokens/latest/admin', action='status', status=404)
    with pytest.raises(BitbucketHTTPError) as missing:
        basic_api(sim).set_policy(30)
    assert 'does not offer the token-expiry policy endpoint' in str(missing.value)


@pytest.mark.parametrize('body', [{'maxExpiryDays': None}, {'maxExpiryDays': 0}, {'somethingElse': True}, []])
def test_answers_without_a_usable_maximum_read_as_no_policy(sim, body):
    sim.control.fault(method='GET', path='/rest/access-tokens/latest/admin', action='status', status=200, body=body)
    assert basic_api(sim).policy() is None
