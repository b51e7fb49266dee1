"""What every server a test starts (simulator, OpenBao, Prism, oidc-provider) needs: to end with the process that
started it, and to be stopped by its PID."""

import ctypes
import os
import signal
import subprocess

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(sig=signal.SIGTERM):
    """A preexec_fn: the child gets ``sig`` when the process that started it ends, even by os._exit or SIGKILL.

    Forked test workers (ansible-test units) end with os._exit, so fixture teardown never stops the child.
    """
    parent_pid = os.getpid()

    def arm():
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)
        if os.getppid() != parent_pid:  # the parent ended before the signal was armed
            os._exit(1)
    return arm


def stop(process, grace=10):
    """SIGTERM, then SIGKILL after ``grace`` seconds; returns once the process has ended and been reaped."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
