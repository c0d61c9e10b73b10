# Two commands for a fresh machine with Python 3.11+: `make serve` and `make test`.
# Every installed version is pinned, with its hashes, in uv.lock; `make lock` refreshes the pins. uv itself is pinned
# here and installed into .venv by pip (Python's own, else the one ensurepip puts in .venv). `make serve` installs the
# runtime set; `make test` (and `make lint`) add the dev set (the `dev` extra) to the same .venv, each step with its
# own stamp file.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
UV_STAMP := $(BIN)/.uv-$(UV_VERSION)
# uv works on $(VENV) with the Python that made it (never one it downloads); --locked: it stops when uv.lock no
# longer matches pyproject.toml (then `make lock`); --inexact: it leaves what is not in the set (uv itself, and the
# dev set when `make serve` follows `make test`).
UV := UV_PROJECT_ENVIRONMENT=$(abspath $(VENV)) UV_PYTHON_DOWNLOADS=never $(BIN)/uv
SYNC := $(UV) sync --locked --inexact

.PHONY: serve test lint bootstrap lock

$(UV_STAMP):
	$(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install --quiet --disable-pip-version-check uv==$(UV_VERSION) 2>/dev/null \
	  || { $(BIN)/python -m ensurepip --default-pip >/dev/null \
	       && $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); }
	touch $@

$(BIN)/.installed-runtime: pyproject.toml uv.lock | $(UV_STAMP)
	$(SYNC)
	touch $@

$(BIN)/.installed-dev: pyproject.toml uv.lock | $(UV_STAMP)
	$(SYNC) --extra dev
	touch $@ $(BIN)/.installed-runtime

bootstrap: $(BIN)/.installed-dev

serve: $(BIN)/.installed-runtime
	$(BIN)/peritoneal-cds serve --dev

test: $(BIN)/.installed-dev
	$(BIN)/pytest -q

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

# Re-resolves every pin to the newest release that pyproject.toml allows; review and commit uv.lock. (After an edit
# of pyproject.toml's dependencies, `.venv/bin/uv lock` alone changes only what the edit needs.)
lock: | $(UV_STAMP)
	$(UV) lock --upgrade
