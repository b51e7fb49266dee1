# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets to look for after a run, and where they turn up.

``harvest`` collects every secret that travelled to the simulator (bearer tokens, Basic credentials, token endpoint
parameters and answers, passwords in query strings and JSON bodies), so that tokens the simulator issued during the
run are searched for as well as the canaries the test chose. ``forms`` adds the spellings a secret takes on the way
(URL-encoded in a form or query string, JSON-escaped, Base64 inside a Basic header) so that an echoed request is
caught whichever way it is written.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path

SECRET_KEYS = {'password', 'passwordConfirm', 'client_secret', 'refresh_token', 'access_token', 'code',
               'code_verifier', 'token'}
MIN_LENGTH = 8
VAULT_HEADER = b'$ANSIBLE_VAULT;'


def forms(value):
    """The spellings of a secret that an echo or a log line may hold."""
    spellings = {value, urllib.parse.quote_plus(value), urllib.parse.quote(value, safe=''), json.dumps(value)[1:-1]}
    return {spelling for spelling in spellings if len(spelling) >= MIN_LENGTH}


def _from_json(data, found):
    if isinstance(data, dict):
        for key, value in data.items():
            if key in SECRET_KEYS and isinstance(value, str):
                found.add(value)
            else:
                _from_json(value, found)
    elif isinstance(data, list):
        for item in data:
            _from_json(item, found)


def _from_text(text, found):
    if not text:
        return
    try:
        _from_json(json.loads(text), found)
        return
    except ValueError:
        pass
    for key, value in urllib.parse.parse_qsl(text, keep_blank_values=False):
        if key in SECRET_KEYS:
            found.add(value)


def harvest(instance):
    """Every secret in the instance's request log and its live tokens."""
    found = set()
    for entry in instance.control.requests():
        authorization = (entry.get('headers') or {}).get('Authorization') or ''
        scheme, dummy, credentials = authorization.partition(' ')
        if scheme.lower() == 'bearer':
            found.add(credentials)
        elif scheme.lower() == 'basic':
            found.add(credentials)
            try:
                found.add(base64.b64decode(credentials).decode('utf-8').partition(':')[2])
            except ValueError:
                pass
        _from_text(entry.get('query'), found)
        _from_text(entry.get('body'), found)
        if entry.get('family') == 'token' and not entry.get('fault'):
            _from_text(entry.get('response_body'), found)
    state = instance.control.state()
    found.update(state.get('valid_refresh_tokens', []) + state.get('valid_access_tokens', []))
    return {value for value in found if value and len(value) >= MIN_LENGTH}


def basic_header(username, password):
    return base64.b64encode(('%s:%s' % (username, password)).encode('utf-8')).decode('ascii')


class Leak:
    def __init__(self, label, where, context):
        self.label = label
        self.where = where
        self.context = context

    def __str__(self):
        return '%s in %s: ...%s...' % (self.label, self.where, self.context)


def find(secrets, texts, directory=None):
    """Leaks of secrets ({label: value}) in texts ({where: text}) and in every file under directory (if given);
    vault-encrypted files (stores, recovery files) are skipped, since their content is encrypted."""
    needles = {spelling: label for label, value in secrets.items() for spelling in forms(value)}
    leaks = []

    def search(where, text):
        for spelling, label in needles.items():
            at = text.find(spelling)
            if at >= 0:
                context = text[max(at - 60, 0):at + len(spelling) + 20].replace(spelling, '<%s>' % label)
                leaks.append(Leak(label, where, context.replace('\n', ' ')))

    for where, text in texts.items():
        search(where, text)
    for path in sorted(Path(directory).rglob('*')) if directory else []:
        if not path.is_file() or path.is_symlink():
            continue
        raw = path.read_bytes()
        if raw.startswith(VAULT_HEADER):
            continue
        search(str(path.relative_to(directory)), raw.decode('utf-8', 'replace'))
    return leaks


def scanned_files(directory):
    return sum(1 for path in Path(directory).rglob('*') if path.is_file() and not path.is_symlink())
