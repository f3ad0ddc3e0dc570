"""Fixed-effect, random-effects and mixed-effects meta-analysis models (pure numerics).

:func:`fit` is metafor's ``rma.uni`` (Viechtbauer 2010, doi:10.18637/jss.v036.i03) for the
estimators FE, DL, REML, PM and ML, with and without the Hartung-Knapp(-Sidik-Jonkman)
adjustment (metafor's ``test="knha"``; Knapp & Hartung 2003, doi:10.1002/sim.1482):

- weights ``w = 1/(vi + tau2)`` (tau2 = 0 for FE); coefficients
  ``beta = (X'WX)^-1 X'W y`` with covariance ``vb = (X'WX)^-1``;
- ``test="z"``: Wald z statistics, normal quantiles for the confidence intervals;
- ``test="knha"``: ``vb`` scaled by ``s2 = sum w (y - X beta)^2 / (k - p)`` (not truncated
  at 1), t statistics and quantiles with ``k - p`` degrees of freedom, F test for moderators;
- the prediction interval for a new study's true effect (p = 1):
  ``beta +- crit sqrt(se^2 + tau2)`` with the same ``crit`` as the confidence interval
  (metafor's default ``predict``); for FE it equals the confidence interval.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from tmslab.errors import InvalidValueError
from tmslab.evidence.meta.heterogeneity import (
    cochran_q,
    i2_h2_fixed,
    i2_h2_random,
    q_profile_ci,
)
from tmslab.evidence.meta.linear import full_rank, wls
from tmslab.evidence.meta.results import MetaResult
from tmslab.evidence.meta.tau2 import (
    DEFAULT_MAXITER,
    DEFAULT_THRESHOLD,
    ConvergenceFailure,
    Tau2Estimate,
    estimate_tau2,
)
from tmslab.evidence.meta.validate import (
    check_effects,
    check_level,
    check_method,
    check_study_count,
)


def _design(X: ArrayLike | None, k: int) -> NDArray[np.float64]:
    if X is None:
        return np.ones((k, 1))
    try:
        design = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise InvalidValueError("the design matrix X must hold numbers") from None
    if design.ndim == 1:
        design = design[:, None]
    if design.ndim != 2 or design.shape[0] != k:
        raise InvalidValueError(
            f"the design matrix X must have one row per study ({k}); got shape {design.shape}"
        )
    if not np.all(np.isfinite(design)):
        raise InvalidValueError("the design matrix X holds a missing or infinite value")
    if not np.all(design[:, 0] == 1.0):
        raise InvalidValueError(
            "the first column of the design matrix X must be the intercept (ones)"
        )
    return design


def fit(
    yi: ArrayLike,
    vi: ArrayLike,
    method: str = "REML",
    *,
    knha: bool = False,
    X: ArrayLike | None = None,
    coef_names: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    level: float = 0.95,
    confint: bool = True,
    threshold: float = DEFAULT_THRESHOLD,
    maxiter: int = DEFAULT_MAXITER,
) -> MetaResult:
    """Fit a meta-analysis (or meta-regression) model, as metafor's ``rma.uni``.

    yi: effect sizes, shape (k,), unit of the measure (log scale for ratios); vi: their
    sampling variances, shape (k,), unit^2, all > 0. method: FE, DL, REML (default, as
    metafor), PM or ML. knha: Hartung-Knapp(-Sidik-Jonkman) t-based inference. X: design
    matrix (k, p) with the intercept first (default: intercept only); coef_names: p names.
    labels: k study labels (for messages and outputs). level: coverage of the intervals
    (0.95 or 95). confint: also compute the Q-profile intervals for tau^2, I^2, H^2 (random
    effects). threshold, maxiter: Fisher scoring's stopping rule (ML, REML).
    """
    method = check_method(method)
    level = check_level(level)
    y, v = check_effects(yi, vi, labels)
    k = y.size
    design = _design(X, k)
    p = design.shape[1]
    if coef_names is None:
        coef_names = ["intrcpt"] + [f"x{j}" for j in range(1, p)]
    if len(coef_names) != p:
        raise InvalidValueError(f"{len(coef_names)} coefficient names for {p} columns of X")
    check_study_count(k, method, p)
    if knha and k <= p:
        raise InvalidValueError(
            f"the Knapp-Hartung adjustment needs more studies than coefficients; got {k} studies"
        )
    if not full_rank(design):
        raise InvalidValueError(
            "the moderators are collinear (or constant), so their coefficients cannot be "
            "estimated; drop one of them"
        )
    names = tuple(labels) if labels is not None else tuple(f"Study {i + 1}" for i in range(k))
    return fit_unchecked(
        y,
        v,
        method,
        knha=knha,
        X=design,
        coef_names=tuple(coef_names),
        labels=names,
        level=level,
        confint=confint,
        threshold=threshold,
        maxiter=maxiter,
    )


def fit_unchecked(
    y: NDArray[np.float64],
    v: NDArray[np.float64],
    method: str,
    *,
    knha: bool,
    X: NDArray[np.float64],
    coef_names: tuple[str, ...],
    labels: tuple[str, ...],
    level: float,
    confint: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
    maxiter: int = DEFAULT_MAXITER,
) -> MetaResult:
    """:func:`fit` without the input checks, for callers that validated already.

    As metafor, a single study (k = 1) gets tau^2 = 0 whatever the method.
    """
    from scipy import stats

    k, p = X.shape
    if method == "FE" or k == 1:
        tau = Tau2Estimate(tau2=0.0, se=float("nan"), untruncated=0.0, algorithm="fixed at 0")
    else:
        try:
            tau = estimate_tau2(method, y, v, X, threshold=threshold, maxiter=maxiter)
        except ConvergenceFailure:
            raise InvalidValueError(
                f"method {method}: no maximum of the likelihood found (tau^2 grows without "
                "bound); try --method DL or PM"
            ) from None
    tau2 = tau.tau2
    w = 1.0 / (v + tau2)
    wfit = wls(X, y, w)
    beta, vb = wfit.beta, wfit.vb
    ddf: int | None = None
    if knha:
        rss = float(np.sum(w * (y - X @ beta) ** 2))
        s2w = 0.0 if rss <= np.finfo(float).eps else rss / (k - p)
        vb = s2w * vb
        ddf = k - p
    se = np.sqrt(np.diag(vb))
    alpha = 1.0 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = beta / se
    if ddf is not None:
        crit = float(stats.t.isf(alpha / 2.0, ddf))
        pval = 2.0 * stats.t.sf(np.abs(stat), ddf)
    else:
        crit = float(stats.norm.isf(alpha / 2.0))
        pval = 2.0 * stats.norm.sf(np.abs(stat))
    ci_lb, ci_ub = beta - crit * se, beta + crit * se

    btt = np.arange(1, p) if p > 1 else np.array([0])
    m = btt.size
    try:
        qm = float(beta[btt] @ np.linalg.solve(vb[np.ix_(btt, btt)], beta[btt]))
    except np.linalg.LinAlgError:
        qm = float("nan")
    if ddf is not None:
        qm /= m
        qm_df: tuple[int, int | None] = (m, ddf)
        qm_pval = float(stats.f.sf(qm, m, ddf)) if np.isfinite(qm) else float("nan")
    else:
        qm_df = (m, None)
        qm_pval = float(stats.chi2.sf(qm, m)) if np.isfinite(qm) else float("nan")

    het = cochran_q(y, v, X)
    if method == "FE":
        i2, h2 = i2_h2_fixed(het.q, het.df)
    else:
        i2, h2 = i2_h2_random(tau2, het.vt) if het.df > 0 else (0.0, 1.0)

    pred_se = pi_lb = pi_ub = None
    if p == 1:
        pred_se = float(se[0])
        half = crit * np.sqrt(se[0] ** 2 + tau2)
        pi_lb, pi_ub = float(beta[0] - half), float(beta[0] + half)

    heterogeneity_ci = None
    if confint and method != "FE" and het.df > 0:
        heterogeneity_ci = q_profile_ci(y, v, X, tau2, het.vt, level)

    r2 = None
    if p > 1:
        r2 = _r2(y, v, X, method, tau2, threshold, maxiter)

    return MetaResult(
        method=method,
        test="knha" if knha else "z",
        level=level,
        yi=y,
        vi=v,
        X=X,
        labels=labels,
        coef_names=coef_names,
        beta=beta,
        se=se,
        stat=stat,
        pval=pval,
        ci_lb=ci_lb,
        ci_ub=ci_ub,
        vb=vb,
        ddf=ddf,
        tau2=tau2,
        se_tau2=tau.se,
        tau2_iterations=tau.iterations,
        tau2_algorithm=tau.algorithm,
        q=het.q,
        q_df=het.df,
        q_pval=het.pval,
        i2=i2,
        h2=h2,
        vt=het.vt,
        qm=qm,
        qm_df=qm_df,
        qm_pval=qm_pval,
        weights=100.0 * w / w.sum(),
        pred_se=pred_se,
        pi_lb=pi_lb,
        pi_ub=pi_ub,
        heterogeneity_ci=heterogeneity_ci,
        r2=r2,
        threshold=threshold,
        maxiter=maxiter,
    )


def _r2(
    y: NDArray[np.float64],
    v: NDArray[np.float64],
    X: NDArray[np.float64],
    method: str,
    tau2: float,
    threshold: float,
    maxiter: int,
) -> float:
    """metafor's R^2 (%): ``(tau2_RE - tau2) / tau2_RE`` (random effects; 0 if tau2_RE = 0), or
    the adjusted R^2 of the weighted regression (fixed effect)."""
    k, p = X.shape
    if method == "FE":
        if np.var(y) == 0:
            return 0.0
        w = 1.0 / v
        beta = wls(X, y, w).beta
        fitted = X @ beta
        rss = float(np.sum(w * (y - fitted) ** 2))
        mss = float(np.sum(w * (fitted - np.sum(w * fitted) / w.sum()) ** 2))
        r2 = mss / (mss + rss)
        return max(0.0, 100.0 * (1.0 - (1.0 - r2) * (k - 1) / (k - p)))
    tau2_re = estimate_tau2(method, y, v, np.ones((k, 1)), threshold, maxiter).tau2
    if tau2_re == 0.0:
        return 0.0
    return max(0.0, 100.0 * (tau2_re - tau2) / tau2_re)


def predict(result: MetaResult, X_new: ArrayLike | None = None) -> dict[str, NDArray[np.float64]]:
    """Predicted effects at moderator values ``X_new`` (n, p) (intercept first), as metafor.

    Returns arrays of shape (n,): ``pred``, ``se``, ``ci_lb``, ``ci_ub``, ``pi_lb``, ``pi_ub``
    (the prediction interval adds tau^2 to the variance). Default: the intercept-only row.
    """
    from scipy import stats

    rows = np.ones((1, result.p)) if X_new is None else np.atleast_2d(np.asarray(X_new, float))
    if rows.shape[1] != result.p:
        raise InvalidValueError(
            f"X_new must have {result.p} columns (intercept first); got {rows.shape[1]}"
        )
    pred = rows @ result.beta
    vpred = np.einsum("ij,jk,ik->i", rows, result.vb, rows)
    se = np.sqrt(np.clip(vpred, 0.0, None))
    alpha = 1.0 - result.level
    crit = (
        float(stats.t.isf(alpha / 2.0, result.ddf))
        if result.ddf is not None
        else float(stats.norm.isf(alpha / 2.0))
    )
    half_pi = crit * np.sqrt(vpred + result.tau2)
    return {
        "pred": pred,
        "se": se,
        "ci_lb": pred - crit * se,
        "ci_ub": pred + crit * se,
        "pi_lb": pred - half_pi,
        "pi_ub": pred + half_pi,
    }
