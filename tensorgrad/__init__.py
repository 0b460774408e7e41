"""tensorgrad: an autograd engine on NumPy. `Tensor` records, `backward()` differentiates."""
from .autograd import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .tensor import Tensor, as_tensor
from .functional import concatenate, maximum, minimum, stack, where
from .functional import arange, eye, full, full_like, linspace, one_hot, ones, ones_like, rand, randn, zeros, zeros_like
from .gradients import grad
from .testing import gradcheck, gradgradcheck
from .viz import draw_graph
from .explain import explain
from . import functional, ops, testing

__all__ = [
    "Tensor", "tensor", "as_tensor", "grad", "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly",
    "gradcheck", "gradgradcheck", "draw_graph", "explain", "maximum", "minimum", "where", "concatenate", "stack",
    "zeros", "ones", "full", "zeros_like", "ones_like", "full_like", "eye", "arange", "linspace", "rand", "randn",
    "one_hot", "functional", "ops", "testing",
]


def tensor(data, requires_grad: bool = False, dtype=None, name: str | None = None) -> Tensor:
    """Shorthand for `Tensor(...)`, as in PyTorch."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)
