"""Making tensors: each maker's values against NumPy, its dtype (float32 unless given) and
requires_grad, and random draws that repeat with a seeded Generator."""
import numpy as np
import pytest

import tensorgrad as tg


@pytest.mark.parametrize("make, expected", [
    (lambda **k: tg.zeros((2, 3), **k), np.zeros((2, 3))),
    (lambda **k: tg.ones(4, **k), np.ones(4)),
    (lambda **k: tg.full((2,), 2.5, **k), np.full(2, 2.5)),
    (lambda **k: tg.eye(3, 2, **k), np.eye(3, 2)),
    (lambda **k: tg.linspace(0, 1, 5, **k), np.linspace(0, 1, 5)),
    (lambda **k: tg.arange(0.0, 1.0, 0.25, **k), np.arange(0, 1, 0.25)),
])
def test_makers_give_numpy_values_in_float32_and_can_require_grad(make, expected):
    made = make()
    assert made.dtype == np.float32 and not made.requires_grad
    np.testing.assert_array_equal(made.data, expected.astype(np.float32))
    leaf = make(requires_grad=True)
    assert leaf.requires_grad and leaf.is_leaf
    assert make(dtype=np.float64).dtype == np.float64


def test_like_makers_copy_shape_and_dtype():
    x = tg.Tensor(np.ones((2, 3), np.float64))
    for made in (tg.zeros_like(x), tg.ones_like(x), tg.full_like(x, 7.0)):
        assert made.shape == (2, 3) and made.dtype == np.float64
    assert tg.full_like(x, 7.0).data[0, 0] == 7.0
    assert tg.zeros_like(x, dtype=np.float32).dtype == np.float32
    assert tg.ones_like(x, requires_grad=True).requires_grad


def test_arange_of_integers_gives_integers_and_integers_cannot_require_grad():
    assert tg.arange(5).dtype == np.int64
    np.testing.assert_array_equal(tg.arange(2, 7, 2).data, [2, 4, 6])
    with pytest.raises(TypeError, match="requires_grad=True needs a floating-point tensor"):
        tg.arange(3, requires_grad=True)


def test_random_draws_repeat_with_the_same_generator_and_have_the_right_distribution():
    first = tg.randn((1000,), generator=np.random.default_rng(7))
    second = tg.randn((1000,), generator=np.random.default_rng(7))
    np.testing.assert_array_equal(first.data, second.data)
    assert first.dtype == np.float32 and abs(first.data.mean()) < 0.15 and 0.85 < first.data.std() < 1.15
    uniform = tg.rand((2, 500), generator=np.random.default_rng(1), requires_grad=True)
    assert uniform.requires_grad and uniform.shape == (2, 500)
    assert uniform.data.min() >= 0 and uniform.data.max() < 1 and 0.4 < uniform.data.mean() < 0.6


def test_one_hot_rows():
    rows = tg.one_hot(np.array([[1], [0]]), 3)
    assert rows.shape == (2, 1, 3) and rows.dtype == np.float32
    np.testing.assert_array_equal(rows.data[:, 0], [[0, 1, 0], [1, 0, 0]])
    with pytest.raises(TypeError, match="labels must be integers"):
        tg.one_hot(np.array([0.5]), 2)
