"""Checks the simulator's answers against Atlassian's OpenAPI file, with the file's known defects as named exceptions.

Test-side only (needs ``jsonschema``). The spec's server URL is ``http://{baseurl}/rest``, so the spec path
``/api/latest/admin/users`` is ``/rest/api/latest/admin/users`` here; ``1.0`` is read as ``latest``.
"""

import copy
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

REPO = Path(__file__).resolve().parents[3]
SPEC_PATH = REPO / 'tests' / 'openapi' / 'bitbucket-datacenter-9.2.swagger.v3.json'
SPEC_ENV = 'BBSIM_OPENAPI_SPEC'
SCHEMAS = '#/components/schemas/'


def page_of(item):
    """The spec's page schema around ``item`` (a component name), its page fields required (api.md §3.2)."""
    return {'type': 'object', 'required': ['size', 'limit', 'isLastPage', 'start', 'values'], 'properties': {
        'isLastPage': {'type': 'boolean'}, 'limit': {'type': 'number'}, 'nextPageStart': {'type': 'integer'},
        'size': {'type': 'number'}, 'start': {'type': 'integer'},
        'values': {'type': 'array', 'items': {'$ref': SCHEMAS + item}}}}


@dataclass
class ComponentDefect:
    """A component schema the spec gets wrong: ``patch(schemas)`` corrects it in place; ``field`` matches the
    dotted location (values.0.createdDate) of the answer violations Stoplight Prism reports because of it."""
    name: str
    reason: str
    patch: object
    field: str = None


@dataclass
class ResponseDefect:
    """An operation whose documented response schema is wrong: validate against ``schema`` instead (None: no body)."""
    name: str
    reason: str
    method: str
    path: str
    status: str
    schema: dict


@dataclass
class StatusException:
    """A status real Bitbucket answers on resources whose spec does not list it; ``applies(entry, spec_path)``."""
    name: str
    reason: str
    applies: object


def _epoch_ms_dates(schemas):
    for name in ('RestAccessToken', 'RestRawAccessToken'):
        schemas[name]['properties']['createdDate'] = {'type': 'integer'}


def _nullable_error_fields(schemas):
    for field in ('context', 'exceptionName'):
        schemas['RestErrorMessage']['properties'][field] = {'type': ['string', 'null']}


def _complete_access_token(schemas):
    extra = {'expiryDays': {'type': 'integer'}, 'lastAuthenticated': {'type': 'integer'},
             'permissions': {'type': 'array', 'items': {'type': 'string'}},
             'user': {'$ref': SCHEMAS + 'RestApplicationUser'}}
    for name in ('RestAccessToken', 'RestRawAccessToken'):
        schemas[name]['properties'].update(extra)
        schemas[name]['required'] = ['id', 'name', 'createdDate', 'permissions']


COMPONENT_DEFECTS = [
    ComponentDefect('createdDate is epoch milliseconds',
                    'docs/dev/bitbucket-api-notes.md §2.2/§4: the spec types createdDate as a date-time string; real responses '
                    'carry a number (epoch ms)', _epoch_ms_dates, r'(.+\.)?createdDate'),
    ComponentDefect('RestAccessToken is minimal',
                    'docs/dev/bitbucket-api-notes.md §2.2/§4: the spec lists only id, name and createdDate; real tokens also carry '
                    'permissions, expiryDays (absent when non-expiring), lastAuthenticated and user. Checked as typed '
                    'fields instead of being ignored', _complete_access_token),
    ComponentDefect('RestErrorMessage fields may be null',
                    'docs/dev/bitbucket-api-notes.md §3.9: context and exceptionName are null in real error bodies; the spec types '
                    'them as plain strings', _nullable_error_fields, r'errors\.\d+\.(context|exceptionName)'),
]

RESPONSE_DEFECTS = [
    ResponseDefect('/admin/permissions/users points at RestPermittedGroup',
                   'docs/dev/bitbucket-api-notes.md §3.5/§4: the values are {"user", "permission"} (RestPermittedUser)',
                   'get', '/api/latest/admin/permissions/users', '200', page_of('RestPermittedUser')),
    ResponseDefect('/users is not a page in the spec',
                   'docs/dev/bitbucket-api-notes.md §3.3/§4: the spec shows a single RestApplicationUser; the resource is paged',
                   'get', '/api/latest/users', '200', page_of('RestApplicationUser')),
    ResponseDefect('/admin/users/more-members was copied from the group resource',
                   'docs/dev/bitbucket-api-notes.md §3.4/§4: context is a user and the values are that user\'s groups '
                   '(RestDetailedGroup), not users', 'get', '/api/latest/admin/users/more-members', '200',
                   page_of('RestDetailedGroup')),
    ResponseDefect('/admin/user-directories answers a list',
                   'docs/dev/bitbucket-api-notes.md §3.3: "200 RestUserDirectory list"; the spec\'s own description says "A list '
                   'of directories" but its schema is one object', 'get', '/api/latest/admin/user-directories', '200',
                   {'type': 'array', 'items': {'$ref': SCHEMAS + 'RestUserDirectory'}}),
] + [
    ResponseDefect('the membership changes answer an empty 200',
                   'found by Stoplight Prism: the spec declares an application/json body (with no schema) for the 200 '
                   'of these operations; the answer has no body', 'post', '/api/latest/admin/' + path, '200', None)
    for path in ('groups/add-users', 'groups/add-user', 'groups/remove-user',
                 'users/add-groups', 'users/add-group', 'users/remove-group')
]


