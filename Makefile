# Two commands on a fresh clone: `make run` (ingest the bundled sample) and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)

.PHONY: setup run test test-fast lint browser lock benchmark clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet uv==0.13.9
	$(UV) pip sync --quiet --compile-bytecode --python $(PY) requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

run: setup
	$(VENV)/bin/kabar ingest

# Headless Chromium for the HTML report test (Debian packages; needs root, skipped otherwise).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	  || echo "chromium not installed: the browser test will be skipped"; }

# The whole suite, after lint and the type check (CI runs this through .ci/run).
test: setup browser lint
	$(PY) -m pytest

# The pure tests (no Prefect server, no checkpoint, no browser): under a minute.
test-fast: setup
	$(PY) -m pytest -q -m "not integration"

# Lint, format check and the type check of the I/O packages.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

lock:
	$(UV) pip compile --quiet pyproject.toml --extra dev -o requirements.lock

benchmark: setup
	$(PY) -m benchmarks.ingest --articles 100000

clean:
	rm -rf $(VENV) .prefect kabar.duckdb reports
