# Two commands for a new machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_BASE := $(VENV)/.installed-base
STAMP_TEST := $(VENV)/.installed-test

.PHONY: demo test bench lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_BASE): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[examples]"
	touch $@

$(STAMP_TEST): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

demo: $(STAMP_BASE)
	$(PY) -m chainrule demo
	$(PY) -m chainrule train --out runs/digits

test: $(STAMP_TEST)
	$(PY) -m pytest -n 2

lint: $(STAMP_TEST)
	$(VENV)/bin/ruff check src tests benchmarks examples

bench: $(STAMP_TEST)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) chainrule-demo
