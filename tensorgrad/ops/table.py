"""README's table of ops, made from the registry and the docstrings, so it cannot drift:
tests/tensorgrad/test_ops_table.py compares README's copy with `markdown()`.

    python -m tensorgrad.ops.table README.md    # rewrite README's copy in place
"""
from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

BEGIN = "<!-- ops table: made by `python -m tensorgrad.ops.table README.md` -->"
END = "<!-- end of the ops table -->"


def _first_paragraph(thing: object) -> str:
    doc = inspect.getdoc(thing) or ""
    return " ".join(doc.split("\n\n")[0].split()).replace("|", "\\|")


def _rows() -> list[tuple[str, str, str, str]]:
    """(group, name, derivative, notes) for every primitive, then every composition."""
    from .. import functional
    from . import PRIMITIVES

    rows = []
    for op in PRIMITIVES:
        math, _, derivative = _first_paragraph(op).partition(";")
        rows.append((op.__module__.rsplit(".", 1)[-1], f"`{op.__name__}`", derivative.strip(), math.strip()))
    for name in functional.__all__:
        function = getattr(functional, name)
        if not callable(function):
            continue
        group = "functional." + function.__module__.rsplit(".", 1)[-1]
        rows.append((group, f"`{name}`", "composed (chain rule)", _first_paragraph(function)))
    return rows


def markdown() -> str:
    """The table, between its markers."""
    lines = [BEGIN, "", "| group | op | derivative | math and notes |", "|---|---|---|---|"]
    lines += [f"| {group} | {name} | {derivative} | {notes} |" for group, name, derivative, notes in _rows()]
    return "\n".join([*lines, "", END])


def rewrite(path: str) -> None:
    """Replace the table between the markers in the Markdown file at `path`."""
    text = Path(path).read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{path}: no ops table markers ({BEGIN!r} ... {END!r})")
    Path(path).write_text(pattern.sub(lambda _: markdown(), text), encoding="utf-8")


if __name__ == "__main__":
    rewrite(sys.argv[1])
