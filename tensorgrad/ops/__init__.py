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
from .arithmetic import Add, Div, Mul, Neg, Pow, Sub
from .elementwise import Abs, Clip, Exp, Log, Maximum, Minimum, Where, exp
from .linalg import MatMul
from .reductions import LogSumExp, Max, Sum
from .shapes import BroadcastTo, Concatenate, GetItem, Reshape, ScatterAdd, Transpose
from .windows import FoldWindows, Pad, SlidingWindows

PRIMITIVES: tuple[type[Function], ...] = (
    Add, Sub, Mul, Div, Neg, Pow,
    Exp, Log, Abs, Clip, Maximum, Minimum, Where,
    Sum, Max, LogSumExp,
    Reshape, Transpose, BroadcastTo, GetItem, ScatterAdd, Concatenate,
    MatMul,
    Pad, SlidingWindows, FoldWindows,
)
"""Every primitive op, so tests can check that each one is covered."""

__all__ = [op.__name__ for op in PRIMITIVES] + ["PRIMITIVES", "exp"]
