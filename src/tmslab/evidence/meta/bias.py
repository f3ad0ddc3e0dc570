"""Small-study effects: Egger's regression test and trim-and-fill (pure numerics).

- :func:`egger_test` is metafor's ``regtest`` with its defaults (``model="rma"``,
  ``predictor="sei"``): the model of ``result`` (same method and test) refitted with the
  standard error ``sqrt(vi)`` as moderator, ``y = b0 + b1 sei``; the test of ``b1 = 0`` is the
  test for funnel-plot asymmetry (Egger et al. 1997, doi:10.1136/bmj.315.7109.629, as a
  meta-regression: Sterne & Egger 2005). ``b0``, the effect of a study with ``sei = 0``, is
  the "limit estimate".
- :func:`trim_and_fill` is metafor's ``trimfill`` with its defaults (Duval & Tweedie 2000,
  doi:10.1111/j.0006-341X.2000.00455.x): the side with the missing studies is the one
  opposite to the sign of ``b1`` in that regression (missing on the right if ``b1 < 0``);
  the L0 estimator of the number of missing studies ``k0`` is iterated, trimming the ``k0``
  most extreme studies on the other side and re-estimating the centre with ``result``'s
  method, until ``k0`` repeats; the trimmed studies are then mirrored about the last centre
  and the model is refitted to the k + k0 studies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tmslab.errors import InvalidValueError
from tmslab.evidence.meta.models import fit_unchecked
from tmslab.evidence.meta.results import MetaResult

SIDES = ("left", "right")


def _require_intercept_only(result: MetaResult, what: str) -> None:
    if result.p != 1:
        raise InvalidValueError(f"{what} applies to models without moderators; drop the moderators")


def _sei_fit(result: MetaResult, knha: bool, confint: bool = False) -> MetaResult:
    X = np.column_stack([np.ones(result.k), np.sqrt(result.vi)])
    return fit_unchecked(
        result.yi,
        result.vi,
        result.method,
        knha=knha,
        X=X,
        coef_names=("intrcpt", "sei"),
        labels=result.labels,
        level=result.level,
        confint=confint,
        threshold=result.threshold,
        maxiter=result.maxiter,
    )


@dataclass(frozen=True)
class EggerResult:
    """Egger's regression test: slope on the standard error and its test, and the limit estimate.

    ``slope``, ``slope_se`` (unit of the measure per unit of SE, i.e. dimensionless),
    ``stat`` (z, or t with ``ddf`` df under Knapp-Hartung), ``pval`` (two-sided);
    ``limit_estimate`` and its interval (unit of the measure); ``fit``: the regression.
    """

    slope: float
    slope_se: float
    stat: float
    pval: float
    ddf: int | None
    limit_estimate: float
    limit_ci_lb: float
    limit_ci_ub: float
    fit: MetaResult

    def to_dict(self) -> dict[str, object]:
        return {
            "test": "Egger regression test (metafor regtest: model='rma', predictor='sei')",
            "method": self.fit.method,
            "k": self.fit.k,
            "slope": self.slope,
            "slope_se": self.slope_se,
            "statistic": self.stat,
            "statistic_kind": "t" if self.ddf is not None else "z",
            "df": self.ddf,
            "pval": self.pval,
            "limit_estimate": self.limit_estimate,
            "limit_ci_lb": self.limit_ci_lb,
            "limit_ci_ub": self.limit_ci_ub,
            "tau2": self.fit.tau2,
        }


def egger_test(result: MetaResult) -> EggerResult:
    """Egger's regression test for ``result`` (a model without moderators, k >= 3)."""
    _require_intercept_only(result, "Egger's test")
    if result.k < 3:
        raise InvalidValueError(f"Egger's test needs at least 3 studies; got {result.k}")
    if np.ptp(result.vi) == 0:
        raise InvalidValueError(
            "Egger's test needs studies of different precision; all sampling variances are equal"
        )
    reg = _sei_fit(result, knha=result.test == "knha")
    return EggerResult(
        slope=float(reg.beta[1]),
        slope_se=float(reg.se[1]),
        stat=float(reg.stat[1]),
        pval=float(reg.pval[1]),
        ddf=reg.ddf,
        limit_estimate=float(reg.beta[0]),
        limit_ci_lb=float(reg.ci_lb[0]),
        limit_ci_ub=float(reg.ci_ub[0]),
        fit=reg,
    )


@dataclass(frozen=True)
class TrimFillResult:
    """Trim-and-fill: ``k0`` missing studies (with metafor's ``se_k0``) on ``side``.

    ``filled_yi``/``filled_vi`` (k0,): the imputed studies; ``fit``: the model refitted to the
    k + k0 studies (the original ``result`` when k0 = 0); ``fill`` (k + k0,): True for the
    imputed studies in ``fit.yi``; ``iterations``: L0 iterations.
    """

    k0: int
    se_k0: float
    side: str
    estimator: str
    filled_yi: NDArray[np.float64]
    filled_vi: NDArray[np.float64]
    fill: NDArray[np.bool_]
    fit: MetaResult
    original: MetaResult
    iterations: int

    def to_dict(self) -> dict[str, object]:
        record = self.fit.to_dict()
        record.update(
            {
                "k0": self.k0,
                "se_k0": self.se_k0,
                "side": self.side,
                "estimator": self.estimator,
                "k_original": self.original.k,
                "estimate_original": self.original.estimate,
                "filled": [
                    {"yi": float(y), "vi": float(v)}
                    for y, v in zip(self.filled_yi, self.filled_vi, strict=True)
                ],
            }
        )
        return record


