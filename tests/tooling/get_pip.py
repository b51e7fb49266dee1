# Copyright: (c) 2025, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for get-pip.py, used by ``ansible-test sanity --venv``.

ansible-test bootstraps pip into each empty sanity virtual environment by running a cached
``~/.ansible/test/cache/get_pip_<version>.py`` and otherwise downloads it from ci-files.testing.ansible.com,
which our machines cannot reach. ``make sanity`` copies this file to that cache path. It takes the same
arguments as get-pip.py (pip options, ``--no-setuptools``/``--no-wheel`` and package specifications such as
``pip==24.2``): it installs the pip bundled with the standard library's ensurepip, then lets that pip install
the requested packages from the configured index (PyPI).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
import subprocess
import sys

# get-pip.py options that skip a package which would otherwise come along with pip.
SKIP_OPTIONS = {"--no-setuptools": "setuptools", "--no-wheel": "wheel"}


def installed(name: str) -> bool:
    importlib.invalidate_caches()
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def project_name(spec: str) -> str:
    return re.split(r"[\s<>=!~\[;@]", spec, maxsplit=1)[0].lower()


def run(command: list[str]) -> None:
    """Run a command quietly; show its output only when it fails."""
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    if result.returncode:
        sys.stdout.write(result.stdout)
        raise SystemExit(result.returncode)


def main(argv: list[str]) -> int:
    pip_args = [arg for arg in argv if arg not in SKIP_OPTIONS]
    unwanted = [name for option, name in SKIP_OPTIONS.items()
                if option in argv and not installed(name) and name not in {project_name(arg) for arg in pip_args}]
    run([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
    pip = [sys.executable, "-m", "pip"]
    run(pip + ["install", "--quiet"] + pip_args)
    # Python 3.11's ensurepip also installs setuptools, which get-pip.py leaves out when asked to.
    leftovers = [name for name in unwanted if installed(name)]
    if leftovers:
        run(pip + ["uninstall", "--yes", "--disable-pip-version-check"] + leftovers)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