def _error_message(entry):
    try:
        return json.loads(entry['response_body'] or '')['errors'][0]['message']
    except (ValueError, KeyError, IndexError, TypeError):
        return None


STATUS_EXCEPTIONS = [
    StatusException('XSRF check failed',
                    'docs/dev/bitbucket-api-notes.md §3.10: any browser-submittable POST without X-Atlassian-Token gets 403',
                    lambda entry, path: entry['status'] == 403 and _error_message(entry) == 'XSRF check failed'),
    StatusException('Malformed request',
                    'docs/dev/bitbucket-api-notes.md §3.8: missing required parameters or bodies and unreadable paging values are '
                    'a 400 on every resource, documented or not',
                    lambda entry, path: entry['status'] == 400),
    StatusException('Authentication failed',
                    'docs/dev/bitbucket-api-notes.md §3.8: 401 for credentials that do not work, on any resource',
                    lambda entry, path: entry['status'] == 401),
    StatusException('Unknown picker context',
                    'docs/dev/bitbucket-api-notes.md §3.4 (uncertain): the membership pickers answer 404 for a context user or '
                    'group that does not exist; the spec lists only 200 and 401',
                    lambda entry, path: entry['status'] == 404 and path.endswith(('/more-members', '/more-non-members'))),
    StatusException('Rate limited',
                    'docs/dev/bitbucket-api-notes.md §3.6: the per-user rate limiter answers 429 on any resource; the spec '
                    'documents it nowhere',
                    lambda entry, path: entry['status'] == 429),
    StatusException('Unsupported media type',
                    'docs/dev/bitbucket-api-notes.md §3.8: 415 for a body that is not application/json',
                    lambda entry, path: entry['status'] == 415),
]


