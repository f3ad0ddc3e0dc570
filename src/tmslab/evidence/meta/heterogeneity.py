"""Heterogeneity: Cochran's Q, the generalised Q, I^2, H^2 and Q-profile intervals (pure numerics).

Definitions are metafor's (Viechtbauer 2010, doi:10.18637/jss.v036.i03; Viechtbauer 2007,
doi:10.1002/sim.2514 for the Q-profile interval), for ``k`` studies, effect sizes ``y`` of
shape (k,), sampling variances ``vi`` of shape (k,) (unit^2 of the effect size) and a design
matrix ``X`` of shape (k, p) whose first column is the intercept:

- ``Q_gen(tau2) = y' P(tau2) y`` with ``P = W - W X (X'WX)^-1 X'W``, ``W = diag(1/(vi + tau2))``;
  Cochran's Q (``QE`` in metafor) is ``Q_gen(0)``, chi-square with ``k - p`` df under
  homogeneity.
- the "typical" sampling variance ``vt = (k - p) / tr(P(0))``;
- random effects: ``I^2 = 100 tau2 / (vt + tau2)`` (%), ``H^2 = (vt + tau2) / vt``;
- fixed effect: ``I^2 = max(0, 100 (Q - (k-p)) / Q)``, ``H^2 = Q / (k - p)``.

The Q-profile interval for tau^2 collects the tau^2 whose ``Q_gen`` lies between the
``level/2`` quantiles of chi-square(k - p); ``Q_gen`` decreases in tau^2, so each end is one
root (found with SciPy's ``brentq``). An end that would be negative is set to 0. The interval
for I^2 and H^2 follows by the formulas above. metafor searches tau^2 in [0, max(100, 10
tau2)] only and reports that end when the root lies beyond it; tmslab widens the search
interval tenfold until it holds the root.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tmslab.evidence.meta.linear import quadratic_form, residual_projector

#: relative and absolute tolerance of the root finders (the roots are exact to ~1e-12)
ROOT_XTOL = 1e-13
ROOT_RTOL = 1e-14
_MAX_TAU2 = 1e15


def generalised_q(
    tau2: float, y: NDArray[np.float64], vi: NDArray[np.float64], X: NDArray[np.float64]
) -> float:
    """``Q_gen(tau2) = y' P(tau2) y`` (dimensionless), y (k,), vi (k,), X (k, p)."""
    return quadratic_form(residual_projector(X, 1.0 / (vi + tau2)), y)


@dataclass(frozen=True)
class CochranQ:
    """Cochran's Q (dimensionless), its degrees of freedom ``k - p`` and p-value, and ``vt``."""

    q: float
    df: int
    pval: float
    vt: float


def cochran_q(y: NDArray[np.float64], vi: NDArray[np.float64], X: NDArray[np.float64]) -> CochranQ:
    """Cochran's Q test of (residual) homogeneity; y, vi shape (k,), X shape (k, p)."""
    from scipy.stats import chi2

    k, p = X.shape
    df = k - p
    if df <= 0:
        return CochranQ(q=0.0, df=0, pval=1.0, vt=0.0)
    P = residual_projector(X, 1.0 / vi)
    q = max(0.0, quadratic_form(P, y - y.mean()))
    return CochranQ(q=q, df=df, pval=float(chi2.sf(q, df)), vt=df / float(np.trace(P)))


def i2_h2_random(tau2: float, vt: float) -> tuple[float, float]:
    """I^2 (%) and H^2 of a random-effects model from tau^2 and the typical variance vt."""
    if vt <= 0:
        return 0.0, 1.0
    return 100.0 * tau2 / (vt + tau2), tau2 / vt + 1.0


def i2_h2_fixed(q: float, df: int) -> tuple[float, float]:
    """I^2 (%) and H^2 of a fixed-effect model from Q and its degrees of freedom.

    With Q = 0 (identical effects) I^2 is 0 (metafor: NaN) and H^2 = Q/df = 0.
    """
    if df <= 0:
        return 0.0, 1.0
    i2 = max(0.0, 100.0 * (q - df) / q) if q > 0 else 0.0
    return i2, q / df


def _root(f, lo: float, hi: float) -> float:
    from scipy.optimize import brentq

    return float(brentq(f, lo, hi, xtol=ROOT_XTOL, rtol=ROOT_RTOL, maxiter=500))


def upper_bracket(q_of_tau2, target: float, start: float) -> float:
    """A tau^2 >= start at which the decreasing ``q_of_tau2`` is <= target (widened tenfold)."""
    hi = start
    while q_of_tau2(hi) > target:
        if hi > _MAX_TAU2:
            raise ArithmeticError("generalised Q does not fall to its target; tau^2 unbounded")
        hi *= 10.0
    return hi


@dataclass(frozen=True)
class HeterogeneityCI:
    """Q-profile confidence intervals: tau^2 (unit^2), tau (unit), I^2 (%) and H^2."""

    level: float
    tau2: tuple[float, float]
    tau: tuple[float, float]
    i2: tuple[float, float]
    h2: tuple[float, float]

    def to_dict(self) -> dict[str, float]:
        return {
            "tau2_ci_lb": self.tau2[0],
            "tau2_ci_ub": self.tau2[1],
            "tau_ci_lb": self.tau[0],
            "tau_ci_ub": self.tau[1],
            "i2_ci_lb": self.i2[0],
            "i2_ci_ub": self.i2[1],
            "h2_ci_lb": self.h2[0],
            "h2_ci_ub": self.h2[1],
        }


def q_profile_ci(
    y: NDArray[np.float64],
    vi: NDArray[np.float64],
    X: NDArray[np.float64],
    tau2: float,
    vt: float,
    level: float = 0.95,
) -> HeterogeneityCI:
    """Q-profile interval for tau^2 (and I^2, H^2 through ``vt``), as metafor's ``confint``.

    y, vi: shape (k,); X: shape (k, p) with ``k > p``; tau2: the point estimate (sets the
    initial search interval [0, max(100, 10 tau2)]); level: coverage in (0, 1).
    """
    from scipy.stats import chi2

    k, p = X.shape
    df = k - p
    alpha = 1.0 - level
    crit_upper = float(chi2.isf(alpha / 2.0, df))  # Q above it: tau^2 too small
    crit_lower = float(chi2.ppf(alpha / 2.0, df))
    yc = y - y.mean()

    def q_of(t: float) -> float:
        return generalised_q(t, yc, vi, X)

    q0 = q_of(0.0)
    start = max(100.0, 10.0 * tau2)
    if q0 < crit_lower:
        lb = ub = 0.0
    else:
        hi = upper_bracket(q_of, crit_lower, start)
        ub = _root(lambda t: q_of(t) - crit_lower, 0.0, hi)
        lb = 0.0 if q0 < crit_upper else _root(lambda t: q_of(t) - crit_upper, 0.0, ub)
    i2_lb, h2_lb = i2_h2_random(lb, vt)
    i2_ub, h2_ub = i2_h2_random(ub, vt)
    return HeterogeneityCI(
        level=level,
        tau2=(lb, ub),
        tau=(float(np.sqrt(lb)), float(np.sqrt(ub))),
        i2=(i2_lb, i2_ub),
        h2=(h2_lb, h2_ub),
    )
