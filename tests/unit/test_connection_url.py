# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""check_url: the base URL check that the modules (through check_connection) and the OAuth actions share."""

from __future__ import annotations

import pytest

from ansible_collections.dcops.bitbucket.plugins.module_utils._connection import (
    ConnectionOptionError,
    check_connection,
    check_url,
)


@pytest.mark.parametrize('url', ['https://bitbucket.example.com', 'http://127.0.0.1:7990/bitbucket',
                                 'HTTPS://Bitbucket.Example.com/ctx/'])
def test_base_urls_pass(url):
    assert check_url(url) == []


@pytest.mark.parametrize('url, problem', [
    ('bitbucket.example.com', 'url must be an absolute http:// or https:// URL with a host name'),
    ('ftp://bitbucket.example.com', 'url must be an absolute http:// or https:// URL with a host name'),
    ('https://', 'url must be an absolute http:// or https:// URL with a host name'),
    (None, 'url must be an absolute http:// or https:// URL with a host name'),
    ('https://bitbucket.example.com/?a=1', 'url must not carry a query string or fragment'),
    ('https://bitbucket.example.com/#top', 'url must not carry a query string or fragment'),
])
def test_bad_urls_are_one_problem_naming_the_option(url, problem):
    (found,) = check_url(url)
    assert found.startswith(problem)


def test_the_problem_names_the_option_it_is_given():
    (found,) = check_url('bitbucket.example.com', name='bitbucket_url')
    assert found.startswith('bitbucket_url must be')


def test_check_connection_raises_the_same_problem():
    with pytest.raises(ConnectionOptionError) as failure:
        check_connection({'url': 'bitbucket.example.com'})
    assert str(failure.value) == check_url('bitbucket.example.com')[0]


def test_plain_http_warns_only_with_credentials_to_a_remote_host():
    assert check_connection({'url': 'http://bitbucket.example.com', 'access_token': 't'}) == [
        'url uses plain http:// to bitbucket.example.com: the credentials travel unencrypted; use https://']
    assert check_connection({'url': 'HTTP://bitbucket.example.com', 'url_username': 'a', 'url_password': 'p'})
    assert check_connection({'url': 'http://bitbucket.example.com'}) == []
    assert check_connection({'url': 'http://127.0.0.1:7990', 'access_token': 't'}) == []
