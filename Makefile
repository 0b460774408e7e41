# Two commands matter: `make demo` and `make test`. Both set everything up themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SHARED_DATA := $(abspath ../shared/data)

.PHONY: demo test setup dot bench clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP) dot

# The Graphviz `dot` binary draws graph pictures; install it when apt-get can.
dot:
	@command -v dot >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Graphviz (dot) with apt-get"; \
	    (apt-get install -y -qq graphviz >/dev/null 2>&1 || \
	     (apt-get update -qq >/dev/null && apt-get install -y -qq graphviz >/dev/null)); \
	  else echo "warning: Graphviz 'dot' is missing and apt-get is unavailable"; fi; }

test: setup
	@if [ -d "$(SHARED_DATA)" ] && [ -z "$$TENSORGRAD_DATA" ]; then export TENSORGRAD_DATA="$(SHARED_DATA)"; fi; \
	$(PY) -m pytest

demo: setup
	$(PY) examples/engine_tour.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
