# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Files that hold secrets: mode 0600, replaced atomically, locked with flock. FOR INTERNAL COLLECTION USE ONLY.

A replacement goes through a temporary file ``.<name>.<random>.tmp`` in the same directory (fsync, rename, fsync
of the directory), so a reader sees the old content or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import glob
import os
import tempfile
import time

LOCK_POLL_SECONDS = 0.05


def reason(exc):
    """What went wrong, without the text of the exception (which may quote data)."""
    if isinstance(exc, OSError):
        return exc.strerror or errno.errorcode.get(exc.errno, str(exc))
    return type(exc).__name__


@contextlib.contextmanager
def exclusive_lock(lock_path, timeout, on_timeout, on_open_error):
    """Hold an exclusive flock on lock_path (created 0600), waiting at most timeout seconds.

    on_timeout() and on_open_error(exc) return the exception to raise, so that messages stay the caller's.
    """
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_CLOEXEC', 0), 0o600)
    except OSError as exc:
        raise on_open_error(exc)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise on_timeout()
                time.sleep(LOCK_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _temporary(path):
    directory, name = os.path.split(path)
    return tempfile.mkstemp(prefix='.%s.' % name, suffix='.tmp', dir=directory)


def probe_directory(path):
    """Create and remove a temporary file beside path; raises OSError when the directory is not writable."""
    fd, tmp_path = _temporary(path)
    os.close(fd)
    os.unlink(tmp_path)


def remove_stale_temporaries(path):
    """Remove the temporary files of replacements of path that never finished (their writer was killed).

    Only safe while holding the lock that every writer of path holds while its temporary file exists.
    """
    directory, name = os.path.split(path)
    removed = 0
    for stale in glob.glob(os.path.join(glob.escape(directory), '.%s.*.tmp' % glob.escape(name))):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(stale)
            removed += 1
    return removed


def replace_atomically(path, content):
    """Replace path with content (bytes), mode 0600."""
    fd, tmp_path = _temporary(path)
    try:
        try:
            os.fchmod(fd, 0o600)
            _write_all(fd, content)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_path)
        raise
    _fsync_directory(os.path.dirname(path))


def write_recovery(path, content):
    """Write content to a new file <path>.recovery-<time>-<pid> beside path, else in the home directory.

    Returns the path written, or None when neither place takes it.
    """
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime('%Y%m%dT%H%M%SZ')
    name = '%s.recovery-%s-%d' % (os.path.basename(path), stamp, os.getpid())
    for directory in (os.path.dirname(path), os.path.expanduser('~')):
        recovery = os.path.join(directory, name)
        try:
            fd = os.open(recovery, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_CLOEXEC', 0), 0o600)
        except OSError:
            continue
        try:
            os.fchmod(fd, 0o600)
            _write_all(fd, content)
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(recovery)
            continue
        finally:
            os.close(fd)
        with contextlib.suppress(OSError):
            _fsync_directory(directory)
        return recovery
    return None


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_directory(directory):
    fd = os.open(directory, os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
