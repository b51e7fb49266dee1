# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs that share nothing but Vault: eight ansible-playbook processes as on eight machines, and a run after a
lock holder was killed with SIGKILL. Timings are printed for the notes (pytest -s)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from conftest import COLLECTIONS_PATH, VENV_BIN, _playbook_path
from vault_sessions import refresh_tokens_sent, seeded_secret, vault_host

PLAYBOOK = 'oauth_session.yml'
RUNS = 8


def machine(collection_env, root, name, inventory):
    """(env, cwd, inventory path) of one simulated machine: its own HOME, TMPDIR, Ansible home and work dir."""
    home = root / name
    work = home / 'work'
    for directory in (work, home / 'tmp', home / 'ansible'):
        directory.mkdir(parents=True)
    inventory_path = work / 'inventory.json'
    inventory_path.write_text(json.dumps(inventory))
    env = dict(collection_env, HOME=str(home), TMPDIR=str(home / 'tmp'), ANSIBLE_HOME=str(home / 'ansible'),
               ANSIBLE_LOCAL_TEMP=str(home / 'ansible' / 'tmp'), ANSIBLE_REMOTE_TEMP=str(home / 'ansible' / 'rtmp'))
    env.pop('ANSIBLE_CALLBACKS_ENABLED', None)
    return env, work, inventory_path


def one_host(sim, kv_path, options):
    host = dict(vault_host(sim, kv_path, options), ansible_connection='local', ansible_python_interpreter=sys.executable)
    return {'all': {'hosts': {'prod': host}}}


def test_eight_machines_on_one_expired_secret_refresh_once(sim, bao, kv_path, vault_options, collection_env,
                                                           tmp_path):
    before = seeded_secret(sim, bao.admin, kv_path)
    inventory = one_host(sim, kv_path, vault_options)
    machines = [machine(collection_env, tmp_path, 'machine%d' % index, inventory) for index in range(RUNS)]
    seeding = bao.kv_writes('secret', kv_path)
    started = time.monotonic()
    runs = [subprocess.Popen([str(VENV_BIN / 'ansible-playbook'), '-i', str(inventory_path),
                              str(_playbook_path(PLAYBOOK))], env=env, cwd=str(work), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
            for env, work, inventory_path in machines]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    wall = time.monotonic() - started
    for run, output in zip(runs, outputs):
        assert run.returncode == 0, output[-4000:]
    after, version = bao.admin.kv_get('secret', kv_path)
    assert refresh_tokens_sent(sim) == [before['refresh_token']], 'exactly one refresh between the eight runs'
    assert version == 2 and sim.control.state()['valid_refresh_tokens'] == [after['refresh_token']]
    assert sum('changed=1' in output for output in outputs) == 1, 'one run refreshed, seven reused its token'
    # Two sessions per run (oauth_session.yml), each taking and releasing the lock once.
    assert bao.kv_writes('secret', kv_path) == {'secret/data/' + kv_path: seeding['secret/data/' + kv_path] + 1,
                                                'secret/data/%s/lock' % kv_path: RUNS * 2 * 2}
    print('eight-machine race: %.1f s wall time, %d refresh' % (wall, len(refresh_tokens_sent(sim))))
    assert wall < 300


HOLDER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from ansible_collections.dcops.bitbucket.plugins.plugin_utils._hashi_vault_token_store import HashiVaultTokenStore
store = HashiVaultTokenStore(sys.argv[2], {'url': sys.argv[3], 'token': sys.argv[4]}, lock_timeout=int(sys.argv[5]))
with store.locked():
    store.read()
    print('locked', flush=True)
    time.sleep(600)
"""
# Longer than ansible-playbook takes to start here, so that the next run does find the lock held.
LOCK_TIMEOUT = 12
MODULE_PLAYBOOK = """
- hosts: all
  gather_facts: false
  tasks:
    - name: Token from the Vault store
      dcops.bitbucket.bitbucket_oauth_token:
        url: "{{ bitbucket_url }}"
        client_id: "{{ bitbucket_oauth_client_id }}"
        client_secret: "{{ bitbucket_oauth_client_secret }}"
        token_store: "{{ bitbucket_oauth_token_store }}"
        token_store_backend: hashi_vault
        hashi_vault: "{{ bitbucket_oauth_hashi_vault }}"
        lock_timeout: %d
      register: token
      no_log: true
""" % LOCK_TIMEOUT


def test_run_after_a_holder_killed_with_sigkill_waits_at_most_lock_timeout(
        sim, bao, kv_path, vault_options, collection_env, tmp_path):
    before = seeded_secret(sim, bao.admin, kv_path)
    env, work, inventory_path = machine(collection_env, tmp_path, 'next', one_host(sim, kv_path, vault_options))
    playbook = work / 'token.yml'
    playbook.write_text(MODULE_PLAYBOOK)
    holder = subprocess.Popen([sys.executable, '-c', HOLDER, str(COLLECTIONS_PATH), kv_path, bao.url,
                               bao.root_token, str(LOCK_TIMEOUT)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == 'locked'
    run = subprocess.Popen([str(VENV_BIN / 'ansible-playbook'), '-i', str(inventory_path), str(playbook)], env=env,
                           cwd=str(work), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    os.kill(holder.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    holder.wait()
    holder.stdout.close()
    output = run.communicate(timeout=300)[0]
    waited = time.monotonic() - killed_at
    assert run.returncode == 0, output[-4000:]
    after, version = bao.admin.kv_get('secret', kv_path)
    assert refresh_tokens_sent(sim) == [before['refresh_token']] and version == 2, 'nothing stored was lost'
    assert after['refresh_token'] in sim.control.state()['valid_refresh_tokens']
    # On Vault's clock (lock versions, audit log): the lease was kept, and the run's wait from its first look.
    created = bao.admin.kv_created('secret', kv_path + '/lock')
    first_look = min(t for t in bao.request_times('secret/data/%s/lock' % kv_path, 'read') if t > created[1])
    lease_kept, wait = created[2] - created[1], created[2] - first_look
    assert lease_kept >= LOCK_TIMEOUT, 'the lease of the killed holder was honoured'
    assert wait <= LOCK_TIMEOUT + 2, 'the next run waited at most lock_timeout (%.2f s)' % wait
    print('after a SIGKILLed holder: the next run waited %.2f s for the lock, taken %.2f s after the holder took it '
          '(lock_timeout %d s); it finished %.1f s after the kill' % (wait, lease_kept, LOCK_TIMEOUT, waited))
