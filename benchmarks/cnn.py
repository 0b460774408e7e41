"""Fashion-MNIST CNN training steps, side by side: tensorgrad vs hand-written NumPy vs PyTorch CPU.

    python benchmarks/cnn.py [--rounds 7] [--steps 10]

The network (issue 15): Conv2D 1->32 3x3, ReLU, MaxPool 2, Conv2D 32->64 3x3, ReLU,
MaxPool 2, Flatten, Dense 1600->128, ReLU, Dense 128->10, softmax + cross-entropy, Adam,
batch 128, float32. Every contender starts from the same weights and trains on the same
batches in order; a step is forward, loss, backward, update and the batch accuracy.

- reference: the network by hand in NumPy: im2col (a strided window view copied into
  (N, C*kh*kw, positions) columns) and one batched matmul per convolution, max-pooling as
  the maximum of four strided quarter-images, and the analytic backward: dW = sum over images of dout @ cols^T,
  db = sum of dout, dcols = W^T @ dout folded back by col2im (one strided add per kernel
  offset); pooling routes the gradient to each block's maximum; the book's Adam.
- tensorgrad: `nn.Model` with nn.Conv2D/ReLU/MaxPool2D/Flatten/Dense/Softmax and
  CategoricalCrossEntropy through `Model.train`: every gradient from the chain rule over
  primitives (pad, sliding windows, reshape, transpose, matmul, max).
- PyTorch (when importable): torch.nn.Conv2d/MaxPool2d/Linear, F.cross_entropy, torch.optim.Adam.

BLAS and PyTorch run with the same thread count (`OPENBLAS_NUM_THREADS`, default 1).
Timing and ratios as in benchmarks/mlp.py: interleaved rounds, paired medians; peak
memory is the tracemalloc peak of one run (PyTorch's allocations are invisible to it).
Prints Markdown tables for `make bench`.
"""
from __future__ import annotations

import argparse
import gc

# mlp sets the BLAS thread variables before it loads NumPy (BLAS reads them once): first.
from mlp import (ADAM, BATCH, THREADS, BookAdam, ModelMLP, ReferenceMLP, TorchMLP, interleaved, load_data, peak_memory,
                 rss_peak_mib, softmax_cross_entropy, torch)

import numpy as np  # noqa: E402  (after mlp, see above)
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402

import nn  # noqa: E402

CHANNELS = (1, 32, 64)
HIDDEN = 128
FLAT = 64 * 5 * 5  # 28 -> conv 26 -> pool 13 -> conv 11 -> pool 5

Parameters = list[tuple[np.ndarray, np.ndarray]]


