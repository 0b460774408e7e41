"""The learning path never rots: every ```python block in docs/*.md runs against the current code.

Each page runs in a fresh process in a temporary folder, its blocks in order in one
namespace (so a later block may use what an earlier one defined). A traceback names the
Markdown file and line. Pages that load Fashion-MNIST need the archive: in CI its absence
is a failure, elsewhere a skip. Every relative link in the docs must point at a file.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(path for path in DOCS.glob("*.md") if path.name != "README.md")
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")

RUNNER = """
import json, sys
page = json.load(sys.stdin)
namespace = {"__name__": "__main__"}
for line, code in page["blocks"]:
    exec(compile("\\n" * (line - 1) + code, page["path"], "exec"), namespace)
"""


def python_blocks(path):
    """(first line number, code) of every ```python block of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, match.start(1)) + 1, match.group(1)) for match in BLOCK.finditer(text)]


def test_there_is_a_page_per_chapter_and_the_contents_link_them_all():
    assert len(PAGES) >= 17
    contents = (DOCS / "README.md").read_text(encoding="utf-8")
    linked = set(LINK.findall(contents))
    assert {page.name for page in PAGES} <= linked


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.stem)
def test_every_page_has_code_math_and_links_that_resolve(page):
    text = page.read_text(encoding="utf-8")
    assert python_blocks(page), f"{page.name} has no ```python block"
    assert "$$" in text, f"{page.name} has no displayed math"
    targets = LINK.findall(text)
    assert any(target.startswith("../tests/") for target in targets), f"{page.name} links no test"
    for target in targets:
        if "://" not in target:
            assert (page.parent / target).exists(), f"{page.name} links {target}, which does not exist"


def run_blocks(page, blocks, folder, request):
    """Run `blocks` of `page` in order in one namespace, in a fresh process in `folder`."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    for variable in BLAS_THREADS:  # threads slow small matrices down on a busy machine
        env.setdefault(variable, "1")
    if any("load_fashion_mnist" in code for _, code in blocks):
        env["TENSORGRAD_DATA"] = str(request.getfixturevalue("fashion_mnist_folder"))
    result = subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", "-c", RUNNER],
        input=json.dumps({"path": str(page), "blocks": blocks}),
        cwd=folder, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, f"{page.name} failed:\n{result.stderr}"
    return result.stdout


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.stem)
def test_page_code_runs(page, tmp_path, request):
    run_blocks(page, python_blocks(page), tmp_path, request)


def test_backpropagation_shows_the_real_output_of_explain(tmp_path, request):
    page = DOCS / "backpropagation.md"
    shown = page.read_text(encoding="utf-8").split("Its output, verbatim:\n\n```text\n")[1].split("```")[0]
    assert run_blocks(page, python_blocks(page)[:1], tmp_path, request) == shown
