"""The simulator ends with the process that started it, even when that process never runs fixture teardown.

ansible-test units runs each test in a forked worker that ends with os._exit; a killed pytest ends the same way.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[2]

# Starts a simulator the way the fixtures do, prints its pid, then ends without any cleanup.
PARENT = """
import os, signal, sys
sys.path.insert(0, {tests!r})
import conftest
simulator = conftest.SimProcess()
print(simulator.process.pid, flush=True)
{ending}
"""


def _alive(pid):
    """True while ``pid`` runs; a zombie (ended, not yet reaped) counts as ended."""
    try:
        with open('/proc/%d/status' % pid, encoding='ascii') as status:
            state = next(line for line in status if line.startswith('State:'))
    except FileNotFoundError:
        return False
    return 'zombie' not in state


@pytest.mark.parametrize('ending', ['os.kill(os.getpid(), signal.SIGKILL)', 'os._exit(0)'], ids=['SIGKILL', '_exit'])
def test_simulator_does_not_outlive_its_parent(ending):
    parent = subprocess.run([sys.executable, '-c', PARENT.format(tests=str(TESTS), ending=ending)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert parent.stdout.strip().isdigit(), parent.stderr[-3000:]
    simulator_pid = int(parent.stdout)
    deadline = time.monotonic() + 15
    while _alive(simulator_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(simulator_pid):
        os.kill(simulator_pid, signal.SIGKILL)
        pytest.fail('bbsim (pid %d) outlived its parent, which ended with %s' % (simulator_pid, ending))