def _ranks_first(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """R's ``rank(ties.method = "first")``: 1..k, ties in order of appearance."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(values.size)
    ranks[order] = np.arange(1, values.size + 1)
    return ranks


def trim_and_fill(
    result: MetaResult, side: str | None = None, maxiter: int = 100
) -> TrimFillResult:
    """Trim-and-fill with the L0 estimator for ``result`` (no moderators, k >= 3).

    side: "left", "right", or None to choose it as metafor does (from Egger's regression).
    The refitted model keeps ``result``'s method, level and test (metafor refits with z tests;
    the two agree unless Knapp-Hartung was asked for).
    """
    _require_intercept_only(result, "trim-and-fill")
    if result.k < 3:
        raise InvalidValueError(f"trim-and-fill needs at least 3 studies; got {result.k}")
    if side is None:
        if np.ptp(result.vi) == 0:
            side = "left"  # no asymmetry to read: metafor's branch for a slope >= 0
        else:
            side = "right" if _sei_fit(result, knha=False).beta[1] < 0 else "left"
    elif side not in SIDES:
        raise InvalidValueError(f"side = {side!r} is not allowed; use left or right")

    sign = -1.0 if side == "right" else 1.0
    y = sign * result.yi
    order = np.argsort(y, kind="stable")
    ys, vs = y[order], result.vi[order]
    k = result.k
    k0, previous, iterations = 0, -1, 0
    se_k0 = 0.0
    centre = 0.0
    while k0 != previous:
        previous = k0
        iterations += 1
        if iterations > maxiter:
            raise InvalidValueError(
                f"trim-and-fill did not converge in {maxiter} iterations; the funnel is too irregular"
            )
        trimmed = fit_unchecked(
            ys[: k - k0],
            vs[: k - k0],
            result.method,
            knha=False,
            X=np.ones((k - k0, 1)),
            coef_names=("intrcpt",),
            labels=tuple(f"Study {i + 1}" for i in range(k - k0)),
            level=result.level,
            threshold=result.threshold,
            maxiter=result.maxiter,
        )
        centre = float(trimmed.beta[0])
        deviation = ys - centre
        # a study at the centre up to rounding counts as neither side (sign 0)
        deviation[np.abs(deviation) <= 64 * np.finfo(float).eps * np.abs(ys).max()] = 0.0
        signed_ranks = np.sign(deviation) * _ranks_first(np.abs(deviation))
        sr = float(signed_ranks[signed_ranks > 0].sum())
        l0 = (4.0 * sr - k * (k + 1)) / (2 * k - 1)
        var_sr = (
            k * (k + 1) * (2 * k + 1)
            + 10 * l0**3
            + 27 * l0**2
            + 17 * l0
            - 18 * k * l0**2
            - 18 * k * l0
            + 6 * k**2 * l0
        ) / 24.0
        with np.errstate(invalid="ignore"):
            se_k0 = max(0.0, 4.0 * float(np.sqrt(var_sr)) / (2 * k - 1))
        k0 = max(0, int(np.round(l0)))  # round half to even, as R's round()

    if k0 == 0:
        return TrimFillResult(
            k0=0,
            se_k0=se_k0,
            side=side,
            estimator="L0",
            filled_yi=np.empty(0),
            filled_vi=np.empty(0),
            fill=np.zeros(k, dtype=bool),
            fit=result,
            original=result,
            iterations=iterations,
        )
    filled_yi = sign * (2.0 * centre - ys[k - k0 :])
    filled_vi = vs[k - k0 :].copy()
    refit = fit_unchecked(
        np.concatenate([result.yi, filled_yi]),
        np.concatenate([result.vi, filled_vi]),
        result.method,
        knha=result.test == "knha",
        X=np.ones((k + k0, 1)),
        coef_names=result.coef_names,
        labels=result.labels + tuple(f"Filled {i + 1}" for i in range(k0)),
        level=result.level,
        confint=result.heterogeneity_ci is not None,
        threshold=result.threshold,
        maxiter=result.maxiter,
    )
    return TrimFillResult(
        k0=k0,
        se_k0=se_k0,
        side=side,
        estimator="L0",
        filled_yi=filled_yi,
        filled_vi=filled_vi,
        fill=np.concatenate([np.zeros(k, dtype=bool), np.ones(k0, dtype=bool)]),
        fit=refit,
        original=result,
        iterations=iterations,
    )
