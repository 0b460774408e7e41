"""nn.plots: the training curves a reader looks at."""
from pathlib import Path

from nn import plots


def test_long_histories_are_lines_and_short_ones_mark_each_epoch(monkeypatch, tmp_path):
    figures = []
    monkeypatch.setattr(plots, "_save", lambda figure, path: figures.append(figure) or Path(path))
    for epochs in (2000, 10):
        history = {"loss": [1.0] * epochs, "accuracy": [0.5] * epochs,
                   "val_loss": [0.9] * epochs, "val_accuracy": [0.6] * epochs}
        plots.plot_history(history, tmp_path / f"{epochs}.png", note="why validation is lower")
    long, short = ([line.get_marker() for axes in figure.axes for line in axes.get_lines()] for figure in figures)
    assert len(long) == len(short) == 4
    assert all(marker in ("None", "", None) for marker in long)  # 2000 dots would be a solid blob
    assert all(marker == "o" for marker in short)
    assert figures[0].get_supxlabel() == "why validation is lower"
