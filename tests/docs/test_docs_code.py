"""The learning path never rots: every ```python block in docs/*.md and README.md runs
against the current code.

Each page runs in a fresh process in a temporary folder, its blocks in order in one
namespace (so a later block may use what an earlier one defined). A traceback names the
Markdown file and line. Pages that load Fashion-MNIST need the archive: in CI its absence
is a failure, elsewhere a skip. Every relative link in the docs must point at a file, and
a function or class a page names next to a link to a source or test file must exist there.
README's other blocks are tagged `sh` (commands: `make demo`, the example scripts, run by
tests/examples and tests/test_fashion_mnist_end_to_end.py) or `text` (output, layout).
"""
import textwrap
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

README = ROOT / "README.md"
FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
BULLET = re.compile(r"^- .*?(?=^- |^\S|\Z)", re.MULTILINE | re.DOTALL)
SOURCE_LINK = re.compile(r"\]\((\.\./(?:tests|nn|tensorgrad|examples)/[^)#]*?(?:\.py|/))\)")  # a file or a folder
NAMED = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)`")

RUNNER = """
import json, sys
page = json.load(sys.stdin)
namespace = {"__name__": "__main__"}
for line, code in page["blocks"]:
    exec(compile("\\n" * (line - 1) + code, page["path"], "exec"), namespace)
"""


def code_blocks(path):
    """(language, first line number, code) of every fenced block of a Markdown file; a
    block indented inside a list item is dedented."""
    text = path.read_text(encoding="utf-8")
    return [(match.group(2), text.count("\n", 0, match.start(3)) + 1, textwrap.dedent(match.group(3)))
            for match in FENCE.finditer(text)]


def python_blocks(path):
    """(first line number, code) of every ```python block of a Markdown file."""
    return [(line, code) for language, line, code in code_blocks(path) if language == "python"]


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
    # a reader pastes the listings in the repository: they must not leave files there
    left = sorted(path.name for path in tmp_path.iterdir())
    assert not left, f"{page.name} leaves {left} in the current folder"


def test_backpropagation_shows_the_real_output_of_explain(tmp_path, request):
    page = DOCS / "backpropagation.md"
    shown = page.read_text(encoding="utf-8").split("Its output, verbatim:\n\n```text\n")[1].split("```")[0]
    assert run_blocks(page, python_blocks(page)[:1], tmp_path, request) == shown


@pytest.mark.parametrize("page", [*PAGES, README], ids=lambda path: path.stem)
def test_names_given_beside_a_source_link_exist_in_that_file(page):
    # e.g. "- [tests/nn/test_x.py](...): `oracle_dense_backward` ..." must name a real function
    for bullet in BULLET.findall(page.read_text(encoding="utf-8")):
        files = [page.parent / target for target in SOURCE_LINK.findall(bullet)]
        if not files:
            continue
        sources = "".join(source.read_text(encoding="utf-8") for path in files
                          for source in (sorted(path.glob("*.py")) if path.is_dir() else [path]) if source.exists())
        for name in NAMED.findall(bullet):
            if "_" in name or name[0].isupper():
                assert re.search(rf"\b{re.escape(name)}\b", sources), (
                    f"{page.name} names `{name}` beside {[str(f.relative_to(ROOT)) for f in files]}, "
                    f"which do not contain it"
                )


def test_every_readme_block_is_tagged_and_its_python_runs_in_order(tmp_path, request):
    blocks = code_blocks(README)
    untagged = [line for language, line, _ in blocks if language not in ("python", "sh", "text")]
    assert not untagged, f"README.md: blocks starting at lines {untagged} need a tag: python, sh or text"
    python = [(line, code) for language, line, code in blocks if language == "python"]
    assert len(python) >= 10
    run_blocks(README, python, tmp_path, request)


def test_readme_hessian_vector_comment_is_what_it_prints(tmp_path, request):
    (line, code), = [(line, code) for line, code in python_blocks(README) if "H v = 6x" in code]
    imports = (1, "import numpy as np\nimport tensorgrad as tg\n")  # from the block above it
    printed = run_blocks(README, [imports, (line, code)], tmp_path, request)
    assert printed.strip() == "[ 6. 12.]"
    assert code.rstrip().endswith("# [ 6. 12.]")


def test_the_neuron_figure_has_the_colours_its_caption_names():
    svg = (DOCS / "figures" / "neuron.svg").read_text(encoding="utf-8")
    caption = (DOCS / "neurons.md").read_text(encoding="utf-8")
    assert svg.count('fill="lightblue"') == 2 and svg.count('fill="lightgrey"') == 1  # w, b; x
    assert 'stroke="red"' not in svg and "No edge is red" in caption


def test_the_contents_mirror_the_book_chapter_by_chapter():
    """docs/README.md has one row per book chapter, 1 to 22 in order, each linking the page
    whose title carries that chapter's number (chapters 11-14 share one page)."""
    rows = re.findall(r"^\| (\d+)\. [^|]+\| \[[^\]]+\]\(([^)]+)\)", (DOCS / "README.md").read_text(encoding="utf-8"),
                      re.MULTILINE)
    assert [int(number) for number, _ in rows] == list(range(1, 23))
    for number, target in rows:
        title = (DOCS / target).read_text(encoding="utf-8").split("\n", 1)[0]
        first, _, last = re.match(r"# (\d+(?:-\d+)?)\. ", title).group(1).partition("-")
        assert int(first) <= int(number) <= int(last or first), f"chapter {number} links {target}: {title!r}"
