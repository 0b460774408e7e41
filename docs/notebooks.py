"""Turn every page of the learning path (docs/*.md) into a Jupyter notebook.

    python docs/notebooks.py [--out FOLDER] [PAGE ...]    # default: build/notebooks, every page

The Markdown is the source: jupytext reads each page, its ```python blocks become code
cells and the rest Markdown cells, so a notebook runs the same listings the test suite
runs (```sh commands and ```text outputs stay text). Relative links and images are rewritten to point from the output folder back into
the repository (figures, tests, source files), and a first cell puts the repository on
`sys.path`, so a notebook runs from wherever it is opened. Nothing generated is
committed: `make notebooks` writes to build/notebooks (ignored by git). A listing whose
last line is a `draw_graph(...)` result shows the picture inline, as graphviz objects
display themselves in Jupyter. Needs the `notebooks` extra (jupytext, nbclient, ipykernel).
"""
from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
DEFAULT_OUT = REPO / "build" / "notebooks"
LINK = re.compile(r"(!?\[[^\]]*\]\()([^)\s#]+)((?:#[^)]*)?\))")
OTHER_FENCE = re.compile(r"^(\s*)```(?!python$)\w+$", re.MULTILINE)  # ```sh, ```bash, ...


def pages() -> list[Path]:
    """Every page of the learning path, the contents first."""
    return [DOCS / "README.md", *sorted(path for path in DOCS.glob("*.md") if path.name != "README.md")]


def rewrite_links(markdown: str, out: Path) -> str:
    """Relative link targets (relative to docs/) made relative to `out`; a link to another
    page goes to its notebook, which sits next to this one."""
    def fix(match: re.Match) -> str:
        before, target, after = match.groups()
        if "://" in target or target.startswith(("mailto:", "/")):
            return match.group(0)
        resolved = (DOCS / target).resolve()
        if resolved.parent == DOCS and resolved.suffix == ".md":
            return f"{before}{notebook_name(resolved)}{after}"
        return f"{before}{os.path.relpath(resolved, out)}{after}"

    return LINK.sub(fix, markdown)


def notebook_name(page: Path) -> str:
    return "index.ipynb" if page.name == "README.md" else f"{page.stem}.ipynb"


def convert(page: Path, out: Path) -> Path:
    """Write the notebook of one page into `out` and return its path."""
    import jupytext
    from nbformat.v4 import new_code_cell

    markdown = rewrite_links(page.read_text(encoding="utf-8"), out)
    # only Python listings become code cells; shell commands and outputs stay text to read
    markdown = OTHER_FENCE.sub(lambda match: f"{match.group(1)}```text", markdown)
    notebook = jupytext.reads(markdown, fmt="md")
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["tensorgrad"] = {"source": str(page.relative_to(REPO))}
    if any(cell.cell_type == "code" for cell in notebook.cells):
        setup = new_code_cell(
            "# the repository on the path, so `import tensorgrad, nn` works wherever this notebook is opened\n"
            f"import sys\nsys.path.insert(0, {os.path.relpath(REPO, out)!r})"
        )
        notebook.cells.insert(0, setup)
    path = out / notebook_name(page)
    jupytext.write(notebook, path, fmt="ipynb")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the notebooks (default: build/notebooks)")
    parser.add_argument("pages", nargs="*", type=Path, help="pages to convert (default: every docs/*.md)")
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    for page in [path.resolve() for path in args.pages] or pages():
        print(f"wrote {convert(page, out)}")


if __name__ == "__main__":
    main()
