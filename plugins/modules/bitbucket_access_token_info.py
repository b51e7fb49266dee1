#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: bitbucket_access_token_info
short_description: Audit HTTP access tokens on Bitbucket Data Center
version_added: 1.0.0
description:
  - Lists the HTTP access tokens of all users (or of the given O(users)), and of the given O(projects) and
    O(repositories), with their creation, expiry and last authentication times.
  - With O(max_expiry_days), flags each token as compliant or not with a token-expiry policy of that maximum, so that
    tokens created before the policy (whose expiry cannot be changed) can be found and revoked.
  - Bitbucket has no instance-wide token listing. The module reads the users once, page by page
    (C(GET /rest/api/latest/admin/users)), then the tokens of each user, O(max_concurrency) users at a time over
    kept-alive connections, paced to stay under the rate limit (see O(rate_limit)).
  - A long audit logs how far it is every few seconds (on the managed host's system log), and RV(summary) says
    how many requests it sent, how long it waited for the rate limit and how many HTTP 429 answers came.
  - Reads only; never changes anything.
author:
  - dcops.bitbucket contributors (@dcops)
options:
  users:
    description:
      - Audit the personal tokens of these users only (user names or slugs, case-insensitive).
      - Omitted, the personal tokens of every user are audited. An empty list audits no personal tokens (useful with
        O(projects) or O(repositories)).
      - A user that does not exist fails the task, naming the user, before any token is read.
    type: list
    elements: str
  projects:
    description:
      - Keys of projects whose project tokens are audited too. A project that does not exist fails the task.
      - Project and repository tokens need a Data Center licence.
    type: list
    elements: str
    default: []
  repositories:
    description:
      - Repositories, as C(PROJECT_KEY/repository_slug), whose repository tokens are audited too.
    type: list
    elements: str
    default: []
  max_expiry_days:
    description:
      - The longest lifetime in days a compliant token may have; an integer of 1 or more.
      - A token is compliant when it expires at most this many days after its creation. A token that never expires
        is not compliant. An expired token is judged the same way (it is reported with RV(tokens[].expired=true)).
      - Omitted, RV(tokens[].compliant) is V(null).
    type: int
extends_documentation_fragment:
  - dcops.bitbucket.connection
  - dcops.bitbucket.auth
  - dcops.bitbucket.attributes
  - dcops.bitbucket.attributes.action_group
attributes:
  check_mode:
    support: full
    details: The module only reads, so it runs unchanged in check mode.
  diff_mode:
    support: none
notes:
  - Needs an account allowed to list users and their tokens (a system administrator for all users).
  - An older Atlassian REST reference says OAuth 2.0 apps cannot call the access-token endpoints. If Bitbucket answers a
    bearer token with HTTP 401 there, the error says so; use Basic auth (O(url_username), O(url_password)) instead.
  - Times are given twice, as ISO 8601 in UTC (for people) and as epoch milliseconds (for comparisons and sorting).
seealso:
  - module: dcops.bitbucket.bitbucket_access_token_policy
  - module: dcops.bitbucket.bitbucket_access_token
'''

EXAMPLES = r'''
- name: Audit every personal token against a 90-day maximum
  dcops.bitbucket.bitbucket_access_token_info:
    url: https://bitbucket.example.com
    access_token: "{{ bitbucket_access_token }}"
    max_expiry_days: 90
  register: audit

- name: Show the tokens that break the policy
  ansible.builtin.debug:
    msg: "{{ audit.tokens | selectattr('compliant', 'false') | map(attribute='name') | list }}"

- name: Tokens of two users, one project and one repository
  dcops.bitbucket.bitbucket_access_token_info:
    url: https://bitbucket.example.com
    url_username: "{{ bitbucket_username }}"
    url_password: "{{ bitbucket_password }}"
    users: [alice, build-bot]
    projects: [OPS]
    repositories: [OPS/deploy-scripts]
'''

RETURN = r'''
tokens:
  description: One entry per token, personal tokens first, in the order Bitbucket lists them.
  returned: success
  type: list
  elements: dict
  contains:
    owner_type: {description: Whose token it is., type: str, returned: always, choices: [user, project, repository], sample: user}
    owner:
      description:
        - The owner as the API names it, the value M(dcops.bitbucket.bitbucket_access_token) takes to revoke the token.
        - The user slug for a personal token, the project key for a project token, C(PROJECT_KEY/repository_slug)
          for a repository token.
      type: str
      returned: always
      sample: alice
    owner_name:
      description: The user name for a personal token (which may differ from the slug); otherwise the same as RV(tokens[].owner).
      type: str
      returned: always
      sample: Alice
    id: {description: Token id., type: str, returned: always, sample: '158910532909'}
    name: {description: Token name given by its creator., type: str, returned: always, sample: ci-deploy}
    permissions: {description: 'Permissions of the token, sorted.', type: list, elements: str, returned: always, sample: [PROJECT_READ, REPO_READ]}
    created: {description: 'Creation time, ISO 8601 in UTC; V(null) if Bitbucket did not say.', type: str, returned: always, sample: '2026-01-31T12:00:00Z'}
    created_epoch_ms: {description: Creation time in milliseconds since the epoch., type: int, returned: always, sample: 1769860800000}
    expiry_days: {description: Lifetime in days chosen at creation; V(null) when the token never expires., type: int, returned: always, sample: 90}
    expires:
      description: Expiry time (creation time plus RV(tokens[].expiry_days) days), ISO 8601 in UTC; V(null) when it
        never expires.
      type: str
      returned: always
      sample: '2026-05-01T12:00:00Z'
    expires_epoch_ms:
      description: Expiry time in milliseconds since the epoch; V(null) when it never expires.
      type: int
      returned: always
      sample: 1777636800000
    expired: {description: Whether the expiry time has passed (by the clock of the host running the module)., type: bool, returned: always, sample: false}
    last_authenticated:
      description: Last time the token was used, ISO 8601 in UTC; V(null) when never used or not reported.
      type: str
      returned: always
      sample: '2026-02-02T08:30:00Z'
    last_authenticated_epoch_ms:
      description: Last use in milliseconds since the epoch; V(null) when never used or not reported.
      type: int
      returned: always
      sample: 1770021000000
    compliant:
      description:
        - Whether the token meets O(max_expiry_days); V(null) when O(max_expiry_days) was not given.
      type: bool
      returned: always
      sample: false
    noncompliance_reason:
      description: Why the token is not compliant; V(null) when it is, or when there is no O(max_expiry_days).
      type: str
      returned: always
      sample: never expires
summary:
  description: Counts over RV(tokens).
  returned: success
  type: dict
  contains:
    users_scanned: {description: How many users' tokens were read., type: int, returned: always, sample: 200}
    tokens: {description: All tokens found., type: int, returned: always, sample: 31}
    compliant: {description: Tokens meeting O(max_expiry_days) (0 without it)., type: int, returned: always, sample: 25}
    noncompliant: {description: Tokens not meeting O(max_expiry_days) (0 without it)., type: int, returned: always, sample: 6}
    never_expiring: {description: Tokens without an expiry., type: int, returned: always, sample: 4}
    expired: {description: Tokens whose expiry time has passed., type: int, returned: always, sample: 2}
    requests: {description: 'HTTP requests the run sent to Bitbucket, retries included.', type: int, returned: always, sample: 242}
    rate_limit_wait_seconds:
      description: Seconds the run's requests waited to stay under the rate limit (or after an HTTP 429).
      type: float
      returned: always
      sample: 31.2
    rate_limited_answers:
      description: HTTP 429 answers received; each held the run for its C(Retry-After) before the request was sent
        again.
      type: int
      returned: always
      sample: 0
    seconds: {description: Wall time of the run's conversation with Bitbucket., type: float, returned: always, sample: 48.7}
    rate_limit:
      description:
        - The pace kept, C(rate) requests per second after a C(burst), and where it came from (C(source)), one of
          V(options) (O(rate_limit)), V(settings) (Bitbucket's rate-limit settings) or V(default) (Bitbucket's defaults,
          assumed). C(rate) is V(null) when the run was not paced.
      type: dict
      returned: always
      sample:
        rate: 5.0
        burst: 60
        source: settings
'''

from ansible_collections.dcops.bitbucket.plugins.module_utils._errors import BitbucketError
from ansible_collections.dcops.bitbucket.plugins.module_utils._module import BitbucketModule
from ansible_collections.dcops.bitbucket.plugins.module_utils._run_summary import progress_logger
from ansible_collections.dcops.bitbucket.plugins.module_utils._token_audit_task import audit, problems


def main():
    module = BitbucketModule(
        argument_spec=dict(
            users=dict(type='list', elements='str'),
            projects=dict(type='list', elements='str', default=[]),
            repositories=dict(type='list', elements='str', default=[]),
            max_expiry_days=dict(type='int'),
        ),
        supports_check_mode=True,
        problems=problems,
    )
    try:
        tokens, summary = audit(module.client, module.params, progress_logger(module, 'users'))
    except BitbucketError as exc:
        module.fail_from(exc)
    module.exit_json(changed=False, tokens=tokens, summary=summary)


if __name__ == '__main__':
    main()
