"""Fashion-MNIST MLP training, side by side: tensorgrad vs hand-written NumPy vs PyTorch CPU.

    python benchmarks/mlp.py [--rounds 21] [--steps 30] [--epoch-rounds 5] [--full]

The model is the book's: 784-128-128-10, ReLU, softmax + categorical cross-entropy,
batch 128, float32, weights 0.01 * N(0, 1). Every contender starts from the same weights
and trains on the same batches, in order; each training step is forward, loss value,
backward, update and the batch accuracy (what `Model.train` does per step).

- reference: the book's network written by hand in NumPy: its analytic backward (the
  combined softmax + cross-entropy gradient, dense and ReLU derivatives) and its SGD and
  Adam updates as the book writes them. No autograd: the speed a framework must match.
- tensorgrad, expression loop: `x @ W + b`, `relu`, `cross_entropy` on Tensors, `nn.SGD`.
- tensorgrad, Model.train: `nn.Model` with nn.Dense/ReLU/Softmax, CategoricalCrossEntropy.
- PyTorch (when importable): torch.nn.Linear/ReLU, F.cross_entropy, torch.optim, the same
  thread count as NumPy's BLAS (`--threads`, default 1: on a shared 2-core machine BLAS
  threads on 128-row batches cost more than they give).

Timing: rounds are interleaved (every contender once per round, in a rotating order) so
machine load hits them alike; the median over rounds is reported, as wall time
(time.perf_counter) and CPU time of the process (time.process_time). Ratios are paired:
the median over rounds of (contender's time / reference's time in the same round), so
a burst of load from a neighbour on a shared machine lands on both sides of a quotient
(on this 2-core VM one contender's rounds wandered by up to 40%). Peak memory is the
tracemalloc peak of one epoch (NumPy and tensorgrad allocations; PyTorch's are invisible
to it). Real Fashion-MNIST is used when the archive is found ($TENSORGRAD_DATA or
../shared/data), otherwise random data of the same shape. `--full` adds one 10-epoch
Model.train run (real data only) with its wall time and test accuracy.
Prints Markdown tables for `make bench`.
"""
from __future__ import annotations

import os

# BLAS reads its thread count once, when NumPy loads: set it first (the environment wins).
THREADS = int(os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or 1)
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, str(THREADS))

import argparse  # noqa: E402
import gc  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable, Sequence  # noqa: E402

import numpy as np  # noqa: E402

# Time the checkout this file is in: `python benchmarks/x.py` puts benchmarks/, not the
# root, on sys.path, so an installed tensorgrad (an editable install of another worktree)
# would be imported instead.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nn  # noqa: E402
from tensorgrad import Tensor, functional  # noqa: E402

try:
    import torch
except ImportError:  # PyTorch is optional: only for the comparison
    torch = None

SIZES = (784, 128, 128, 10)
BATCH = 128
SGD_RATE = 0.1
ADAM = {"learning_rate": 0.001, "decay": 1e-3, "epsilon": 1e-7, "beta_1": 0.9, "beta_2": 0.999}
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

Parameters = list[tuple[np.ndarray, np.ndarray]]


# --------------------------------------------------------------------------- data and weights

def load_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """(X_train, y_train, X_test, y_test, description): real Fashion-MNIST scaled to [-1, 1]
    and shuffled once, or random data of the same shapes when the archive is not found."""
    folder = os.environ.get("TENSORGRAD_DATA") or (SHARED_DATA if (SHARED_DATA / "fashion_mnist_images.zip").is_file() else None)
    if folder is not None:
        X_train, y_train, X_test, y_test = nn.load_fashion_mnist(folder)
        X_train, y_train = nn.shuffle(nn.scale_and_flatten(X_train), y_train.astype(np.int64), seed)
        return X_train, y_train, nn.scale_and_flatten(X_test), y_test.astype(np.int64), "Fashion-MNIST"
    rng = np.random.default_rng(seed)
    X_train = rng.uniform(-1, 1, (60_000, SIZES[0])).astype(np.float32)
    X_test = rng.uniform(-1, 1, (10_000, SIZES[0])).astype(np.float32)
    labels = (rng.integers(0, SIZES[-1], 60_000), rng.integers(0, SIZES[-1], 10_000))
    return X_train, labels[0], X_test, labels[1], "random data of Fashion-MNIST's shape (archive not found)"


