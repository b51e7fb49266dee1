#!/usr/bin/env bash
# Run `molecule test` for every scenario under roles/*/molecule/ (default driver, localhost).
# Usage: tests/tooling/molecule.sh   (expects the project venv on PATH)
set -euo pipefail

root=$(git rev-parse --show-toplevel)
cd "$root"
shopt -s nullglob
scenarios=(roles/*/molecule/*/molecule.yml)
if (( ${#scenarios[@]} == 0 )); then
    echo "molecule: skipped, no role has a scenario yet (roles/*/molecule/*/molecule.yml)"
    exit 0
fi

ANSIBLE_COLLECTIONS_PATH=$(tests/tooling/collection_path.sh)
export ANSIBLE_COLLECTIONS_PATH
# Nothing from ~/.ansible (such as an older installed copy of this collection) may shadow the work tree.
export ANSIBLE_HOME="$root/build/ansible-home"
export ANSIBLE_ROLES_PATH="$root/roles"

for config in "${scenarios[@]}"; do
    scenario_dir=$(dirname "$config")
    role_dir=$(dirname "$(dirname "$scenario_dir")")
    scenario=$(basename "$scenario_dir")
    echo "molecule: $role_dir scenario $scenario"
    (cd "$role_dir" && molecule test --scenario-name "$scenario")
done
echo "molecule: ${#scenarios[@]} scenario(s) passed"
