"""The book's losses as thin modules over tensorgrad.functional, plus the regularization
penalty that layers offer (Dense: L1/L2).

`loss(predictions, targets)` is the mean data loss (a scalar Tensor); the training loop
adds `loss.regularization_loss(model)` and runs backward on the sum, reporting both parts.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Callable, Iterable

from tensorgrad import Tensor, functional
from tensorgrad.tensor import as_tensor

from .module import Module


class Loss(Module):
    """Base class: a subclass names its per-sample loss function in `function`."""

    function: Callable[..., Tensor]

    def forward(self, predictions: Any, targets: Any) -> Tensor:
        """Mean of the per-sample losses."""
        return self.function(as_tensor(predictions), targets, reduction="mean")

    def sample_losses(self, predictions: Any, targets: Any) -> Tensor:
        """One loss per sample, shape (n,)."""
        return self.function(as_tensor(predictions), targets, reduction="none")

    def regularization_loss(self, model_or_layers: Module | Iterable[Module]) -> Tensor:
        """The sum of the `regularization_penalty()` of every module found (each once) in
        a model or a list of modules: for Dense, the book's

        l1_w * sum|w| + l2_w * sum w^2 + l1_b * sum|b| + l2_b * sum b^2

        and whatever a layer of yours offers. A zero Tensor (no graph) when none has one.
        """
        roots = [model_or_layers] if isinstance(model_or_layers, Module) else list(model_or_layers)
        modules: dict[int, Module] = {}
        for root in roots:
            if not isinstance(root, Module):
                raise TypeError(f"model_or_layers: expected Modules, got {type(root).__name__}")
            modules.update((id(m), m) for m in root.modules())
        total = None
        for module in modules.values():
            penalty = module.regularization_penalty()
            if penalty is not None:
                total = penalty if total is None else total + penalty
        return Tensor(0.0) if total is None else total


class CategoricalCrossEntropy(Loss):
    """-log(p[true class]) per sample; targets are integer labels (n,) or one-hot (n, classes).

    Predictions are probabilities (after Softmax), clipped to [1e-7, 1 - 1e-7] as in the book.
    """

    function = staticmethod(functional.categorical_cross_entropy)


class BinaryCrossEntropy(Loss):
    """-(y log p + (1 - y) log(1 - p)), averaged over the outputs of each sample."""

    function = staticmethod(functional.binary_cross_entropy)


class MeanSquaredError(Loss):
    """mean((y - p)^2) over the outputs of each sample (L2 loss, for regression)."""

    function = staticmethod(functional.mse)


class MeanAbsoluteError(Loss):
    """mean(|y - p|) over the outputs of each sample (L1 loss, for regression)."""

    function = staticmethod(functional.mae)
