# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Option values of the wrong shape, found before Ansible converts them. FOR INTERNAL COLLECTION USE ONLY.

Ansible turns a list or a dictionary given for a string option into its Python text without a word (a user named
"['alice']" would be created), and reports a list-of-dictionaries item that is not one without naming the option.
These checks name the option and the item, and never show the value (it may be a secret).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.validation import check_type_dict

TEXT_TYPES = ('str', 'path')


def _kind(value):
    return 'dictionary' if isinstance(value, dict) else 'list' if isinstance(value, (list, tuple)) else \
        type(value).__name__


def _not_text(value):
    return isinstance(value, (dict, list, tuple))


def _not_dict(value):
    if isinstance(value, dict):
        return False
    try:
        check_type_dict(value)  # Ansible also takes JSON text and key=value text for a dictionary
    except (TypeError, ValueError):
        return True
    return False


def wrong_shapes(spec, params, prefix=''):
    """Messages naming each option (and list item) whose value has a shape its type cannot take; [] when none."""
    problems = []
    for name, option in spec.items():
        value = params.get(name) if isinstance(params, dict) else None
        if value is None:
            continue
        where = prefix + name
        kind = option.get('type', 'str')
        if kind in TEXT_TYPES and _not_text(value):
            problems.append('%s must be a string, not a %s' % (where, _kind(value)))
        elif kind == 'list' and isinstance(value, (list, tuple)):
            elements = option.get('elements')
            for index, item in enumerate(value):
                here = '%s[%d]' % (where, index)
                if elements in TEXT_TYPES and _not_text(item):
                    problems.append('%s must be a string, not a %s' % (here, _kind(item)))
                elif elements == 'dict' and _not_dict(item):
                    problems.append('%s must be a dictionary, not a %s' % (here, _kind(item)))
                elif elements == 'dict' and isinstance(item, dict) and option.get('options'):
                    problems.extend(wrong_shapes(option['options'], item, here + '.'))
        elif kind == 'dict' and _not_dict(value):
            problems.append('%s must be a dictionary, not a %s' % (where, _kind(value)))
        elif kind == 'dict' and isinstance(value, dict) and option.get('options'):
            problems.extend(wrong_shapes(option['options'], value, where + '.'))
    return problems


def secret_values(spec, params):
    """Every scalar inside the values of no_log options, whatever their shape (Ansible's own collection of them
    expects the shapes it validates), so that a failure before validation can still hide them."""
    found = set()
    for name, option in spec.items():
        value = params.get(name) if isinstance(params, dict) else None
        if value is None:
            continue
        if option.get('no_log'):
            found.update(_scalars(value))
        elif option.get('options'):
            for item in value if isinstance(value, (list, tuple)) else [value]:
                found.update(secret_values(option['options'], item))
    return found


def _scalars(value):
    if isinstance(value, dict):
        return set().union(*[_scalars(item) for item in value.values()] or [set()])
    if isinstance(value, (list, tuple)):
        return set().union(*[_scalars(item) for item in value] or [set()])
    return {str(value)} if str(value) else set()
