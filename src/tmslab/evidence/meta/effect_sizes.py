"""Effect sizes and their sampling variances, one value per study (pure NumPy, no I/O).

Every function takes equal-length 1-D arrays, shape ``(k,)``, one entry per study, and returns
``(yi, vi)``: the effect sizes and their sampling variances, both float64 of shape ``(k,)``.
The formulas, argument names and defaults are those of R's metafor ``escalc`` (Viechtbauer
2010, doi:10.18637/jss.v036.i03), except the RevMan 5 variant of Hedges' g, which follows
Deeks & Higgins 2010 ("Statistical algorithms in Review Manager 5", Cochrane).

Group 1 is the treated (experimental) group, group 2 the control group; a positive mean
difference or a log ratio above zero favours group 1 having the larger value.

2x2 tables (counts, dimensionless): ``ai`` events and ``bi`` non-events in group 1, ``ci``
events and ``di`` non-events in group 2 (``n1i = ai + bi``, ``n2i = ci + di``).

- log risk ratio: ``yi = log(ai/n1i) - log(ci/n2i)``,
  ``vi = 1/ai - 1/n1i + 1/ci - 1/n2i``.
- log odds ratio: ``yi = log(ai di / (bi ci))``, ``vi = 1/ai + 1/bi + 1/ci + 1/di``.
- Zero cells (metafor's default ``add=1/2, to="only0"``): 1/2 is added to all four cells of
  every study that has a zero in any cell, and to no other study; studies with no events (or
  only events) in both groups are kept (metafor's ``drop00=FALSE``).

Means (in the outcome's unit), standard deviations (same unit) and group sizes:

- mean difference: ``yi = m1i - m2i`` (outcome unit), ``vi = sd1i^2/n1i + sd2i^2/n2i``
  (unit squared; metafor's ``vtype="LS"``, which does not assume equal variances).
- standardized mean difference, Hedges' g (dimensionless): with ``m = n1i + n2i - 2``, the
  pooled SD ``s = sqrt(((n1i-1) sd1i^2 + (n2i-1) sd2i^2) / m)`` and ``d = (m1i - m2i)/s``:

  * ``correction="exact"`` (metafor's default, Hedges 1981):
    ``g = c(m) d`` with ``c(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2))``,
    ``vi = 1/n1i + 1/n2i + g^2 / (2 (n1i + n2i))`` (metafor's large-sample ``vtype="LS"``).
  * ``correction="revman"`` (Review Manager 5, Deeks & Higgins 2010, and statsmodels'
    ``effectsize_smd``): ``g = d (1 - 3/(4N - 9))`` with ``N = n1i + n2i``,
    ``vi = N/(n1i n2i) + g^2 / (2 (N - 3.94))``.

  The two corrections differ by less than 0.1 % of g once ``N >= 10``; the variances differ
  more for small N, because RevMan divides by ``N - 3.94`` instead of ``N``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

ZERO_CELL_RULES = ("only0", "all", "if0all", "none")
SMD_CORRECTIONS = ("exact", "revman")


def _arrays(*values: ArrayLike) -> list[NDArray[np.float64]]:
    arrays = [np.atleast_1d(np.asarray(v, dtype=float)) for v in values]
    shape = arrays[0].shape
    if any(a.ndim != 1 or a.shape != shape for a in arrays):
        raise ValueError("all inputs must be 1-D arrays of the same length (one entry per study)")
    return arrays


def zero_cell_correction(
    ai: ArrayLike,
    bi: ArrayLike,
    ci: ArrayLike,
    di: ArrayLike,
    add: float = 0.5,
    to: str = "only0",
) -> tuple[NDArray[np.float64], ...]:
    """Add ``add`` to the cells of 2x2 tables as metafor's ``escalc(add=, to=)`` does.

    ai, bi, ci, di: counts, shape (k,). ``to``: "only0" (studies with a zero cell; default),
    "all" (every study), "if0all" (every study, if any study has a zero cell), "none".
    Returns the corrected (ai, bi, ci, di), each float64 of shape (k,).
    """
    if to not in ZERO_CELL_RULES:
        raise ValueError(f"to must be one of {', '.join(ZERO_CELL_RULES)}; got {to!r}")
    ai, bi, ci, di = _arrays(ai, bi, ci, di)
    has_zero = (ai == 0) | (bi == 0) | (ci == 0) | (di == 0)
    if to == "all":
        mask = np.ones_like(has_zero)
    elif to == "only0":
        mask = has_zero
    elif to == "if0all":
        mask = np.full_like(has_zero, bool(has_zero.any()))
    else:
        mask = np.zeros_like(has_zero)
    shift = np.where(mask, add, 0.0)
    return ai + shift, bi + shift, ci + shift, di + shift


def log_risk_ratio(
    ai: ArrayLike, bi: ArrayLike, ci: ArrayLike, di: ArrayLike, add: float = 0.5, to: str = "only0"
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Log risk ratios and their variances from 2x2 counts, shape (k,) each (dimensionless).

    Zero cells are handled by :func:`zero_cell_correction` (metafor's default: 1/2 added to
    every cell of a study with a zero cell).
    """
    ai, bi, ci, di = zero_cell_correction(ai, bi, ci, di, add=add, to=to)
    n1i, n2i = ai + bi, ci + di
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(ai / n1i) - np.log(ci / n2i)
        vi = 1.0 / ai - 1.0 / n1i + 1.0 / ci - 1.0 / n2i
    return yi, vi


