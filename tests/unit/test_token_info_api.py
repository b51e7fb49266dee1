"""AccessTokensApi's token calls against the simulator over HTTP: every owner type, paging past the server's cap,
missing owners and tokens, revocation, and OAuth 2.0 refused on the token resources."""

import pytest

from ansible_collections.dcops.bitbucket.plugins.module_utils._access_tokens_api import AccessTokensApi, owner_path
from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketHTTPError
from ansible_collections.dcops.bitbucket.plugins.module_utils._http import BitbucketClient
from ansible_collections.dcops.bitbucket.plugins.module_utils._token_audit import audit_owner, OwnerNotFound

READ = ['REPO_READ']


def api(sim):
    return AccessTokensApi(BitbucketClient(sim.url, username='admin', password='admin-password', retries=0))


def test_tokens_of_users_projects_and_repositories_are_read_past_the_page_cap(sim):
    sim.control.config(page_cap=3)
    sim.control.seed(users=[{'name': 'John.Doe@example.com'}], projects=[{'key': 'OPS', 'repos': ['deploy']}],
                     access_tokens=[{'user': 'John.Doe@example.com', 'name': 'mine-%d' % i, 'permissions': READ}
                                    for i in range(7)]
                     + [{'project': 'OPS', 'name': 'project', 'permissions': ['PROJECT_READ', 'REPO_READ']},
                        {'project': 'OPS', 'repo': 'deploy', 'name': 'repo', 'permissions': READ}])
    slug = next(u['slug'] for u in sim.control.state()['users'] if u['name'] == 'John.Doe@example.com')
    tokens = api(sim)
    assert sorted(t['name'] for t in tokens.tokens('user', slug)) == ['mine-%d' % i for i in range(7)]
    assert len(sim.control.requests(family='access_tokens')) == 3  # 7 tokens, 3 per page
    assert [t['name'] for t in tokens.tokens('project', 'OPS')] == ['project']
    assert [t['name'] for t in tokens.tokens('repository', 'OPS/deploy')] == ['repo']
    assert tokens.tokens('user', 'nobody') is None and tokens.tokens('repository', 'OPS/none') is None


def test_audit_of_a_missing_owner_is_skipped_or_fails_naming_it(sim):
    tokens = api(sim)
    assert audit_owner(tokens, 'user', 'gone', 30) == []
    with pytest.raises(OwnerNotFound, match='project NOPE not found'):
        audit_owner(tokens, 'project', 'NOPE', 30, required=True)


def test_revoke_deletes_once_then_reports_the_token_gone(sim):
    seeded = sim.control.seed(access_tokens=[{'user': 'admin', 'name': 'a', 'permissions': READ},
                                             {'user': 'admin', 'name': 'b', 'permissions': READ}])
    first, second = (t['id'] for t in seeded['access_tokens'])
    tokens = api(sim)
    assert tokens.token('user', 'admin', first)['name'] == 'a'
    assert tokens.revoke('user', 'admin', first) is True
    assert tokens.revoke('user', 'admin', first) is False
    assert tokens.token('user', 'admin', first) is None
    assert [t['id'] for t in sim.control.state()['access_tokens']] == [second]
    deletes = sim.control.requests(method='DELETE')
    path = '/rest/access-tokens/latest/users/admin/%s' % first
    assert [(r['path'], r['status']) for r in deletes] == [(path, 204), (path, 404)]


def test_oauth_refused_on_token_resources_is_told_to_use_basic_auth(sim):
    sim.control.config(access_tokens_reject_oauth=True)
    token = sim.control.issue_tokens('ansible')['access_token']
    with pytest.raises(BitbucketHTTPError) as refused:
        AccessTokensApi(BitbucketClient(sim.url, access_token=token, retries=0), bearer=True).tokens('user', 'admin')
    assert refused.value.status == 401 and 'try Basic auth' in str(refused.value)


def test_owner_paths_are_escaped_and_repositories_need_a_project(sim):
    assert owner_path('user', 'a b/c') == 'rest/access-tokens/latest/users/a%20b%2Fc'
    assert owner_path('repository', 'OPS/deploy') == 'rest/access-tokens/latest/projects/OPS/repos/deploy'
    for bad in ('deploy', 'OPS/', 'OPS/a/b'):
        with pytest.raises(ValueError):
            owner_path('repository', bad)
