"""Stoplight Prism as a validating proxy in front of the simulator, behind a small front that routes around it.

The collection talks to the front. Paths Atlassian's OpenAPI file describes go through ``prism proxy`` (which checks
each request and answer against the file and reports what it finds in the ``sl-violations`` header); the paths in
``DIRECT`` go straight to the simulator. The front records Prism's findings and removes the headers Prism adds, so
the collection sees the simulator's answer unchanged.
"""

import http.client
import json
import re
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import child_process
from node import node_command, node_env

START_TIMEOUT = 240  # seconds; Prism loads the 1.6 MB file, slow on a busy machine
UPSTREAM_TIMEOUT = 120

# Paths the OpenAPI file does not describe, so Prism has nothing to check them against.
DIRECT = [
    (re.compile(r'^/rest/oauth2/'), "Data Center's OAuth 2.0 provider (authorize, token) is not part of the file"),
    (re.compile(r'^/rest/access-tokens/latest/admin'), 'the access-token expiry policy endpoint is not in the file '
                                                       '(docs/dev/bitbucket-api-notes.md §2.1)'),
    (re.compile(r'^/_sim/'), "the simulator's own control API"),
]
# Headers Prism adds to every answer; the simulator never sends them.
PRISM_HEADERS = ('sl-violations', 'access-control-allow-origin', 'access-control-allow-headers',
                 'access-control-allow-credentials', 'access-control-expose-headers')
HOP_BY_HOP = ('connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection')


def derived_spec(spec, directory):
    """A copy of the spec with the ``/rest`` prefix of its server URL moved into the paths (Prism ignores servers)."""
    derived = dict(spec, paths={'/rest' + path: item for path, item in spec['paths'].items()})
    path = directory / 'bitbucket-rest.openapi.json'
    path.write_text(json.dumps(derived))
    return path


def direct_reason(path):
    return next((reason for pattern, reason in DIRECT if pattern.match(path)), None)


def _free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class PrismProcess:
    """``prism proxy SPEC UPSTREAM --errors=false`` on a free port; ``url`` and ``startup_seconds``."""

    def __init__(self, spec_path, upstream):
        port = _free_port()
        self.url = 'http://127.0.0.1:%d' % port
        self._log = tempfile.TemporaryFile(mode='w+')
        started = time.monotonic()
        command = node_command('.bin/prism', 'proxy', spec_path, upstream, '--errors=false', '--host', '127.0.0.1',
                               '--port', port)
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, env=node_env(),
                                        preexec_fn=child_process.die_with_parent())  # pylint: disable=subprocess-popen-preexec-fn
        self._wait_ready()
        self.startup_seconds = time.monotonic() - started

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with socket.create_connection(('127.0.0.1', int(self.url.rsplit(':', 1)[1])), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self._log.seek(0)
        log = self._log.read()[-3000:]
        self.stop()
        raise RuntimeError('Prism did not start:\n%s' % log)

    def stop(self):
        child_process.stop(self.process)
        self._log.close()


class Findings:
    """What went through the front: ``checked`` (requests Prism saw), ``direct`` and Prism's ``violations``."""

    def __init__(self):
        self._lock = threading.Lock()
        self.checked = 0
        self.direct = 0
        self.violations = []
        self.requests = []

    def record(self, request, body, status, violations, through_prism):
        split = urllib.parse.urlsplit(request.path)
        method, path = request.command, split.path
        with self._lock:
            self.requests.append({'method': method, 'path': path, 'query': split.query,
                                  'user_agent': request.headers.get('User-Agent', ''),
                                  'body': (body or b'').decode('utf-8', 'replace')})
            if through_prism:
                self.checked += 1
            else:
                self.direct += 1
            for violation in violations:
                self.violations.append(dict(violation, method=method, path=path, status=status))

    def take(self):
        """The violations since the last call (and forget them)."""
        with self._lock:
            taken, self.violations = self.violations, []
        return taken

    def take_requests(self):
        """The requests since the last call: method, path, raw query string and body (and forget them)."""
        with self._lock:
            taken, self.requests = self.requests, []
        return taken


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _forward(self):
        front = self.server.front
        path = urllib.parse.urlsplit(self.path).path
        through_prism = direct_reason(path) is None
        upstream = urllib.parse.urlsplit(front.prism_url if through_prism else front.simulator_url)
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=UPSTREAM_TIMEOUT)
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            self.close_connection = True  # the simulator dropped the connection: so does the front
            return
        connection.close()
        violations = json.loads(response.getheader('sl-violations') or '[]')
        front.findings.record(self, body, response.status, violations, through_prism)
        self.send_response_only(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in PRISM_HEADERS + HOP_BY_HOP + ('content-length',):
                self.send_header(name, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _forward


class JudgedFront:
    """The front (``url``) for one simulator instance and one Prism."""

    def __init__(self, simulator_url, prism_url):
        self.simulator_url = simulator_url
        self.prism_url = prism_url
        self.findings = Findings()
        self._server = ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
        self._server.daemon_threads = True
        self._server.front = self
        self.url = 'http://127.0.0.1:%d' % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
