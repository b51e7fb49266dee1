# dcops.bitbucket: developer and CI entry points. `make test` is what CI runs (.ci/run).
# Everything runs from the project virtual environment .venv, created on first use from tests/requirements.txt.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
VENV_STAMP := $(VENV)/.requirements-installed
BIN := $(CURDIR)/$(VENV)/bin
LOGS := build/logs
SANITY_PYTHON := 3.11
# tests/conftest.py is safe under pytest-xdist: one simulator per worker, per-test temp dirs, race-safe collection link.
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS) --durations=10
PYTEST_ARGS ?=
STRIP_COLOR := sed -E 's/\x1b\[[0-9;]*m//g; s/\x1b\]8;;[^\x1b]*\x1b\\\\//g'
# The venv first on PATH, so that ansible-test, ansible-playbook and molecule find the pinned tools.
RUN := PATH="$(BIN):$$PATH" VIRTUAL_ENV="$(CURDIR)/$(VENV)"

.PHONY: help venv test pytest unit integration sanity sanity-pip-bootstrap ansible-lint lint molecule demo bench load \
	changelog changelog-lint changelog-preview clean distclean matrix docs docs-test

help:
	@echo "make demo         run the demonstration (tests/tooling/demo.sh) against the Bitbucket simulator"
	@echo "make test         everything CI runs: pytest, ansible-test sanity, ansible-lint, molecule"
	@echo "make unit         pytest tests/unit and the simulator's own tests (tests/simulator/tests)"
	@echo "make integration  pytest tests/integration (playbooks against the simulator)"
	@echo "make lint         ansible-lint (production profile) and ansible-test sanity"
	@echo "make matrix       unit and integration suites on each tested ansible-core x Python pair (noxfile.py; CI runs it)"
	@echo "make docs         the collection's HTML docsite (antsibull-docs, Sphinx) in build/docsite; make docs-test opens it in Chromium"
	@echo "make bench        benchmark against floors, with latency and rate limit (about 22 min, not in make test); docs/benchmarks.md"
	@echo "make load         reliability suite's load part (5,000 users, 50 instances; minutes); docs/reliability.md"
	@echo "make changelog    lint the changelog fragments and release version $$(sed -n 's/^version: //p' galaxy.yml)"
	@echo "make changelog-preview  the release notes the next release would publish (staged copy; CI runs it)"
	@echo "make venv         create .venv from tests/requirements.txt (done automatically by the targets above)"
	@echo "make clean        remove build output; make distclean also removes .venv"

venv: $(VENV_STAMP)
	@:

