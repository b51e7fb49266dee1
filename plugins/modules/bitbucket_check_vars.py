#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# The work is done on the controller by the action plugin of the same name (plugins/action/bitbucket_check_vars.py),
# where the variables are; this file holds the documentation.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: bitbucket_check_vars
short_description: Check playbook or role variables before the first request to Bitbucket
version_added: 1.0.0
description:
  - Checks the variables named in O(argument_spec) as the modules of this collection check their options, so that a
    play refuses a bad variable before its first task writes anything, with a message naming the variable (and the
    list item), never its value.
  - Like M(ansible.builtin.validate_argument_spec), and in addition refuses a list or a dictionary given for a
    C(str) or C(path) variable (which Ansible's validation would turn into its text without a word) and unknown keys
    in the items of a list of dictionaries.
  - With O(item_options), the items of a list variable are checked against the item options of a module, for
    example C(bitbucket_users) against O(dcops.bitbucket.bitbucket_user#module:users), as that module will check them.
  - The collection's playbooks and the P(dcops.bitbucket.oauth_session#role) role run it first.
  - Does not talk to Bitbucket, and runs on the controller whatever host the task targets.
options:
  argument_spec:
    description:
      - The variables to check, in the format of the options of a role's C(meta/argument_specs.yml) (C(type),
        C(elements), C(choices), C(required), C(default), C(no_log), C(options)). Other keys, such as
        C(description), are ignored.
      - Variables that are not set, or set to C(null), are not checked, unless C(required).
    type: dict
    required: true
  item_options:
    description:
      - For a list-of-dictionaries variable of O(argument_spec), the module option whose suboptions its items must
        match, as a dictionary with the keys C(module) (fully qualified name) and C(option).
    type: dict
    default: {}
  required_together:
    description:
      - Lists of variables that must be set together or not at all.
    type: list
    elements: list
    default: []
extends_documentation_fragment:
  - dcops.bitbucket.attributes
  - dcops.bitbucket.attributes.controller_action
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details:
      - Runs as in a normal run; it changes nothing.
seealso:
  - module: ansible.builtin.validate_argument_spec
author:
  - dcops.bitbucket contributors (@dcops)
'''

EXAMPLES = r'''
- name: Check the variables
  dcops.bitbucket.bitbucket_check_vars:
    argument_spec:
      bitbucket_url: {type: str, required: true}
      bitbucket_users: {type: list, elements: dict}
      bitbucket_password: {type: str, no_log: true}
    item_options:
      bitbucket_users: {module: dcops.bitbucket.bitbucket_user, option: users}
    required_together:
      - [bitbucket_username, bitbucket_password]

- name: Check the variables and take their defaults from the spec, written once
  dcops.bitbucket.bitbucket_check_vars:
    argument_spec:
      bitbucket_oauth_min_validity: {type: int, default: 300}
  register: checked

- name: Use a default from the spec
  ansible.builtin.debug:
    msg: "Refresh when less than {{ bitbucket_oauth_min_validity | default(checked.defaults.bitbucket_oauth_min_validity) }} s remain"
'''

RETURN = r'''
defaults:
  description:
    - The defaults of O(argument_spec), by variable, so that they are written in one place; use them as
      C(my_variable | default(checked.defaults.my_variable)).
    - Values of the variables themselves are never returned, since one may hold a secret that the spec does not mark
      C(no_log) (a URL with credentials).
  returned: success
  type: dict
  sample: {bitbucket_oauth_min_validity: 300}
'''
