"""Request and response values, and the exceptions handlers raise to answer with an error."""

import json
import urllib.parse

JSON_TYPE = 'application/json;charset=UTF-8'
FORM_TYPES = ('application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain')


class Request:
    """One parsed HTTP request. ``params`` merges nothing: it is the query string only."""

    def __init__(self, method, target, headers, body):
        self.method = method
        split = urllib.parse.urlsplit(target)
        self.path = urllib.parse.unquote(split.path)
        self.query = split.query
        self.params = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        self.headers = headers
        self.body = body
        self.path_args = {}

    @property
    def content_type(self):
        """The media type without parameters, lower case; '' when absent."""
        return (self.headers.get('Content-Type') or '').split(';')[0].strip().lower()

    def param(self, name, default=None):
        values = self.params.get(name)
        return values[0] if values else default

    def param_list(self, name):
        return list(self.params.get(name, []))

    def form(self):
        """Form body fields (first value of each) when the body is form-encoded, else {}."""
        if self.content_type != 'application/x-www-form-urlencoded' or not self.body:
            return {}
        parsed = urllib.parse.parse_qs(self.body.decode('utf-8', 'replace'), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}

    def json(self):
        """The JSON body; ApiError 415 for another media type, 400 when absent or malformed."""
        if self.content_type and self.content_type != 'application/json':
            raise ApiError(415, 'Unsupported media type %s: send application/json' % self.content_type)
        if not self.body:
            raise ApiError(400, 'A JSON request body is required.')
        try:
            return json.loads(self.body.decode('utf-8'))
        except ValueError as exc:
            raise ApiError(400, 'The request body is not valid JSON: %s' % exc) from None

    def json_object(self):
        data = self.json()
        if not isinstance(data, dict):
            raise ApiError(400, 'The request body must be a JSON object.')
        return data


class Response:
    """What a handler answers. ``body`` is bytes; ``headers`` a list of (name, value)."""

    def __init__(self, status, body=b'', content_type=None, headers=None):
        self.status = status
        self.body = body
        self.headers = list(headers or [])
        if content_type:
            self.headers.append(('Content-Type', content_type))

    @classmethod
    def json(cls, data, status=200, headers=None):
        return cls(status, json.dumps(data).encode('utf-8'), JSON_TYPE, headers)

    @classmethod
    def empty(cls, status=204):
        return cls(status)

    @classmethod
    def redirect(cls, location, status=302):
        return cls(status, headers=[('Location', location)])

    @classmethod
    def html(cls, text, status=200):
        return cls(status, text.encode('utf-8'), 'text/html;charset=UTF-8')

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


class ApiError(Exception):
    """A Bitbucket REST error: {"errors":[{"context","message","exceptionName"}]} (docs/dev/bitbucket-api-notes.md §3.9)."""

    def __init__(self, status, message, context=None, exception_name=None, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.context = context
        self.exception_name = exception_name
        self.headers = headers or []

    def response(self):
        error = {'context': self.context, 'message': self.message, 'exceptionName': self.exception_name}
        return Response.json({'errors': [error]}, self.status, self.headers)


class OAuthError(Exception):
    """An RFC 6749 token-endpoint error: {"error","error_description"} (docs/dev/bitbucket-api-notes.md §1.7)."""

    def __init__(self, status, error, description):
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def response(self):
        headers = [('Cache-Control', 'no-store'), ('Pragma', 'no-cache')]
        if self.status == 401:
            headers.append(('WWW-Authenticate', 'Basic realm="OAuth2 Client"'))
        return Response.json({'error': self.error, 'error_description': self.description}, self.status, headers)


def require_param(request, name):
    """A required query parameter, or ApiError 400 naming it."""
    value = request.param(name)
    if value is None or value == '':
        raise ApiError(400, 'The %s parameter is required.' % name, context=name)
    return value


def require_field(data, name, kind=str):
    """A required field of a JSON body, or ApiError 400 naming it."""
    value = data.get(name)
    if value is None or value == '' or not isinstance(value, kind):
        raise ApiError(400, 'The %s field is required.' % name, context=name)
    return value
