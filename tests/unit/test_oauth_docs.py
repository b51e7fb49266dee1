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
    """(documentation with the options of this collection's doc fragments merged in, argument spec, module)."""
    module = importlib.import_module('ansible_collections.dcops.bitbucket.plugins.modules.' + name)
    action = importlib.import_module('ansible_collections.dcops.bitbucket.plugins.action.' + name)
    doc = yaml.safe_load(module.DOCUMENTATION)
    for fragment in doc.get('extends_documentation_fragment', []):
        if fragment.startswith('dcops.bitbucket.'):
            file_name, dummy, part = fragment[len('dcops.bitbucket.'):].partition('.')
            source = importlib.import_module('ansible_collections.dcops.bitbucket.plugins.doc_fragments.' + file_name)
            doc['options'].update(yaml.safe_load(getattr(source.ModuleDocFragment, (part or 'documentation').upper()))
                                  .get('options') or {})
    return doc, action.ARGUMENT_SPEC, module


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
        for suboption, sub_entry in (entry.get('options') or {}).items():
            sub_doc = documented['suboptions'][suboption]
            assert sub_doc['type'] == sub_entry.get('type', 'str'), (option, suboption)
            assert sub_doc.get('default') == sub_entry.get('default'), (option, suboption)
            assert sub_doc.get('choices') == sub_entry.get('choices'), (option, suboption)
        assert sorted(documented.get('suboptions') or {}) == sorted(entry.get('options') or {}), option


@pytest.mark.parametrize('name', MODULES)
def test_examples_and_return_are_yaml(name):
    dummy, dummy2, module = load(name)
    assert yaml.safe_load(module.EXAMPLES)
    assert yaml.safe_load(module.RETURN)


def test_secret_options_are_no_log():
    dummy, spec, dummy2 = load('bitbucket_oauth_token')
    secret = {name for name, entry in spec.items() if entry.get('no_log')}
    assert secret == {'client_secret', 'code', 'code_verifier', 'refresh_token', 'access_token'}
