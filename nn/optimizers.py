"""The book's optimizers: SGD (with momentum), Adagrad, RMSprop, Adam.

Each works inside `Model` (which hands over its parameters through `set_parameters`) and
on its own: `opt = nn.Adam(model.parameters()); opt.zero_grad(); loss.backward(); opt.step()`.

Every step follows the book's three phases: pre_update_params (learning-rate decay),
an update of each parameter that has a gradient, post_update_params (iterations += 1).
Both habits work and give bit-identical weights:

    optimizer.step()                   # PyTorch: all three phases, every parameter

    optimizer.pre_update_params()      # the book: the phases one by one,
    optimizer.update_params(dense1)    # one layer at a time
    optimizer.update_params(dense2)
    optimizer.post_update_params()

Between pre_update_params and post_update_params, step() only updates (it does not decay
or count a second time), so pre / step / post counts one iteration too.
Updates run in place on `param.data`. Adagrad, RMSprop and Adam work with `out=` in
buffers allocated once, so their steps allocate no arrays; SGD's `w -= lr * g` takes one
fresh temporary per parameter instead, measured faster than a kept scratch array (the
allocator hands back memory still in the cache; benchmarks/NOTES.md).
"""
from __future__ import annotations

import math
from typing import Any
from collections.abc import Callable, Iterable

import numpy as np

from tensorgrad import Tensor

from .checks import check_integer, check_number


MAX_ITERATIONS = 2**63 - 1  # more steps than any run takes; beyond, float arithmetic overflows


