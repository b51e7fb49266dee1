"""Checks on bitbucket_user desired states that need no request (pure functions, no server needed)."""

from ansible_collections.dcops.bitbucket.plugins.module_utils._readers import user_view
from ansible_collections.dcops.bitbucket.plugins.module_utils._user_options import (
    USER_OPTIONS,
    desired_users,
    user_item_spec,
    validate,
)


def test_items_take_the_same_keys_with_name_required():
    spec = user_item_spec()
    assert set(spec) == set(USER_OPTIONS)
    assert spec['name']['required'] is True
    assert USER_OPTIONS['name'].get('required') is None  # the top-level copy is not changed
    assert spec['password']['no_log'] is True
    assert spec['permission']['choices'] == ['LICENSED_USER', 'PROJECT_CREATE', 'ADMIN', 'SYS_ADMIN', 'none']


def test_one_user_from_top_level_options_and_many_from_users():
    params = dict((key, None) for key in USER_OPTIONS)
    params.update(name='jdoe', email='j@example.com', users=None)
    assert desired_users(params) == [dict((key, params[key]) for key in USER_OPTIONS)]
    params['users'] = [{'name': 'a'}, {'name': 'b'}]
    assert [u['name'] for u in desired_users(params)] == ['a', 'b']


def test_duplicate_names_are_refused_case_insensitively():
    problems = validate([{'name': 'alice'}, {'name': 'bob'}, {'name': 'Alice'}], list_name='users')
    assert problems == ['users lists these users more than once: alice']


def test_new_name_colliding_with_a_listed_user_or_another_new_name():
    problems = validate([{'name': 'a', 'new_name': 'b'}, {'name': 'b'}], list_name='users')
    assert problems == ['users renames a to b, which is also listed by name; list each user once']
    problems = validate([{'name': 'a', 'new_name': 'x'}, {'name': 'b', 'new_name': 'X'}], list_name='users')
    assert problems == ['users renames several users to the same name: x']


def test_contradictions_name_the_item_and_option():
    problems = validate([{'name': 'ok'}, {'name': 'gone', 'state': 'absent', 'new_name': 'x'},
                         {'name': 'n', 'notify': True, 'password': 'pw'}, {'name': 'e', 'password': ''},
                         {'name': 'g', 'groups': ['dev', '']}], list_name='users')
    assert problems == [
        'users[1] (gone): new_name cannot be used with state: absent (rename a user that stays present)',
        'users[2] (n): notify and password are mutually exclusive: with notify, Bitbucket mails a link to choose '
        'a password',
        'users[3] (e): password must not be empty',
        'users[4] (g): groups must not hold an empty group name',
    ]
    # One user (top-level options): the option is named without a list position.
    assert validate([{'name': 'gone', 'state': 'absent', 'new_name': 'x'}]) == [
        'new_name cannot be used with state: absent (rename a user that stays present)']


def test_valid_states_have_no_problems():
    assert validate([{'name': 'a', 'new_name': 'b'}, {'name': 'c', 'groups': []}], list_name='users') == []


def test_view_never_holds_a_password_and_sorts_groups():
    user = {'name': 'jdoe', 'displayName': 'Jane', 'emailAddress': 'j@example.com', 'password': 'secret'}
    assert user_view(user, groups=['b', 'a'], permission='none') == {
        'name': 'jdoe', 'display_name': 'Jane', 'email': 'j@example.com', 'state': 'present',
        'groups': ['a', 'b'], 'permission': 'none'}
    assert 'groups' not in user_view(user)
