# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark-only module: bitbucket_user's options in, a no-change result of the same shape out, no HTTP at all.

The benchmark times it to measure what Ansible itself costs for a task whose argument and result hold that many
users (argument validation, no_log scrubbing, JSON, result handling), apart from requests and the conversation.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.dcops.bitbucket.plugins.module_utils._connection import CONNECTION_ARGSPEC
from ansible_collections.dcops.bitbucket.plugins.module_utils._readers import user_view
from ansible_collections.dcops.bitbucket.plugins.module_utils._user_options import USER_OPTIONS, user_item_spec


def main():
    argument_spec = dict(CONNECTION_ARGSPEC)
    argument_spec.update(USER_OPTIONS)
    argument_spec['users'] = dict(type='list', elements='dict', options=user_item_spec())
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    users = []
    for item in module.params['users']:
        user = {'name': item['name'], 'displayName': item['display_name'], 'emailAddress': item['email']}
        users.append({'name': item['name'], 'changed': False, 'failed': False, 'msg': 'unchanged',
                      'user': user_view(user, permission='none')})
    module.exit_json(changed=False, msg='%d users reconciled, 0 changed' % len(users), users=users)


if __name__ == '__main__':
    main()
