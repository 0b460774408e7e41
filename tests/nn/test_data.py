"""nn.data: the book's synthetic datasets and the batch generator."""
import math

import numpy as np
import pytest

from nn.data import batch_count, batches, scale_and_flatten, shuffle, sine_data, spiral_data, vertical_data


def test_spiral_data_shapes_dtypes_and_labels():
    X, y = spiral_data(100, 3)
    assert X.shape == (300, 2) and X.dtype == np.float32
    assert y.shape == (300,) and y.dtype.kind == "i"
    np.testing.assert_array_equal(np.bincount(y), [100, 100, 100])


def test_spiral_data_follows_the_book_formula():
    """Radius runs 0..1 per arm; the angle (without noise) runs over [4k, 4k+4] scaled by 2.5."""
    X, y = spiral_data(50, 2, seed=3)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius, np.tile(np.linspace(0, 1, 50), 2), atol=1e-6)
    angle = np.arctan2(X[:, 0], X[:, 1])  # x = r sin(2.5 t), y = r cos(2.5 t)
    noiseless = 2.5 * (4 * y + np.tile(np.linspace(0, 4, 50), 2))
    wrapped = np.angle(np.exp(1j * (angle - noiseless)))[radius > 0]
    # the noise on t is N(0, 0.2^2), so on 2.5 t it is N(0, 0.5^2)
    assert 0.35 < wrapped.std() < 0.65 and abs(wrapped.mean()) < 0.15


def test_spiral_data_is_seeded():
    np.testing.assert_array_equal(spiral_data(20, 3, seed=1)[0], spiral_data(20, 3, seed=1)[0])
    assert not np.array_equal(spiral_data(20, 3, seed=1)[0], spiral_data(20, 3, seed=2)[0])


@pytest.mark.parametrize("make_data", [spiral_data, vertical_data])
def test_a_second_call_without_seed_is_fresh_data_as_in_the_book(make_data):
    # the book makes test data by calling the generator again: it must not be the training set
    X_train, y_train = make_data(100, 3)
    X_test, y_test = make_data(100, 3)
    np.testing.assert_array_equal(y_train, y_test)
    assert not np.array_equal(X_train, X_test)
    np.testing.assert_array_equal(make_data(30, 2, seed=5)[0], make_data(30, 2, seed=5)[0])


def test_vertical_data_centres():
    X, y = vertical_data(500, 3, seed=0)
    assert X.shape == (1500, 2) and X.dtype == np.float32
    for k in range(3):
        np.testing.assert_allclose(X[y == k].mean(axis=0), [k / 3, 0.5], atol=0.02)
        np.testing.assert_allclose(X[y == k].std(axis=0), [0.1, 0.1], atol=0.01)


def test_sine_data():
    X, y = sine_data(8)
    assert X.shape == y.shape == (8, 1) and X.dtype == y.dtype == np.float32
    np.testing.assert_allclose(X[:, 0], np.arange(8) / 8)
    np.testing.assert_allclose(y[:, 0], np.sin(2 * np.pi * np.arange(8) / 8), atol=1e-6)
    assert sine_data()[0].shape == (1000, 1)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_generators_reject_bad_counts(bad):
    with pytest.raises(ValueError, match="samples"):
        spiral_data(bad, 3)
    with pytest.raises(ValueError, match="classes"):
        vertical_data(10, bad)


@pytest.mark.parametrize("n, batch_size", [(10, 3), (10, 5), (10, 10), (10, 32), (1, 1)])
def test_batches_steps_and_remainder(n, batch_size):
    X = np.arange(2 * n, dtype=np.float32).reshape(n, 2)
    y = np.arange(n)
    parts = list(batches(X, y, batch_size))
    assert len(parts) == batch_count(n, batch_size) == math.ceil(n / batch_size)
    sizes = [len(xb) for xb, _ in parts]
    assert sizes[:-1] == [batch_size] * (len(parts) - 1)
    assert sizes[-1] == n - batch_size * (len(parts) - 1)
    np.testing.assert_array_equal(np.concatenate([xb for xb, _ in parts]), X)
    np.testing.assert_array_equal(np.concatenate([yb for _, yb in parts]), y)


