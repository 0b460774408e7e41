"""Primitive ops: a table of derivatives, one section per file.

Each op is a `Function` with its math in the docstring, `forward` on ndarrays and
`backward` right below it. A backward rule gets the upstream gradient `grad` (dL/dz) and
returns dL/d(input) for every input, as if no broadcasting had happened: the engine sums
broadcast axes away in `unbroadcast`, the one place that does it.

Rules use only operations that ndarrays and Tensors share, plus `call(Op, x, ...)`, so
the same rule runs on plain arrays (fast) or records itself (create_graph=True); see
`autograd.Function`. Masks of comparisons are constants: their derivative is zero almost
everywhere.
"""
from ..autograd import Function
from .arithmetic import Add, Div, Mod, Mul, Neg, Pow, Sub
from .elementwise import Abs, Clip, Exp, Expm1, Log, Log1p, Maximum, Minimum, Where, exp
from .linalg import MatMul
from .reductions import LogSumExp, Max, Mean, Min, Sum
from .rounding import Ceil, Floor, Round, Sign, Trunc
from .scans import Cumprod, Cumsum
from .shapes import BroadcastTo, Concatenate, GetItem, Reshape, ScatterAdd, Transpose
from .special import Erf
from .trigonometric import Arccos, Arcsin, Arctan, Cos, Cosh, Sin, Sinh, Tan
from .windows import FoldWindows, Pad, SlidingWindows

PRIMITIVES: tuple[type[Function], ...] = (
    Add, Sub, Mul, Div, Mod, Neg, Pow,
    Exp, Log, Log1p, Expm1, Abs, Clip, Maximum, Minimum, Where,
    Sin, Cos, Tan, Arcsin, Arccos, Arctan, Sinh, Cosh,
    Erf,
    Sign, Floor, Ceil, Round, Trunc,
    Sum, Mean, Max, Min, LogSumExp,
    Cumsum, Cumprod,
    Reshape, Transpose, BroadcastTo, GetItem, ScatterAdd, Concatenate,
    MatMul,
    Pad, SlidingWindows, FoldWindows,
)
"""Every primitive op, so tests can check that each one is covered."""

__all__ = [op.__name__ for op in PRIMITIVES] + ["PRIMITIVES", "exp"]
