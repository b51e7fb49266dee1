"""Bitbucket paging: start/limit in, {size, limit, isLastPage, start, nextPageStart?, values} out (api.md §3.2)."""

from .messages import ApiError

DEFAULT_LIMIT = 25


def _int_param(request, name, default):
    value = request.param(name)
    if value in (None, ''):
        return default
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, 'The %s parameter must be an integer.' % name, context=name) from None


def page(request, values, cap, view=None):
    """One page of ``values``. The server caps ``limit`` at ``cap`` and says so in the answer's ``limit``.

    ``view`` (optional) turns each value of the page, and only those, into its JSON shape.
    """
    start = max(_int_param(request, 'start', 0), 0)
    limit = _int_param(request, 'limit', DEFAULT_LIMIT)
    limit = min(limit if limit > 0 else DEFAULT_LIMIT, cap)
    chunk = values[start:start + limit]
    if view is not None:
        chunk = [view(value) for value in chunk]
    last = start + len(chunk) >= len(values)
    body = {'size': len(chunk), 'limit': limit, 'isLastPage': last, 'start': start, 'values': chunk}
    if not last:
        body['nextPageStart'] = start + len(chunk)
    return body
