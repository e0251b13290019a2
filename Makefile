# Two entry points: `make repro` and `make test`. Both bootstrap .venv from the pinned constraints.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
# DVC runs stage commands with the caller's PATH: put the venv first so `python` is ours.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0

.PHONY: repro repro-force test check-clone lint clean-venv chromium

# pytest exits 5 when it collects no tests: a suite that ran nothing fails the build, with a message.
define pytest
	python -m pytest $(1); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests ($(1))" >&2; exit 1; fi; exit $$rc
endef

$(STAMP): pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -qq --upgrade pip
	$(VENV)/bin/python -m pip install -qq -c constraints.txt -e '.[dev]'
	touch $(STAMP)

repro: $(STAMP)
	dvc repro

# Rerun every stage whatever DVC's records say (outputs must come out byte-identical).
repro-force: $(STAMP)
	dvc repro -f

# A clone in an empty temporary folder: install, `dvc repro -f`, and the tree must stay clean.
check-clone:
	scripts/check_fresh_clone.sh

# The report's test opens reports/report.html in headless Chromium, Debian's package: installed where missing.
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

test: repro chromium
	dvc status -q || (echo "dvc status: pipeline is stale after repro" >&2; exit 1)
	ruff check analysis tests scripts
	ruff format --check analysis tests scripts
	$(call pytest,)
	$(call pytest,-p no:cacheprovider --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks/*.ipynb)

lint: $(STAMP)
	ruff check analysis tests scripts
	ruff format --check analysis tests scripts

clean-venv:
	rm -rf $(VENV)
