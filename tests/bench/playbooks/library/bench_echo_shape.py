# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark-only module: takes a task's argument and returns a result recorded from the real module, no HTTP.

The benchmark times it as Ansible's own cost of a task with that argument and that result (templating, argument
handling, JSON both ways, result processing), the part of a floor that no HTTP client can avoid.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(argument=dict(type='raw'), result=dict(type='dict', default={})),
                           supports_check_mode=True)
    result = dict(module.params['result'])
    result.pop('invocation', None)
    result['changed'] = bool(result.get('changed'))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
