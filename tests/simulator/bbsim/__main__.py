"""``python -m bbsim [--port 0] [--instances N] [--tls] [--page-cap N] [--latency S|MIN..MAX] [--rate-limit ...]``.

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
    parser.add_argument('--latency', default=None, help='seconds added to every answer: fixed (0.05) or uniform (0.02..0.1)')
    parser.add_argument('--latency-seed', type=int, default=0, help='seed of the uniform latency')
    parser.add_argument('--rate-limit', action='store_true', help="enable Bitbucket's per-user token bucket")
    parser.add_argument('--rate-limit-capacity', type=float, default=None, help='bucket size (Bitbucket: 60)')
    parser.add_argument('--rate-limit-fill-rate', type=float, default=None, help='tokens per second (Bitbucket: 5)')
    parser.add_argument('--no-retry-after', action='store_true', help='answer 429 without a Retry-After header')
    return parser.parse_args(argv)


def _speed(args):
    latency = {}
    if args.latency:
        low, dummy, high = args.latency.partition('..')
        latency = {'min': float(low), 'max': float(high or low), 'seed': args.latency_seed}
    rate_limit = {'enabled': args.rate_limit, 'capacity': args.rate_limit_capacity,
                  'fill_rate': args.rate_limit_fill_rate, 'retry_after': not args.no_retry_after}
    return latency, rate_limit


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
        for started in servers:
            started.instance.apply_startup(*_speed(args))
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
