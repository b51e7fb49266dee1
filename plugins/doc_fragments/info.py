# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The selection options and attributes of the modules that only read (module_utils/_info.py SELECTION_OPTIONS).
    DOCUMENTATION = r'''
options:
  names:
    description:
      - Read only these users or groups (names compared case-insensitively). Names that do not exist are left out.
      - Mutually exclusive with O(filter).
    type: list
    elements: str
  filter:
    description:
      - Read only those whose name (for users, also display name or e-mail address) contains this text. This is
        Bitbucket's own filter, case-insensitive.
    type: str
  include_permission:
    description:
      - Read each one's own global permission into C(permission), V(none) when it has none. For a user this is the
        permission granted to the user itself, not the ones it gets through groups.
      - Costs one listing of those holding a global permission (for users with O(names), one per name).
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    details: Reading changes nothing, so a check-mode run sends the same requests and returns the same.
  diff_mode:
    support: none
'''
