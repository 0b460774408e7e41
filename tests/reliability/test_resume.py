"""Resume: 4 epochs, a checkpoint, 4 more epochs in a new process == 8 epochs straight,
bit for bit in float64, with shuffling and dropout on."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nn

REPO = Path(__file__).resolve().parents[2]
TRAINING = {"batch_size": 32, "shuffle": True, "verbose": False}

# Run by a fresh interpreter: nothing but the checkpoint carries the state over.
RESUME_SCRIPT = """
import sys
import numpy as np
import nn
checkpoint, data, result = sys.argv[1:4]
model = nn.Model.load_checkpoint(checkpoint)
with np.load(data, allow_pickle=False) as arrays:
    X, y = arrays["X"], arrays["y"]
model.train(X, y, epochs=4, batch_size=32, shuffle=True, verbose=False)
model.save_checkpoint(result)
"""


def spiral_model(dropout: float = 0.2) -> nn.Model:
    model = nn.Model(seed=7)
    model.add(nn.Dense(2, 32, dtype=np.float64, seed=1, weight_regularizer_l2=1e-4))
    model.add(nn.ReLU())
    model.add(nn.Dropout(dropout, seed=2))
    model.add(nn.Dense(32, 3, dtype=np.float64, seed=3))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(learning_rate=0.02, decay=1e-3),
              accuracy=nn.CategoricalAccuracy())
    return model.finalize()


@pytest.fixture(scope="module")
def spiral():
    X, y = nn.spiral_data(100, 3, seed=0)
    return X.astype(np.float64), y


@pytest.fixture(scope="module")
def straight(spiral):
    model = spiral_model()
    model.train(*spiral, epochs=8, **TRAINING)
    return model


def assert_same_parameters(left: nn.Model, right: nn.Model) -> None:
    assert [name for name, _ in left.named_parameters()] == [name for name, _ in right.named_parameters()]
    for (name, a), (_, b) in zip(left.named_parameters(), right.named_parameters(), strict=False):
        assert a.dtype == b.dtype == np.float64
        assert np.array_equal(a.data, b.data), f"{name} differs by up to {np.abs(a.data - b.data).max()}"


def test_resume_in_a_new_process_is_bit_identical(spiral, straight, tmp_path):
    model = spiral_model()
    model.train(*spiral, epochs=4, **TRAINING)
    model.save_checkpoint(tmp_path / "epoch4.tgm")
    np.savez(tmp_path / "data.npz", X=spiral[0], y=spiral[1])
    subprocess.run(
        [sys.executable, "-c", RESUME_SCRIPT, str(tmp_path / "epoch4.tgm"), str(tmp_path / "data.npz"),
         str(tmp_path / "epoch8.tgm")],
        cwd=REPO, check=True,
    )
    resumed = nn.Model.load_checkpoint(tmp_path / "epoch8.tgm")
    assert_same_parameters(resumed, straight)
    assert resumed.epochs_trained == straight.epochs_trained == 8
    assert resumed.optimizer.iterations == straight.optimizer.iterations == 8 * 10
    assert resumed.optimizer.current_learning_rate == straight.optimizer.current_learning_rate
    for buffer in straight.optimizer.buffer_names:
        for kept, expected in zip(resumed.optimizer.buffers[buffer], straight.optimizer.buffers[buffer], strict=False):
            assert np.array_equal(kept, expected)


def test_checkpoint_restores_every_random_generator(spiral, tmp_path):
    model = spiral_model()
    model.train(*spiral, epochs=2, **TRAINING)
    model.save_checkpoint(tmp_path / "checkpoint.tgm")
    loaded = nn.Model.load_checkpoint(tmp_path / "checkpoint.tgm")
    assert loaded.rng.bit_generator.state == model.rng.bit_generator.state
    assert loaded.layers[2].rng.bit_generator.state == model.layers[2].rng.bit_generator.state
    assert loaded.rng.integers(1 << 30) == model.rng.integers(1 << 30)


def test_a_plain_model_file_does_not_resume_the_same_run(spiral, straight, tmp_path):
    """What the checkpoint adds matters: without the optimizer's state and the generators'
    states, the continued run takes another path (so the test above can fail)."""
    model = spiral_model()
    model.train(*spiral, epochs=4, **TRAINING)
    model.save(tmp_path / "epoch4.tgm")
    restarted = nn.Model.load(tmp_path / "epoch4.tgm")
    restarted.train(*spiral, epochs=4, **TRAINING)
    differences = [np.abs(a.data - b.data).max() for a, b in zip(restarted.parameters(), straight.parameters(), strict=False)]
    assert max(differences) > 1e-6
