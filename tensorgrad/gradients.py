"""tensorgrad.grad: gradients of outputs with respect to chosen inputs, without touching `.grad`."""
from __future__ import annotations

from typing import Any
from collections.abc import Sequence

import numpy as np

from .autograd import gradients_of
from .tensor import Tensor


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """d(outputs)/d(inputs) as Tensors. With create_graph=True the result has a graph of its
    own, so it can be differentiated again (Hessian-vector products, gradient penalties)."""
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, (Tensor, np.ndarray)):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(outputs)} outputs but {len(grad_outputs)} grad_outputs")
    seeds = []
    for i, (out, seed) in enumerate(zip(outputs, grad_outputs, strict=False)):
        if not out.requires_grad:
            raise RuntimeError(f"grad: output {i} does not require grad and has no graph")
        if seed is None:
            if out.size != 1:
                raise RuntimeError(f"grad: output {i} has shape {out.shape}; pass grad_outputs for non-scalar outputs")
            seed = np.ones_like(out.data)
        if not (create_graph and isinstance(seed, Tensor)):  # a recorded seed stays in the graph
            seed = seed.data if isinstance(seed, Tensor) else np.asarray(seed, dtype=out.dtype)
        if seed.shape != out.shape:
            raise ValueError(f"grad: grad_outputs[{i}] must have shape {out.shape}, got {seed.shape}")
        if create_graph and not isinstance(seed, Tensor):  # the recorded backward starts from Tensors
            seed = Tensor._make(seed, None)
        seeds.append(seed)
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    retain = create_graph if retain_graph is None else retain_graph
    found = gradients_of(outputs, seeds, inputs, retain_graph=retain, create_graph=create_graph)
    results = []
    for i, (_x, g) in enumerate(zip(inputs, found, strict=False)):
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} was not used to compute the outputs (pass allow_unused=True)")
        if g is not None and not isinstance(g, Tensor):
            g = Tensor._make(g, None)
        results.append(g)
    return tuple(results)
