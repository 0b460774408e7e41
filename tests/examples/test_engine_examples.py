"""The engine's examples run as a user runs them: a fresh process, an output folder."""
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name, *args, cwd):
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *args], cwd=cwd,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def svg_texts(path):
    root = ElementTree.parse(path).getroot()
    assert root.tag.endswith("svg")
    return [element.text for element in root.iter() if element.tag.endswith("text")]


def test_graph_example_draws_the_two_layer_network(tmp_path, dot_binary):
    output = run_example("graph.py", "--out", str(tmp_path), cwd=tmp_path)
    path = tmp_path / "graph.svg"
    assert f"wrote the graph to {path.resolve()}" in output
    texts = svg_texts(path)
    for expected in ("X", "W1", "b1", "W2", "b2", "loss", "MatMul", "Dense 1", "Dense 2"):
        assert expected in texts
    assert sum(text.startswith("|grad| = ") for text in texts) == 4  # W1, b1, W2, b2


def test_graph_example_defaults_to_graph_svg_in_the_current_folder(tmp_path, dot_binary):
    run_example("graph.py", cwd=tmp_path)
    assert svg_texts(tmp_path / "graph.svg")


def test_engine_tour_shows_gradients_gradcheck_training_and_the_picture(tmp_path, dot_binary):
    output = run_example("engine_tour.py", "--out", str(tmp_path), cwd=tmp_path)
    assert "df/da = [7.889" in output and "b + exp(a) = [7.889" in output
    assert "with respect to x and w: passed" in output
    losses = [float(value) for value in re.findall(r"loss (\d+\.\d+)", output)]
    assert len(losses) >= 5 and losses[-1] < losses[0] / 10
    path = (tmp_path / "engine_tour.svg").resolve()
    assert str(path) in output
    assert "W1" in svg_texts(path)


def test_engine_tour_creates_its_out_folder_and_draws_a_narrow_picture(tmp_path, dot_binary):
    folder = tmp_path / "new" / "pictures"
    output = run_example("engine_tour.py", "--out", str(folder), cwd=tmp_path)
    path = (folder / "engine_tour.svg").resolve()
    assert str(path) in output
    width = float(re.search(r'<svg width="([\d.]+)pt"', path.read_text(encoding="utf-8")).group(1))
    assert width < 1200, f"the tour's graph is {width:.0f} pt wide"
    assert "what `make demo` runs" not in run_example("engine_tour.py", "--help", cwd=tmp_path)
