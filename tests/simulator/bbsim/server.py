"""HTTP plumbing: one ThreadingHTTPServer per instance (HTTP/1.1, keep-alive, optional TLS), faults and the log."""

import socket
import ssl
import struct
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import control_api
from .app import ROUTER, dispatch
from .in_flight import InFlight
from .latency import Latency
from .rate_limit import RateLimiter
from .faults import ANSWERING, CLOSING, FaultSet, fault_response
from .messages import ApiError, Request
from .request_log import RequestLog
from .state import State

CONTROL_PREFIX = '/_sim/'


class Instance:
    """One simulated Bitbucket: its state, faults and request log, and the URL it is served on."""

    def __init__(self, page_cap=None):
        self.state = State(page_cap)
        self.faults = FaultSet()
        self.log = RequestLog()
        self.latency = Latency()
        self.in_flight = InFlight()
        self.rate_limit = RateLimiter()
        self.startup = ({}, {})
        self.url = None
        self.ca_path = None

    def reset(self):
        with self.state.lock:
            self.state.reset()
        self.faults.clear()
        self.log.clear()
        self.in_flight.clear()
        self.apply_startup(*self.startup)

    def apply_startup(self, latency, rate_limit):
        """Latency and rate-limit settings from the command line; reset returns to them."""
        self.startup = (latency, rate_limit)
        self.latency.set(latency)
        self.rate_limit.reset()
        self.rate_limit.configure(**rate_limit)

    def serve(self, request):
        """(Response or None, closing action or None) for one Bitbucket request, with faults applied."""
        with self.in_flight:
            return self._serve(request)

    def _serve(self, request):
        self.latency.wait()
        family = ROUTER.family(request.path)
        fault = self.faults.take(request.method, request.path)
        action = fault.action if fault else None
        if action in CLOSING:
            self.log.record(request, family, fault=fault)
            return None, action
        if action in ANSWERING:
            response = fault_response(fault, self.url, request)
            self.log.record(request, family, response, fault=fault)
            return response, None
        if action == 'slow':
            time.sleep(fault.delay or 0)
        with self.state.lock:
            response, principal = dispatch(self, request)
        if action == 'drop_after_refresh':
            # The server did the work (for a refresh: rotated the tokens) but the answer never arrives.
            self.log.record(request, family, principal=principal, fault=fault)
            return None, 'drop'
        self.log.record(request, family, response, principal, fault)
        return response, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    timeout = 300
    # Headers and body go out in two writes: with Nagle's algorithm on, the body waits for the client's delayed
    # ACK of the headers (about 40 ms per request on Linux loopback) and every request looks slow.
    disable_nagle_algorithm = True

    def version_string(self):
        return 'bbsim/1.0'

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet: the request log is the record."""

    def _read_body(self):
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length > 0 else b''

    def _handle(self):
        instance = self.server.instance
        try:
            request = Request(self.command, self.path, self.headers, self._read_body())
        except ValueError:
            self.close_connection = True
            self._send(ApiError(400, 'Malformed request').response())
            return
        try:
            if request.path.startswith(CONTROL_PREFIX):
                response, action = control_api.handle(instance, request), None
            else:
                response, action = instance.serve(request)
        except Exception:  # pylint: disable=broad-except
            traceback.print_exc(file=sys.stderr)
            response, action = ApiError(500, 'Simulator error (see its stderr)').response(), None
        if action is None:
            self._send(response)
        else:
            self._close(action)

    def _send(self, response):
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.status != 204:
            self.send_header('Content-Length', str(len(response.body)))
        elif self.server.instance.state.config['json_on_204'] and not response.header('Content-Type'):
            self.send_header('Content-Type', 'application/json;charset=UTF-8')
        self.end_headers()
        if response.body and self.command != 'HEAD' and response.status != 204:
            self.wfile.write(response.body)

    def _close(self, action):
        """Close without answering: 'drop' ends the connection with a FIN, 'reset' (in finish) with a TCP RST."""
        self.close_connection = True
        self.reset_connection = action == 'reset'

    def finish(self):
        super().finish()
        if getattr(self, 'reset_connection', False):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            _close_quietly(self.connection)


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address, instance, ssl_context=None):
        self.instance = instance
        self.ssl_context = ssl_context
        super().__init__(address, Handler)

    def finish_request(self, request, client_address):
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        # The TLS handshake runs here, in the connection's own thread, so one bad client cannot stall accept().
        request.settimeout(10)
        try:
            tls_socket = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        tls_socket.settimeout(None)
        try:
            super().finish_request(tls_socket, client_address)
        finally:
            _close_quietly(tls_socket)

    def handle_error(self, request, client_address):
        """Clients that hang up are normal here (faults, TLS failures); report anything else."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)


def _close_quietly(sock):
    try:
        sock.close()
    except OSError:
        pass


def start(count=1, port=0, page_cap=None, ssl_context=None, ca_path=None):
    """Start ``count`` instances on 127.0.0.1 (ports ``port``, ``port``+1, ... or free ones); returns the servers."""
    servers = []
    for index in range(count):
        instance = Instance(page_cap)
        server = SimServer(('127.0.0.1', port + index if port else 0), instance, ssl_context)
        scheme = 'https' if ssl_context else 'http'
        instance.url = '%s://127.0.0.1:%d' % (scheme, server.server_address[1])
        instance.ca_path = ca_path
        threading.Thread(target=server.serve_forever, name='bbsim-%d' % index, daemon=True).start()
        servers.append(server)
    return servers


def stop(servers):
    for server in servers:
        server.shutdown()
        server.server_close()
