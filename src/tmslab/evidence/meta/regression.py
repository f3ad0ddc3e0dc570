"""Meta-regression: design matrices from moderator columns and the mixed-effects model.

Numeric moderators enter as they are; a categorical moderator (text) enters as indicator
columns, one per level except the first in sorted order (the reference level, as R's
``factor``), named ``column[level]``. The model is :func:`tmslab.evidence.meta.models.fit` with
that design: a mixed-effects model for DL, REML, PM, ML (residual tau^2 estimated), a
fixed-effects regression for FE; the omnibus test ``QM`` covers all coefficients except the
intercept (chi-square, or F under Knapp-Hartung), as metafor's ``rma(yi, vi, mods = ~ ...)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tmslab.errors import InvalidValueError
from tmslab.evidence.meta.models import fit
from tmslab.evidence.meta.results import MetaResult


def _is_categorical(values: Sequence[object]) -> bool:
    return any(isinstance(v, str) for v in values)


def design_matrix(
    moderators: Mapping[str, Sequence[float] | Sequence[str] | NDArray[np.float64]], k: int
) -> tuple[NDArray[np.float64], tuple[str, ...]]:
    """Intercept plus moderator columns: X of shape (k, p) and its p column names.

    moderators: column name -> k values (numbers, or strings for a categorical moderator),
    in the order the columns should enter the model.
    """
    columns: list[NDArray[np.float64]] = [np.ones(k)]
    names: list[str] = ["intrcpt"]
    for name, values in moderators.items():
        values = list(values)
        if len(values) != k:
            raise InvalidValueError(
                f"moderator {name!r} has {len(values)} values for {k} studies; give one per study"
            )
        if _is_categorical(values):
            levels = sorted({str(v) for v in values})
            if len(levels) < 2:
                raise InvalidValueError(
                    f"moderator {name!r} has a single level ({levels[0]!r}); it cannot explain "
                    "differences between studies, drop it"
                )
            for level in levels[1:]:
                columns.append(np.array([1.0 if str(v) == level else 0.0 for v in values]))
                names.append(f"{name}[{level}]")
        else:
            columns.append(np.asarray(values, dtype=float))
            names.append(str(name))
    return np.column_stack(columns), tuple(names)


def meta_regression(
    yi: ArrayLike,
    vi: ArrayLike,
    moderators: Mapping[str, Sequence[float] | Sequence[str] | NDArray[np.float64]],
    method: str = "REML",
    *,
    knha: bool = False,
    labels: Sequence[str] | None = None,
    level: float = 0.95,
    confint: bool = True,
) -> MetaResult:
    """Mixed-effects meta-regression of yi (k,) with variances vi (k,) on ``moderators``.

    Returns the :class:`MetaResult` with one coefficient per design column (intercept first),
    the residual tau^2, I^2, H^2 and Q, the omnibus ``qm`` test and metafor's R^2 (%).
    """
    k = np.atleast_1d(np.asarray(yi)).size
    if not moderators:
        raise InvalidValueError("no moderators given; name at least one moderator column")
    X, names = design_matrix(moderators, k)
    return fit(
        yi,
        vi,
        method,
        knha=knha,
        X=X,
        coef_names=names,
        labels=labels,
        level=level,
        confint=confint,
    )
