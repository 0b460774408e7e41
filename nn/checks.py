"""Argument checks shared by every nn module, so every refusal reads the same way:
"name: expected ..., got ...".

Numbers must be finite: an infinite learning rate or regularizer would turn the weights
into NaN at the first step, far from the typo that caused it.
"""
from __future__ import annotations

import math
import numbers
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MAX_SEED = 2**128 - 1  # what numpy's SeedSequence mixes without loss; larger is a mistake


def check_number(
    name: str,
    value: Any,
    *,
    above: float | None = None,
    at_least: float | None = None,
    below: float | None = None,
) -> float:
    """`value` as a finite float within the bounds given, or an error naming `name`."""
    bounds = [f"{sign} {bound}" for sign, bound in ((">", above), (">=", at_least), ("<", below)) if bound is not None]
    expected = " ".join(["a finite number", " and ".join(bounds)]).rstrip()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected {expected}, got {value!r:.80} ({type(value).__name__})")
    try:
        number = float(value)
    except OverflowError:  # an int beyond float's range
        number = math.inf if value > 0 else -math.inf  # type: ignore[operator]  # the numbers ABCs declare no comparisons
    in_range = (
        math.isfinite(number)
        and (above is None or number > above)
        and (at_least is None or number >= at_least)
        and (below is None or number < below)
    )
    if not in_range:
        raise ValueError(f"{name}: expected {expected}, got {value!r:.80}")
    return number


def check_integer(name: str, value: Any, *, minimum: int = 1, maximum: int | None = None,
                  allow_none: bool = False) -> Any:
    """`value` as an int in [minimum, maximum] (or None when `allow_none`), or a ValueError
    naming `name` (a count of 2.5 is a wrong value more than a wrong type)."""
    if value is None and allow_none:
        return None
    if maximum is not None:
        expected = f"an integer from {minimum} to {maximum}"
    else:
        expected = {1: "a positive integer", 0: "a non-negative integer"}.get(minimum, f"an integer >= {minimum}")
    expected += " or None" if allow_none else ""
    if (isinstance(value, bool) or not isinstance(value, numbers.Integral)
            or value < minimum or (maximum is not None and value > maximum)):  # type: ignore[operator]  # the numbers ABCs declare no comparisons
        raise ValueError(f"{name}: expected {expected}, got {value!r:.80}")
    return int(value)


def check_seed(name: str, value: Any) -> int | None:
    """None (fresh entropy) or an integer seed for `np.random.default_rng`."""
    if value is None:
        return None
    expected = "None or an integer from 0 to 2**128 - 1"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected {expected}, got {value!r:.80}")
    if not 0 <= value <= MAX_SEED:  # type: ignore[operator]  # the numbers ABCs declare no comparisons
        raise ValueError(f"{name}: expected {expected}, got {value!r:.80}")
    return int(value)


def check_choice(name: str, value: Any, choices: Sequence[Any]) -> Any:
    """`value` when it is one of `choices`, else a ValueError naming `name`."""
    if not any(value == choice and type(value) is type(choice) for choice in choices):
        raise ValueError(f"{name}: expected one of {tuple(choices)}, got {value!r:.80}")
    return value


def check_path(name: str, value: Any) -> Path:
    """`value` as a Path with `~` expanded; a TypeError naming `name` for anything else."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name}: expected a path (str or os.PathLike), got {type(value).__name__}")
    return Path(value).expanduser()
