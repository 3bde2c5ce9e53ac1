# Two commands matter: `make demo` and `make test`. Everything runs from a project virtualenv
# (.venv) that the first target creates: dev tools (pytest, hypothesis, sphinx) plus this
# package installed in editable mode. Nothing is installed into the system Python.
#
#   make demo     guided tour against the embedded simulator        (python -m ESL.demo)
#   make test     unit + integration tests, compat, interop, docs (-W)  (what CI runs)
#   make unit     only the pytest suite (without the stress tests)
#   make compat   differential run against the real SWIG binding    (python compat/run.py)
#   make docs     Sphinx HTML in docs/_build/html, warnings are errors
#   make interop  other ESL client libraries against the simulator  (interop/, own venv)
#   make bench    benchmarks                                          (python bench/run.py)
#   make stress   long-running tests                                  (pytest -m stress)
#   make pythons  the suite on other interpreters (CPython 3.8-3.13, PyPy) found on this machine
#   make clean    remove the virtualenvs and every build product (distclean: also caches)

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# Marks a complete venv; rebuilt when the packaging files change.
STAMP  := $(VENV)/.esl-installed
PYTEST := $(PY) -m pytest -q -p no:cacheprovider
# Interpreters for `make pythons` (versions like 3.8 or commands like pypy3); empty = all found.
PYTHONS ?=

.PHONY: all demo test unit compat docs interop bench stress pythons venv clean distclean

all: test

$(STAMP): setup.py pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q pytest hypothesis sphinx
	$(PY) -m pip install -q -e .
	touch $@

venv: $(STAMP)

demo: $(STAMP)
	$(PY) -m ESL.demo

# pytest's exit code 5 ("no tests collected") is non-zero, so an empty suite fails here too.
unit: $(STAMP)
	$(PYTEST) -m "not stress"

compat: $(STAMP)
	$(PY) compat/run.py

docs: $(STAMP)
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "docs: docs/_build/html/index.html"

test: unit compat interop docs

# The interop suite's own virtualenv: the third-party clients of interop/requirements.txt and
# this package. They are never dependencies of ESL nor installed into .venv.
INTEROP_VENV := .venv-interop
INTEROP_STAMP := $(INTEROP_VENV)/.esl-installed

$(INTEROP_STAMP): interop/requirements.txt setup.py pyproject.toml
	rm -rf $(INTEROP_VENV)
	$(PYTHON) -m venv $(INTEROP_VENV)
	$(INTEROP_VENV)/bin/python -m pip install -q --disable-pip-version-check -r interop/requirements.txt
	$(INTEROP_VENV)/bin/python -m pip install -q --disable-pip-version-check -e .
	touch $@

interop: $(INTEROP_STAMP)
	$(INTEROP_VENV)/bin/python -m pytest -q -p no:cacheprovider interop

bench: $(STAMP)
	$(PY) bench/run.py

stress: $(STAMP)
	$(PYTEST) -m stress

pythons:
	bash .ci/pythons $(PYTHONS)

clean:
	rm -rf $(VENV) .venv-* build dist *.egg-info docs/_build .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Also drop the cached reference build of the C binding and benchmark caches (slow to rebuild).
distclean: clean
	rm -rf compat/.cache bench/.cache