def log_odds_ratio(
    ai: ArrayLike, bi: ArrayLike, ci: ArrayLike, di: ArrayLike, add: float = 0.5, to: str = "only0"
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Log odds ratios and their variances from 2x2 counts, shape (k,) each (dimensionless).

    Computed as metafor does, from the proportions: ``logit(ai/n1i) - logit(ci/n2i)``.
    """
    ai, bi, ci, di = zero_cell_correction(ai, bi, ci, di, add=add, to=to)
    p1, p2 = ai / (ai + bi), ci / (ci + di)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(p1 / (1.0 - p1)) - np.log(p2 / (1.0 - p2))
        vi = 1.0 / ai + 1.0 / bi + 1.0 / ci + 1.0 / di
    return yi, vi


def mean_difference(
    m1i: ArrayLike,
    sd1i: ArrayLike,
    n1i: ArrayLike,
    m2i: ArrayLike,
    sd2i: ArrayLike,
    n2i: ArrayLike,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Raw mean differences ``m1i - m2i`` (outcome unit) and variances (unit^2), shape (k,)."""
    m1i, sd1i, n1i, m2i, sd2i, n2i = _arrays(m1i, sd1i, n1i, m2i, sd2i, n2i)
    with np.errstate(divide="ignore", invalid="ignore"):
        return m1i - m2i, sd1i**2 / n1i + sd2i**2 / n2i


def hedges_correction_exact(m: ArrayLike) -> NDArray[np.float64]:
    """Hedges' exact small-sample factor ``c(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2))``.

    m: degrees of freedom ``n1i + n2i - 2``, shape (k,); NaN where ``m <= 1`` (as metafor).
    """
    from scipy.special import gammaln

    m = np.atleast_1d(np.asarray(m, dtype=float))
    out = np.full(m.shape, np.nan)
    ok = m > 1
    mm = m[ok]
    out[ok] = np.exp(gammaln(mm / 2.0) - np.log(np.sqrt(mm / 2.0)) - gammaln((mm - 1.0) / 2.0))
    return out


def hedges_correction_revman(n_total: ArrayLike) -> NDArray[np.float64]:
    """RevMan 5's approximation ``1 - 3/(4N - 9)``, N = n1i + n2i, shape (k,)."""
    n_total = np.atleast_1d(np.asarray(n_total, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 - 3.0 / (4.0 * n_total - 9.0)


def standardized_mean_difference(
    m1i: ArrayLike,
    sd1i: ArrayLike,
    n1i: ArrayLike,
    m2i: ArrayLike,
    sd2i: ArrayLike,
    n2i: ArrayLike,
    correction: str = "exact",
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Hedges' g and its variance, shape (k,) each (dimensionless); see the module docstring.

    correction: "exact" (gamma-function factor and metafor's variance) or "revman"
    (RevMan 5's approximate factor and variance).
    """
    if correction not in SMD_CORRECTIONS:
        raise ValueError(
            f"correction must be one of {', '.join(SMD_CORRECTIONS)}; got {correction!r}"
        )
    m1i, sd1i, n1i, m2i, sd2i, n2i = _arrays(m1i, sd1i, n1i, m2i, sd2i, n2i)
    n_total = n1i + n2i
    m = n_total - 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled_sd = np.sqrt(((n1i - 1.0) * sd1i**2 + (n2i - 1.0) * sd2i**2) / m)
        d = (m1i - m2i) / pooled_sd
        if correction == "exact":
            g = hedges_correction_exact(m) * d
            vi = 1.0 / n1i + 1.0 / n2i + g**2 / (2.0 * n_total)
        else:
            g = hedges_correction_revman(n_total) * d
            vi = n_total / (n1i * n2i) + g**2 / (2.0 * (n_total - 3.94))
    return g, vi
