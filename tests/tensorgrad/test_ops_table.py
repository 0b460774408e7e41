"""README's table of ops never drifts from the registry: it must be exactly what
`tensorgrad.ops.table.markdown()` makes from PRIMITIVES, functional and their docstrings."""
from pathlib import Path

import tensorgrad as tg
from tensorgrad.ops import table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_holds_the_table_made_from_the_registry():
    text = README.read_text(encoding="utf-8")
    assert table.markdown() in text, "README's ops table is stale: run `python -m tensorgrad.ops.table README.md`"


def test_the_table_lists_every_primitive_with_a_derivative_and_every_composition():
    made = table.markdown()
    for op in tg.ops.PRIMITIVES:
        row = next(line for line in made.splitlines() if f"| `{op.__name__}` |" in line)
        assert "dz/d" in row or "dL/d" in row, f"{op.__name__}'s docstring gives no derivative"
    for name in tg.functional.__all__:
        if callable(getattr(tg.functional, name)):
            assert f"| `{name}` |" in made


def test_rewrite_replaces_only_the_table(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(f"before\n{table.BEGIN}\nold rows\n{table.END}\nafter\n", encoding="utf-8")
    table.rewrite(str(page))
    assert page.read_text(encoding="utf-8") == f"before\n{table.markdown()}\nafter\n"