class SpecConformance:
    """Validates logged simulator answers (GET /_sim/requests entries) against the spec."""

    def __init__(self, spec, component_defects=None, response_defects=None):
        """``component_defects``/``response_defects`` default to all the named ones (tests leave some out)."""
        self.spec = spec
        self.schemas = copy.deepcopy(spec['components']['schemas'])
        self.component_defects = COMPONENT_DEFECTS if component_defects is None else component_defects
        for defect in self.component_defects:
            defect.patch(self.schemas)
        defects = RESPONSE_DEFECTS if response_defects is None else response_defects
        self.response_defects = {(d.method, d.path, d.status): d for d in defects}
        self.templates = sorted(((self._template_regex(path), path) for path in spec['paths']),
                                key=lambda item: item[1].count('{'))
        self._validators = {}
        self.used = set()
        self.checked = set()

    @classmethod
    def load(cls, path=None):
        """The checker; a missing spec file is an error (see tests/openapi/README.md)."""
        path = Path(path or os.environ.get(SPEC_ENV) or SPEC_PATH)
        if not path.is_file():
            raise FileNotFoundError('the OpenAPI file is not at %s (tests/openapi/README.md)' % path.resolve())
        with open(path, encoding='utf-8') as handle:
            return cls(json.load(handle))

    @staticmethod
    def _template_regex(spec_path):
        return re.compile(re.sub(r'\\\{[^}]+\\\}', '[^/]+', re.escape(spec_path)))

    def spec_path(self, path):
        """The spec path covering a request path, or None."""
        if not path.startswith('/rest/'):
            return None
        relative = re.sub(r'^/(api|access-tokens)/1\.0/', r'/\1/latest/', path[len('/rest'):])
        return next((spec_path for regex, spec_path in self.templates if regex.fullmatch(relative)), None)

    def _validator(self, key, schema):
        if key not in self._validators:
            import jsonschema  # pylint: disable=import-outside-toplevel
            root = {'allOf': [schema], 'components': {'schemas': self.schemas}}
            self._validators[key] = jsonschema.Draft4Validator(root)
        return self._validators[key]

    def _status_allowed(self, entry, spec_path, responses):
        status = str(entry['status'])
        if status in responses or 'default' in responses:
            return True
        for exception in STATUS_EXCEPTIONS:
            if exception.applies(entry, spec_path):
                self.used.add(exception.name)
                return True
        return False

    def _documented_schema(self, method, spec_path, status, responses):
        """(schema, whether a body is documented) of a status; errors without a documented body use the error shape."""
        defect = self.response_defects.get((method, spec_path, status))
        if defect is not None:
            self.used.add(defect.name)
            return defect.schema, defect.schema is not None
        response = responses.get(status) or responses.get('default')
        if response is None:  # a named status exception: the standard error body
            return {'type': 'object', 'required': ['errors'], 'properties': {
                'errors': {'type': 'array', 'items': {'$ref': SCHEMAS + 'RestErrorMessage'}}}}, True
        content = (response.get('content') or {}).get('application/json')
        if content is None:
            return None, False
        return content.get('schema', {}), True

    def check(self, entry):
        """Problems with one logged answer (empty when it conforms or the spec does not cover it)."""
        spec_path = self.spec_path(entry['path'])
        if spec_path is None or entry['status'] is None or entry.get('fault'):
            return []
        method = entry['method'].lower()
        operation = self.spec['paths'][spec_path].get(method)
        where = '%s %s -> %s' % (entry['method'], entry['path'], entry['status'])
        if operation is None:
            return [] if entry['status'] == 405 else ['%s: the spec has no %s %s' % (where, entry['method'], spec_path)]
        self.checked.add((method, spec_path))
        responses = operation.get('responses', {})
        if not self._status_allowed(entry, spec_path, responses):
            return ['%s: status not documented (documented: %s)' % (where, ', '.join(sorted(responses)))]
        status = str(entry['status'])
        schema, has_body = self._documented_schema(method, spec_path, status, responses)
        body = entry.get('response_body') or ''
        if not has_body:
            return [] if body == '' else ['%s: the spec documents no body but one was sent' % where]
        if schema is None:
            return []
        try:
            data = json.loads(body)
        except ValueError:
            return ['%s: the body is not JSON' % where]
        validator = self._validator((method, spec_path, status), schema)
        return ['%s: %s at %s' % (where, error.message[:300], '/'.join(map(str, error.absolute_path)) or 'the top')
                for error in validator.iter_errors(data)]

    def explain_violation(self, violation):
        """The name of the spec defect behind one of Prism's answer violations (its ``sl-violations`` entry plus
        the request's method, path and status), or None."""
        spec_path = self.spec_path(violation['path'])
        defect = self.response_defects.get((violation['method'].lower(), spec_path, str(violation['status'])))
        if defect is not None:
            return defect.name
        location = violation.get('location') or []
        if location[:2] != ['response', 'body'] or len(location) < 3:
            return None
        field = '.'.join(map(str, location[2:]))
        return next((d.name for d in self.component_defects if d.field and re.fullmatch(d.field, field)), None)

    def _resolved(self, schema):
        while isinstance(schema, dict) and '$ref' in schema:
            schema = self.spec['components']['schemas'][schema['$ref'][len(SCHEMAS):]]
        return schema or {}

    def declared_inputs(self, method, spec_path):
        """(query parameter names, top-level body keys or None when the body is not an object) of an operation."""
        item = self.spec['paths'][spec_path]
        operation = item.get(method, {})
        parameters = item.get('parameters', []) + operation.get('parameters', [])
        query = {p['name'] for p in parameters if p.get('in') == 'query'}
        content = ((operation.get('requestBody') or {}).get('content') or {}).get('application/json') or {}
        body = self._resolved(content.get('schema'))
        return query, set(body['properties']) if body.get('type') == 'object' or 'properties' in body else None

    def undeclared_inputs(self, method, path, query, body):
        """Query parameter names and body keys a request sent that the spec does not declare for its operation."""
        spec_path = self.spec_path(path)
        method = method.lower()
        if spec_path is None or method not in self.spec['paths'][spec_path]:
            return []
        declared_query, declared_keys = self.declared_inputs(method, spec_path)
        where = '%s %s' % (method.upper(), path)
        problems = ['%s: query parameter %r is not declared for %s %s' % (where, name, method.upper(), spec_path)
                    for name in sorted({pair[0] for pair in parse_qsl(query, keep_blank_values=True)})
                    if name not in declared_query]
        try:
            sent = json.loads(body) if body else None
        except ValueError:
            sent = None
        if isinstance(sent, dict) and declared_keys is not None:
            problems += ['%s: body key %r is not declared for %s %s' % (where, key, method.upper(), spec_path)
                         for key in sorted(set(sent) - declared_keys)]
        return problems

    def check_log(self, entries):
        problems = []
        for entry in entries:
            problems += self.check(entry)
        return problems
