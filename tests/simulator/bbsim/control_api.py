"""The control API under /_sim/ (no auth): reset, seed, config, token issue, clock, state, request log, faults,
latency and the rate limiter."""

import json

from . import seed
from .messages import ApiError, Response
from .oauth import issue_for_test
from .state import CONFIG_CHOICES, DEFAULT_CONFIG


def _reset(instance, data):
    del data
    instance.reset()
    return {'reset': True}


def _seed(instance, data):
    with instance.state.lock:
        return seed.apply(instance.state, data)


def _config(instance, data):
    unknown = set(data) - set(DEFAULT_CONFIG)
    if unknown:
        raise ValueError('unknown config keys: %s' % ', '.join(sorted(unknown)))
    for key, value in data.items():
        if key in CONFIG_CHOICES and value not in CONFIG_CHOICES[key]:
            raise ValueError('%s must be one of %s' % (key, ', '.join(CONFIG_CHOICES[key])))
    if 'page_cap' in data and (not isinstance(data['page_cap'], int) or data['page_cap'] < 1):
        raise ValueError('page_cap must be a positive integer')
    with instance.state.lock:
        instance.state.config.update(data)
        return dict(instance.state.config)


def _get_config(instance, data):
    del data
    return dict(instance.state.config)


def _issue(instance, data):
    with instance.state.lock:
        return issue_for_test(instance.state, data.get('client_id'), data.get('user', 'admin'),
                              data.get('scope', 'ADMIN_WRITE'), data.get('access_expired', False))


def _clock(instance, data):
    with instance.state.lock:
        instance.state.clock_offset += float(data.get('advance', 0))
        return {'now': instance.state.now(), 'offset': instance.state.clock_offset}


def _state(instance, data):
    del data
    with instance.state.lock:
        return seed.snapshot(instance.state)


def _requests(instance, data):
    return instance.log.query(data.get('family'), data.get('method'))


def _clear_requests(instance, data):
    del data
    instance.log.clear()
    instance.in_flight.clear()
    return {'cleared': True}


def _in_flight(instance, data):
    del data
    return instance.in_flight.view()


def _add_fault(instance, data):
    return instance.faults.add(data).view()


def _list_faults(instance, data):
    del data
    return instance.faults.snapshot()


def _clear_faults(instance, data):
    del data
    instance.faults.clear()
    return {'cleared': True}


def _latency(instance, data):
    return instance.latency.set(data)


def _get_latency(instance, data):
    del data
    return instance.latency.view()


def _rate_limit(instance, data):
    return instance.rate_limit.configure(**data)


def _get_rate_limit(instance, data):
    del data
    return instance.rate_limit.view()


CALLS = {
    ('POST', '/_sim/latency'): _latency,
    ('GET', '/_sim/latency'): _get_latency,
    ('POST', '/_sim/rate-limit'): _rate_limit,
    ('GET', '/_sim/rate-limit'): _get_rate_limit,
    ('POST', '/_sim/reset'): _reset,
    ('POST', '/_sim/seed'): _seed,
    ('POST', '/_sim/config'): _config,
    ('GET', '/_sim/config'): _get_config,
    ('POST', '/_sim/oauth/issue'): _issue,
    ('POST', '/_sim/clock'): _clock,
    ('GET', '/_sim/state'): _state,
    ('GET', '/_sim/requests'): _requests,
    ('POST', '/_sim/requests/clear'): _clear_requests,
    ('DELETE', '/_sim/requests'): _clear_requests,
    ('GET', '/_sim/in-flight'): _in_flight,
    ('POST', '/_sim/faults'): _add_fault,
    ('GET', '/_sim/faults'): _list_faults,
    ('DELETE', '/_sim/faults'): _clear_faults,
}


def _arguments(request):
    """JSON body for writes, query parameters for reads."""
    if request.method == 'GET':
        return {name: values[0] for name, values in request.params.items()}
    if not request.body:
        return {}
    data = json.loads(request.body.decode('utf-8'))
    if not isinstance(data, dict):
        raise ValueError('the body must be a JSON object')
    return data


def handle(instance, request):
    call = CALLS.get((request.method, request.path))
    if call is None:
        return Response.json({'error': 'unknown control call %s %s' % (request.method, request.path)}, 404)
    try:
        return Response.json(call(instance, _arguments(request)))
    except ApiError as exc:
        return Response.json({'error': exc.message}, 400)
    except (ValueError, KeyError, TypeError) as exc:
        return Response.json({'error': '%s: %s' % (type(exc).__name__, exc)}, 400)
