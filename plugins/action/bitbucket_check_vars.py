# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller-side action of dcops.bitbucket.bitbucket_check_vars: check playbook or role variables."""

from __future__ import annotations

from ansible_collections.dcops.bitbucket.plugins.plugin_utils._controller_action import ControllerAction
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._variable_check import (
    documented_options,
    variable_problems,
)

ARGUMENT_SPEC = dict(
    argument_spec=dict(type='dict', required=True),
    item_options=dict(type='dict', default={}),
    required_together=dict(type='list', elements='list', default=[]),
)


class ActionModule(ControllerAction):
    def run(self, tmp=None, task_vars=None):
        del tmp
        result = super().run(task_vars=task_vars)
        params, problem = self.validated_params(ARGUMENT_SPEC)
        result.update(dict(failed=True, msg=problem) if problem else self._check(params, task_vars or {}))
        return result

    def _check(self, params, task_vars):
        spec = {name: dict(option) for name, option in params['argument_spec'].items()}
        for name, source in params['item_options'].items():
            if name not in spec or not isinstance(source, dict) or set(source) != {'module', 'option'}:
                return dict(failed=True, msg='item_options.%s must name a variable of argument_spec and give module '
                                             'and option' % name)
            try:
                spec[name]['options'] = documented_options(source['module'], source['option'])
            except ValueError as exc:
                return dict(failed=True, msg='item_options.%s: %s' % (name, exc))
        given = self._templar.template({name: task_vars[name] for name in spec if name in task_vars})
        given = {name: value for name, value in given.items() if value is not None}
        problems = variable_problems(spec, given, params['required_together'])
        if problems:
            return dict(failed=True, msg='; '.join(problems))
        # Only values of the spec itself: a variable's value may hold a secret the spec does not mark (a URL with
        # credentials), and results are shown at higher verbosity.
        defaults = {name: option['default'] for name, option in spec.items() if option.get('default') is not None}
        return dict(changed=False, defaults=defaults)
