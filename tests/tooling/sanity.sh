#!/usr/bin/env bash
# Run every applicable `ansible-test sanity` test, with no ignore file, on a staged copy of the collection.
# ansible-test needs the collection under .../ansible_collections/<namespace>/<name>/; build/ is gitignored.
# Usage: tests/tooling/sanity.sh [extra ansible-test options]   (expects the project venv on PATH)
set -euo pipefail

root=$(git rev-parse --show-toplevel)
python_version=${SANITY_PYTHON:-3.11}

ignores=$(find "$root/tests/sanity" -maxdepth 1 -name 'ignore-*.txt' 2>/dev/null || true)
if [[ -n "$ignores" ]]; then
    echo "sanity: ignore files are not allowed in this project; fix the code instead:" >&2
    echo "$ignores" >&2
    exit 1
fi

stage=$(python "$root/tests/tooling/stage_collection.py" "$root/build/sanity")
cd "$stage"
ansible-test sanity --venv --python "$python_version" "$@"
