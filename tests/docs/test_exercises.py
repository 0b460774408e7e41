"""Every exercise is known to be solvable: each chapter page ends with 2-3 exercises, and
docs/solutions/<page>.py holds one function per exercise, which runs here (in a fresh
process, in an empty folder that it must leave empty)."""
import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SOLUTIONS = DOCS / "solutions"
NOT_CHAPTERS = {"README.md", "from-the-book.md"}
CHAPTERS = sorted(path for path in DOCS.glob("*.md") if path.name not in NOT_CHAPTERS)
ITEM = re.compile(r"^(\d+)\. ", re.MULTILINE)


def exercises(page):
    text = page.read_text(encoding="utf-8")
    assert "\n## Exercises\n" in text, f"{page.name} has no ## Exercises section"
    section = text.split("\n## Exercises\n", 1)[1].split("\n## ", 1)[0]
    return section, [int(number) for number in ITEM.findall(section)]


@pytest.mark.parametrize("page", CHAPTERS, ids=lambda path: path.stem)
def test_each_chapter_ends_with_two_or_three_exercises_and_links_their_solutions(page):
    section, numbers = exercises(page)
    assert numbers in ([1, 2], [1, 2, 3]), f"{page.name}: exercises numbered {numbers}"
    solution = SOLUTIONS / f"{page.stem}.py"
    assert f"(solutions/{page.stem}.py)" in section and solution.exists()
    functions = [node.name for node in ast.parse(solution.read_text(encoding="utf-8")).body
                 if isinstance(node, ast.FunctionDef) and node.name.startswith("exercise_")]
    assert functions == [f"exercise_{n}" for n in numbers], f"{solution.name} defines {functions}"


@pytest.mark.parametrize("page", CHAPTERS, ids=lambda path: path.stem)
def test_the_reference_solutions_run(page, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(variable, "1")
    result = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", str(SOLUTIONS / f"{page.stem}.py")],
                            cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{page.stem} solutions failed:\n{result.stderr}"
    _, numbers = exercises(page)
    for n in numbers:
        assert f"exercise_{n} " in result.stdout
    left = [path.name for path in tmp_path.iterdir() if path.name != ".hypothesis"]  # hypothesis's own cache
    assert not left, f"a solution left {left} in the current folder"
