# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks of playbook and role variables against an argument spec, before the first request. FOR INTERNAL
COLLECTION USE ONLY.

The same checks as the modules make (module_utils/_option_shapes.py first, then Ansible's own validation), so that
a playbook that hands a variable to several modules refuses a bad one before the first of them writes anything.
Items of a list variable can be checked against the item options of a module, read from its documentation (which
ansible-test keeps equal to the module's argument spec).
"""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.loader import fragment_loader, module_loader
from ansible.utils.plugin_docs import get_docstring

from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import scrub
from ansible_collections.dcops.bitbucket.plugins.module_utils._option_shapes import secret_values, wrong_shapes

# What Ansible's validation reads from a documented option; defaults are left out, since a module may apply its
# own (bulk items inherit some from the top level).
DOC_KEYS = ('type', 'elements', 'choices', 'required', 'aliases')


def documented_options(module, option):
    """The argument spec of the suboptions of option of module (a fully qualified name), from its documentation."""
    found = module_loader.find_plugin_with_context(module)
    if not found.resolved:
        raise ValueError('no module named %s' % module)
    doc = get_docstring(found.plugin_resolved_path, fragment_loader, collection_name=found.plugin_resolved_collection,
                        is_module=True)[0] or {}
    entry = (doc.get('options') or {}).get(option)
    if not entry or not entry.get('suboptions'):
        raise ValueError('%s has no option %s with suboptions' % (module, option))
    return spec_from_doc(entry['suboptions'])


def spec_from_doc(options):
    spec = {}
    for name, entry in options.items():
        spec[name] = {key: entry[key] for key in DOC_KEYS if key in entry}
        if entry.get('suboptions'):
            spec[name]['options'] = spec_from_doc(entry['suboptions'])
    return spec


def unknown_keys(spec, values):
    """Messages naming each item of a list-of-dictionaries variable that holds a key its options do not know."""
    problems = []
    for name, option in spec.items():
        items = values.get(name)
        if option.get('elements') != 'dict' or not option.get('options') or not isinstance(items, list):
            continue
        known = set(option['options'])
        for entry in option['options'].values():
            known.update(entry.get('aliases') or ())
        for index, item in enumerate(items):
            extra = sorted(str(key) for key in item if key not in known) if isinstance(item, dict) else []
            if extra:
                problems.append('%s[%d] has the unknown key%s %s (known keys: %s)' % (
                    name, index, 's' if len(extra) > 1 else '', ', '.join(extra), ', '.join(sorted(option['options']))))
    return problems


def missing_partners(groups, values):
    """Messages naming the unset variables of each group of variables that must be set together."""
    problems = []
    for group in groups or ():
        given = [name for name in group if name in values]
        missing = [name for name in group if name not in values]
        if given and missing:
            problems.append('%s set, so %s required too' % (_are(given), _are(missing)))
    return problems


def _are(names):
    return '%s %s' % (' and '.join(names), 'is' if len(names) == 1 else 'are')


def variable_problems(spec, values, required_together=None):
    """Messages naming each variable (and list item) of values that spec refuses; [] when all are fine.

    values holds only the variables that are set. No message shows the value of a no_log variable.
    """
    problems = wrong_shapes(spec, values) + unknown_keys(spec, values) + missing_partners(required_together, values)
    if not problems:
        result = ArgumentSpecValidator(spec).validate(values, validate_role_argument_spec=True)
        problems = list(result.error_messages)
    secrets = secret_values(spec, values)
    return [scrub(problem, secrets) for problem in problems]
