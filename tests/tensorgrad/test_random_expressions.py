"""Random programs: hypothesis composes 3-8 ops over 1-3 inputs and gradcheck checks the
whole graph. Single ops can be right while their composition is wrong (fan-out,
broadcasting between intermediate results, accumulation order); this finds those.

Every op here is smooth and keeps values bounded (|a * tanh(b)| <= |a|,
a / (1 + b^2) <= |a|, ...), so any program stays well conditioned for finite differences.
"""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import tensorgrad as tg
from tensorgrad.testing import strategies as tgst

UNARY: dict[str, Callable[[tg.Tensor], tg.Tensor]] = {
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "softplus": lambda x: (1 + x.exp()).log(),
    "bump": lambda x: (-(x * x)).exp(),
    "hypot1": lambda x: (1 + x * x).sqrt(),
    "affine": lambda x: 0.5 * x - 1,
    "negate": lambda x: -x,
    "softmax": lambda x: x.softmax(-1),
    "log_softmax": lambda x: x.log_softmax(0),
    "sum": lambda x: x.sum(-1, keepdims=True),
    "mean": lambda x: x.mean(0, keepdims=True),
    "reverse": lambda x: x[..., ::-1],
}
BINARY: dict[str, Callable[[tg.Tensor, tg.Tensor], tg.Tensor]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "gate": lambda a, b: a * b.tanh(),
    "ratio": lambda a, b: a / (1 + b * b),
    "power": lambda a, b: (1 + a * a) ** b.sigmoid(),
}


@dataclass(frozen=True)
class Program:
    """Steps (op, i, j): value k = op(value i, value j) where values 0..n-1 are the inputs."""

    arity: int
    steps: tuple[tuple[str, int, int], ...]

    def __call__(self, *inputs: tg.Tensor) -> tg.Tensor:
        values = list(inputs)
        for name, i, j in self.steps:
            values.append(UNARY[name](values[i]) if name in UNARY else BINARY[name](values[i], values[j]))
        return values[-1]

    def __repr__(self) -> str:
        lines = [f"v{self.arity + k} = {name}(v{i}{f', v{j}' if name in BINARY else ''})"
                 for k, (name, i, j) in enumerate(self.steps)]
        return "; ".join(lines)


@st.composite
def programs(draw) -> tuple[Program, list[np.ndarray]]:
    shapes = draw(tgst.broadcastable_shapes(draw(st.integers(1, 3)), min_dims=1, max_dims=3, max_side=3))
    inputs = [draw(tgst.arrays(shape)) for shape in shapes]
    steps = []
    for k in range(draw(st.integers(3, 8))):
        available = len(inputs) + k
        name = draw(st.sampled_from(sorted(UNARY) + sorted(BINARY)))
        steps.append((name, draw(st.integers(0, available - 1)), draw(st.integers(0, available - 1))))
    return Program(len(inputs), tuple(steps)), inputs


@given(programs())
def test_random_program_gradients_match_finite_differences(case):
    program, arrays = case
    inputs = [tg.Tensor(x, requires_grad=True) for x in arrays]
    assert np.all(np.isfinite(program(*inputs).data))
    assert tg.gradcheck(program, *inputs)


def test_program_repr_reads_like_code():
    program = Program(2, (("tanh", 0, 0), ("gate", 2, 1)))
    assert repr(program) == "v2 = tanh(v0); v3 = gate(v2, v1)"
    x, y = tg.Tensor(np.array([0.5])), tg.Tensor(np.array([2.0]))
    np.testing.assert_allclose(program(x, y).data, np.tanh(0.5) * np.tanh(2.0))
