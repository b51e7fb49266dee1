"""A ~/.netrc entry for the Bitbucket host never changes what the shared client sends (requests reads it for every
request sent without auth, and its Basic credentials would replace the bearer token)."""

import pytest

from ansible_collections.dcops.bitbucket.plugins.module_utils._http import BitbucketClient
from ansible_collections.dcops.bitbucket.plugins.module_utils._oauth import TokenEndpoint

from oauth_support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, seed_client

GROUPS = 'rest/api/latest/admin/groups'


@pytest.fixture
def netrc_for_simulator(tmp_path, monkeypatch):
    path = tmp_path / 'netrc'
    path.write_text('machine 127.0.0.1\nlogin netrc-user\npassword netrc-password\n')
    path.chmod(0o600)
    monkeypatch.setenv('NETRC', str(path))


def test_the_bearer_token_is_sent_although_netrc_has_the_host(sim, netrc_for_simulator):
    seed_client(sim)
    token = sim.control.issue_tokens(CLIENT_ID)['access_token']

    BitbucketClient(sim.url, access_token=token).get(GROUPS)

    (entry,) = sim.control.requests()
    assert entry['auth'] == 'bearer' and entry['status'] == 200 and entry['user'] == 'admin'


def test_the_basic_credentials_given_are_sent_and_not_those_of_netrc(sim, netrc_for_simulator):
    BitbucketClient(sim.url, username='admin', password='admin-password').get(GROUPS)

    (entry,) = sim.control.requests()
    assert entry['auth'] == 'basic' and entry['status'] == 200 and entry['user'] == 'admin'


def test_a_token_request_carries_no_authorization_header(sim, netrc_for_simulator):
    seed_client(sim)
    refresh_token = sim.control.issue_tokens(CLIENT_ID)['refresh_token']
    client = BitbucketClient(sim.url.rstrip('/') + '/rest/oauth2/latest/token', retries=0)
    endpoint = TokenEndpoint(client, 'datacenter', CLIENT_ID, CLIENT_SECRET, client.base_url.rstrip('/'))

    endpoint.refresh(refresh_token, redirect_uri=REDIRECT_URI)

    (entry,) = sim.control.requests(family='token')
    assert entry['auth'] is None and entry['status'] == 200
