"""Fault injection, TLS and the simulator process (several instances, clean exit on SIGTERM)."""

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
import requests

import bbsim
from bbsim.rest import Rest

USERS = '/rest/api/latest/admin/users'


def raw_get(sim, path=USERS):
    """Send one GET on a fresh socket; returns the raw bytes answered (b'' when closed without an answer)."""
    host, port = urllib.parse.urlsplit(sim.url).netloc.split(':')
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(('GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic YWRtaW46YWRtaW4tcGFzc3dvcmQ=\r\n\r\n'
                      % (path, host)).encode())
        return sock.recv(65536)


def test_status_fault_with_retry_after_hits_as_many_times_as_asked(sim):
    sim.control.fault(method='GET', path='/admin/users$', action='status', status=429, retry_after=1, times=2)
    rest = Rest(sim)
    first, second, third = (rest.get(USERS) for _attempt in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 200)
    assert first.headers['Retry-After'] == '1' and first.json()['errors'][0]['message']
    assert [f['hits'] for f in sim.control.faults()] == [2]
    assert [e['fault'] for e in sim.control.requests()] == ['status', 'status', None]


def test_faults_match_method_and_path_and_can_carry_a_body(sim):
    sim.control.fault(method='POST', path='/admin/groups', status=503, body={'errors': [{'message': 'maintenance'}]},
                      times=None)
    rest = Rest(sim)
    assert rest.get('/rest/api/latest/admin/groups').status_code == 200
    for _attempt in range(3):
        answer = rest.post('/rest/api/latest/admin/groups', params={'name': 'g'})
        assert answer.status_code == 503 and answer.json() == {'errors': [{'message': 'maintenance'}]}
    sim.control.clear_faults()
    assert rest.post('/rest/api/latest/admin/groups', params={'name': 'g'}).status_code == 200


def test_slow_fault_delays_the_real_answer(sim):
    sim.control.fault(method='GET', path='/admin/users', action='slow', delay=0.6)
    started = time.monotonic()
    answer = Rest(sim).get(USERS)
    assert answer.status_code == 200 and time.monotonic() - started >= 0.6
    sim.control.fault(method='GET', path='/admin/users', action='slow', delay=0.8)
    with pytest.raises(requests.ReadTimeout):
        Rest(sim).get(USERS, timeout=0.3)
    time.sleep(0.7)  # let the abandoned request finish before the next test resets the instance


def test_drop_closes_without_an_answer(sim):
    sim.control.fault(method='GET', path='/admin/users', action='drop')
    assert raw_get(sim) == b''
    with pytest.raises(requests.ConnectionError):
        sim.control.fault(method='GET', path='/admin/users', action='drop')
        Rest(sim).get(USERS)
    assert raw_get(sim).startswith(b'HTTP/1.1 200')


def test_reset_sends_a_tcp_rst(sim):
    sim.control.fault(method='GET', path='/admin/users', action='reset')
    with pytest.raises(ConnectionResetError) as caught:
        raw_get(sim)
    assert caught.value.errno == errno.ECONNRESET
    assert sim.control.requests()[-1]['fault'] == 'reset' and sim.control.requests()[-1]['status'] is None


def test_malformed_json_html_and_redirect_login(sim):
    rest = Rest(sim)
    sim.control.fault(method='GET', path='/admin/users', action='malformed_json')
    broken = rest.get(USERS)
    assert broken.status_code == 200 and broken.headers['Content-Type'].startswith('application/json')
    with pytest.raises(ValueError):
        broken.json()
    sim.control.fault(method='GET', path='/admin/users', action='html', status=502)
    proxy = rest.get(USERS)
    assert proxy.status_code == 502 and proxy.headers['Content-Type'].startswith('text/html') and 'Proxy Error' in proxy.text
    sim.control.fault(method='GET', path='/admin/users', action='redirect_login')
    login = rest.get(USERS)
    assert login.status_code == 302 and login.headers['Location'] == sim.url + '/login'
    assert rest.get(USERS).status_code == 200


def test_echo_repeats_the_request_in_a_500(sim):
    sim.control.fault(method='POST', path='/admin/groups', action='echo')
    answer = Rest(sim).post('/rest/api/latest/admin/groups', params={'name': 'g'}, json={'x': 1})
    message = answer.json()['errors'][0]['message']
    assert answer.status_code == 500 and 'name=g' in message and '"x": 1' in message and 'Authorization' in message


def test_slow_requests_do_not_block_other_requests(sim):
    sim.control.fault(method='GET', path='/admin/groups', action='slow', delay=1.0)
    import threading  # pylint: disable=import-outside-toplevel
    slow = threading.Thread(target=Rest(sim).get, args=('/rest/api/latest/admin/groups',))
    slow.start()
    time.sleep(0.1)
    started = time.monotonic()
    assert Rest(sim).get(USERS).status_code == 200
    assert time.monotonic() - started < 0.5
    slow.join()


def test_tls_instances_verify_with_their_ca_only(sim_factory):
    first, second = sim_factory(2, tls=True)
    assert first.url.startswith('https://127.0.0.1:') and first.ca_path and first.url != second.url
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(first.url + '/rest/api/latest/application-properties', timeout=10, verify=True)
    assert Rest(first).get(USERS).status_code == 200
    answer = requests.get(first.url.replace('127.0.0.1', 'localhost') + '/rest/api/latest/application-properties',
                          timeout=10, verify=first.ca_path)
    assert answer.status_code == 200


def test_instances_of_one_process_have_separate_state(sim_factory):
    first, second = sim_factory(2, page_cap=5)
    first.control.seed(users=[{'name': 'only-here'}])
    assert [u['name'] for u in second.control.state()['users']] == ['admin']
    assert len(first.control.state()['users']) == 2
    assert first.control.state()['config']['page_cap'] == 5
    first.control.config(page_cap=9)
    first.control.reset()
    assert first.control.state()['config']['page_cap'] == 5  # --page-cap is the reset default


def test_process_prints_one_ready_line_and_exits_cleanly_on_sigterm():
    env = dict(os.environ, PYTHONPATH=str(Path(bbsim.__file__).resolve().parents[1]))
    process = subprocess.Popen([sys.executable, '-m', 'bbsim', '--tls', '--instances', '1'], env=env,
                               stdout=subprocess.PIPE, text=True)
    try:
        ready = json.loads(process.stdout.readline())
        [instance] = ready['instances']
        assert os.path.isfile(instance['ca_path'])
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
        assert not os.path.exists(instance['ca_path'])  # the generated CA is removed on exit
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
