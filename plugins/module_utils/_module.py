# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Base class of every module that talks to the Bitbucket REST API. FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.dcops.bitbucket.plugins.module_utils._connection import (
    CONNECTION_ARGSPEC,
    CONNECTION_MUTUALLY_EXCLUSIVE,
    CONNECTION_REQUIRED_TOGETHER,
    ConnectionOptionError,
    check_connection,
    client_from_params,
    resolve_auth,
)
from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError
from ansible_collections.dcops.bitbucket.plugins.module_utils._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.dcops.bitbucket.plugins.module_utils._option_shapes import secret_values, wrong_shapes


class BitbucketModule(AnsibleModule):
    """AnsibleModule with the shared connection options merged in and a lazily built client."""

    def __init__(self, argument_spec=None, mutually_exclusive=None, required_together=None, problems=None, **kwargs):
        """problems: the module's problems(params) -> [str], the checks Ansible's argument spec cannot make; the
        module fails with all of them, joined, before any request."""
        spec = dict(CONNECTION_ARGSPEC)
        spec.update(argument_spec or {})
        super(BitbucketModule, self).__init__(
            argument_spec=spec,
            mutually_exclusive=CONNECTION_MUTUALLY_EXCLUSIVE + list(mutually_exclusive or []),
            required_together=CONNECTION_REQUIRED_TOGETHER + list(required_together or []),
            **kwargs
        )
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        resolve_auth(self.params)
        for name in ('access_token', 'url_password'):
            if self.params.get(name):
                self.no_log_values.add(self.params[name])
        try:
            for warning in check_connection(self.params):
                self.warn(warning)
        except ConnectionOptionError as exc:
            self.fail_json(msg=str(exc))
        found = problems(self.params) if problems else []
        if found:
            self.fail_json(msg='; '.join(found))
        self._client = None

    def _load_params(self):
        """Refuse values of the wrong shape before Ansible's validation converts them (see _option_shapes).

        AnsibleModule has no public hook between reading the arguments and validating them, and validation turns
        a list given for a str option into its Python text without a word; this private method is the only place
        that sees the arguments as given. tests/unit/test_ansible_internals.py fails when ansible-core changes it.
        """
        super(BitbucketModule, self)._load_params()
        problems = wrong_shapes(self.argument_spec, self.params)
        if problems:
            # Validation has not collected the secrets yet; the result's invocation shows the arguments.
            self.no_log_values.update(secret_values(self.argument_spec, self.params))
            self.fail_json(msg='; '.join(problems))

    @property
    def client(self):
        if self._client is None:
            self._client = client_from_params(self.params)
        return self._client

    def add_secret(self, value):
        """Never show value in any output of this module (a generated password, a token it obtained)."""
        if value:
            self.no_log_values.add(value)
            self.client.add_secret(value)

    def fail_from(self, exc, **kwargs):
        """Fail with the safe text of a BitbucketError (status included when there is one)."""
        if isinstance(exc, BitbucketError) and exc.status is not None:
            kwargs.setdefault('status', exc.status)
        self.fail_json(msg=str(exc), **kwargs)
