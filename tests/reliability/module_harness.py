# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The modules' and actions' real argument specs, and runs of them in this process (for the bad input matrix, where
hundreds of runs that stop at validation would cost minutes as separate ansible-playbook processes).

A module run goes through AnsibleModule exactly as under ansible-playbook: the arguments are serialised as the
controller sends them, validated, and the result is the JSON the module prints. An action run is the action plugin's
run() with a real Task, loader and templar. Only the process is shared.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
from types import SimpleNamespace
from unittest import mock

from ansible.errors import AnsibleActionFail
from ansible.module_utils import _internal, basic
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.testing import patch_module_args
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.template import Templar

MODULES = ('bitbucket_user', 'bitbucket_group', 'bitbucket_access_token_policy', 'bitbucket_access_token_info',
           'bitbucket_access_token')
ACTIONS = ('bitbucket_oauth_token', 'bitbucket_oauth_authorize')
PACKAGE = 'ansible_collections.dcops.bitbucket.plugins.modules.'
ACTION_PACKAGE = 'ansible_collections.dcops.bitbucket.plugins.action.'


class _Captured(Exception):
    pass


def module_spec(name):
    """The keyword arguments the module gives AnsibleModule: argument_spec (connection options merged in),
    mutually_exclusive, required_together, required_one_of, required_if."""
    module = importlib.import_module(PACKAGE + name)
    captured = {}

    def capture(self, **kwargs):  # pylint: disable=unused-argument
        captured.update(kwargs)
        raise _Captured()

    with mock.patch.object(basic.AnsibleModule, '__init__', capture):
        try:
            module.main()
        except _Captured:
            pass
    for key in ('mutually_exclusive', 'required_together', 'required_one_of', 'required_if'):
        captured[key] = [tuple(item) for item in captured.get(key) or []]
    return captured


def run_module(name, args):
    """The result the module prints for ``args`` (a dict), as the controller would read it."""
    module = importlib.import_module(PACKAGE + name)
    ansible_warnings._global_warnings.clear()  # pylint: disable=protected-access
    ansible_warnings._global_deprecations.clear()  # pylint: disable=protected-access
    printed = io.StringIO()
    # Importing controller code (as other tests in this process do) makes module_utils act as the controller, which
    # shows warnings instead of returning them.
    with patch_module_args(dict(args, _ansible_module_name=name)), contextlib.redirect_stdout(printed), \
            mock.patch.object(_internal, 'is_controller', False):
        try:
            module.main()
        except SystemExit:
            pass
    lines = printed.getvalue().strip().splitlines()
    return json.loads(lines[-1]) if lines else {'failed': True, 'msg': 'the module printed nothing'}


def warning_texts(result):
    """Warnings as text (ansible-core 2.19 returns them as WarningSummary objects)."""
    texts = []
    for warning in result.get('warnings') or []:
        texts.append(warning.get('event', {}).get('msg', '') if isinstance(warning, dict) else str(warning))
    return texts


def run_action(name, args, loader=None):
    """The result of the controller-side action ``name`` (bitbucket_oauth_token, bitbucket_oauth_authorize) for
    ``args``, as the task executor would get it; ``loader`` carries the run's vault secrets."""
    module = importlib.import_module(ACTION_PACKAGE + name)
    task = Task()
    task.args = args
    task.action = 'dcops.bitbucket.' + name
    loader = loader or DataLoader()
    # Nothing is executed on a target: the actions run here and never touch the connection's temporary directory.
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir=None))
    action = module.ActionModule(task=task, connection=connection, play_context=PlayContext(), loader=loader,
                                 templar=Templar(loader=loader), shared_loader_obj=None)
    try:
        return action.run(task_vars={})
    except AnsibleActionFail as exc:  # the task executor turns this into the failed result
        return exc.result


def action_spec(name):
    """argument_spec and the rules an action passes to validate_argument_spec."""
    module = importlib.import_module(ACTION_PACKAGE + name)
    return {'argument_spec': module.ARGUMENT_SPEC,
            'mutually_exclusive': [tuple(pair) for pair in getattr(module, 'MUTUALLY_EXCLUSIVE', [])],
            'required_if': [tuple(rule) for rule in getattr(module, 'REQUIRED_IF', [])]}
