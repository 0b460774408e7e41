"""Conv2D, MaxPool2D, AvgPool2D and Flatten as layers: shapes, initialisation, penalties,
and a Model of them that trains, evaluates, predicts, saves, loads and checkpoints."""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

import analytic
import nn
import tensorgrad.functional as F
from nn.files import HEADER_MEMBER
from tensorgrad import Tensor

REGULARIZERS = {
    "weight_regularizer_l1": 3e-3, "weight_regularizer_l2": 2e-2,
    "bias_regularizer_l1": 5e-3, "bias_regularizer_l2": 4e-2,
}


def small_cnn(seed: int = 0, **conv_options) -> nn.Model:
    model = nn.Model(seed=seed)
    model.add(nn.Conv2D(1, 3, 3, padding=1, seed=1, **conv_options))
    model.add(nn.ReLU())
    model.add(nn.MaxPool2D(2))
    model.add(nn.Conv2D(3, 4, (2, 3), stride=(1, 2), seed=2))
    model.add(nn.AvgPool2D((2, 1), stride=1))  # (3, 1) maps -> (2, 1)
    model.add(nn.Flatten())
    model.add(nn.Dropout(0.2, seed=3))
    model.add(nn.Dense(4 * 2 * 1, 3, init="he", seed=4))
    model.add(nn.Softmax())
    model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(learning_rate=0.01),
              accuracy=nn.CategoricalAccuracy())
    return model.finalize()


def images(count: int = 24, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((count, 1, 8, 8)).astype(np.float32), rng.integers(0, 3, count)


def test_conv2d_layer_shapes_and_he_init():
    layer = nn.Conv2D(8, 64, 3, seed=0)
    assert layer.weights.shape == (64, 8, 3, 3) and layer.biases.shape == (64,)
    assert layer.weights.dtype == np.float32 and np.all(layer.biases.data == 0)
    assert abs(layer.weights.data.std() - np.sqrt(2 / (8 * 9))) < 0.01  # He: fan_in = C * kh * kw
    out = layer(Tensor(np.zeros((2, 8, 10, 7), np.float32)))
    assert out.shape == (2, 64, 8, 5)


def test_layer_forwards_are_the_functional_compositions():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 2, 7, 6))
    conv = nn.Conv2D(2, 3, (3, 2), stride=2, padding=(1, 0), dtype=np.float64, seed=0)
    expected = analytic.conv2d_forward(x, conv.weights.data, conv.biases.data, (2, 2), (1, 0))
    np.testing.assert_allclose(conv(x).data, expected, rtol=1e-12)
    np.testing.assert_array_equal(nn.MaxPool2D(2)(x).data, F.max_pool2d(x, 2).data)
    np.testing.assert_array_equal(nn.AvgPool2D(3, stride=1)(x).data, F.avg_pool2d(x, 3, 1).data)
    assert nn.Flatten()(x).shape == (2, 2 * 7 * 6)


def test_conv2d_penalties_match_dense_ones():
    """The same protocol regularizes both: l1 * sum|w| + l2 * sum w^2 for weights and biases."""
    conv = nn.Conv2D(2, 3, 2, **REGULARIZERS, dtype=np.float64, seed=0)
    conv.biases.data[:] = [0.5, -1.0, 2.0]
    w, b = conv.weights.data, conv.biases.data
    expected = (3e-3 * np.abs(w).sum() + 2e-2 * (w ** 2).sum() + 5e-3 * np.abs(b).sum() + 4e-2 * (b ** 2).sum())
    penalty = nn.CategoricalCrossEntropy().regularization_loss(nn.Sequential(conv, nn.Flatten()))
    np.testing.assert_allclose(penalty.item(), expected, rtol=1e-12)
    penalty.backward()
    np.testing.assert_allclose(conv.weights.grad, analytic.l1_penalty_backward(w, 3e-3)
                               + analytic.l2_penalty_backward(w, 2e-2), rtol=1e-12)
    assert nn.Conv2D(1, 1, 1).regularization_penalty() is None


def test_model_with_conv2d_regularizes_it():
    model = small_cnn(weight_regularizer_l2=1e-2)
    assert model._penalized == [model.layers[0]]
    history = model.train(*images(), epochs=1, batch_size=8, print_every=None)
    assert history["regularization_loss"][0] > 0