def test_batches_in_order_are_views_and_none_means_whole_set():
    X, y = np.zeros((7, 2), np.float32), np.zeros(7, np.int64)
    for xb, yb in batches(X, y, 3):
        assert np.shares_memory(xb, X) and np.shares_memory(yb, y)
    ((xb, yb),) = list(batches(X, y, None))
    assert batch_count(7, None) == 1 and batch_count(0, None) == 0
    assert xb.shape == (7, 2) and np.shares_memory(xb, X)


def test_batches_shuffle_is_one_seeded_permutation_keeping_pairs():
    X = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10)
    first = list(batches(X, y, 4, shuffle=True, rng=np.random.default_rng(5)))
    again = list(batches(X, y, 4, shuffle=True, rng=np.random.default_rng(5)))
    Xs = np.concatenate([xb for xb, _ in first])
    ys = np.concatenate([yb for _, yb in first])
    np.testing.assert_array_equal(Xs, np.concatenate([xb for xb, _ in again]))
    expected_order = np.random.default_rng(5).permutation(10)
    np.testing.assert_array_equal(ys, expected_order)
    np.testing.assert_array_equal(Xs[:, 0], 2 * ys)  # rows still belong to their labels


def test_batches_without_targets():
    parts = list(batches(np.zeros((5, 1)), None, 2))
    assert [len(xb) for xb, _ in parts] == [2, 2, 1] and all(yb is None for _, yb in parts)


@pytest.mark.parametrize("bad", [0, -2, 1.5, True])
def test_batches_reject_bad_batch_size(bad):
    with pytest.raises(ValueError, match="batch_size: expected a positive integer or None"):
        batch_count(4, bad)
    with pytest.raises(ValueError, match="batch_size"):
        list(batches(np.zeros((4, 1)), np.zeros(4), bad))


def test_batches_reject_length_mismatch():
    with pytest.raises(ValueError, match="y: expected 4 samples"):
        list(batches(np.zeros((4, 1)), np.zeros(3), 2))


# --------------------------------------------------------------------------- shuffling and scaling

def test_shuffle_keeps_pairs_together_and_repeats_with_the_seed():
    X = np.arange(100).reshape(50, 2)
    y = np.arange(50)
    X_shuffled, y_shuffled = shuffle(X, y, seed=7)
    np.testing.assert_array_equal(X_shuffled[:, 0], 2 * y_shuffled)
    assert sorted(y_shuffled.tolist()) == list(range(50))
    assert not np.array_equal(y_shuffled, y)
    np.testing.assert_array_equal(shuffle(X, y, seed=7)[1], y_shuffled)
    assert not np.array_equal(shuffle(X, y, seed=8)[1], y_shuffled)


def test_shuffle_returns_copies():
    X = np.arange(10)
    y = np.arange(10)
    X_shuffled, y_shuffled = shuffle(X, y, seed=0)
    X_shuffled[:] = -1
    y_shuffled[:] = -1
    np.testing.assert_array_equal(X, np.arange(10))
    np.testing.assert_array_equal(y, np.arange(10))


@pytest.mark.parametrize(
    ("X", "y", "seed", "error", "match"),
    [
        (np.zeros(5), np.zeros(4), 0, ValueError, "y: expected 5 samples to match X, got 4"),
        (np.float64(1.0), np.zeros(1), 0, ValueError, r"X and y: expected a sample axis, got shapes \(\) and \(1,\)"),
        (np.zeros(3), np.zeros(3), 1.5, ValueError, "seed: expected a non-negative integer, got 1.5"),
        (np.zeros(3), np.zeros(3), None, ValueError, "seed: expected a non-negative integer, got None"),
    ],
)
def test_shuffle_rejects_bad_arguments(X, y, seed, error, match):
    with pytest.raises(error, match=match):
        shuffle(X, y, seed)


def test_scale_and_flatten_matches_the_book():
    X = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    X[0, 0, 0], X[0, 0, 1] = 0, 255
    scaled = scale_and_flatten(X)
    assert scaled.dtype == np.float32
    assert scaled.shape == (5, 784)
    np.testing.assert_array_equal(
        scaled, (X.reshape(X.shape[0], -1).astype(np.float32) - 127.5) / 127.5
    )
    assert scaled[0, 0] == -1.0 and scaled[0, 1] == 1.0


@pytest.mark.parametrize("X", [np.zeros((2, 28, 28), np.float32), np.zeros(28, np.uint8)])
def test_scale_and_flatten_rejects_non_image_input(X):
    with pytest.raises(ValueError, match=f"X: expected uint8 images of shape.*got dtype {X.dtype} and shape"):
        scale_and_flatten(X)


