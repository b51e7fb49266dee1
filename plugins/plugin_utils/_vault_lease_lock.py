# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A lock with an expiry (a lease) kept as a KV version 2 secret, for runs on different machines.
FOR INTERNAL COLLECTION USE ONLY.

The lock is the secret ``<path>/lock``. A run takes it by writing a new version, holding its own random id, with
check-and-set on the version it saw free or expired, so of two runs that saw the same version only one wins.
It releases it by writing a free version, again with check-and-set, so a run whose lease ran out and was taken
over cannot release the new holder's lock. A held version is expired when ``lease_seconds`` have passed since
it was written, both times read from the server's clock (the version's created_time and the answer's Date
header), so clocks of the machines do not matter; a run that has seen one held version for ``lease_seconds``
of its own time takes it over too.
"""

from __future__ import annotations

import datetime
import os
import random
import secrets
import socket
import time

from ansible_collections.dcops.bitbucket.plugins.plugin_utils._vault_kv import CasMismatch, VaultError

POLL_SECONDS = (0.1, 0.4)


class LeaseLock:
    """``acquire()`` waits for the lock and returns the seconds waited; ``release()`` frees it."""

    def __init__(self, kv, path, lease_seconds, clock=time.monotonic, sleep=time.sleep):
        self.kv = kv
        self.path = path
        self.lease_seconds = lease_seconds
        self.clock = clock
        self.sleep = sleep
        self.holder = '%s-%d-%s' % (socket.gethostname(), os.getpid(), secrets.token_hex(6))
        self.version = None

    def _expired(self, seen, first_seen_at):
        if seen.created and seen.server_now - seen.created >= datetime.timedelta(seconds=self.lease_seconds):
            return True
        return self.clock() - first_seen_at >= self.lease_seconds

    def acquire(self):
        started = self.clock()
        watched = None  # (version, when this run first saw it held)
        while True:
            seen = self.kv.read(self.path)
            held = bool(seen.data and seen.data.get('holder'))
            if held and (watched is None or watched[0] != seen.version):
                watched = (seen.version, self.clock())
            if not held or self._expired(seen, watched[1]):
                try:
                    self.version = self.kv.write(self.path, self._content(), seen.version)
                    return self.clock() - started
                except CasMismatch:
                    pass  # another run took it first: look again without sleeping
            else:
                self.sleep(random.uniform(*POLL_SECONDS))

    def _content(self):
        return {'holder': self.holder, 'lease_seconds': int(self.lease_seconds),
                'purpose': 'dcops.bitbucket token store lock; a run holds it while it refreshes the token'}

    def release(self):
        """Free the lock if this run still holds it; a lock taken over after the lease is left alone."""
        if self.version is None:
            return
        version, self.version = self.version, None
        try:
            self.kv.write(self.path, {'holder': None, 'released_by': self.holder}, version)
        except CasMismatch:
            pass
        except VaultError:
            pass  # the lease runs out on its own; the tokens are already written
