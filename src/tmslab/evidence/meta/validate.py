"""Checks at the boundary of the meta-analysis functions: one-line errors naming the study."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tmslab.errors import InvalidValueError, UnknownNameError

METHODS = ("FE", "DL", "REML", "PM", "ML")


def check_method(method: str) -> str:
    """The method name in upper case, or UnknownNameError."""
    name = str(method).upper()
    if name not in METHODS:
        raise UnknownNameError("method", str(method), METHODS)
    return name


def check_level(level: float) -> float:
    """Confidence level as a fraction in (0, 1); 95 (a percentage) is read as 0.95."""
    value = float(level)
    if 1.0 < value < 100.0:
        value /= 100.0
    if not 0.0 < value < 1.0:
        raise InvalidValueError(f"level = {level!r} is not allowed; give a coverage in (0, 100) %")
    return value


def study_name(index: int, labels: Sequence[str] | None = None) -> str:
    """'study 3 (Aronson 1948)' for 0-based ``index``; the label when there is one."""
    label = labels[index] if labels is not None and index < len(labels) else ""
    return f"study {index + 1} ({label})" if label else f"study {index + 1}"


def check_effects(
    yi: ArrayLike, vi: ArrayLike, labels: Sequence[str] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """yi and vi as float64 arrays of shape (k,), finite, with every vi > 0."""
    try:
        y = np.atleast_1d(np.asarray(yi, dtype=float))
        v = np.atleast_1d(np.asarray(vi, dtype=float))
    except (TypeError, ValueError):
        raise InvalidValueError(
            "yi and vi must be numbers, one effect size and one sampling variance per study"
        ) from None
    if y.ndim != 1 or v.ndim != 1 or y.shape != v.shape:
        raise InvalidValueError(
            f"yi and vi must be 1-D and of equal length (one per study); got shapes {y.shape} and {v.shape}"
        )
    if y.size == 0:
        raise InvalidValueError("no studies: give at least one effect size yi with its variance vi")
    if labels is not None and len(labels) != y.size:
        raise InvalidValueError(
            f"{len(labels)} study labels for {y.size} studies; give one per study"
        )
    for i in range(y.size):
        if not np.isfinite(y[i]):
            raise InvalidValueError(
                f"yi of {study_name(i, labels)} is {float(y[i])!r}; effect sizes must be finite"
            )
        if not np.isfinite(v[i]) or v[i] <= 0:
            raise InvalidValueError(
                f"vi of {study_name(i, labels)} is {float(v[i])!r}; sampling variances must be finite and > 0"
            )
    return y, v


def min_studies(method: str, p: int = 1) -> int:
    """Fewest studies ``method`` can fit with ``p`` coefficients (tau^2 needs k - p >= 1)."""
    if method == "FE" and p == 1:
        return 1
    return p + 1


def check_study_count(k: int, method: str, p: int = 1) -> None:
    """InvalidValueError if ``k`` studies are too few for ``method`` with ``p`` coefficients."""
    need = min_studies(method, p)
    if k < need:
        if p > 1:
            raise InvalidValueError(
                f"a meta-regression with {p} coefficients needs at least {need} studies; got {k}"
            )
        raise InvalidValueError(f"method {method} needs at least {need} studies; got {k}")
