# Two commands matter: `make demo` and `make test`. Both set everything up themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SHARED_DATA := $(abspath ../shared/data)

.PHONY: demo test lint setup dot bench clean notebooks

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,notebooks]'
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

# ruff and mypy, configured in pyproject.toml; `make test` runs them first, so CI keeps them clean
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: setup lint
	@if [ -d "$(SHARED_DATA)" ] && [ -z "$$TENSORGRAD_DATA" ]; then export TENSORGRAD_DATA="$(SHARED_DATA)"; fi; \
	$(PY) -m pytest

# Fashion-MNIST end to end: train (default recipe), evaluate the saved model in a new
# process, predict a few test images saved as PNG files. Uses ../shared/data when present.
DEMO_OUT := runs/fashion_mnist
FASHION_MNIST := $(PY) examples/fashion_mnist.py

demo: setup
	@if [ -d "$(SHARED_DATA)" ] && [ -z "$$TENSORGRAD_DATA" ]; then export TENSORGRAD_DATA="$(SHARED_DATA)"; fi; \
	set -e; \
	$(FASHION_MNIST) train --out $(DEMO_OUT); \
	echo; echo "== evaluate: the saved model, loaded in a new process"; \
	$(FASHION_MNIST) evaluate $(DEMO_OUT)/model.tgm; \
	echo; echo "== predict: sample test images saved as PNG files"; \
	$(FASHION_MNIST) predict $(DEMO_OUT)/model.tgm $(DEMO_OUT)/samples/*.png --top 3; \
	echo; echo "demo done; everything is in $(DEMO_OUT)/:"; \
	echo "  model.tgm (the model), history.json, curves.png (loss and accuracy per epoch),"; \
	echo "  report.json and confusion.png (per-class figures), graph.svg (the forward graph),"; \
	echo "  samples/*.png. Your own photo: $(FASHION_MNIST) predict $(DEMO_OUT)/model.tgm photo.jpg --top 3"

# Side by side timings (tensorgrad, hand-written NumPy, PyTorch when installed), written
# to benchmarks/RESULTS.md with the machine's description. Takes several minutes.
bench: setup
	$(PY) benchmarks/run_all.py

# The learning path's figures (docs/figures/), drawn by the project's own code; the
# Fashion-MNIST ones use ../shared/data when present and are skipped with a note without it.
.PHONY: docs
docs: setup
	@if [ -d "$(SHARED_DATA)" ] && [ -z "$$TENSORGRAD_DATA" ]; then export TENSORGRAD_DATA="$(SHARED_DATA)"; fi; \
	$(PY) docs/figures.py

# Every docs page as a Jupyter notebook (jupytext from the Markdown) in build/notebooks;
# generated, never committed. Open them with any Jupyter front end.
notebooks: setup
	$(PY) docs/notebooks.py --out build/notebooks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis *.egg-info
