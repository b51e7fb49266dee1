# Copyright: (c) 2025, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copy the collection into a fresh ``<dest>/ansible_collections/<namespace>/<name>`` tree for ansible-test.

Copies exactly what git knows about: tracked files plus untracked files that are not ignored
(``git ls-files -co --exclude-standard``), so virtual environments, build output and caches stay out.
The copy is made a git repository of its own (nothing committed) so that ansible-test sees exactly those files.
Prints the path of the staged collection.

Usage: stage_collection.py DEST
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import yaml


def collection_files(root: str) -> list[str]:
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate"],
        cwd=root, check=True, capture_output=True,
    ).stdout.decode("utf-8")
    # Tracked files deleted from the work tree are still listed; they are not part of what we test.
    return [path for path in listing.split("\0") if path and os.path.lexists(os.path.join(root, path))]


def main(argv: list[str]) -> int:
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], check=True, capture_output=True, text=True).stdout.strip()
    with open(os.path.join(root, "galaxy.yml"), encoding="utf-8") as galaxy_file:
        galaxy = yaml.safe_load(galaxy_file)
    stage = os.path.join(os.path.abspath(argv[0]), "ansible_collections", galaxy["namespace"], galaxy["name"])
    if os.path.exists(stage):
        shutil.rmtree(stage)
    for path in collection_files(root):
        target = os.path.join(stage, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(root, path), target, follow_symlinks=False)
    # ansible-test lists content with git from the nearest .git upwards; without one here it would find this
    # work tree's repository, in which build/ is ignored, and test nothing. An empty repository lists every copied file.
    subprocess.run(["git", "init", "--quiet", stage], check=True)
    print(stage)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
