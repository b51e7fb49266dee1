#!/usr/bin/env bash
# make docs: the collection's HTML docsite from this work tree, with antsibull-docs and Sphinx, in build/docsite.
# The guides' RST pages are rewritten from docs/*.md first. Sphinx warnings are shown and counted, not fatal.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
site="$root/build/docsite"
collections="$("$root/tests/tooling/collection_path.sh")"
export ANSIBLE_COLLECTIONS_PATH="$collections" ANSIBLE_HOME="$root/build/ansible-home" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=False

python "$root/tests/tooling/guides_to_rst.py"
rm -rf "$site" && mkdir -p "$site"
antsibull-docs sphinx-init --use-current --dest-dir "$site" --project dcops.bitbucket \
    --title 'dcops.bitbucket collection' --sphinx-theme sphinx_ansible_theme dcops.bitbucket >/dev/null
cd "$site"
# Built offline: no intersphinx inventories are fetched, so links into Ansible's own docs stay unresolved (warnings).
echo 'intersphinx_mapping = {}' >> conf.py
mkdir -p rst && chmod og-w rst  # antsibull-docs wants the directory writable by itself only
antsibull-docs --config-file antsibull-docs.cfg collection --use-current --cleanup everything --fail-on-error \
    --dest-dir rst dcops.bitbucket
sphinx-build -M html rst build -c . -q 2>&1 | tee "$site/sphinx-warnings.log"
warnings=$(grep -c 'WARNING' "$site/sphinx-warnings.log" || true)
echo "docsite: $site/build/html/index.html ($warnings Sphinx warnings, listed above and in $site/sphinx-warnings.log)"
