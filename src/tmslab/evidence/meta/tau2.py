"""Estimators of the between-study variance tau^2 (pure numerics).

All take effect sizes ``y`` (k,), sampling variances ``vi`` (k,) in unit^2 of the effect size,
and a design matrix ``X`` (k, p) whose first column is the intercept, and return a
:class:`Tau2Estimate` with tau^2 in unit^2. Every estimate is truncated at zero, as in metafor:

- ``DL``, DerSimonian & Laird 1986 (doi:10.1016/0197-2456(86)90046-2), method of moments
  with weights 1/vi: ``tau2 = max(0, (Q - (k - p)) / tr P)``.
- ``PM``, Paule & Mandel 1982 (doi:10.6028/jres.087.022): the tau^2 at which the generalised
  Q equals its expectation ``k - p`` (root found with SciPy's ``brentq``); 0 when Q(0) < k - p.
- ``ML`` and ``REML``: maximum and restricted maximum likelihood by Fisher scoring as metafor
  does it: start from the Hedges (HE) estimate truncated at zero, step
  ``(y'PPy - tr P) / tr(PP)`` (REML) or ``(y'PPy - sum w) / sum w^2`` (ML), halve a step that
  would make tau^2 negative, stop when a step changes tau^2 by at most
  ``threshold * max(1, tau2)``; then, if the likelihood at tau^2 = 0 is higher, take 0.
  Where Fisher scoring oscillates without converging (metafor then stops with an error),
  tmslab solves the score equation ``y'PPy = tr P`` (REML) or ``= sum w`` (ML) with SciPy's
  ``brentq`` instead; both find the same maximum wherever Fisher scoring converges. And where
  the step halving leaves tau^2 within ``threshold`` of a maximum at the boundary (score <= 0
  at tau^2 = 0), tmslab returns exactly 0 where metafor keeps the small positive value.

statsmodels differs: ``statsmodels.stats.meta_analysis.combine_effects(method_re="chi2")``
returns the DerSimonian-Laird ``(Q - df)/c`` without truncation, i.e. a negative tau^2 when
``Q < k - 1`` (and then I^2 = 1 - 1/H^2 < 0); tmslab, like metafor, reports 0.

The standard errors of tau^2 are metafor's: DL ``sqrt(2 (k-p) + 4 tau2 trP + 2 tau2^2
tr(PP)) / trP`` (P at tau^2 = 0), ML ``sqrt(2 / sum w^2)``, REML ``sqrt(2 / tr(PP))``, PM
``sqrt(2 k^2 / (k-p)) / sum w`` (w and P at the estimate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tmslab.evidence.meta.heterogeneity import (
    ROOT_RTOL,
    ROOT_XTOL,
    generalised_q,
    upper_bracket,
)
from tmslab.evidence.meta.linear import residual_projector, wls

RANDOM_EFFECTS_METHODS = ("DL", "REML", "PM", "ML")
#: metafor's defaults: Fisher scoring stops at a change of 1e-5 in tau^2 after <= 100 steps
METAFOR_THRESHOLD = 1e-5
#: tmslab's default: converge to the optimum itself
DEFAULT_THRESHOLD = 1e-10
DEFAULT_MAXITER = 200
_LL0_TOL = np.finfo(float).eps ** 0.25  # metafor's con$tol, used by its ll0 check


class ConvergenceFailure(ArithmeticError):
    """No maximum of the likelihood: the score stays positive as tau^2 grows."""


@dataclass(frozen=True)
class Tau2Estimate:
    """tau^2 (unit^2, >= 0), its standard error, the untruncated value, the steps taken and
    how it was found (``algorithm``)."""

    tau2: float
    se: float
    untruncated: float
    iterations: int = 0
    algorithm: str = "closed form"


def _centred(y: NDArray[np.float64]) -> NDArray[np.float64]:
    return y - y.mean()


def tau2_dl(
    y: NDArray[np.float64], vi: NDArray[np.float64], X: NDArray[np.float64]
) -> Tau2Estimate:
    """DerSimonian-Laird estimate (truncated at zero); see the module docstring."""
    k, p = X.shape
    P = residual_projector(X, 1.0 / vi)
    yc = _centred(y)
    rss = float(yc @ P @ yc)
    tr_p = float(np.trace(P))
    raw = (rss - (k - p)) / tr_p
    tau2 = max(0.0, raw)
    se = np.sqrt(2 * (k - p) + 4 * tau2 * tr_p + 2 * tau2**2 * float(np.sum(P * P))) / tr_p
    return Tau2Estimate(tau2=tau2, se=float(se), untruncated=raw)


def tau2_he(y: NDArray[np.float64], vi: NDArray[np.float64], X: NDArray[np.float64]) -> float:
    """Hedges' (unweighted method of moments) estimate, untruncated: Fisher scoring's start."""
    k, p = X.shape
    P = residual_projector(X, np.ones(k))
    yc = _centred(y)
    return (float(yc @ P @ yc) - float(np.sum(np.diag(P) * vi))) / (k - p)


def _loglik(
    tau2: float,
    y: NDArray[np.float64],
    vi: NDArray[np.float64],
    X: NDArray[np.float64],
    reml: bool,
) -> float:
    k, p = X.shape
    w = 1.0 / (vi + tau2)
    fit = wls(X, y, w)
    rss = float(np.sum(w * (y - X @ fit.beta) ** 2))
    n = k - p if reml else k
    ll = -0.5 * n * np.log(2 * np.pi) - 0.5 * float(np.sum(np.log(vi + tau2))) - 0.5 * rss
    if reml:
        ll -= 0.5 * float(np.linalg.slogdet((X.T * w) @ X)[1])
    return ll


def tau2_fisher_scoring(
    y: NDArray[np.float64],
    vi: NDArray[np.float64],
    X: NDArray[np.float64],
    reml: bool = True,
    threshold: float = DEFAULT_THRESHOLD,
    maxiter: int = DEFAULT_MAXITER,
) -> Tau2Estimate:
    """ML (``reml=False``) or REML estimate by metafor's Fisher scoring; see the module docstring.

    threshold: stop when a step changes tau^2 by at most ``threshold * max(1, tau2)``
    (``METAFOR_THRESHOLD`` with tau^2 < 1 retraces metafor's default iterations exactly);
    maxiter: Fisher steps before switching to the root of the score equation.
    """
    yc = _centred(y)

    def score_parts(t: float) -> tuple[float, float]:
        """Twice the score and the Fisher information (times 2) at tau^2 = t."""
        w = 1.0 / (vi + t)
        P = residual_projector(X, w)
        Py = P @ yc
        if reml:
            return float(Py @ Py) - float(np.trace(P)), float(np.sum(P * P))
        return float(Py @ Py) - float(np.sum(w)), float(np.sum(w**2))

    tau2 = max(0.0, tau2_he(y, vi, X))
    iterations = 0
    algorithm = "Fisher scoring"
    while True:
        iterations += 1
        if iterations > maxiter:
            tau2 = _score_root(lambda t: score_parts(t)[0])
            algorithm = "root of the score equation (brentq)"
            break
        score, information = score_parts(tau2)
        adj = score / information
        if not np.isfinite(adj):
            adj = 0.0
        while tau2 + adj < 0.0:
            adj /= 2.0
        previous, tau2 = tau2, tau2 + adj
        if abs(tau2 - previous) <= threshold * max(1.0, tau2):
            break
    if 0.0 < tau2 <= threshold and score_parts(0.0)[0] <= 0.0:
        tau2 = 0.0  # stopped by the step halving just above a boundary maximum: take the boundary
    raw = tau2
    if tau2 > threshold and _loglik(0.0, y, vi, X, reml) - _loglik(tau2, y, vi, X, reml) > _LL0_TOL:
        tau2 = 0.0  # metafor's ll0 check: a local maximum worse than tau^2 = 0
    tau2 = max(0.0, tau2)
    w = 1.0 / (vi + tau2)
    if reml:
        P = residual_projector(X, w)
        se = np.sqrt(2.0 / float(np.sum(P * P)))
    else:
        se = np.sqrt(2.0 / float(np.sum(w**2)))
    return Tau2Estimate(
        tau2=tau2, se=float(se), untruncated=raw, iterations=iterations, algorithm=algorithm
    )


def _score_root(score) -> float:
    """The tau^2 >= 0 where the (restricted) likelihood's score changes from + to -."""
    from scipy.optimize import brentq

    if score(0.0) <= 0.0:
        return 0.0
    hi = 1.0
    while score(hi) > 0.0:
        if hi > 1e15:
            raise ConvergenceFailure("the likelihood keeps increasing with tau^2")
        hi *= 10.0
    return float(brentq(score, 0.0, hi, xtol=ROOT_XTOL, rtol=ROOT_RTOL, maxiter=500))


def _mad(y: NDArray[np.float64]) -> float:
    """R's ``mad``: 1.4826 times the median absolute deviation from the median."""
    return 1.4826 * float(np.median(np.abs(y - np.median(y))))


def tau2_pm(
    y: NDArray[np.float64], vi: NDArray[np.float64], X: NDArray[np.float64]
) -> Tau2Estimate:
    """Paule-Mandel estimate: root of ``Q_gen(tau2) = k - p`` (0 if ``Q_gen(0) < k - p``)."""
    from scipy.optimize import brentq

    k, p = X.shape
    yc = _centred(y)
    target = float(k - p)

    def excess(t: float) -> float:
        return generalised_q(t, yc, vi, X) - target

    if excess(0.0) < 0.0:
        tau2 = 0.0
    else:
        # metafor searches [0, max(100, 10 mad(y)^2)]; widened here if the root lies beyond
        hi = upper_bracket(
            lambda t: generalised_q(t, yc, vi, X), target, max(100.0, 10.0 * _mad(y) ** 2)
        )
        tau2 = float(brentq(excess, 0.0, hi, xtol=ROOT_XTOL, rtol=ROOT_RTOL, maxiter=500))
    w = 1.0 / (vi + tau2)
    se = np.sqrt(2.0 * k**2 / (k - p)) / float(np.sum(w))
    return Tau2Estimate(
        tau2=tau2, se=float(se), untruncated=tau2, algorithm="root of the generalised Q (brentq)"
    )


def estimate_tau2(
    method: str,
    y: NDArray[np.float64],
    vi: NDArray[np.float64],
    X: NDArray[np.float64],
    threshold: float = DEFAULT_THRESHOLD,
    maxiter: int = DEFAULT_MAXITER,
) -> Tau2Estimate:
    """tau^2 by ``method`` (DL, REML, PM, ML); y, vi shape (k,), X shape (k, p), k > p."""
    if method == "DL":
        return tau2_dl(y, vi, X)
    if method == "PM":
        return tau2_pm(y, vi, X)
    if method in ("REML", "ML"):
        return tau2_fisher_scoring(
            y, vi, X, reml=method == "REML", threshold=threshold, maxiter=maxiter
        )
    raise ValueError(f"unknown tau^2 estimator {method!r}")
