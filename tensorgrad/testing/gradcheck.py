"""gradcheck and gradgradcheck: autograd against central differences, in float64.

For a function f and a fixed random projection v of its output, L = sum(v * f(x)).
Autograd gives dL/dx in one backward pass with v as the upstream gradient (so an infinite
output of an empty input, such as the logsumexp of nothing, is never summed); the central difference
(L(x + eps e_i) - L(x - eps e_i)) / (2 eps) estimates each element of it with an error
of order eps^2. Both must agree within `atol + rtol * |numerical|`.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Callable

import numpy as np

from ..autograd import gradients_of
from ..tensor import Tensor


class GradcheckError(AssertionError):
    """Autograd and finite differences disagree; the message names input and element."""


def _prepare(inputs: tuple) -> tuple[list[Any], list[int]]:
    """float64 copies of the tensors that require grad; everything else passes unchanged."""
    prepared, checked = [], []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad:
            prepared.append(Tensor(x.data.astype(np.float64, copy=True), requires_grad=True))
            checked.append(i)
        else:
            prepared.append(x)
    if not checked:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    return prepared, checked


def _output(fn: Callable, inputs: list[Any]) -> Tensor:
    out = fn(*inputs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    return out


def _projection(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """v: magnitudes in [0.5, 1.5] with random signs, so no output's error can hide."""
    projection = np.random.default_rng(seed).uniform(0.5, 1.5, size=shape)
    return projection * np.random.default_rng(seed + 1).choice([-1.0, 1.0], size=shape)


def gradcheck(
    fn: Callable[..., Tensor], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0
) -> bool:
    """Check the gradient of `fn` with respect to every input Tensor that requires grad.

    Returns True, or raises GradcheckError naming the input, the worst element, the
    analytic and the numerical value.
    """
    prepared, checked = _prepare(inputs)
    out = _output(fn, prepared)
    projection = _projection(out.shape, seed)
    wrt = [prepared[i] for i in checked]
    analytic = gradients_of([out], [projection], wrt) if out.requires_grad else [None] * len(wrt)
    for position, tensor, grad in zip(checked, wrt, analytic, strict=False):
        grad = (np.zeros_like(tensor.data) if grad is None
                else np.asarray(grad.data if isinstance(grad, Tensor) else grad))
        numerical = np.zeros_like(tensor.data)
        flat = tensor.data.reshape(-1)  # a view: nudging it nudges the input
        numerical_flat = numerical.reshape(-1)
        for k in range(flat.size):
            original = flat[k]
            flat[k] = original + eps
            plus = np.sum(_output(fn, prepared).data * projection)
            flat[k] = original - eps
            minus = np.sum(_output(fn, prepared).data * projection)
            flat[k] = original
            numerical_flat[k] = (plus - minus) / (2 * eps)
        error = np.abs(grad - numerical) - (atol + rtol * np.abs(numerical))
        if not (np.all(error <= 0) and np.all(np.isfinite(grad))):  # a NaN on either side fails too
            worst = np.unravel_index(np.argmax(np.where(np.isfinite(error), error, np.inf)), error.shape)
            raise GradcheckError(
                f"gradcheck: input {position} (shape {tensor.shape}), element {tuple(int(i) for i in worst)}: "
                f"autograd gives {grad[worst]!r}, central differences give {numerical[worst]!r} "
                f"(atol={atol}, rtol={rtol}, eps={eps})"
            )
    return True


def gradgradcheck(
    fn: Callable[..., Tensor], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0
) -> bool:
    """Check second derivatives: gradcheck of the (recorded) first gradient of `fn`."""
    prepared, checked = _prepare(inputs)

    def first_gradients(*args: Any) -> Tensor:
        out = _output(fn, list(args))
        wrt = [args[i] for i in checked]
        grads = gradients_of([out], [Tensor(_projection(out.shape, seed))], wrt, retain_graph=True, create_graph=True)
        parts = [g.reshape(-1) if g is not None else Tensor(np.zeros(args[i].size))
                 for g, i in zip(grads, checked, strict=False)]
        from ..functional import concatenate

        return concatenate(parts)

    return gradcheck(first_gradients, *prepared, eps=eps, atol=atol, rtol=rtol, seed=seed + 7)
