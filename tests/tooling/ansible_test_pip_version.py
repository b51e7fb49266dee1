# Copyright: (c) 2025, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print the pip version that ansible-test bootstraps into its virtual environments for a Python version.

Usage: ansible_test_pip_version.py 3.11   (run with the interpreter that has ansible-test installed)
"""

from __future__ import annotations

import sys
import types

from ansible_test._internal.python_requirements import get_venv_packages


def main(argv: list[str]) -> int:
    print(get_venv_packages(types.SimpleNamespace(version=argv[0]))["pip"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
