# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kill a token store write with SIGKILL just before and just after each system call it makes, and say what is left.

Run by test_token_store_faults.py in a fresh interpreter (so that forking is safe):
    python kill_during_write.py DIRECTORY
A dry run counts the system calls of one write (open, write, fsync, close, rename/replace, chmod, unlink), with
writes cut to CHUNK bytes so that the data itself is written in many calls. Then, for each call and each side of it,
a forked child takes the store's lock and writes the new tokens over the old ones, and kills itself there with
SIGKILL. After each kill the parent checks that the store decrypts to the old or the new content, that the lock is
free again, and which files were left beside the store. Nothing in plugins/ is changed for this: the calls are
wrapped in the child only. Prints one JSON document on stdout.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import yaml

from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.dcops.bitbucket.plugins.plugin_utils._file_token_store import FileTokenStore
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._token_store import STORE_FIELDS

VAULT = [('default', VaultSecret(b'kill-test-vault-password'))]
CHUNK = 128
CALLS = ('open', 'write', 'fsync', 'close', 'replace', 'rename', 'fchmod', 'chmod', 'unlink')
OLD = {'url': 'https://bitbucket.example.com', 'client_id': 'automation', 'redirect_uri': 'http://127.0.0.1:8765/cb',
       'refresh_token': 'old-refresh-token', 'refresh_token_issued_at': 1700000000, 'access_token': 'old-access-token',
       'expires_at': 1700003600, 'token_type': 'bearer', 'scope': ['ADMIN_WRITE']}
NEW = dict(OLD, refresh_token='new-refresh-token', refresh_token_issued_at=1700003000,
           access_token='new-access-token', expires_at=1700006600)


class Tracer:
    """Wraps the os functions a write uses; while armed, counts calls and kills the process at call kill_at."""

    def __init__(self, kill_at=None, side='before'):
        self.kill_at = kill_at
        self.side = side
        self.armed = False
        self.calls = []
        self.real = {name: getattr(os, name) for name in CALLS}
        for name in CALLS:
            setattr(os, name, self._wrap(name, self.real[name]))

    def _wrap(self, name, real):
        def call(*args, **kwargs):
            if not self.armed:
                return real(*args, **kwargs)
            self.calls.append(name)
            here = len(self.calls) == self.kill_at
            if here and self.side == 'before':
                os.kill(os.getpid(), signal.SIGKILL)
            if name == 'write':
                args = (args[0], memoryview(args[1])[:CHUNK]) + args[2:]
            result = real(*args, **kwargs)
            if here and self.side == 'after':
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        return call

    def remove(self):
        for name, real in self.real.items():
            setattr(os, name, real)


def write(path, data, tracer=None):
    store = FileTokenStore(path, VAULT, lock_timeout=5)
    with store.locked():
        store.read()
        if tracer:
            tracer.armed = True
        store.write(data)
        if tracer:
            tracer.armed = False


def content(path):
    """'old', 'new', 'missing' or 'torn' (anything that does not decrypt to one of the two)."""
    try:
        with open(path, 'rb') as handle:
            raw = handle.read()
    except FileNotFoundError:
        return 'missing'
    try:
        data = yaml.safe_load(VaultLib(VAULT).decrypt(raw))
    except Exception:  # pylint: disable=broad-except; any failure to read it back is a torn store
        return 'torn'
    for name, expected in (('old', OLD), ('new', NEW)):
        if data == {key: expected.get(key) for key in STORE_FIELDS}:
            return name
    return 'torn'


def lock_is_free(path):
    store = FileTokenStore(path, VAULT, lock_timeout=2)
    try:
        with store.locked():
            return True
    except Exception:  # pylint: disable=broad-except
        return False


def leftovers(directory, path):
    keep = {os.path.basename(path), os.path.basename(path) + '.lock'}
    return sorted(name for name in os.listdir(directory) if name not in keep)


def main(directory):
    path = os.path.join(directory, 'store.vault.yml')
    write(path, OLD)
    with open(path, 'rb') as handle:
        old_bytes = handle.read()
    tracer = Tracer()
    write(path, NEW, tracer)
    tracer.remove()
    calls = list(tracer.calls)
    points = []
    for index in range(1, len(calls) + 1):
        for side in ('before', 'after'):
            with open(path, 'wb') as handle:
                handle.write(old_bytes)
            child = os.fork()
            if child == 0:
                try:
                    write(path, NEW, Tracer(index, side))
                finally:
                    os._exit(0)  # pylint: disable=protected-access; a forked child must not run the parent's exit
            status = os.waitpid(child, 0)[1]
            left = leftovers(directory, path)
            store = content(path)
            # The next run takes the lock, and with it removes what the killed writer left.
            free = lock_is_free(path)
            left_after = leftovers(directory, path)
            points.append({'call': index, 'name': calls[index - 1], 'side': side,
                           'killed': os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL,
                           'store': store, 'lock_free': free, 'leftovers': left,
                           'leftovers_after_next_run': left_after})
            for name in left_after:
                os.unlink(os.path.join(directory, name))
    sys.stdout.write(json.dumps({'calls': calls, 'points': points}) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
