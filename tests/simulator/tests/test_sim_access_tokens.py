"""The simulator's access-token policy and HTTP access tokens (personal, project, repository)."""

import pytest

from bbsim.rest import Rest, errors

POLICY = '/rest/access-tokens/latest/admin'
MINE = '/rest/access-tokens/latest/users/admin'
READ = ['PROJECT_READ', 'REPO_READ']


def create(rest, path=MINE, **body):
    body.setdefault('name', 'ci')
    body.setdefault('permissions', READ)
    return rest.put(path, json=body)


@pytest.mark.parametrize('style, status, body', [('404', 404, None), ('204', 204, ''), ('empty', 200, {})])
def test_unset_policy_is_answered_in_the_configured_style(sim, style, status, body):
    sim.control.config(policy_unset_style=style)
    answer = Rest(sim).get(POLICY)
    assert answer.status_code == status
    if status == 200:
        assert answer.json() == body
    elif status == 204:
        assert answer.content == b''


def test_policy_put_get_delete(sim):
    rest = Rest(sim)
    assert rest.put(POLICY, json={'maxExpiryDays': 90}).json() == {'maxExpiryDays': 90}
    assert rest.get(POLICY).json() == {'maxExpiryDays': 90}
    assert sim.control.state()['policy'] == {'maxExpiryDays': 90}
    assert rest.put(POLICY, json={'maxExpiryDays': 0}).status_code == 400
    assert rest.put(POLICY, json={'maxExpiryDays': '30'}).status_code == 400
    assert rest.delete(POLICY).status_code == 204
    assert rest.get(POLICY).status_code == 404


def test_policy_needs_admin_and_may_refuse_bearer_tokens(sim):
    sim.control.seed(users=[{'name': 'dev', 'password': 'pw'}])
    assert Rest(sim, 'dev', 'pw').get(POLICY).status_code == 401
    token = sim.control.issue_tokens('ansible', scope='ADMIN_WRITE')['access_token']
    assert Rest(sim, token=token).put(POLICY, json={'maxExpiryDays': 5}).status_code == 200
    sim.control.config(policy_rejects_bearer=True)
    answer = Rest(sim, token=token).get(POLICY)
    assert answer.status_code == 401 and 'OAuth2' in errors(answer)[0]
    assert Rest(sim).get(POLICY).status_code == 200


def test_create_returns_the_secret_once_with_epoch_ms_dates(sim):
    rest = Rest(sim)
    answer = create(rest, expiryDays=30)
    assert answer.status_code == 200
    token = answer.json()
    assert token['token'] and isinstance(token['createdDate'], int) and token['createdDate'] > 10 ** 12
    assert token['expiryDays'] == 30 and token['user']['name'] == 'admin' and token['permissions'] == READ
    listed = rest.get(MINE).json()['values']
    assert [t['id'] for t in listed] == [token['id']] and 'token' not in listed[0]
    assert 'lastAuthenticated' not in listed[0]
    fetched = rest.get(MINE + '/' + token['id']).json()
    assert fetched['name'] == 'ci' and 'token' not in fetched


def test_non_expiring_tokens_have_no_expiry_days_and_use_sets_last_authenticated(sim):
    rest = Rest(sim)
    token = create(rest).json()
    assert 'expiryDays' not in token
    assert Rest(sim, token=token['token']).get('/rest/api/latest/users/admin').status_code == 200
    assert rest.get(MINE + '/' + token['id']).json()['lastAuthenticated'] > 10 ** 12


def test_policy_is_enforced_on_create(sim):
    sim.control.seed(policy={'maxExpiryDays': 30})
    rest = Rest(sim)
    assert create(rest).status_code == 400
    too_long = create(rest, expiryDays=31)
    assert too_long.status_code == 400 and '30' in errors(too_long)[0]
    assert create(rest, expiryDays=30).status_code == 200


def test_create_validates_name_and_permissions(sim):
    rest = Rest(sim)
    assert create(rest, name='').status_code == 400
    assert create(rest, permissions=[]).status_code == 400
    admin = create(rest, permissions=['ADMIN'])
    assert admin.status_code == 400 and errors(admin) == ['Tokens may not have the following permission: ADMIN']
    assert create(rest, permissions=['REPO_PUSH']).status_code == 400
    assert create(rest, permissions=['PROJECT_WRITE', 'REPO_READ']).status_code == 400  # repo must be >= project
    assert create(rest, permissions=['PROJECT_WRITE', 'REPO_ADMIN']).status_code == 200


