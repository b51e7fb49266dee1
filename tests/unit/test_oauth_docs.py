# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OAuth modules are documentation files for action plugins, which ansible-test cannot compare with an argument
spec; this does: every option documented with the type, default, choices and requiredness the action validates."""

from __future__ import annotations

import importlib

import pytest
import yaml

MODULES = ('bitbucket_oauth_token', 'bitbucket_oauth_authorize')


def load(name):
    module = importlib.import_module('ansible_collections.dcops.bitbucket.plugins.modules.' + name)
    action = importlib.import_module('ansible_collections.dcops.bitbucket.plugins.action.' + name)
    return yaml.safe_load(module.DOCUMENTATION), action.ARGUMENT_SPEC, module


@pytest.mark.parametrize('name', MODULES)
def test_documentation_matches_the_argument_spec(name):
    doc, spec, dummy = load(name)
    assert sorted(doc['options']) == sorted(spec)
    for option, entry in spec.items():
        documented = doc['options'][option]
        assert documented['type'] == entry.get('type', 'str'), option
        assert documented.get('default') == entry.get('default'), option
        assert documented.get('choices') == entry.get('choices'), option
        assert bool(documented.get('required')) == bool(entry.get('required')), option
        assert documented.get('elements') == entry.get('elements'), option


@pytest.mark.parametrize('name', MODULES)
def test_examples_and_return_are_yaml(name):
    dummy, dummy2, module = load(name)
    assert yaml.safe_load(module.EXAMPLES)
    assert yaml.safe_load(module.RETURN)


def test_secret_options_are_no_log():
    dummy, spec, dummy2 = load('bitbucket_oauth_token')
    secret = {name for name, entry in spec.items() if entry.get('no_log')}
    assert secret == {'client_secret', 'code', 'code_verifier', 'refresh_token', 'access_token'}