def load_images(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    """(X (count, 1, 28, 28) in [-1, 1], labels, description): Fashion-MNIST when found, else random."""
    X, y, _, _, source = load_data(seed)
    return X[:count].reshape(count, 1, 28, 28), y[:count], source


def initial_parameters(seed: int = 0) -> Parameters:
    """He-initialised float32 (weights, biases): conv weights (F, C, 3, 3), dense (n_in, n_out)."""
    rng = np.random.default_rng(seed)
    parameters = []
    for c_in, c_out in zip(CHANNELS[:-1], CHANNELS[1:]):
        weights = np.sqrt(2.0 / (c_in * 9)) * rng.standard_normal((c_out, c_in, 3, 3))
        parameters.append((weights.astype(np.float32), np.zeros(c_out, np.float32)))
    for n_in, n_out in ((FLAT, HIDDEN), (HIDDEN, 10)):
        weights = np.sqrt(2.0 / n_in) * rng.standard_normal((n_in, n_out))
        parameters.append((weights.astype(np.float32), np.zeros((1, n_out), np.float32)))
    return parameters


# --------------------------------------------------------------------------- the contenders

def im2col(x: np.ndarray) -> np.ndarray:
    """(N, C, H, W) -> (N, C*9, rows*columns): every 3x3 window as a column."""
    n, c, h, w = x.shape
    windows = sliding_window_view(x, (3, 3), axis=(2, 3))  # (N, C, rows, columns, 3, 3), a view
    return np.ascontiguousarray(windows.transpose(0, 1, 4, 5, 2, 3)).reshape(n, c * 9, (h - 2) * (w - 2))


def col2im(dcols: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The adjoint of im2col: each column's gradient added back where its window came from."""
    n, c, h, w = shape
    rows, columns = h - 2, w - 2
    dcols = dcols.reshape(n, c, 3, 3, rows, columns)
    dx = np.zeros(shape, dtype=dcols.dtype)
    for p in range(3):
        for q in range(3):
            dx[:, :, p:p + rows, q:q + columns] += dcols[:, :, p, q]
    return dx


OFFSETS = ((0, 0), (0, 1), (1, 0), (1, 1))  # the four places of a 2x2 block


def max_pool(x: np.ndarray) -> np.ndarray:
    """2x2 max-pooling (an odd last row/column is dropped): the maximum of the four
    strided quarter-images, three np.maximum calls."""
    rows, columns = x.shape[2] // 2 * 2, x.shape[3] // 2 * 2
    quarters = [x[:, :, p:rows:2, q:columns:2] for p, q in OFFSETS]
    return np.maximum(np.maximum(quarters[0], quarters[1]), np.maximum(quarters[2], quarters[3]))


def max_pool_backward(dout: np.ndarray, x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The gradient goes to each block's maximum; at a tie to the first one, as PyTorch does
    (tensorgrad's Max shares it evenly instead: both are valid, so gradients are compared
    on random inputs, which have no ties)."""
    rows, columns = x.shape[2] // 2 * 2, x.shape[3] // 2 * 2
    dx = np.zeros_like(x)
    taken = np.zeros(out.shape, dtype=bool)
    for p, q in OFFSETS:
        hit = (x[:, :, p:rows:2, q:columns:2] == out) & ~taken
        dx[:, :, p:rows:2, q:columns:2] = dout * hit
        taken |= hit
    return dx


class ReferenceCNN:
    """The network by hand in NumPy with its analytic backward (see the module docstring)."""

    def __init__(self, parameters: Parameters) -> None:
        self.parameters = [(w.copy(), b.copy()) for w, b in parameters]
        self.optimizer = BookAdam(self.parameters, **ADAM)

    def step(self, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        loss, predictions, grads = self.gradients(X, y)
        self.optimizer.update(self.parameters, grads)
        return loss, predictions

    def gradients(self, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray, Parameters]:
        """(loss, predicted classes, (dW, db) per layer)."""
        saved = []
        x = X
        for weights, biases in self.parameters[:2]:
            cols = im2col(x)
            f = weights.shape[0]
            side = x.shape[2] - 2
            z = (weights.reshape(f, -1) @ cols + biases[:, None]).reshape(len(x), f, side, side)
            a = np.maximum(z, 0)
            pooled = max_pool(a)
            saved.append((x.shape, cols, z, a, pooled))
            x = pooled
        flat = x.reshape(len(x), -1)
        (w1, b1), (w2, b2) = self.parameters[2:]
        h = flat @ w1 + b1
        r = np.maximum(h, 0)
        logits = r @ w2 + b2
        loss, predictions, dlogits = softmax_cross_entropy(logits, y)
        grads = [(r.T @ dlogits, dlogits.sum(axis=0, keepdims=True))]
        dh = dlogits @ w2.T
        dh[h <= 0] = 0
        grads.append((flat.T @ dh, dh.sum(axis=0, keepdims=True)))
        dx = (dh @ w1.T).reshape(x.shape)
        for index in (1, 0):
            weights = self.parameters[index][0]
            input_shape, cols, z, a, pooled = saved[index]
            da = max_pool_backward(dx, a, pooled)
            dz = (da * (z > 0)).reshape(len(X), weights.shape[0], -1)
            dweights = np.matmul(dz, cols.transpose(0, 2, 1)).sum(axis=0).reshape(weights.shape)
            grads.append((dweights, dz.sum(axis=(0, 2))))
            if index:
                dx = col2im(weights.reshape(weights.shape[0], -1).T @ dz, input_shape)
        return loss, predictions, grads[::-1]

    train_epoch = ReferenceMLP.train_epoch


class ModelCNN:
    """nn.Model as a user builds it; a run is one `Model.train` call (in order, silent)."""

    def __init__(self, parameters: Parameters) -> None:
        model = nn.Model()
        for (c_in, c_out), (weights, biases) in zip(zip(CHANNELS[:-1], CHANNELS[1:]), parameters):
            conv = nn.Conv2D(c_in, c_out, 3)
            np.copyto(conv.weights.data, weights)
            np.copyto(conv.biases.data, biases)
            model.add(conv)
            model.add(nn.ReLU())
            model.add(nn.MaxPool2D(2))
        model.add(nn.Flatten())
        for index, (weights, biases) in enumerate(parameters[2:]):
            dense = nn.Dense(*weights.shape)
            np.copyto(dense.weights.data, weights)
            np.copyto(dense.biases.data, biases)
            model.add(dense)
            model.add(nn.ReLU() if index == 0 else nn.Softmax())
        model.set(loss=nn.CategoricalCrossEntropy(), optimizer=nn.Adam(**ADAM), accuracy=nn.CategoricalAccuracy())
        self.model = model.finalize()

    train_epoch = ModelMLP.train_epoch


class TorchCNN:
    """The same network in PyTorch (Adam without the book's decay schedule)."""

    def __init__(self, parameters: Parameters) -> None:
        layers: list = []
        for (c_in, c_out), (weights, biases) in zip(zip(CHANNELS[:-1], CHANNELS[1:]), parameters):
            conv = torch.nn.Conv2d(c_in, c_out, 3)
            with torch.no_grad():
                conv.weight.copy_(torch.from_numpy(weights))
                conv.bias.copy_(torch.from_numpy(biases))
            layers += [conv, torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
        layers.append(torch.nn.Flatten())
        for index, (weights, biases) in enumerate(parameters[2:]):
            linear = torch.nn.Linear(*weights.shape)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(weights.T))
                linear.bias.copy_(torch.from_numpy(biases[0]))
            layers += [linear] if index else [linear, torch.nn.ReLU()]
        self.network = torch.nn.Sequential(*layers)
        self.optimizer = torch.optim.Adam(self.network.parameters(), lr=ADAM["learning_rate"],
                                          betas=(ADAM["beta_1"], ADAM["beta_2"]), eps=ADAM["epsilon"])

    step = TorchMLP.step
    train_epoch = ReferenceMLP.train_epoch


def check_gradients_agree(parameters: Parameters, X: np.ndarray, y: np.ndarray) -> float:
    """The largest difference between the reference's hand-written gradients and autograd's
    on one batch of random images (no ties in max-pooling), relative to each gradient's
    largest element."""
    X = np.random.default_rng(1).uniform(-1, 1, X.shape).astype(np.float32)
    _, _, expected = ReferenceCNN(parameters).gradients(X[:BATCH], y[:BATCH])
    model = ModelCNN(parameters).model
    loss = model.loss(model(X[:BATCH]), y[:BATCH])
    loss.backward()
    theirs = [grad for pair in expected for grad in pair]
    return max(float(np.max(np.abs(p.grad - g.reshape(p.shape))) / np.max(np.abs(g)))
               for p, g in zip(model.parameters(), theirs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds")
    parser.add_argument("--steps", type=int, default=10, help="training steps per round")
    args = parser.parse_args()
    for name in ("rounds", "steps"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(args, name)}")
    if torch is not None:
        torch.set_num_threads(THREADS)
    X, y, source = load_images(args.steps * BATCH)
    parameters = initial_parameters()
    gc.freeze()  # as in mlp.py: PyTorch's many objects out of the collector's scans
    print(f"## CNN conv32-pool-conv64-pool-dense128-10, batch {BATCH}, float32, {source}; "
          f"BLAS and PyTorch threads: {THREADS}")
    drift = check_gradients_agree(parameters, X, y)
    print(f"\nOn one batch of random images, autograd's gradients and the reference's hand-written ones differ by at most "
          f"{drift:.1e} of the largest element (float32).")

    found: dict[str, object] = {"reference NumPy im2col, analytic backward": ReferenceCNN(parameters),
                                "tensorgrad Model.train": ModelCNN(parameters)}
    if torch is not None:
        found[f"PyTorch {torch.__version__}"] = TorchCNN(parameters)
    timings = interleaved({name: (lambda trainer=trainer: trainer.train_epoch(X, y)) for name, trainer in found.items()},
                          args.rounds)
    names = list(found)
    print(f"\n### Training step: {args.steps} steps of {BATCH} per run, {args.rounds} interleaved rounds\n")
    print("| contender | wall ms/step (median) | CPU ms/step (median) | ratio to reference (paired median) |")
    print("|---|---:|---:|---:|")
    for name in names:
        print(f"| {name} | {1e3 * timings.median(name) / args.steps:.1f} | "
              f"{1e3 * timings.median(name, 'cpu') / args.steps:.1f} | {timings.ratio(name, names[0]):.2f}x |")

    peaks = {name: peak_memory(lambda trainer=found[name]: trainer.train_epoch(X, y)) for name in names[:2]}
    print("\n### Targets (paired ratios from this run)\n")
    print("| measure | value | target |")
    print("|---|---:|---:|")
    print(f"| step, tensorgrad / NumPy reference | {timings.ratio(names[1], names[0]):.2f}x | <= 1.00x |")
    if torch is not None:
        print(f"| step, tensorgrad / PyTorch | {timings.ratio(names[1], names[2]):.2f}x | <= 1.50x |")
    print(f"| peak memory (tracemalloc), tensorgrad / reference | {peaks[names[1]] / peaks[names[0]]:.2f}x "
          f"({peaks[names[1]] / 2**20:.0f} / {peaks[names[0]] / 2**20:.0f} MiB) | <= 1.30x |")
    if torch is None:
        print("\n(PyTorch is not installed: no comparison.)")
    print(f"\nPeak resident memory of this process: {rss_peak_mib():.0f} MiB.")


if __name__ == "__main__":
    main()
