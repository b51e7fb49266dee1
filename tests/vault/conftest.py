"""Fixtures of the Vault-backend tests: one OpenBao dev server per pytest worker (``bao``), a fresh secret path
per test (``kv_path``), and the ``hashi_vault`` option pointing at them with the root token (``vault_options``)."""

import re

import pytest

from vault_support import BaoServer


@pytest.fixture(scope='session')
def bao(tmp_path_factory):
    server = BaoServer(str(tmp_path_factory.getbasetemp()))
    yield server
    server.stop()


@pytest.fixture
def kv_path(request):
    """A secret path in the ``secret`` mount that no other test uses."""
    return 'bitbucket/%s' % re.sub(r'[^A-Za-z0-9_-]+', '-', request.node.name)[:80]


@pytest.fixture
def vault_options(bao):
    return {'url': bao.url, 'token': bao.root_token}