def initial_parameters(sizes: Sequence[int], seed: int = 0, init: str = "book") -> Parameters:
    """float32 (weights, biases) per dense layer: book = 0.01 * N(0, 1), he = sqrt(2 / n_in) * N(0, 1)."""
    rng = np.random.default_rng(seed)
    parameters = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        scale = 0.01 if init == "book" else np.sqrt(2.0 / n_in)
        weights = (scale * rng.standard_normal((n_in, n_out))).astype(np.float32)
        parameters.append((weights, np.zeros((1, n_out), dtype=np.float32)))
    return parameters


def classes(outputs: np.ndarray) -> np.ndarray:
    """The predicted class of each row of logits or probabilities."""
    return np.argmax(outputs, axis=1)


# --------------------------------------------------------------------------- the contenders

def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """The book's softmax + CCE, forward and its combined backward (softmax(z) - onehot(y)) / n:
    (loss, predicted classes, dL/dlogits)."""
    exponentials = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    probabilities = exponentials / np.sum(exponentials, axis=1, keepdims=True)
    rows = np.arange(len(y))
    loss = float(np.mean(-np.log(np.clip(probabilities[rows, y], 1e-7, 1 - 1e-7))))
    predictions = classes(probabilities)
    dvalues = probabilities
    dvalues[rows, y] -= 1
    dvalues /= len(y)
    return loss, predictions, dvalues


class BookSGD:
    """The book's SGD: w += -lr * dw."""

    def __init__(self, learning_rate: float = SGD_RATE) -> None:
        self.learning_rate = learning_rate

    def update(self, parameters: Parameters, grads: Parameters) -> None:
        for (weights, biases), (dweights, dbiases) in zip(parameters, grads):
            weights += -self.learning_rate * dweights
            biases += -self.learning_rate * dbiases


class BookAdam:
    """The book's Adam, written as the book writes it (one temporary per expression):

    m = beta_1 m + (1 - beta_1) g;    m_hat = m / (1 - beta_1^t)
    c = beta_2 c + (1 - beta_2) g^2;  c_hat = c / (1 - beta_2^t)
    w += -lr * m_hat / (sqrt(c_hat) + epsilon),  lr = learning_rate / (1 + decay * iterations)
    """

    def __init__(self, parameters: Parameters, learning_rate: float, decay: float, epsilon: float,
                 beta_1: float, beta_2: float) -> None:
        self.learning_rate, self.decay, self.epsilon = learning_rate, decay, epsilon
        self.beta_1, self.beta_2 = beta_1, beta_2
        self.iterations = 0
        self.momentums = [np.zeros_like(array) for pair in parameters for array in pair]
        self.caches = [np.zeros_like(array) for pair in parameters for array in pair]

    def update(self, parameters: Parameters, grads: Parameters) -> None:
        rate = self.learning_rate * (1.0 / (1.0 + self.decay * self.iterations))
        t = self.iterations + 1
        arrays = [array for pair in parameters for array in pair]
        gradients = [grad for pair in grads for grad in pair]
        for i, (weights, grad) in enumerate(zip(arrays, gradients)):
            self.momentums[i] = self.beta_1 * self.momentums[i] + (1 - self.beta_1) * grad
            momentum_corrected = self.momentums[i] / (1 - self.beta_1 ** t)
            self.caches[i] = self.beta_2 * self.caches[i] + (1 - self.beta_2) * grad ** 2
            cache_corrected = self.caches[i] / (1 - self.beta_2 ** t)
            weights += -rate * momentum_corrected / (np.sqrt(cache_corrected) + self.epsilon)
        self.iterations += 1


