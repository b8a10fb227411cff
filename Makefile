# The two commands: `make book` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.genstudy-installed
PROFILE ?= quick
FASHION_DIR := /usr/share/datasets/fashion-mnist
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup env data book test lint notebooks clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: env data  ## create the environment and install the data, nothing else

env: $(STAMP)  ## create .venv and install the project with its pinned dependencies

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

data: $(STAMP)  ## install Fashion-MNIST (Debian package where apt exists, else the official download) and verify it
	@if [ ! -f $(FASHION_DIR)/train-images-idx3-ubyte.gz ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's dataset-fashion-mnist"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq dataset-fashion-mnist; \
	fi
	$(VENV)/bin/genstudy data info --dataset fashion_mnist

book: setup  ## execute the notebooks on PROFILE (default quick) and build _build/html
	$(VENV)/bin/genstudy book --profile $(PROFILE)

test: setup  ## the whole test suite: unit tests, nbval on the smoke profile, an end-to-end smoke book
	$(PY) -m pytest

lint: $(STAMP)  ## ruff over the library and the tests
	$(VENV)/bin/ruff check src tests

notebooks: setup  ## re-execute the source notebooks on smoke, refreshing nbval's reference outputs
	$(VENV)/bin/genstudy notebooks refresh

clean:  ## remove build outputs (keeps .venv and results)
	rm -rf _build book/executed .pytest_cache
