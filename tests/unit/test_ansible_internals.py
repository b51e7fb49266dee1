"""The two places where the collection relies on ansible-core internals, each asserted here so that an ansible-core
release that changes them fails this test instead of silently weakening the collection."""

import inspect

from ansible.module_utils.basic import AnsibleModule
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import VaultSecret

from ansible_collections.dcops.bitbucket.plugins.module_utils._module import BitbucketModule
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_store import run_vault_secrets


def test_arguments_are_loaded_by_an_overridable_method_before_validation():
    source = inspect.getsource(AnsibleModule.__init__)
    assert 'self._load_params()' in source, 'AnsibleModule no longer reads its arguments through _load_params'
    assert source.index('self._load_params()') < source.index('.validate(self.params)'), \
        'AnsibleModule now validates before _load_params: the shape check would see converted values'
    assert '_load_params' in BitbucketModule.__dict__


def test_the_vault_secrets_of_a_run_are_read_from_its_loader():
    loader = DataLoader()
    assert run_vault_secrets(loader) == []
    secret = VaultSecret(b'internals-test-password')
    loader.set_vault_secrets([('prod', secret)])
    assert run_vault_secrets(loader) == [('prod', secret)], 'DataLoader no longer keeps its vault secrets in _vault'
