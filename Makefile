# Two commands on a fresh machine:  make run  (install + launch)   make test  (install + test)
# Both create and reuse .venv with a Python >= 3.12 found by .ci/find-python.
VENV    ?= .venv
PYBIN   := $(VENV)/bin/python
CONSTRAINTS := packaging/constraints.txt

.PHONY: run test test-core-noqt lint bench bundle smoke clean screenshots figures

$(VENV)/.base: pyproject.toml $(CONSTRAINTS)
	@py=$$(.ci/find-python) || exit 1; \
	  [ -x $(PYBIN) ] || "$$py" -m venv $(VENV)
	$(PYBIN) -m pip install -q --upgrade pip
	$(PYBIN) -m pip install -q -c $(CONSTRAINTS) -e .
	@touch $@

$(VENV)/.test: $(VENV)/.base
	$(PYBIN) -m pip install -q -c $(CONSTRAINTS) -e '.[test]'
	@touch $@

run: $(VENV)/.base
	$(PYBIN) -m gui

test: $(VENV)/.test
	QT_QPA_PLATFORM=offscreen $(PYBIN) -m pytest

# The core must work without Qt: its tests run in a venv that has no PySide6 or pyqtgraph.
NOQT ?= .venv-noqt
test-core-noqt:
	@py=$$(.ci/find-python) || exit 1; [ -x $(NOQT)/bin/python ] || "$$py" -m venv $(NOQT)
	$(NOQT)/bin/python -m pip install -q -c $(CONSTRAINTS) numpy sympy pytest hypothesis
	$(NOQT)/bin/python -c "import importlib.util as u, sys; sys.exit(u.find_spec('PySide6') is not None)"
	PYTHONPATH=. $(NOQT)/bin/python -m pytest -q -p no:cacheprovider tests/core

# ruff, then the layer contracts of pyproject.toml ([tool.importlinter]: gui's layers, core
# free of Qt)
lint: $(VENV)/.test
	$(PYBIN) -m ruff check core gui tests benchmarks packaging
	$(VENV)/bin/lint-imports --no-logo --no-cache

bench: $(VENV)/.base
	$(PYBIN) benchmarks/bench_train.py

bundle: $(VENV)/.base
	$(PYBIN) -m pip install -q -c $(CONSTRAINTS) -e '.[package]'
	$(PYBIN) packaging/build.py

smoke:
	packaging/smoke_test.sh

screenshots: $(VENV)/.base
	QT_QPA_PLATFORM=offscreen $(PYBIN) packaging/make_docs_images.py

# every panel of every lesson preset, headless and from the window, into build/figures/
# (index.html and contact-sheet.png to review them; nothing committed)
figures: $(VENV)/.base
	QT_QPA_PLATFORM=offscreen $(PYBIN) packaging/make_figures.py

clean:
	rm -rf $(VENV) $(NOQT) build dist packaging/build packaging/dist *.egg-info
