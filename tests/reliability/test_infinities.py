"""Infinity and overflow: every hyperparameter must be finite, a model file whose JSON
overflows to inf or whose counters are astronomically large is refused naming the field,
and saving refuses NaN/inf parameters and buffers before it writes, keeping the old file."""
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nn
from nn.files import HEADER_MEMBER


@pytest.mark.parametrize(
    "build, name",
    [
        (lambda: nn.Adam(learning_rate=float("inf")), "learning_rate"),
        (lambda: nn.SGD(learning_rate=1e309), "learning_rate"),
        (lambda: nn.SGD(decay=float("inf")), "decay"),
        (lambda: nn.Adam(epsilon=float("inf")), "epsilon"),
        (lambda: nn.RMSprop(learning_rate=10**400), "learning_rate"),
        (lambda: nn.Dense(2, 3, weight_regularizer_l2=float("inf")), "weight_regularizer_l2"),
        (lambda: nn.Dense(2, 3, bias_regularizer_l1=10**400), "bias_regularizer_l1"),
        (lambda: nn.RegressionAccuracy(precision=float("inf")), "precision"),
    ],
    ids=["adam-lr-inf", "sgd-lr-1e309", "sgd-decay-inf", "adam-epsilon-inf", "rmsprop-lr-10**400",
         "dense-l2-inf", "dense-l1-10**400", "precision-inf"],
)
def test_infinite_hyperparameters_are_refused_naming_them(build, name):
    with pytest.raises(ValueError, match=rf"^{name}: expected a finite number"):
        build()


def trained_model() -> nn.Model:
    X, y = nn.spiral_data(10, 3, seed=0)
    model = nn.Model(seed=0)
    model.add(nn.Dense(2, 4, seed=1))
    model.add(nn.ReLU())
    model.add(nn.Dense(4, 3, seed=2))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(learning_rate=0.01),
              accuracy=nn.CategoricalAccuracy())
    model.finalize().train(X, y, epochs=2, verbose=False)
    return model


def with_header_text(source: Path, target: Path, pattern: str, replacement: str) -> Path:
    """A copy of `source` whose header.json text has `pattern` replaced: numbers that
    json.dumps could never write (1e999, 10**400) have to be typed in."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    text, count = re.subn(pattern, replacement, members[HEADER_MEMBER].decode())
    assert count == 1
    members[HEADER_MEMBER] = text.encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def test_a_learning_rate_that_overflows_to_inf_is_refused_naming_the_field(tmp_path):
    trained_model().save(tmp_path / "model.tgm")
    path = with_header_text(tmp_path / "model.tgm", tmp_path / "hostile.tgm",
                            r'"learning_rate": [0-9.e-]+', '"learning_rate": 1e999')
    with pytest.raises(nn.ModelFileError, match=r"field 'optimizer\.config\.learning_rate' overflows to inf"):
        nn.Model.load(path)


def test_an_astronomical_iteration_count_is_refused_naming_the_field(tmp_path):
    trained_model().save_checkpoint(tmp_path / "checkpoint.tgm")
    path = with_header_text(tmp_path / "checkpoint.tgm", tmp_path / "hostile.tgm",
                            r'"iterations": \d+', f'"iterations": {10**400}')
    with pytest.raises(nn.ModelFileError, match=r"header 'training': 'iterations': expected an integer from 0 to 2\*\*63 - 1"):
        nn.Model.load_checkpoint(path)


def spoil_weight(model: nn.Model) -> str:
    model.parameters()[0].data[0, 0] = np.nan
    return "0.weights"


def spoil_bias(model: nn.Model) -> str:
    model.parameters()[3].data[0, 1] = np.inf
    return "2.biases"


def spoil_optimizer_buffer(model: nn.Model) -> str:
    assert model.optimizer is not None
    model.optimizer.buffers["cache"][1][0, 0] = np.nan
    return "optimizer.cache.1"


SPOILED_SAVES = [(save, spoil) for save in ("save", "save_checkpoint", "save_parameters")
                 for spoil in (spoil_weight, spoil_bias)] + [("save_checkpoint", spoil_optimizer_buffer)]


@pytest.mark.parametrize("save, spoil", SPOILED_SAVES)
def test_saving_non_finite_values_raises_and_keeps_the_old_file(tmp_path, save, spoil):
    model = trained_model()
    path = tmp_path / "model.tgm"
    getattr(model, save)(path)
    before = path.read_bytes()
    name = spoil(model)
    with pytest.raises(ValueError, match=rf"arrays\['{re.escape(name)}'\]: expected finite values, found NaN or inf"):
        getattr(model, save)(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.tgm"]