# Re-runs only when tests/requirements.txt is newer than the stamp; an existing .venv is reused, not recreated.
$(VENV_STAMP): tests/requirements.txt
	@test -n "$(PYTHON)" || { echo "venv: python3.11 not found" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' \
		|| { echo "venv: $(PYTHON) is older than Python 3.11" >&2; exit 1; }
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --disable-pip-version-check --quiet --requirement tests/requirements.txt
	@touch $@

# Steps run in this order and the first failure stops the run; the recap ends with pytest's own summary line.
TEST_STEPS := venv pytest sanity ansible-lint molecule

test:
	@rm -rf $(LOGS) && mkdir -p $(LOGS)
	@for step in $(TEST_STEPS); do \
		started=$$(date +%s); \
		$(MAKE) $$step || exit $$?; \
		echo "$$step $$(( $$(date +%s) - started ))" >> $(LOGS)/timings; \
	done
	@echo
	@echo "== make test passed =="
	@echo "seconds per step: $$(tr '\n' ' ' < $(LOGS)/timings)"
	@! test -f $(LOGS)/sanity.log || echo "sanity:       $$(grep -c '^Running sanity test ' $(LOGS)/sanity.log) tests run (python $(SANITY_PYTHON), no ignore file)"
	@! test -f $(LOGS)/ansible-lint.log || echo "ansible-lint: $$($(STRIP_COLOR) $(LOGS)/ansible-lint.log | grep -E '^Passed' | tail -n 1)"
	@! test -f $(LOGS)/molecule.log || echo "molecule:     $$(tail -n 1 $(LOGS)/molecule.log)"
	@echo "judges:       $$($(BIN)/python tests/judges/summary.py)"
	@echo "pytest:"
	@grep -E '^=+ .* in [0-9.]+s' $(LOGS)/pytest.log | tail -n 1

# One run over both suites, unit tests listed first, so that CI reads a single summary line with every count.
pytest: venv
	@mkdir -p $(LOGS)
	$(RUN) $(PYTEST) $(PYTEST_ARGS) tests/unit tests/simulator/tests tests/integration tests/vault tests/reliability 2>&1 | tee $(LOGS)/pytest.log

unit: venv
	$(RUN) $(PYTEST) $(PYTEST_ARGS) tests/unit tests/simulator/tests

integration: venv
	$(RUN) $(PYTEST) $(PYTEST_ARGS) tests/integration tests/vault

# ansible-test bootstraps pip in each sanity venv from ~/.ansible/test/cache/get_pip_<version>.py, which it would
# otherwise download from ci-files.testing.ansible.com; install our offline equivalent there (see its docstring).
sanity-pip-bootstrap: venv
	@version=$$($(BIN)/python tests/tooling/ansible_test_pip_version.py $(SANITY_PYTHON)); \
	cache="$$HOME/.ansible/test/cache/get_pip_$${version//./_}.py"; \
	if ! cmp -s tests/tooling/get_pip.py "$$cache"; then \
		mkdir -p "$$(dirname "$$cache")" && cp tests/tooling/get_pip.py "$$cache" && echo "installed $$cache"; \
	fi

sanity: sanity-pip-bootstrap
	@mkdir -p $(LOGS)
	$(RUN) SANITY_PYTHON=$(SANITY_PYTHON) tests/tooling/sanity.sh 2>&1 | tee $(LOGS)/sanity.log

# The collection is resolved from this work tree only: ANSIBLE_HOME keeps ansible-lint's cache, which it puts first
# on the collections path, away from any copy installed under ~/.ansible/collections. With ANSIBLE_COLLECTIONS_PATH
# set, ansible-lint does not add its stubs of .ansible-lint's mock_modules (awx.awx) to it, so that directory is listed.
ansible-lint: venv
	@mkdir -p $(LOGS)
	$(RUN) ANSIBLE_HOME="$(CURDIR)/build/ansible-home" \
		ANSIBLE_COLLECTIONS_PATH="$$(tests/tooling/collection_path.sh):$(CURDIR)/build/ansible-home/ansible-lint-mocks/collections" \
		$(BIN)/ansible-lint 2>&1 | tee $(LOGS)/ansible-lint.log

lint: ansible-lint sanity

# The tested range: noxfile.py lists the ansible-core x Python pairs; a pair whose Python is not installed (PATH or
# pyenv) is skipped with a line saying so. NOX_ARGS passes options, for example NOX_ARGS="-s 'tests(ansible-core-2.21-python-3.13)'".
NOX_ARGS ?=
matrix: venv
	@mkdir -p $(LOGS) build/matrix && rm -f build/matrix/report.json
	@started=$$(date +%s); set +e; \
		$(RUN) $(BIN)/nox --report build/matrix/report.json $(NOX_ARGS) 2>&1 | tee $(LOGS)/matrix.log \
			| grep --line-buffered -Ev '^WARNING: Location'; status=$${PIPESTATUS[0]}; set -e; \
		echo "== make matrix: $$(( $$(date +%s) - started )) s (log: $(LOGS)/matrix.log) =="; \
		$(BIN)/python tests/tooling/matrix_summary.py build/matrix/report.json | tee $(LOGS)/matrix-summary.txt; \
		exit $$(( status || $${PIPESTATUS[0]} ))

# The docsite's tools are pinned apart (tests/docs/requirements.txt) and installed into .venv on first use.
DOCS_STAMP := $(VENV)/.docs-requirements-installed
$(DOCS_STAMP): tests/docs/requirements.txt $(VENV_STAMP)
	$(VENV)/bin/python -m pip install --disable-pip-version-check --quiet --requirement tests/docs/requirements.txt
	@touch $@

docs: venv $(DOCS_STAMP)
	@mkdir -p $(LOGS)
	$(RUN) tests/tooling/docs.sh 2>&1 | tee $(LOGS)/docs.log

# Not in make test (minutes of Chromium on 2 cores); .ci/run runs it. Screenshots: build/docsite/screenshots/.
docs-test: docs
	$(RUN) $(BIN)/pytest -p no:cacheprovider -rs -s tests/docs 2>&1 | tee $(LOGS)/docs-test.log

molecule: venv
	@mkdir -p $(LOGS)
	$(RUN) tests/tooling/molecule.sh 2>&1 | tee $(LOGS)/molecule.log

demo: venv
	@test -x tests/tooling/demo.sh || { echo "demo: tests/tooling/demo.sh is not written yet" >&2; exit 1; }
	$(RUN) tests/tooling/demo.sh

# Not part of make test. BENCH_ARGS passes options, for example BENCH_ARGS="--only users1000 --reps 3".
bench: venv
	$(BIN)/python -m pip install --disable-pip-version-check --quiet --requirement tests/bench/requirements.txt
	$(RUN) $(BIN)/python tests/bench/bench.py $(BENCH_ARGS)

# The load part of the reliability suite (minutes); it rewrites tests/reliability/results/load.json and docs/reliability.md.
load: venv
	$(RUN) DCOPS_BITBUCKET_LOAD=1 $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS) tests/reliability/test_load.py

changelog-lint: venv
	$(BIN)/antsibull-changelog lint
	$(BIN)/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml

# Release step: turns the fragments into changelogs/changelog.yaml and CHANGELOG.rst for galaxy.yml's version.
# It lists new plugins with ansible-doc, which must find this work tree's collection.
changelog: changelog-lint
	$(RUN) ANSIBLE_HOME="$(CURDIR)/build/ansible-home" ANSIBLE_COLLECTIONS_PATH="$$(tests/tooling/collection_path.sh)" \
		$(BIN)/antsibull-changelog release

# The release notes the next release would publish, from a staged copy (the work tree's changelog is not touched):
# build/changelog-preview/CHANGELOG.rst. .ci/run runs it before make test.
changelog-preview: changelog-lint
	@rm -rf build/changelog-preview && mkdir -p build/changelog-preview
	@stage=$$($(BIN)/python tests/tooling/stage_collection.py build/changelog-preview/stage) && \
		cd "$$stage" && $(RUN) ANSIBLE_HOME="$(CURDIR)/build/ansible-home" \
		ANSIBLE_COLLECTIONS_PATH="$(CURDIR)/build/changelog-preview/stage" $(BIN)/antsibull-changelog release && \
		cp CHANGELOG.rst $(CURDIR)/build/changelog-preview/CHANGELOG.rst
	@echo "release notes of $$(sed -n 's/^version: //p' galaxy.yml): build/changelog-preview/CHANGELOG.rst"
	@cat build/changelog-preview/CHANGELOG.rst

clean:
	rm -rf build tests/output .pytest_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
