"""`make notebooks` turns every docs page into a Jupyter notebook; each one must execute
top to bottom in a real kernel (nbclient + ipykernel), so the notebooks never rot, and
draw_graph pictures must display inline. Needs the `notebooks` extra, which `make test`
installs: in CI its absence is a failure, elsewhere a skip."""
import importlib.util
import json
import os
from pathlib import Path

import pytest
from missing import missing

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def converter():
    for module in ("jupytext", "nbclient", "ipykernel"):
        if importlib.util.find_spec(module) is None:
            missing(f"{module} is missing: pip install -e '.[notebooks]' (make test installs it)")
    spec = importlib.util.spec_from_file_location("docs_notebooks", DOCS / "notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_ids():
    return [path.stem for path in [DOCS / "README.md", *sorted(DOCS.glob("*.md"))] if path.name != "README.md"]


def test_every_page_becomes_a_notebook_whose_links_resolve(converter, tmp_path):
    written = [converter.convert(page, tmp_path) for page in converter.pages()]
    assert {path.name for path in written} == {"index.ipynb", *(f"{stem}.ipynb" for stem in page_ids())}
    for path in written:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for target in converter.LINK.findall("".join(cell["source"])):
                link = target[1]
                if "://" not in link:
                    assert (tmp_path / link).exists(), f"{path.name} links {link}, which does not exist"


@pytest.mark.parametrize("stem", page_ids())
def test_each_notebook_runs_in_a_kernel(converter, stem, tmp_path, monkeypatch, request):
    import nbclient
    import nbformat

    page = DOCS / f"{stem}.md"
    if "load_fashion_mnist" in page.read_text(encoding="utf-8"):
        monkeypatch.setenv("TENSORGRAD_DATA", str(request.getfixturevalue("fashion_mnist_folder")))
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(variable, os.environ.get(variable, "1"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebooks, work = tmp_path / "notebooks", tmp_path / "work"
    notebooks.mkdir()
    work.mkdir()
    path = converter.convert(page, notebooks)
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, kernel_name="python3", resources={"metadata": {"path": str(work)}})
    client.execute()   # raises CellExecutionError naming the cell on any exception
    if "draw_graph(" in page.read_text(encoding="utf-8"):
        shown = [output for cell in notebook.cells if cell.cell_type == "code"
                 for output in cell.get("outputs", []) if "image/svg+xml" in output.get("data", {})]
        assert shown, f"{stem}: no draw_graph picture displayed inline"
