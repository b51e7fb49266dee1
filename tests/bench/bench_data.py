# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the benchmark's scenarios share: the seeded users, the OAuth client, the token stores, the results."""

import collections
import time

from runner import REPO

# runner put tests/ and the collection on sys.path (through tests/conftest.py), so this import comes after it.
from oauth_support import VAULT_PASSWORD, write_store  # pylint: disable=wrong-import-order

CLIENT_ID = 'bench-client'
CLIENT_SECRET = 'bench-client-secret'
REDIRECT_URI = 'http://127.0.0.1:8765/callback'
MAX_EXPIRY_DAYS = 90
MEASURED = 'Measured'
URI_LOOP_TASKS = ('Read each user', 'Update each user that differs')
URI_LOOP_USERS = 40
CHANGE_EVERY = 20  # 1 user in 20 changes: 50 of 1,000 (2 of the 40 in the uri loop, scaled by 25 to 50)
GROUPS, MEMBERS_PER_GROUP = 100, 10
ENFORCE_PLAYBOOK = REPO / 'playbooks' / 'enforce_token_expiry.yml'


class Results:
    """Samples (seconds) per figure, request counts per scenario, and notes on what could not be measured."""

    def __init__(self):
        self.samples = collections.defaultdict(list)
        self.requests = {}
        self.facts = {}
        self.notes = []

    def as_dict(self):
        return {'samples': self.samples, 'requests': self.requests, 'facts': self.facts, 'notes': self.notes}

    @classmethod
    def from_dict(cls, data):
        results = cls()
        results.samples.update(data['samples'])
        results.requests.update(data['requests'])
        results.facts.update(data.get('facts', {}))
        results.notes.extend(data['notes'])
        return results

    def add(self, key, seconds):
        self.samples[key].append(seconds)

    def count_requests(self, key, counts):
        """Record the request counts of one run; a later run that sent other requests is recorded as a problem."""
        counts = dict(counts)
        if key in self.requests and self.requests[key] != counts:
            self.notes.append('%s: request counts differed between repetitions: %s, then %s'
                              % (key, self.requests[key], counts))
        self.requests.setdefault(key, counts)


def bench_user(index, changed=False):
    """A user in the simulator's shape and, with changed, the desired state that differs from it."""
    name = 'bench-user-%05d' % index
    return {'name': name, 'displayName': ('Renamed User %d' if changed else 'Bench User %d') % index,
            'emailAddress': '%s@example.com' % name}


def desired_users(count, changes=False):
    """The `users` list of bitbucket_user for the first ``count`` bench users; every 20th differs with changes."""
    wanted = []
    for index in range(count):
        user = bench_user(index, changed=changes and index % CHANGE_EVERY == 0)
        wanted.append({'name': user['name'], 'display_name': user['displayName'], 'email': user['emailAddress']})
    return wanted


def request_counts(control):
    """{'GET': n, ..., 'token': n} of the instance's request log (the control API is not logged)."""
    log = control.requests()
    counts = collections.Counter(entry['method'] for entry in log)
    counts['token'] = sum(1 for entry in log if entry['family'] == 'token')
    counts['total'] = len(log)
    return counts


def prepare_instance(instance, users=0, policy=None, **config):
    """Reset, seed ``users`` bench users, the OAuth client and the policy; returns fresh tokens for admin."""
    control = instance.control
    control.reset()
    if config:
        control.config(**config)
    control.seed(users=[bench_user(i) for i in range(users)], policy=policy,
                 oauth_clients=[{'client_id': CLIENT_ID, 'client_secret': CLIENT_SECRET,
                                 'redirect_uris': [REDIRECT_URI]}])
    tokens = control.issue_tokens(CLIENT_ID)
    control.clear_requests()
    return tokens


def write_token_store(path, url, tokens):
    """The vault-encrypted store the consent playbook would leave behind."""
    write_store(path, {'url': url, 'client_id': CLIENT_ID, 'redirect_uri': REDIRECT_URI,
                       'refresh_token': tokens['refresh_token'], 'refresh_token_issued_at': int(time.time()),
                       'access_token': tokens['access_token'], 'expires_at': tokens['expires_at'],
                       'token_type': 'bearer', 'scope': ['ADMIN_WRITE']})


def vault_password_file(workdir):
    path = workdir / 'vault-password'
    path.write_text(VAULT_PASSWORD)
    return path


def session_vars(url, store):
    """The oauth_session role's variables for one instance."""
    return {'bitbucket_url': url, 'bitbucket_oauth_client_id': CLIENT_ID,
            'bitbucket_oauth_client_secret': CLIENT_SECRET, 'bitbucket_oauth_redirect_uri': REDIRECT_URI,
            'bitbucket_oauth_token_store': str(store)}
