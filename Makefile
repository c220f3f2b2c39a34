# django-ai-models: developer commands (GNU make). Needs only Python >= 3.11 and make.
#
#   make demo         offline demo admin on http://127.0.0.1:$(PORT)/admin/ (PORT=8000), under
#                     django-unfold; `make demo THEME=plain` for the plain Django admin
#   make test         the whole suite, in every leg this machine can run (scripts/run-tests)
#   make test-core    core suite on Python 3.11 + Django 5.2 LTS + Unfold 0.91 (.venv-core)
#   make lint         ruff (pyproject.toml): errors and likely bugs, in seconds
#   make services     install/start PostgreSQL and Redis on 127.0.0.1 (scripts/services.sh)
#   make bench        benchmarks (bench/run.py), figures printed, nothing asserted
#   make clean        build and test leftovers; `make distclean` also removes the venvs
#
# Virtualenvs are made on first use; pip runs again only when setup.cfg, pyproject.toml or
# requirements/*.txt change (stamp files inside the venv).

SHELL := bash
.SHELLFLAGS := -o pipefail -c

PORT ?= 8000
# Admin theme of the demo: unfold or plain (read by example_project/demo/settings.py as DEMO_THEME).
THEME ?= unfold
VENV ?= .venv
CORE_VENV ?= .venv-core
PYTEST_ARGS ?=
# Seconds one test may take before pytest-timeout fails it with a stack trace, so a hang costs
# minutes, not the whole CI budget.
export PYTEST_TIMEOUT ?= 300

PY := $(VENV)/bin/python
CORE_PY := $(CORE_VENV)/bin/python
DEPS := setup.cfg pyproject.toml $(wildcard requirements/*.txt)
# Quiet pip: errors and real warnings only. Machines with local file:// indexes in pip.conf warn
# "Location ... is ignored" for every package those indexes lack; that noise is dropped.
PIP_INSTALL = -m pip install -q
QUIET_PIP = 2>&1 | { grep -v "^WARNING: Location 'file:" || true; }

.PHONY: demo test test-core lint services bench clean distclean

demo: export DEMO_THEME = $(THEME)
demo: $(VENV)/.demo-installed
	$(PY) example_project/manage.py migrate --noinput
	$(PY) example_project/manage.py demo_user --port $(PORT)
	$(PY) example_project/manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.test-installed
	PYTHON=$(PY) scripts/run-tests $(PYTEST_ARGS)

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .

test-core: $(CORE_VENV)/.core-installed
	$(CORE_PY) -m pytest -m "not e2e" $(PYTEST_ARGS)

services:
	scripts/services.sh start

bench: $(VENV)/.test-installed
	@if [ -f bench/run.py ]; then $(PY) bench/run.py; else echo "bench/run.py does not exist yet."; fi

clean:
	rm -rf build dist *.egg-info .pytest_cache test-artifacts example_project/db*.sqlite3
	rm -f $(VENV)/.*-installed $(CORE_VENV)/.*-installed
	find $(wildcard ai_models tests example_project bench scripts) -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(CORE_VENV)

# Also remakes a venv whose python link dangles (its interpreter was removed or moved).
$(VENV)/bin/python:
	rm -rf $(VENV)
	py=$$(scripts/find-python) && "$$py" -m venv $(VENV)

$(CORE_VENV)/bin/python:
	rm -rf $(CORE_VENV)
	py=$$(scripts/find-python 3.11) && "$$py" -m venv $(CORE_VENV)

$(VENV)/.demo-installed: $(VENV)/bin/python $(DEPS)
	$(PY) $(PIP_INSTALL) -e ".[unfold,cachalot,rest,litellm]" $(QUIET_PIP)
	@touch $@

$(VENV)/.test-installed: $(VENV)/bin/python $(DEPS)
	$(PY) $(PIP_INSTALL) -e ".[unfold,cachalot,redis,rest]" -r requirements/test.txt $(QUIET_PIP)
	@touch $@

$(CORE_VENV)/.core-installed: $(CORE_VENV)/bin/python $(DEPS)
	$(CORE_PY) $(PIP_INSTALL) -e ".[unfold,cachalot,redis,rest]" -r requirements/core.txt $(QUIET_PIP)
	@touch $@

# Packaging smoke check (scripts/package-check.sh): wheel + sdist, twine check, install into a fresh
# venv, `django-admin check` and `migrate` in a minimal project. Needs the index for Django.
.PHONY: package-check
package-check: $(VENV)/.test-installed
	TOOLS_PYTHON=$(PY) scripts/package-check.sh
