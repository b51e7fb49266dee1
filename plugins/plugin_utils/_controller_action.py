# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Base of the collection's actions that do all their work on the controller. FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.dcops.bitbucket.plugins.module_utils._option_shapes import wrong_shapes


class ControllerAction(ActionBase):
    """An action that needs no connection to the host and runs in check mode as it does otherwise."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def validated_params(self, argument_spec, problems=None, **constraints):
        """The task's arguments checked: (params, None), or (None, a message naming each option at fault).

        The shape check comes first: Ansible's own check turns a list or dictionary given for a string into text.
        Then the argument spec, then problems(params) (a list of messages, empty when fine) for what the spec
        cannot express, all before any request.
        """
        found = wrong_shapes(argument_spec, self._task.args)
        if found:
            return None, '; '.join(found)
        dummy, params = self.validate_argument_spec(argument_spec=argument_spec, **constraints)
        found = problems(params) if problems else []
        if found:
            return None, '; '.join(found)
        return params, None
