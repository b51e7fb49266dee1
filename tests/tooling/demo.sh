#!/usr/bin/env bash
# `make demo`: HTTP access-token expiry enforced across a fleet of three simulated Bitbucket Data Center instances.
#
#  1. starts the Bitbucket simulator (tests/simulator/bbsim) with three instances and gives each an OAuth 2.0 client
#     and some users whose tokens expire, never expire, or live too long;
#  2. builds an inventory in the layout of examples/inventory (its group_vars as they are, plus host_vars with each
#     instance's URL and its vaulted client secret);
#  3. runs the one-time consent, playbooks/bootstrap_oauth.yml, for each instance: the simulator plays the browser
#     (it logs in as its administrator and allows access), and the playbook catches the redirect on loopback and
#     creates each instance's vault-encrypted token store;
#  4. runs playbooks/enforce_token_expiry.yml twice: the first run sets the policy everywhere, the second has
#     nothing to do;
#  5. says where the per-instance JSON reports are (demo-output/reports, kept), and removes everything else
#     (simulator, inventory, token stores, vault password), also when a step fails.
# Usage: tests/tooling/demo.sh   (make demo runs it with the project venv first on PATH)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
if [[ -x "$root/.venv/bin/python" ]]; then
    PATH="$root/.venv/bin:$PATH"
