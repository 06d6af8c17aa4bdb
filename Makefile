# Two commands for a new machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
# PyTorch is only the tests' oracle: install its CPU build from PyTorch's CPU index, where
# pip prefers torch 2.13.0+cpu to PyPI's 2.13.0 (which pulls the CUDA wheels on Linux).
# The index is used only when it answers (pip would retry it for every package otherwise);
# offline, or with the wheel at hand: make test TORCH_INDEX=
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
TORCH_INDEX ?= $(shell $(PYTHON) -c "import urllib.request as u; u.urlopen('$(TORCH_CPU_INDEX)/torch/', timeout=5); print('$(TORCH_CPU_INDEX)')" 2>/dev/null)
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
	$(PY) -m pip install --quiet $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) -e ".[test]"
	touch $@

demo: $(STAMP_BASE)
	$(PY) -m chainrule demo
	$(PY) -m chainrule train --out runs/digits

test: $(STAMP_TEST)
	$(PY) -m pytest -n 2

lint: $(STAMP_TEST)
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/ruff format --check src tests benchmarks examples

bench: $(STAMP_TEST)
	$(PY) benchmarks/run.py

# everything `make demo` and `make test` write: the venv and the editable install's
# metadata, the demo's pictures (chainrule-demo/), the run of train (runs/), caches
clean:
	rm -rf $(VENV) src/chainrule.egg-info build chainrule-demo runs
	rm -rf .pytest_cache .hypothesis .ruff_cache
	find src tests benchmarks examples -name __pycache__ -type d -prune -exec rm -rf {} +
