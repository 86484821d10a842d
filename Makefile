# Two commands for a fresh machine: `make run` and `make test`.
# Both create .venv/ when needed and install what is missing first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSDEPS_STAMP := $(VENV)/.sysdeps
PACKAGE_STAMP := $(VENV)/.package

.PHONY: run test lint typecheck unit setup sysdeps bench package package-test screenshots clean

run: setup
	$(BIN)/transcript-editor $(ARGS)

test: setup lint typecheck unit

setup: $(STAMP)

sysdeps: $(SYSDEPS_STAMP)

# Checked again whenever dpkg's database or Homebrew's Cellar changes (a package installed or
# removed), not once per venv: a package removed later is noticed on the next `make`.
DPKG_STATUS ?= /var/lib/dpkg/status
BREW_CELLAR ?= /opt/homebrew/Cellar /usr/local/Cellar

$(SYSDEPS_STAMP): scripts/ensure-system-deps.sh $(wildcard $(DPKG_STATUS) $(BREW_CELLAR))
	@mkdir -p $(VENV)
	scripts/ensure-system-deps.sh
	@touch $@

# Order-only on the system check: a new system package must not reinstall the Python ones.
$(STAMP): pyproject.toml scripts/ensure-venv.sh | $(SYSDEPS_STAMP)
	scripts/ensure-venv.sh $(VENV) $(PYTHON)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

unit: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The app bundle for this platform (packaging/README.md): dist/transcript-editor/ on Linux,
# dist/Transcript Editor.app on macOS. PACKAGE_ARGS passes options, e.g. --bundle-model DIR.
package: $(PACKAGE_STAMP)
	$(BIN)/python packaging/build.py $(PACKAGE_ARGS)

# Builds the bundle when it is older than the sources, then transcribes jfk.flac with it.
package-test: $(PACKAGE_STAMP)
	$(BIN)/python packaging/build.py --test $(PACKAGE_ARGS)

$(PACKAGE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,package]'
	@touch $@

screenshots: setup
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
