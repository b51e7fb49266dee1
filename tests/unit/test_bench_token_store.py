# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's fleet starts from token stores it writes itself; make test must notice when that code rots."""

from __future__ import annotations

import sys
from pathlib import Path

from ansible_collections.dcops.bitbucket.plugins.plugin_utils._file_token_store import FileTokenStore
from oauth_support import VAULT

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'bench'))

import bench_data  # noqa: E402 pylint: disable=wrong-import-position


def test_bench_writes_a_token_store_the_collection_reads(tmp_path):
    path = tmp_path / 'store.yml'
    tokens = {'access_token': 'bench-access', 'refresh_token': 'bench-refresh', 'expires_at': 4102444800}
    bench_data.write_token_store(path, 'http://127.0.0.1:1', tokens)
    store = FileTokenStore(str(path), VAULT)
    with store.locked():
        data = store.read()
    assert data['refresh_token'] == 'bench-refresh'
    assert data['url'] == 'http://127.0.0.1:1'
    assert b'bench-refresh' not in path.read_bytes()
