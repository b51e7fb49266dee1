"""``python -m bbsim [--port 0] [--instances N] [--tls] [--page-cap N]``.

Prints one JSON line when ready: {"instances": [{"url": ..., "ca_path": ...}]}; serves until SIGTERM or SIGINT.
"""

import argparse
import json
import shutil
import signal
import sys
import tempfile
import threading

from . import server


def _arguments(argv):
    parser = argparse.ArgumentParser(prog='bbsim', description='Bitbucket Data Center simulator')
    parser.add_argument('--port', type=int, default=0, help='first port (0: free ports)')
    parser.add_argument('--instances', type=int, default=1, help='independent instances in this process')
    parser.add_argument('--tls', action='store_true', help='serve HTTPS with a generated CA (ca_path in the output)')
    parser.add_argument('--page-cap', type=int, default=None, help='default server-side page size limit')
    return parser.parse_args(argv)


def main(argv=None):
    args = _arguments(argv)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    cert_dir = tempfile.mkdtemp(prefix='bbsim-tls-') if args.tls else None
    try:
        ssl_context, ca_path = (None, None)
        if args.tls:
            # cryptography is needed only here
            from . import tls  # pylint: disable=import-outside-toplevel
            ssl_context, ca_path = tls.create(cert_dir)
        servers = server.start(args.instances, args.port, args.page_cap, ssl_context, ca_path)
        ready = {'instances': [{'url': s.instance.url, 'ca_path': s.instance.ca_path} for s in servers]}
        sys.stdout.write(json.dumps(ready) + '\n')
        sys.stdout.flush()
        stop.wait()
        server.stop(servers)
    finally:
        if cert_dir:
            shutil.rmtree(cert_dir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
