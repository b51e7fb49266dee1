# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Diffs built from normalised before/after objects (netbox.netbox style). FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def normalise(value):
    """A stable form for comparison and display: dict keys kept, lists of scalars sorted, None values dropped."""
    if isinstance(value, dict):
        return dict((k, normalise(v)) for k, v in value.items() if v is not None)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [normalise(v) for v in value]
        if all(not isinstance(v, (dict, list)) for v in items):
            return sorted(items, key=lambda v: (str(type(v)), v))
        return items
    return value


def make_diff(before, after, label=None):
    """An Ansible diff dict; an absent object is shown as {'state': 'absent'}."""
    diff = {
        'before': normalise(before) if before is not None else {'state': 'absent'},
        'after': normalise(after) if after is not None else {'state': 'absent'},
    }
    if label:
        diff['before_header'] = diff['after_header'] = label
    return diff
