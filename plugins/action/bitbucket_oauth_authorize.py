# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller-side action of dcops.bitbucket.bitbucket_oauth_authorize: options in, consent flow, result out.

The browser leg of the consent is in plugin_utils/_consent_flow.py.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback
from ansible.utils.display import Display

from ansible_collections.dcops.bitbucket.plugins.module_utils._connection import check_url
from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._consent_flow import consent
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._controller_action import ControllerAction
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_store import open_token_store, run_vault_secrets
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._vault_auth import OPTION_SPEC as HASHI_VAULT_SPEC

ARGUMENT_SPEC = dict(
    url=dict(type='str', required=True, fallback=(env_fallback, ['BITBUCKET_DC_URL'])),
    client_id=dict(type='str', required=True),
    redirect_uri=dict(type='str', required=True),
    scope=dict(type='list', elements='str', default=['ADMIN_WRITE']),
    timeout=dict(type='int', default=300),
    token_store=dict(type='path', no_log=False),
    token_store_vault_id=dict(type='str', no_log=False),
    force=dict(type='bool', default=False),
    token_store_backend=dict(type='str', default='file', choices=['file', 'hashi_vault']),
    hashi_vault=dict(type='dict', options=HASHI_VAULT_SPEC),
)

display = Display()


def problems(params):
    """What the argument spec cannot express; empty when fine."""
    found = check_url(params['url'])
    if params['timeout'] < 1:
        found.append('timeout must be at least 1 second')
    return found


class ActionModule(ControllerAction):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        params, problem = self.validated_params(ARGUMENT_SPEC, problems=problems)
        if problem:
            return dict(result, failed=True, msg=problem)
        try:
            if params['token_store']:
                self._check_store(params)
            result.update(consent(params, display))
        except BitbucketError as exc:
            result.update(failed=True, msg=str(exc))
        return result

    def _check_store(self, params):
        """Whatever would stop the code from being stored fails now, before the user consents in vain."""
        store = open_token_store(params, run_vault_secrets(self._loader))
        with store.locked():
            store.refuse_replacing(params['force'])