class Optimizer:
    """Base class: learning-rate decay, parameter bookkeeping, state export.

    current_learning_rate = learning_rate / (1 + decay * iterations)

    Subclasses name their per-parameter state arrays in `buffer_names` and define
    `update(parameter, grad, buffers, scratch)`.
    """

    buffer_names: tuple[str, ...] = ()
    uses_scratch = True  # whether update() needs a work array per parameter

    def __init__(self, params: Iterable[Tensor] | None = None, *, learning_rate: float, decay: float = 0.0) -> None:
        if isinstance(params, (int, float)):
            raise TypeError(
                f"params must be an iterable of Tensors or None, got the number {params!r}; "
                f"pass the learning rate by keyword: {type(self).__name__}(learning_rate={params!r})"
            )
        self.learning_rate = check_number("learning_rate", learning_rate, above=0)
        self.decay = check_number("decay", decay, at_least=0)
        self.current_learning_rate = self.learning_rate
        self.iterations = 0
        self._updating = False  # True between pre_update_params and post_update_params
        self.set_parameters([] if params is None else params)

    def set_parameters(self, params: Iterable[Tensor]) -> None:
        """Take the parameters to update (each once) and allocate their zeroed buffers."""
        unique: dict[int, Tensor] = {}
        for index, parameter in enumerate(params):
            if not isinstance(parameter, Tensor):
                raise TypeError(
                    f"params[{index}] must be a Tensor, got {type(parameter).__name__} "
                    f"(pass model.parameters(), not the model)"
                )
            unique.setdefault(id(parameter), parameter)
        self.params: list[Tensor] = []
        self.buffers: dict[str, list[np.ndarray]] = {name: [] for name in self.buffer_names}
        # per parameter: (its buffers in buffer_names order, a scratch array); built once, not per step
        self._work: list[tuple[list[np.ndarray], np.ndarray | None]] = []
        self._index: dict[int, int] = {}
        for parameter in unique.values():
            self._add_parameter(parameter)

    def _add_parameter(self, parameter: Tensor) -> int:
        """Register one more parameter with zeroed buffers; returns its index."""
        index = len(self.params)
        self.params.append(parameter)
        self._index[id(parameter)] = index
        for name in self.buffer_names:
            self.buffers[name].append(np.zeros_like(parameter.data))
        self._work.append(([self.buffers[name][index] for name in self.buffer_names],
                           np.empty_like(parameter.data) if self.uses_scratch else None))
        return index

    def zero_grad(self) -> None:
        """Forget every parameter's gradient."""
        for parameter in self.params:
            parameter.grad = None

    def pre_update_params(self) -> None:
        """The book's first phase: decay the learning rate,
        current_learning_rate = learning_rate / (1 + decay * iterations)."""
        if self.decay:
            self.current_learning_rate = self.learning_rate * (1.0 / (1.0 + self.decay * self.iterations))
        self._updating = True

    def update_params(self, layer: Any) -> None:
        """The book's second phase for one layer: update each of its parameters.

        `layer` is any Module (its parameters with a `.grad` are updated) or an object
        with `parameter_gradients()` yielding (parameter Tensor, gradient array) pairs, as
        the `nn.book` layers do with their `dweights` and `dbiases`. A parameter seen for
        the first time gets zeroed buffers, as the book creates `weight_cache` on first use.
        Call it between `pre_update_params()` and `post_update_params()`.
        """
        if not self._updating:
            raise RuntimeError(
                f"{type(self).__name__}.update_params: call pre_update_params() first (and "
                f"post_update_params() after the last layer), as in the book"
            )
        for parameter, grad in _parameter_gradients(layer):
            index = self._index.get(id(parameter))
            if index is None:
                index = self._add_parameter(parameter)
            buffers, scratch = self._work[index]
            self.update(parameter.data, grad, buffers, scratch)

    def post_update_params(self) -> None:
        """The book's last phase: count the step (iterations += 1)."""
        self.iterations += 1
        self._updating = False

    def step(self) -> None:
        """One update of every parameter that has a gradient (those without are skipped).

        Outside the book's phases it runs all three (pre_update_params, the updates,
        post_update_params); called between pre_update_params and post_update_params it
        only updates, so the iteration is counted once either way.
        """
        inside = self._updating
        if not inside:
            self.pre_update_params()
        for parameter, (buffers, scratch) in zip(self.params, self._work, strict=False):
            grad = parameter.grad
            if grad is not None:
                self.update(parameter.data, grad, buffers, scratch)
        if not inside:
            self.post_update_params()

    def update(self, weights: np.ndarray, grad: np.ndarray, buffers: list[np.ndarray],
               scratch: np.ndarray | None) -> None:
        """Change `weights` in place; `buffers` are this parameter's state arrays (in
        `buffer_names` order) and `scratch` a work array of the same shape (None unless
        `uses_scratch`)."""
        raise NotImplementedError(f"{type(self).__name__} must define update()")

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        """Everything a resumed run needs: the step count, the decayed rate and copies of
        the buffers (one array per parameter, in parameter order)."""
        return {
            "iterations": self.iterations,
            "current_learning_rate": self.current_learning_rate,
            "buffers": {name: [array.copy() for array in arrays] for name, arrays in self.buffers.items()},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a `state_dict()`; refuses (changing nothing) unless the keys, buffer
        names, counts and shapes match this optimizer and its parameters."""
        problems = []
        if set(state) != {"iterations", "current_learning_rate", "buffers"}:
            problems.append(f"keys: expected ['buffers', 'current_learning_rate', 'iterations'], got {sorted(state)}")
        else:
            buffers = state["buffers"]
            if not isinstance(buffers, dict) or set(buffers) != set(self.buffer_names):
                found = sorted(buffers) if isinstance(buffers, dict) else type(buffers).__name__
                problems.append(f"buffers: expected names {sorted(self.buffer_names)}, got {found}")
            else:
                for name in self.buffer_names:
                    problems += _buffer_problems(name, buffers[name], self.buffers[name])
            problems += _refusal(check_integer, "iterations", state["iterations"], minimum=0, maximum=MAX_ITERATIONS)
            problems += _refusal(check_number, "current_learning_rate", state["current_learning_rate"], above=0)
        if problems:
            raise ValueError(f"{type(self).__name__}.load_state_dict refused: " + "; ".join(problems))
        self.iterations = int(state["iterations"])
        self.current_learning_rate = float(state["current_learning_rate"])
        for name in self.buffer_names:
            for target, source in zip(self.buffers[name], state["buffers"][name], strict=False):
                np.copyto(target, source)

    def get_config(self) -> dict[str, Any]:
        """The constructor's hyper-parameters (not the parameters): `type(o)(**o.get_config())`."""
        return {"learning_rate": self.learning_rate, "decay": self.decay}

    def __repr__(self) -> str:
        arguments = ", ".join(f"{name}={value!r}" for name, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


def _refusal(check: Callable[..., Any], *arguments: Any, **bounds: Any) -> list[str]:
    """What `check(*arguments, **bounds)` refuses, as a list of messages (none if it passes)."""
    try:
        check(*arguments, **bounds)
    except (TypeError, ValueError) as error:
        return [str(error)]
    return []


def _parameter_gradients(layer: Any) -> list[tuple[Tensor, np.ndarray]]:
    """(parameter, gradient) pairs of a layer, for update_params."""
    pairs = getattr(layer, "parameter_gradients", None)
    if callable(pairs):
        return [(parameter, grad) for parameter, grad in pairs() if grad is not None]
    parameters = getattr(layer, "parameters", None)
    if callable(parameters):
        return [(parameter, parameter.grad) for parameter in parameters() if parameter.grad is not None]
    raise TypeError(
        f"update_params expects a layer (a Module, or an nn.book layer), got {type(layer).__name__}"
    )


def _buffer_problems(name: str, given: Any, expected: list[np.ndarray]) -> list[str]:
    if not isinstance(given, (list, tuple)) or len(given) != len(expected):
        count = len(given) if isinstance(given, (list, tuple)) else type(given).__name__
        return [f"buffers[{name!r}]: expected a list of {len(expected)} arrays (one per parameter), got {count}"]
    return [
        f"buffers[{name!r}][{index}]: expected an ndarray of shape {target.shape}, got "
        f"{getattr(source, 'shape', type(source).__name__)}"
        for index, (source, target) in enumerate(zip(given, expected, strict=False))
        if not isinstance(source, np.ndarray) or source.shape != target.shape
    ]


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (lr = current_learning_rate).

    without momentum:  w <- w - lr * g
    with momentum:     m <- momentum * m - lr * g;   w <- w + m
    """

    uses_scratch = False  # lr * g goes to a fresh temporary (see the module's docstring)

    def __init__(
        self, params: Iterable[Tensor] | None = None, *, learning_rate: float = 1.0, decay: float = 0.0,
        momentum: float = 0.0,
    ) -> None:
        self.momentum = check_number("momentum", momentum, at_least=0, below=1)
        self.buffer_names = ("momentums",) if self.momentum else ()
        super().__init__(params, learning_rate=learning_rate, decay=decay)

    def update(self, weights, grad, buffers, scratch) -> None:
        step = grad * self.current_learning_rate
        if not self.momentum:
            weights -= step
            return
        (momentums,) = buffers
        momentums *= self.momentum
        momentums -= step
        weights += momentums

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum}


class Adagrad(Optimizer):
    """Adaptive gradient: each weight's step shrinks with its own history of gradients.

    cache <- cache + g^2
    w     <- w - lr * g / (sqrt(cache) + epsilon)
    """

    buffer_names = ("cache",)

    def __init__(
        self, params: Iterable[Tensor] | None = None, *, learning_rate: float = 1.0, decay: float = 0.0,
        epsilon: float = 1e-7,
    ) -> None:
        self.epsilon = check_number("epsilon", epsilon, above=0)
        super().__init__(params, learning_rate=learning_rate, decay=decay)

    def update(self, weights, grad, buffers, scratch) -> None:
        (cache,) = buffers
        np.square(grad, out=scratch)
        cache += scratch
        _descend(weights, grad, cache, self.epsilon, self.current_learning_rate, scratch)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "epsilon": self.epsilon}


class RMSprop(Optimizer):
    """Root mean square propagation: Adagrad with a moving average of g^2 instead of a sum.

    cache <- rho * cache + (1 - rho) * g^2
    w     <- w - lr * g / (sqrt(cache) + epsilon)
    """

    buffer_names = ("cache",)

    def __init__(
        self, params: Iterable[Tensor] | None = None, *, learning_rate: float = 0.001, decay: float = 0.0,
        epsilon: float = 1e-7, rho: float = 0.9,
    ) -> None:
        self.epsilon = check_number("epsilon", epsilon, above=0)
        self.rho = check_number("rho", rho, at_least=0, below=1)
        super().__init__(params, learning_rate=learning_rate, decay=decay)

    def update(self, weights, grad, buffers, scratch) -> None:
        (cache,) = buffers
        cache *= self.rho
        np.square(grad, out=scratch)
        scratch *= 1 - self.rho
        cache += scratch
        _descend(weights, grad, cache, self.epsilon, self.current_learning_rate, scratch)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "epsilon": self.epsilon, "rho": self.rho}


class Adam(Optimizer):
    """Adaptive moment estimation: RMSprop on a momentum, both bias-corrected (t = iterations + 1).

    m <- beta_1 * m + (1 - beta_1) * g;        m_hat = m / (1 - beta_1^t)
    v <- beta_2 * v + (1 - beta_2) * g^2;      v_hat = v / (1 - beta_2^t)
    w <- w - lr * m_hat / (sqrt(v_hat) + epsilon)
    """

    buffer_names = ("momentums", "cache")

    def __init__(
        self, params: Iterable[Tensor] | None = None, *, learning_rate: float = 0.001, decay: float = 0.0,
        epsilon: float = 1e-7, beta_1: float = 0.9, beta_2: float = 0.999,
    ) -> None:
        self.epsilon = check_number("epsilon", epsilon, above=0)
        self.beta_1 = check_number("beta_1", beta_1, at_least=0, below=1)
        self.beta_2 = check_number("beta_2", beta_2, at_least=0, below=1)
        super().__init__(params, learning_rate=learning_rate, decay=decay)

    def update(self, weights, grad, buffers, scratch) -> None:
        momentums, cache = buffers
        t = self.iterations + 1
        momentums *= self.beta_1
        np.multiply(grad, 1 - self.beta_1, out=scratch)
        momentums += scratch
        cache *= self.beta_2
        np.square(grad, out=scratch)
        scratch *= 1 - self.beta_2
        cache += scratch
        # lr * m_hat / (sqrt(v_hat) + eps) with v_hat = v / c2 equals
        # (lr * sqrt(c2) / c1) * m / (sqrt(v) + eps * sqrt(c2)): one pass over v fewer
        root_c2 = math.sqrt(1 - self.beta_2 ** t)
        np.sqrt(cache, out=scratch)
        scratch += self.epsilon * root_c2
        np.divide(momentums, scratch, out=scratch)
        scratch *= self.current_learning_rate * root_c2 / (1 - self.beta_1 ** t)
        weights -= scratch

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "epsilon": self.epsilon, "beta_1": self.beta_1, "beta_2": self.beta_2}


def _descend(weights: np.ndarray, grad: np.ndarray, cache: np.ndarray, epsilon: float,
             learning_rate: float, scratch: np.ndarray) -> None:
    """w <- w - learning_rate * g / (sqrt(cache) + epsilon), using only `scratch`."""
    np.sqrt(cache, out=scratch)
    scratch += epsilon
    np.divide(grad, scratch, out=scratch)
    scratch *= learning_rate
    weights -= scratch
