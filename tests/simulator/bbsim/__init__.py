"""bbsim: a Bitbucket Data Center simulator for the dcops.bitbucket tests (stdlib only on the server side).

Run it with ``PYTHONPATH=tests/simulator python -m bbsim``; drive it from tests with ``bbsim.control.SimControl``.
"""
