# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The protocol floor: the fewest HTTP requests that do a benchmark job, over one kept-alive connection.

A plain ``requests`` script with no Ansible, no validation and no reporting, so that its time is what the HTTP
conversation itself costs. It prints one JSON line: {"seconds": time from the first request to the last answer,
decoding and comparing included (interpreter start-up and imports excluded), "import_seconds": its import of
requests, which any client built on requests pays once per process, "requests": {method: count}}.

  protocol_floor.py --url URL --mode policy              GET the access-token policy once
  protocol_floor.py --url URL --mode users --desired F   list every user (all pages), then PUT each user of the
                                                         JSON list F ({name, display_name, email}) that differs
  protocol_floor.py --url URL --mode groups --desired F  list every group, then the members of each group of the
                                                         JSON list F ({name, members}); fails if one differs
  protocol_floor.py --url URL --mode audit               list every user, then each user's access tokens

--concurrency N sends the independent reads (each group's members, each user's tokens) N at a time over N kept-alive
connections; --rate R --burst B keeps under a token bucket of B requests refilled at R per second, with exact
knowledge of it (the bucket is full at the start, and a token per connection is kept for the requests on their way),
as the fewest requests under that limit would be sent: none of them answered 429.

The bearer token comes from the environment variable BENCH_TOKEN.
"""

import argparse
import collections
import concurrent.futures
import json
import os
import sys
import threading
import time

IMPORT_STARTED = time.perf_counter()
import requests  # noqa: E402 pylint: disable=wrong-import-position
IMPORT_SECONDS = time.perf_counter() - IMPORT_STARTED

POLICY_PATH = '/rest/access-tokens/latest/admin'
USERS_PATH = '/rest/api/latest/admin/users'
GROUPS_PATH = '/rest/api/latest/admin/groups'
MEMBERS_PATH = '/rest/api/latest/admin/groups/more-members'
TOKENS_PATH = '/rest/access-tokens/latest/users/'
PAGE_LIMIT = 1000


class Bucket:
    """The server's token bucket, known exactly: a request waits until the bucket holds a token.

    The server counts a request when it arrives and starts its bucket at the first one, a little after this copy,
    so the copy keeps ``reserve`` tokens for the requests on their way (one per connection); without them the
    script collects a 429 (an extra request) as the burst runs out.
    """

    def __init__(self, rate, burst, reserve=0):
        self.rate, self.burst, self.reserve = rate, burst, min(reserve, burst // 2)
        self.tokens, self.then = float(burst), time.monotonic()
        self.lock = threading.Lock()

    def take(self):
        while self.rate:
            with self.lock:
                now = time.monotonic()
                self.tokens = min(self.burst, self.tokens + (now - self.then) * self.rate)
                self.then = now
                if self.tokens - self.reserve >= 1:
                    self.tokens -= 1
                    return
                wait = (1 + self.reserve - self.tokens) / self.rate
            time.sleep(wait)


class Conversation:
    """One requests.Session (one kept-alive connection) that counts what it sends."""

    def __init__(self, url, token, concurrency=1, bucket=None):
        self.url = url.rstrip('/')
        self.session = requests.Session()
        if concurrency > 10:
            adapter = requests.adapters.HTTPAdapter(pool_maxsize=concurrency)
            self.session.mount('http://', adapter)
            self.session.mount('https://', adapter)
        self.session.headers.update({'Authorization': 'Bearer ' + token, 'Accept': 'application/json'})
        self.counts = collections.Counter()
        self.concurrency = concurrency
        self.bucket = bucket or Bucket(None, 0)

    def send(self, method, path, **kwargs):
        while True:
            self.bucket.take()
            self.counts[method] += 1
            response = self.session.request(method, self.url + path, timeout=30, **kwargs)
            if response.status_code != 429:
                break
            self.counts['429'] += 1
            time.sleep(float(response.headers.get('Retry-After') or 1))
        response.raise_for_status()
        return response.json() if response.content else None

    def each(self, function, items):
        """function(item) for every item, self.concurrency at a time."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(function, items))

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

    def members(group):
        return set(user['name'] for user in conversation.paged(MEMBERS_PATH, context=group['name']))

    for group, found in zip(desired, conversation.each(members, desired)):
        if group['name'] not in names or found != set(group['members']):
            raise SystemExit('group %s differs from the desired state' % group['name'])


def audit_tokens(conversation):
    """Every user page by page, then each user's tokens (one page each at this size)."""
    slugs = [user['slug'] for user in conversation.paged(USERS_PATH)]
    found = conversation.each(lambda slug: list(conversation.paged(TOKENS_PATH + slug)), slugs)
    return sum(len(tokens) for tokens in found)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--url', required=True)
    parser.add_argument('--mode', required=True, choices=['policy', 'users', 'groups', 'audit'])
    parser.add_argument('--desired', help='JSON list of users or groups (modes users and groups)')
    parser.add_argument('--concurrency', type=int, default=1)
    parser.add_argument('--rate', type=float, help='refill rate of the rate limit (requests per second)')
    parser.add_argument('--burst', type=int, default=60, help='capacity of the rate limit')
    args = parser.parse_args(argv)
    desired = None
    if args.desired:
        with open(args.desired) as handle:
            desired = json.load(handle)
    bucket = Bucket(args.rate, args.burst, reserve=args.concurrency)
    conversation = Conversation(args.url, os.environ['BENCH_TOKEN'], args.concurrency, bucket)
    started = time.perf_counter()
    if args.mode == 'policy':
        read_policy(conversation)
    elif args.mode == 'users':
        reconcile_users(conversation, desired)
    elif args.mode == 'audit':
        audit_tokens(conversation)
    else:
        check_groups(conversation, desired)
    seconds = time.perf_counter() - started
    sys.stdout.write(json.dumps({'seconds': seconds, 'import_seconds': IMPORT_SECONDS,
                                 'requests': dict(conversation.counts)}) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
