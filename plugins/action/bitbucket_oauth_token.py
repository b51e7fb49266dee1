# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller-side action of dcops.bitbucket.bitbucket_oauth_token: options in, token session, result out.

Everything runs on the controller, where the token store and the run's vault secrets are; the work is in
plugin_utils/_token_session.py.
"""

from __future__ import annotations

from ansible_collections.dcops.bitbucket.plugins.module_utils._http import HAS_REQUESTS
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._controller_action import ControllerAction
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_options import (
    ARGUMENT_SPEC,
    GROUP_OPTIONS_NOT_USED,
    MUTUALLY_EXCLUSIVE,
    REQUIRED_IF,
    problems,
    warnings,
)
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_session import token_task
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_store import run_vault_secrets


class ActionModule(ControllerAction):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        self._task.args = {name: value for name, value in self._task.args.items()
                           if name not in GROUP_OPTIONS_NOT_USED}
        params, problem = self.validated_params(ARGUMENT_SPEC, problems=problems, mutually_exclusive=MUTUALLY_EXCLUSIVE,
                                                required_if=REQUIRED_IF)
        if problem:
            return dict(result, failed=True, msg=problem)
        if not HAS_REQUESTS:
            return dict(result, failed=True, msg='the Python library requests is required on the controller by '
                                                 'bitbucket_oauth_token (pip install requests)')
        outcome = token_task(params, run_vault_secrets(self._loader))
        found = result.get('warnings', []) + warnings(params) + outcome.pop('warnings', [])
        result.update(outcome)
        if found:
            result['warnings'] = found
        return result
