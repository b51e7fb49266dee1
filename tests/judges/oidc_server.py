"""Starts tests/judges/oidc/server.mjs (oidc-provider on Data Center's OAuth paths) for one test."""

import json
import select
import subprocess
import tempfile
from pathlib import Path

import child_process
from node import JUDGES, node_env, node_home, ensure_packages

START_TIMEOUT = 120


class OidcJudge:
    """oidc-provider with ``clients`` and ``ttl`` ({"AccessToken": s, "RefreshToken": s, ...}); ``url``."""

    def __init__(self, clients, ttl=None, scopes=None):
        ensure_packages()
        settings = {'clients': clients, 'ttl': ttl or {}}
        if scopes:
            settings['scopes'] = scopes
        env = dict(node_env(), OIDC_JUDGE=json.dumps(settings), NODE_ENV='production')
        self._log = tempfile.TemporaryFile(mode='w+')
        self.process = subprocess.Popen([str(node_home() / 'bin' / 'node'), str(JUDGES / 'oidc' / 'server.mjs')],
                                        cwd=str(JUDGES), env=env, stdout=subprocess.PIPE, stderr=self._log, text=True,
                                        preexec_fn=child_process.die_with_parent())  # pylint: disable=subprocess-popen-preexec-fn
        readable = select.select([self.process.stdout], [], [], START_TIMEOUT)[0]
        line = self.process.stdout.readline() if readable else ''
        if not line:
            self.stop()
            raise RuntimeError('oidc-provider did not start:\n%s' % self.log())
        self.url = json.loads(line)['url']

    def log(self):
        if self._log.closed:
            return ''
        self._log.seek(0)
        return self._log.read()[-4000:]

    def stop(self):
        child_process.stop(self.process)
        self.process.stdout.close()
        self._log.close()


if __name__ == '__main__':
    judge = OidcJudge([{'client_id': 'c', 'client_secret': 's', 'redirect_uris': ['http://127.0.0.1:1/cb']}])
    print(judge.url)
    judge.stop()
    print(Path(__file__).name, 'ok')