@pytest.mark.parametrize(
    "arguments, expected",
    [
        ((0, 4, 3), "in_channels: expected"),
        ((1, 2.5, 3), "out_channels: expected"),
        ((1, 10**6, 3), "out_channels: expected .*65536"),
        ((1, 4, 0), r"kernel_size: expected an int in \[1, 1024\]"),
        ((1, 4, (3, 10**9)), r"kernel_size: expected an int in \[1, 1024\]"),
        ((1, 4, 3.0), "kernel_size: expected an int"),
        ((1, 4, (1, 2, 3)), "kernel_size: expected an int"),
        ((1, 4, 3, -1), "stride: expected an int"),
        ((1, 4, 3, 1, -1), r"padding: expected an int in \[0, 1024\]"),
    ],
)
def test_conv2d_refuses_bad_arguments(arguments, expected):
    with pytest.raises(ValueError, match=expected):
        nn.Conv2D(*arguments)


def test_pooling_refuses_bad_arguments():
    with pytest.raises(ValueError, match="kernel_size: expected an int"):
        nn.MaxPool2D(0)
    with pytest.raises(ValueError, match="stride: expected an int"):
        nn.AvgPool2D(2, stride=True)


def test_model_trains_evaluates_predicts_4d_inputs():
    X, y = images()
    model = small_cnn()
    history = model.train(X, y, epochs=3, batch_size=8, print_every=None, validation_data=(X, y))
    assert history["loss"][-1] < history["loss"][0]
    loss, accuracy = model.evaluate(X, y, batch_size=5)
    assert np.isfinite(loss) and 0 <= accuracy <= 1
    probabilities = model.predict(X[:4])
    assert probabilities.shape == (4, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)


def test_model_names_the_expected_image_shape():
    model = small_cnn()
    with pytest.raises(ValueError, match=r"X: expected shape \(n, 1, any, any\) for the first Conv2D layer, got \(4, 64\)"):
        model.predict(np.zeros((4, 64), np.float32))
    with pytest.raises(ValueError, match=r"expected shape \(n, 1, any, any\).*got \(4, 3, 8, 8\)"):
        model.predict(np.zeros((4, 3, 8, 8), np.float32))


def test_save_load_and_checkpoint_round_trip(tmp_path):
    X, y = images()
    model = small_cnn()
    model.train(X, y, epochs=1, batch_size=8, print_every=None)
    model.save(tmp_path / "model.tgm")
    loaded = nn.Model.load(tmp_path / "model.tgm")
    assert repr(loaded) == repr(model)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))

    model.save_checkpoint(tmp_path / "checkpoint.tgm")
    resumed = nn.Model.load_checkpoint(tmp_path / "checkpoint.tgm")
    model.train(X, y, epochs=1, batch_size=8, print_every=None)
    resumed.train(X, y, epochs=1, batch_size=8, print_every=None)
    np.testing.assert_array_equal(resumed.predict(X), model.predict(X))


def rewrite_header(source, target, change):
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    header = json.loads(members[HEADER_MEMBER])
    change(header)
    members[HEADER_MEMBER] = json.dumps(header).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


@pytest.mark.parametrize(
    "config, expected",
    [
        ({"kernel_size": [4096, 4096]}, r"Conv2D refuses its config \(kernel_size: expected an int in \[1, 1024\]"),
        ({"in_channels": 10**6, "out_channels": 10**6}, "Conv2D refuses its config .*out_channels: expected"),
        ({"in_channels": 65536, "out_channels": 65536, "kernel_size": 1024},
         "would allocate .* bytes of parameters; expected at most"),
        ({"kernel_size": "3"}, "Conv2D refuses its config"),
        ({"stride": 0}, "Conv2D refuses its config"),
    ],
    ids=["huge-kernel", "huge-channels", "within-bounds-but-huge", "string-kernel", "zero-stride"],
)
def test_hostile_conv2d_config_is_refused_before_allocating(tmp_path, config, expected):
    model = small_cnn()
    model.save(tmp_path / "model.tgm")
    path = rewrite_header(tmp_path / "model.tgm", tmp_path / "hostile.tgm",
                          lambda header: header["layers"][0]["config"].update(config))
    with pytest.raises(nn.ModelFileError, match=expected):
        nn.Model.load(path)


def test_hostile_pool_config_is_refused(tmp_path):
    model = small_cnn()
    model.save(tmp_path / "model.tgm")
    path = rewrite_header(tmp_path / "model.tgm", tmp_path / "hostile.tgm",
                          lambda header: header["layers"][2]["config"].update(kernel_size=10**9))
    with pytest.raises(nn.ModelFileError, match="MaxPool2D refuses its config"):
        nn.Model.load(path)