def test_update_changes_name_and_permissions_but_never_the_expiry(sim):
    rest = Rest(sim)
    token = create(rest, expiryDays=10).json()
    path = MINE + '/' + token['id']
    updated = rest.post(path, json={'name': 'renamed', 'permissions': ['REPO_WRITE']})
    assert updated.status_code == 200 and updated.json()['name'] == 'renamed'
    assert updated.json()['permissions'] == ['REPO_WRITE'] and updated.json()['expiryDays'] == 10
    assert rest.post(path, json={'expiryDays': 20}).status_code == 400
    assert rest.delete(path).status_code == 204
    assert rest.get(path).status_code == 404


def test_tokens_work_on_plain_endpoints_but_never_on_admin_ones(sim):
    secret = create(Rest(sim)).json()['token']
    bearer = Rest(sim, token=secret)
    assert bearer.get('/rest/api/latest/admin/users').status_code == 200  # LICENSED_USER resource
    refused = bearer.get('/rest/api/latest/admin/permissions/users')
    assert refused.status_code == 401 and 'Tokens may not have the following permission: ADMIN' in errors(refused)[0]
    assert bearer.put(MINE, json={'name': 'x', 'permissions': READ}).status_code == 401  # tokens cannot make tokens
    assert Rest(sim, 'admin', secret).get('/rest/api/latest/users/admin').status_code == 200  # as Basic password
    # docs/dev/bitbucket-api-notes.md §5: outside /rest a bearer token is sent to the login page, a Basic one refused.
    assert bearer.get('/projects').status_code == 302
    assert Rest(sim, 'admin', secret).get('/login').status_code == 401
    assert Rest(sim).get('/login').status_code == 200


def test_expired_tokens_stop_working(sim):
    seeded = sim.control.seed(access_tokens=[{'user': 'admin', 'name': 'old', 'permissions': READ, 'expiryDays': 1}])
    secret = seeded['access_tokens'][0]['token']
    assert Rest(sim, token=secret).get('/rest/api/latest/users/admin').status_code == 200
    sim.control.advance_clock(86401)
    assert Rest(sim, token=secret).get('/rest/api/latest/users/admin').status_code == 401


def test_admins_read_and_revoke_others_tokens_but_cannot_create_them(sim):
    sim.control.seed(users=[{'name': 'dev', 'password': 'pw'}])
    theirs = create(Rest(sim, 'dev', 'pw'), '/rest/access-tokens/latest/users/dev').json()
    admin = Rest(sim)
    assert admin.get('/rest/access-tokens/latest/users/dev').json()['size'] == 1
    assert create(admin, '/rest/access-tokens/latest/users/dev').status_code == 401
    assert Rest(sim, 'dev', 'pw').get(MINE).status_code == 401  # nor may users see the admin's
    assert admin.get('/rest/access-tokens/latest/users/nobody').status_code == 404
    assert admin.delete('/rest/access-tokens/latest/users/dev/' + theirs['id']).status_code == 204


def test_seeded_tokens_keep_their_dates_and_project_tokens_have_their_own_paths(sim):
    seeded = sim.control.seed(projects=[{'key': 'PRJ', 'repos': ['app']}], access_tokens=[
        {'user': 'admin', 'name': 'audit-me', 'permissions': READ, 'createdDate': 1600000000000,
         'lastAuthenticated': 1600000100000},
        {'project': 'PRJ', 'name': 'deploy', 'permissions': ['PROJECT_READ', 'REPO_READ']},
    ])
    admin = Rest(sim)
    mine = admin.get(MINE).json()['values'][0]
    assert (mine['createdDate'], mine['lastAuthenticated']) == (1600000000000, 1600000100000)
    project = admin.get('/rest/access-tokens/latest/projects/PRJ').json()['values']
    assert [t['id'] for t in project] == [seeded['access_tokens'][1]['id']] and 'user' not in project[0]
    repo_token = create(admin, '/rest/access-tokens/latest/projects/PRJ/repos/app', permissions=['REPO_READ'])
    assert repo_token.status_code == 200
    assert create(admin, '/rest/access-tokens/latest/projects/PRJ/repos/app').status_code == 400  # no PROJECT_*
    assert admin.get('/rest/access-tokens/latest/projects/NOPE').status_code == 404


def test_oauth_may_be_refused_on_token_resources(sim):
    token = sim.control.issue_tokens('ansible')['access_token']
    assert Rest(sim, token=token).get(MINE).status_code == 200
    sim.control.config(access_tokens_reject_oauth=True)
    assert Rest(sim, token=token).get(MINE).status_code == 401
