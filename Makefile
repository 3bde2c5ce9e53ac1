# Two commands matter: `make demo` and `make test`. Everything runs from a local virtualenv.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: demo test unit compat docs bench stress clean venv

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q pytest hypothesis sphinx
	$(PY) -m pip install -q -e .

venv: $(PY)

unit: $(PY)
	$(PY) -m pytest -q tests

test: unit

clean:
	rm -rf $(VENV) build dist *.egg-info docs/_build .pytest_cache
