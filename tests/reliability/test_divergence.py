"""Divergence: a NaN or inf loss stops training with a clear error (or a warning) that
names the epoch and step, and the weights from before the bad step are kept.
Also: tensorgrad.detect_anomaly() works through Model.train."""
import re

import numpy as np
import pytest

import nn
import tensorgrad
from tensorgrad.tensor import as_tensor

X = np.linspace(-1, 1, 64, dtype=np.float32).reshape(-1, 1)
Y = 3 * X


def exploding_regressor() -> nn.Model:
    """Plain SGD with a learning rate far too high: each step overshoots further until
    the squared error overflows float32."""
    model = nn.Model(seed=0)
    model.add(nn.Dense(1, 8, seed=1, init="he"))
    model.add(nn.Dense(8, 1, seed=2, init="he"))
    model.add(nn.Linear())
    model.set(loss=nn.MeanSquaredError(), optimizer=nn.SGD(learning_rate=50.0), accuracy=nn.RegressionAccuracy())
    return model.finalize()


def diverging_epoch() -> int:
    with pytest.raises(FloatingPointError) as caught:
        exploding_regressor().train(X, Y, epochs=1000, verbose=False)
    found = re.search(r"epoch (\d+)", str(caught.value))
    assert found is not None, caught.value
    return int(found.group(1))


def test_nan_loss_raises_naming_epoch_and_step_and_keeps_the_weights():
    model = exploding_regressor()
    with pytest.raises(FloatingPointError) as caught:
        model.train(X, Y, epochs=1000, batch_size=None, verbose=False)
    message = str(caught.value)
    assert re.search(r"the loss became NaN or inf at epoch \d+, step 1/1", message), message
    assert "lower learning rate" in message
    bad_epoch = int(re.search(r"epoch (\d+)", message).group(1))
    assert bad_epoch > 1  # the weights diverge over several steps
    assert all(np.isfinite(p.data).all() for p in model.parameters())
    # the same run stopped just before the bad step has exactly these weights
    reference = exploding_regressor()
    reference.train(X, Y, epochs=bad_epoch - 1, verbose=False)
    for kept, expected in zip(model.parameters(), reference.parameters(), strict=False):
        np.testing.assert_array_equal(kept.data, expected.data)
    assert model.optimizer.iterations == bad_epoch - 1
    assert model.epochs_trained == bad_epoch - 1


def test_warn_stops_training_and_returns_the_finished_epochs():
    bad_epoch = diverging_epoch()
    model = exploding_regressor()
    with pytest.warns(RuntimeWarning, match=rf"the loss became NaN or inf at epoch {bad_epoch}, step 1/1"):
        history = model.train(X, Y, epochs=1000, on_nan="warn", verbose=False)
    assert len(history["loss"]) == bad_epoch - 1
    assert all(np.isfinite(history["loss"]))
    assert all(np.isfinite(p.data).all() for p in model.parameters())


def test_mini_batch_divergence_names_the_step():
    model = exploding_regressor()
    with pytest.raises(FloatingPointError, match=r"at epoch \d+, step \d+/4;"):
        model.train(X, Y, epochs=1000, batch_size=16, shuffle=False, verbose=False)


def test_on_nan_must_be_raise_or_warn():
    model = exploding_regressor()
    with pytest.raises(ValueError, match=r"on_nan: expected one of \('raise', 'warn'\), got 'ignore'"):
        model.train(X, Y, on_nan="ignore", verbose=False)
    assert model.optimizer.iterations == 0


class SquareRoot(nn.Module):
    """sqrt(x): finite at x = 0, but its derivative 1 / (2 sqrt(x)) is not."""

    def forward(self, x):
        return as_tensor(x).sqrt()


def test_detect_anomaly_names_the_op_through_model_train():
    model = nn.Model(seed=0)
    model.add(nn.Dense(1, 8, seed=1, init="he"))
    model.add(nn.ReLU())  # zero for about half the inputs: sqrt's gradient is inf there
    model.add(SquareRoot())
    model.add(nn.Dense(8, 1, seed=2))
    model.add(nn.Linear())
    model.set(loss=nn.MeanSquaredError(), optimizer=nn.SGD(learning_rate=0.01), accuracy=nn.RegressionAccuracy())
    model.finalize()
    before = [p.data.copy() for p in model.parameters()]
    with np.errstate(divide="ignore", invalid="ignore"):  # let detect_anomaly, not NumPy, report it
        with (
            pytest.raises(FloatingPointError, match=r"detect_anomaly: Pow backward returned NaN or inf"),
            tensorgrad.detect_anomaly(),
        ):
            model.train(X, Y, epochs=1, verbose=False)
        for kept, now in zip(before, model.parameters(), strict=False):
            np.testing.assert_array_equal(kept, now.data)  # backward raised before the update
        assert model.optimizer.iterations == 0
        model.train(X, Y, epochs=1, verbose=False)  # without the block the same step goes through
    assert model.optimizer.iterations == 1
