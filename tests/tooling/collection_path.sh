#!/usr/bin/env bash
# Make this work tree importable as dcops.bitbucket: build/collections/ansible_collections/dcops/bitbucket is a
# symlink to the repository root. Prints the directory to put on ANSIBLE_COLLECTIONS_PATH.
set -euo pipefail

root=$(git rev-parse --show-toplevel)
collections="$root/build/collections"
link="$collections/ansible_collections/dcops/bitbucket"
mkdir -p "$(dirname "$link")"
ln -sfn ../../../.. "$link"
echo "$collections"