fi
for tool in python ansible-playbook ansible-vault; do
    command -v "$tool" >/dev/null || { echo "demo: $tool not found; run make venv first" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/dcops-bitbucket-demo.XXXXXX")
reports="$root/demo-output/reports"
sim_pid=
consent_pid=

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in $consent_pid $sim_pid; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    if (( status != 0 )) && [[ -s "$work/sim.log" ]]; then
        echo "demo: failed; the simulator's last log lines:" >&2
        tail -n 20 "$work/sim.log" >&2
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { if [[ -t 1 ]]; then printf '\n\033[1m== %s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi; }

export ANSIBLE_HOME="$work/ansible-home"
export ANSIBLE_CONFIG="$work/ansible.cfg"
ANSIBLE_COLLECTIONS_PATH=$("$root/tests/tooling/collection_path.sh")
export ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=False
export ANSIBLE_DISPLAY_SKIPPED_HOSTS=false ANSIBLE_RETRY_FILES_ENABLED=false ANSIBLE_NOCOLOR=1
printf '[defaults]\ninterpreter_python = auto_silent\n' > "$ANSIBLE_CONFIG"
export PYTHONPATH="$root/tests/simulator${PYTHONPATH:+:$PYTHONPATH}"

step "Starting the Bitbucket simulator with three instances"
python -m bbsim --instances 3 > "$work/sim.json" 2> "$work/sim.log" &
sim_pid=$!
for _ in $(seq 1 100); do
    [[ -s "$work/sim.json" ]] && break
    kill -0 "$sim_pid" 2>/dev/null || { echo "demo: the simulator did not start" >&2; exit 1; }
    sleep 0.1
done
[[ -s "$work/sim.json" ]] || { echo "demo: the simulator did not start within 10 seconds" >&2; exit 1; }

# A free loopback port for the consent redirect (the example's 8765 may be taken on this machine).
redirect_port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
inventory="$work/inventory"
mkdir -p "$inventory/host_vars" "$work/token-stores"
chmod 700 "$work/token-stores"
cp -R examples/inventory/group_vars "$inventory/"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/vault-password"
vault=(--vault-id "bitbucket@$work/vault-password")

# Seeds each instance and prints "name url client_id client_secret" per instance.
python - "$work/sim.json" "$redirect_port" > "$work/instances.txt" <<'PYTHON'
import json
import secrets
import sys
import time

from bbsim.control import SimControl

DAY_MS = 86400000
ready = json.loads(open(sys.argv[1]).readline())
redirect_uri = 'http://127.0.0.1:%s/callback' % sys.argv[2]
now = int(time.time() * 1000)
# (user, token name, expiryDays or None, age in days): compliant with 90 days, too long, never expiring, expired.
TOKENS = [('alice', 'ci-read', 30, 3), ('alice', 'laptop', None, 400), ('bob', 'deploy', 365, 20),
          ('carol', 'old-build', 14, 60), ('dave', 'forever', None, 900)]
for n, instance in enumerate(ready['instances'], start=1):
    control = SimControl(instance['url'], instance['ca_path'])
    control.reset()
    # The simulator plays the browser: the authorization page logs in as admin and allows access at once.
    control.config(authorize_user='admin')
    client_id, client_secret = 'fleet-automation-%d' % n, secrets.token_urlsafe(24)
    control.seed(
        oauth_clients=[{'client_id': client_id, 'client_secret': client_secret, 'redirect_uris': [redirect_uri]}],
        users=[{'name': name} for name in ('alice', 'bob', 'carol', 'dave')],
        access_tokens=[dict({'user': user, 'name': name, 'permissions': ['REPO_READ'],
                             'createdDate': now - age * DAY_MS}, **({'expiryDays': days} if days else {}))
                       for user, name, days, age in TOKENS[:n + 2]])
    print('bitbucket-%d %s %s %s' % (n, instance['url'], client_id, client_secret))
PYTHON

step "Inventory in the layout of examples/inventory (client secrets vaulted)"
{
    echo '---'
    echo 'bitbucket_instances:'
    echo '  hosts:'
    while read -r name _; do echo "    $name:"; done < "$work/instances.txt"
} > "$inventory/hosts.yml"
while read -r name url client_id client_secret; do
    {
        echo '---'
        echo "bitbucket_url: $url"
        echo "bitbucket_oauth_client_id: $client_id"
        echo "bitbucket_oauth_redirect_uri: http://127.0.0.1:$redirect_port/callback"
        printf '%s' "$client_secret" | ansible-vault encrypt_string "${vault[@]}" --encrypt-vault-id bitbucket \
            --stdin-name bitbucket_oauth_client_secret 2>/dev/null
    } > "$inventory/host_vars/$name.yml"
    echo "  $name  $url"
done < "$work/instances.txt"
echo "  (group_vars copied from examples/inventory; host_vars/<instance>.yml hold the URL and the vaulted secret)"

step "One-time consent for each instance (playbooks/bootstrap_oauth.yml; the simulator plays the browser)"
ansible-playbook -i "$inventory" "${vault[@]}" playbooks/bootstrap_oauth.yml \
    -e bitbucket_bootstrap_host=bitbucket_instances 2> "$work/consent.err" &
consent_pid=$!
# The "browser": opens each authorization URL the playbook shows; the simulator consents and redirects the
# request to the playbook's loopback listener, which takes the authorization code.
python - "$work/consent.err" "$consent_pid" <<'PYTHON'
import os
import re
import sys
import time
import urllib.request

path, pid = sys.argv[1], int(sys.argv[2])
opened = set()


def alive():
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


while True:
    running = alive()
    with open(path, encoding='utf-8', errors='replace') as stream:
        text = stream.read()
    for url in re.findall(r'^\s+(https?://\S+/rest/oauth2/latest/authorize\?\S+)$', text, re.M):
        if url not in opened:
            opened.add(url)
            with urllib.request.urlopen(url, timeout=30) as answer:
                answer.read()
            print('  simulated browser: allowed access at %s' % url.split('/rest/')[0])
    if not running:
        break
    time.sleep(0.2)
PYTHON
if ! wait "$consent_pid"; then
    consent_pid=
    cat "$work/consent.err" >&2
    echo "demo: the consent playbook failed" >&2
    exit 1
fi
consent_pid=
for store in "$work"/token-stores/*.vault.yml; do
    printf '  token store %s: vault-encrypted, mode %s\n' "${store#"$work"/}" "$(stat -c %a "$store")"
done

rm -rf "$reports"
run_enforce() {
    ansible-playbook -i "$inventory" "${vault[@]}" playbooks/enforce_token_expiry.yml \
        -e bitbucket_access_token_report_dir="$reports" | tee "$work/enforce-$1.log"
}

step "First run of playbooks/enforce_token_expiry.yml: requires token expiry of at most 90 days everywhere"
run_enforce 1
step "Second run: nothing left to do"
run_enforce 2

step "Summary"
for run in 1 2; do
    printf '  run %s: %s\n' "$run" "$(grep -E '^bitbucket-[0-9]+ +:' "$work/enforce-$run.log" \
        | sed -E 's/^(bitbucket-[0-9]+) +: .*changed=([0-9]+).*failed=([0-9]+).*/\1 changed=\2 failed=\3/' \
        | paste -sd ',' - | sed 's/,/, /g')"
done
if grep -E '^bitbucket-[0-9]+ +:' "$work/enforce-2.log" | grep -qv 'changed=0'; then
    echo "demo: the second run changed something; it should have had nothing to do" >&2
    exit 1
fi
echo "  Reports (JSON, one per instance, no secrets): $reports/"
for report in "$reports"/*.json; do echo "    $report"; done
echo "  The simulator, the inventory, the token stores and the vault password were removed."