class ReferenceMLP:
    """The book's network by hand: dense layers, ReLU, softmax + cross-entropy, analytic backward.

    backward of the combined softmax + CCE:  dz = (softmax(z) - onehot(y)) / n
    dense:  dW = x^T dz,  db = sum_rows(dz),  dx = dz W^T;   ReLU:  dx = dy * [x > 0]
    """

    def __init__(self, parameters: Parameters, optimizer: str) -> None:
        self.parameters = [(weights.copy(), biases.copy()) for weights, biases in parameters]
        self.optimizer = BookSGD() if optimizer == "sgd" else BookAdam(self.parameters, **ADAM)

    def step(self, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """One training step on a batch; returns (loss, predicted classes)."""
        inputs = []
        outputs = X
        for index, (weights, biases) in enumerate(self.parameters):
            if index:
                outputs = np.maximum(0, outputs)
            inputs.append(outputs)
            outputs = outputs @ weights + biases
        loss, predictions, dvalues = softmax_cross_entropy(outputs, y)
        grads = []
        for index in reversed(range(len(self.parameters))):
            weights = self.parameters[index][0]
            grads.append((inputs[index].T @ dvalues, np.sum(dvalues, axis=0, keepdims=True)))
            if index:
                dvalues = dvalues @ weights.T
                dvalues[inputs[index] <= 0] = 0
        self.optimizer.update(self.parameters, grads[::-1])
        return loss, predictions

    def train_epoch(self, X: np.ndarray, y: np.ndarray, batch_size: int = BATCH) -> float:
        """One pass over (X, y) in batches, in order; returns the pass's training accuracy."""
        correct = 0
        for start in range(0, len(X), batch_size):
            y_batch = y[start:start + batch_size]
            loss, predictions = self.step(X[start:start + batch_size], y_batch)
            correct += int(np.count_nonzero(predictions == y_batch))
        return correct / len(X)


class ExpressionMLP:
    """tensorgrad written as plain expressions and a hand-written loop, with nn.SGD.

    `probabilities=True` takes the loss as categorical_cross_entropy(softmax(z)), the book's
    two separate steps, instead of cross_entropy(z) through log_softmax (what Model uses).
    """

    def __init__(self, parameters: Parameters, probabilities: bool = False) -> None:
        self.parameters = [(Tensor(w.copy(), requires_grad=True), Tensor(b.copy(), requires_grad=True))
                           for w, b in parameters]
        self.optimizer = nn.SGD([p for pair in self.parameters for p in pair], learning_rate=SGD_RATE)
        self.probabilities = probabilities

    def step(self, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        outputs = Tensor(X)
        for index, (weights, biases) in enumerate(self.parameters):
            if index:
                outputs = functional.relu(outputs)
            outputs = outputs @ weights + biases
        if self.probabilities:
            loss = functional.categorical_cross_entropy(functional.softmax(outputs), y)
        else:
            loss = functional.cross_entropy(outputs, y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item(), classes(outputs.data)

    train_epoch = ReferenceMLP.train_epoch


class ModelMLP:
    """nn.Model as a user builds it; an epoch is one `Model.train` call (in order, silent)."""

    def __init__(self, parameters: Parameters, optimizer: str) -> None:
        self.model = nn.Model()
        for index, (weights, biases) in enumerate(parameters):
            dense = nn.Dense(*weights.shape)
            np.copyto(dense.weights.data, weights)
            np.copyto(dense.biases.data, biases)
            self.model.add(dense)
            self.model.add(nn.ReLU() if index < len(parameters) - 1 else nn.Softmax())
        chosen = nn.SGD(learning_rate=SGD_RATE) if optimizer == "sgd" else nn.Adam(**ADAM)
        self.model.set(loss=nn.CategoricalCrossEntropy(), optimizer=chosen, accuracy=nn.CategoricalAccuracy())
        self.model.finalize()

    def train_epoch(self, X: np.ndarray, y: np.ndarray, batch_size: int = BATCH) -> float:
        history = self.model.train(X, y, epochs=1, batch_size=batch_size, shuffle=False, verbose=False)
        return history["accuracy"][-1]


class TorchMLP:
    """The same network in PyTorch: Linear/ReLU, F.cross_entropy, torch.optim (Adam without
    the book's decay schedule: one scheduler call per step would only add to its time)."""

    def __init__(self, parameters: Parameters, optimizer: str) -> None:
        layers = []
        for index, (weights, biases) in enumerate(parameters):
            if index:
                layers.append(torch.nn.ReLU())
            linear = torch.nn.Linear(*weights.shape)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(weights.T))
                linear.bias.copy_(torch.from_numpy(biases[0]))
            layers.append(linear)
        self.network = torch.nn.Sequential(*layers)
        if optimizer == "sgd":
            self.optimizer = torch.optim.SGD(self.network.parameters(), lr=SGD_RATE)
        else:
            self.optimizer = torch.optim.Adam(self.network.parameters(), lr=ADAM["learning_rate"],
                                              betas=(ADAM["beta_1"], ADAM["beta_2"]), eps=ADAM["epsilon"])

    def step(self, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        logits = self.network(torch.from_numpy(X))
        loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(y))
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item(), classes(logits.detach().numpy())

    train_epoch = ReferenceMLP.train_epoch


# --------------------------------------------------------------------------- measuring

class Timings:
    """Wall and CPU seconds of each contender in every round, and its last run's result."""

    def __init__(self, names: list[str]) -> None:
        self.wall: dict[str, list[float]] = {name: [] for name in names}
        self.cpu: dict[str, list[float]] = {name: [] for name in names}
        self.result: dict[str, float] = {}

    def median(self, name: str, kind: str = "wall") -> float:
        return statistics.median(getattr(self, kind)[name])

    def ratio(self, name: str, other: str) -> float:
        """The median over rounds of name's time / other's time in the same round: a paired
        ratio, so a burst of load on a shared machine hits both sides of each quotient."""
        return statistics.median(a / b for a, b in zip(self.wall[name], self.wall[other]))


def interleaved(runs: dict[str, Callable[[], float]], rounds: int) -> Timings:
    """Time every run once per round, for `rounds` rounds; in round r the runs start at the
    r-th one, so none always goes first. One untimed warm-up run each."""
    names = list(runs)
    timings = Timings(names)
    timings.result = {name: runs[name]() for name in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            gc.collect()
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            timings.result[name] = runs[name]()
            timings.wall[name].append(time.perf_counter() - wall_start)
            timings.cpu[name].append(time.process_time() - cpu_start)
    return timings


def peak_memory(run: Callable[[], float]) -> int:
    """Bytes: the tracemalloc peak of what `run` allocates (NumPy arrays included)."""
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def rss_peak_mib() -> float:
    """The process's peak resident set so far (Linux reports KiB)."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def contenders(parameters: Parameters, optimizer: str, expression: bool) -> dict[str, object]:
    found: dict[str, object] = {f"reference NumPy, book's {'SGD' if optimizer == 'sgd' else 'Adam'}":
                                ReferenceMLP(parameters, optimizer)}
    if expression:
        found["tensorgrad expression loop, cross_entropy (log_softmax)"] = ExpressionMLP(parameters)
        found["tensorgrad expression loop, softmax then CCE"] = ExpressionMLP(parameters, probabilities=True)
    found[f"tensorgrad Model.train, {'SGD' if optimizer == 'sgd' else 'Adam'}"] = ModelMLP(parameters, optimizer)
    if torch is not None:
        found[f"PyTorch {torch.__version__}, {'SGD' if optimizer == 'sgd' else 'Adam'}"] = TorchMLP(parameters, optimizer)
    return found


def timing_table(title: str, found: dict[str, object], X: np.ndarray, y: np.ndarray, rounds: int) -> Timings:
    """Print one table of ms per step (medians) and paired ratios to the reference."""
    steps = -(-len(X) // BATCH)
    timings = interleaved({name: (lambda trainer=trainer: trainer.train_epoch(X, y)) for name, trainer in found.items()},
                          rounds)
    reference = next(iter(found))
    print(f"\n### {title}: {steps} steps of {BATCH} per run, {rounds} interleaved rounds\n")
    print("| contender | wall ms/step (median) | CPU ms/step (median) | ratio to reference (paired median) "
          "| last run's train accuracy |")
    print("|---|---:|---:|---:|---:|")
    for name in found:
        print(f"| {name} | {1e3 * timings.median(name) / steps:.2f} | {1e3 * timings.median(name, 'cpu') / steps:.2f} "
              f"| {timings.ratio(name, reference):.2f}x | {timings.result[name]:.3f} |")
    return timings


def memory_table(parameters: Parameters, X: np.ndarray, y: np.ndarray) -> dict[str, int]:
    """Print the tracemalloc peak of one epoch for each NumPy-based contender."""
    peaks = {}
    for optimizer in ("sgd", "adam"):
        for name, trainer in contenders(parameters, optimizer, expression=optimizer == "sgd").items():
            if not name.startswith("PyTorch"):
                peaks[name] = peak_memory(lambda: trainer.train_epoch(X, y))
    print(f"\n### Peak memory of one epoch ({len(X):,} samples), tracemalloc\n")
    print("| contender | peak MiB | ratio to its reference |")
    print("|---|---:|---:|")
    reference = None
    for name, peak in peaks.items():
        reference = peak if name.startswith("reference") else reference
        print(f"| {name} | {peak / 2**20:.2f} | {peak / reference:.2f}x |")
    return peaks


def full_run(X: np.ndarray, y: np.ndarray, X_test: np.ndarray, y_test: np.ndarray) -> None:
    """The book's recipe through Model.train, 10 epochs (shuffled each epoch), then the test set."""
    trainer = ModelMLP(initial_parameters(SIZES), "adam")
    start = time.perf_counter()
    trainer.model.train(X, y, epochs=10, batch_size=BATCH, verbose=False)
    seconds = time.perf_counter() - start
    loss, accuracy = trainer.model.evaluate(X_test, y_test, batch_size=BATCH)
    print("\n### One full run: Model.train, Adam, 10 epochs of Fashion-MNIST\n")
    print("| wall s | s/epoch | test loss | test accuracy |")
    print("|---:|---:|---:|---:|")
    print(f"| {seconds:.1f} | {seconds / 10:.2f} | {loss:.3f} | {accuracy:.4f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21, help="interleaved rounds of the step table")
    parser.add_argument("--steps", type=int, default=30, help="training steps per round in the step table")
    parser.add_argument("--epoch-rounds", type=int, default=5, help="interleaved rounds of the epoch table (0 skips it)")
    parser.add_argument("--full", action="store_true", help="add one 10-epoch Fashion-MNIST run (real data only)")
    args = parser.parse_args()
    for name in ("rounds", "steps"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(args, name)}")
    if torch is not None:
        torch.set_num_threads(THREADS)

    X, y, X_test, y_test, source = load_data()
    parameters = initial_parameters(SIZES)
    # Importing PyTorch leaves ~140,000 objects that every full collection (triggered by
    # tensorgrad's graph objects) would rescan; a tensorgrad-only process has ~30,000.
    # Freezing what is alive now takes them all out of the collector's scans, for everyone.
    gc.freeze()
    print(f"## MLP 784-128-128-10, batch {BATCH}, float32, {source}; BLAS and PyTorch threads: {THREADS}")
    rows = args.steps * BATCH
    sgd = timing_table("SGD step", contenders(parameters, "sgd", expression=True), X[:rows], y[:rows], args.rounds)
    adam = None
    if args.epoch_rounds:
        adam = timing_table("A full epoch with Adam", contenders(parameters, "adam", expression=False),
                            X, y, args.epoch_rounds)
    peaks = memory_table(parameters, X, y)

    print("\n### Targets (paired ratios from this run)\n")
    print("| measure | ratio | target |")
    print("|---|---:|---:|")
    names = list(sgd.wall)
    print(f"| SGD step, expression loop / reference | {sgd.ratio(names[1], names[0]):.2f}x | <= 1.05x |")
    print(f"| SGD step, Model.train / reference | {sgd.ratio(names[3], names[0]):.2f}x | <= 1.05x |")
    if adam:
        names = list(adam.wall)
        print(f"| Adam epoch, Model.train / reference | {adam.ratio(names[1], names[0]):.2f}x | <= 0.95x |")
        if torch is not None:
            print(f"| Adam epoch, Model.train / PyTorch | {adam.ratio(names[1], names[2]):.2f}x | <= 0.85x |")
    names = list(peaks)
    print(f"| peak memory, Model.train Adam / reference Adam | {peaks[names[-1]] / peaks[names[-2]]:.2f}x | <= 1.20x |")
    if torch is None:
        print("\n(PyTorch is not installed: no comparison.)")

    if args.full:
        if source == "Fashion-MNIST":
            full_run(X, y, X_test, y_test)
        else:
            print("\n(--full: the Fashion-MNIST archive was not found, so no full run.)")
    print(f"\nPeak resident memory of this process: {rss_peak_mib():.0f} MiB.")


if __name__ == "__main__":
    main()
