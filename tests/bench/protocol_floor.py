# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The protocol floor: the fewest HTTP requests that do a benchmark job, over one kept-alive connection.

A plain ``requests`` script with no Ansible, no validation and no reporting, so that its time is what the HTTP
conversation itself costs. It prints one JSON line: {"seconds": time from the first request to the last answer,
decoding and comparing included (interpreter start-up and imports excluded), "requests": {method: count}}.

  protocol_floor.py --url URL --mode policy              GET the access-token policy once
  protocol_floor.py --url URL --mode users --desired F   list every user (all pages), then PUT each user of the
                                                         JSON list F ({name, display_name, email}) that differs
  protocol_floor.py --url URL --mode groups --desired F  list every group, then the members of each group of the
                                                         JSON list F ({name, members}); fails if one differs

The bearer token comes from the environment variable BENCH_TOKEN.
"""

import argparse
import collections
import json
import os
import sys
import time

import requests

POLICY_PATH = '/rest/access-tokens/latest/admin'
USERS_PATH = '/rest/api/latest/admin/users'
GROUPS_PATH = '/rest/api/latest/admin/groups'
MEMBERS_PATH = '/rest/api/latest/admin/groups/more-members'
PAGE_LIMIT = 1000


class Conversation:
    """One requests.Session (one kept-alive connection) that counts what it sends."""

    def __init__(self, url, token):
        self.url = url.rstrip('/')
        self.session = requests.Session()
        self.session.headers.update({'Authorization': 'Bearer ' + token, 'Accept': 'application/json'})
        self.counts = collections.Counter()

    def send(self, method, path, **kwargs):
        self.counts[method] += 1
        response = self.session.request(method, self.url + path, timeout=30, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def paged(self, path, **params):
        """Every value of a paged listing, following nextPageStart."""
        start = 0
        while True:
            page = self.send('GET', path, params=dict(params, start=start, limit=PAGE_LIMIT))
            yield from page['values']
            if page['isLastPage']:
                return
            start = page['nextPageStart']


def read_policy(conversation):
    conversation.send('GET', POLICY_PATH)


def reconcile_users(conversation, desired):
    """All users page by page, then one PUT per user whose details differ."""
    current = dict((user['name'].lower(), user) for user in conversation.paged(USERS_PATH))
    for user in desired:
        have = current[user['name'].lower()]
        if have['displayName'] != user['display_name'] or have['emailAddress'] != user['email']:
            conversation.send('PUT', USERS_PATH, headers={'X-Atlassian-Token': 'no-check'},
                              json={'name': have['name'], 'displayName': user['display_name'],
                                    'email': user['email']})


def check_groups(conversation, desired):
    """All groups, then each desired group's members; the benchmark's groups scenario changes nothing."""
    names = set(group['name'] for group in conversation.paged(GROUPS_PATH))
    for group in desired:
        members = set(user['name'] for user in conversation.paged(MEMBERS_PATH, context=group['name']))
        if group['name'] not in names or members != set(group['members']):
            raise SystemExit('group %s differs from the desired state' % group['name'])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--url', required=True)
    parser.add_argument('--mode', required=True, choices=['policy', 'users', 'groups'])
    parser.add_argument('--desired', help='JSON list of users or groups (modes users and groups)')
    args = parser.parse_args(argv)
    desired = None
    if args.desired:
        with open(args.desired) as handle:
            desired = json.load(handle)
    conversation = Conversation(args.url, os.environ['BENCH_TOKEN'])
    started = time.perf_counter()
    if args.mode == 'policy':
        read_policy(conversation)
    elif args.mode == 'users':
        reconcile_users(conversation, desired)
    else:
        check_groups(conversation, desired)
    seconds = time.perf_counter() - started
    sys.stdout.write(json.dumps({'seconds': seconds, 'requests': dict(conversation.counts)}) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
