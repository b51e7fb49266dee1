#!/usr/bin/env bash
# Debian's chromium for the docsite test (tests/docs), when it is missing: apt-get as root. Exit 1 when it cannot be.
set -euo pipefail
command -v chromium >/dev/null && exit 0
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "install_chromium: chromium is missing and apt-get cannot run here (needs root and Debian)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends chromium >&2
command -v chromium >/dev/null
