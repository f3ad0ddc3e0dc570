"""Result records of the meta-analysis (frozen dataclasses; plain dicts for JSON)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tmslab.evidence.meta.heterogeneity import HeterogeneityCI
from tmslab.evidence.meta.tau2 import DEFAULT_MAXITER, DEFAULT_THRESHOLD


def _f(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


@dataclass(frozen=True)
class MetaResult:
    """A fitted fixed-effect, random-effects or mixed-effects (meta-regression) model.

    Effect sizes ``yi`` and their sampling variances ``vi`` have shape (k,), in the unit of
    the measure (log scale for RR and OR) and its square; the design matrix ``X`` is (k, p)
    with the intercept first. Per coefficient (shape (p,)): ``beta``, ``se``, ``stat`` (z, or
    t with ``ddf`` degrees of freedom under Knapp-Hartung), ``pval``, ``ci_lb``, ``ci_ub``;
    ``vb`` (p, p) is their covariance. ``tau2`` (unit^2) is the (residual) between-study
    variance (0 for FE), ``q`` Cochran's (residual) Q with ``q_df = k - p``, ``i2`` (%) and
    ``h2`` metafor's I^2 and H^2, ``vt`` the typical sampling variance. ``qm`` is the omnibus
    test of the moderators (of the intercept when p = 1): chi-square with ``qm_df[0]`` df, or
    F(``qm_df``) under Knapp-Hartung. ``weights`` (k,) are the studies' weights in %.
    ``pi_lb``/``pi_ub``: prediction interval for a new study's true effect (p = 1 only).
    ``heterogeneity_ci``: Q-profile intervals for tau^2, I^2, H^2 (random effects only).
    ``r2`` (%): heterogeneity accounted for by the moderators (p > 1 only).
    ``threshold``/``maxiter``: the Fisher scoring stopping rule used (ML, REML), reused by
    leave-one-out, Egger's test and trim-and-fill.
    """

    method: str
    test: str
    level: float
    yi: NDArray[np.float64]
    vi: NDArray[np.float64]
    X: NDArray[np.float64]
    labels: tuple[str, ...]
    coef_names: tuple[str, ...]
    beta: NDArray[np.float64]
    se: NDArray[np.float64]
    stat: NDArray[np.float64]
    pval: NDArray[np.float64]
    ci_lb: NDArray[np.float64]
    ci_ub: NDArray[np.float64]
    vb: NDArray[np.float64]
    ddf: int | None
    tau2: float
    se_tau2: float
    tau2_iterations: int
    tau2_algorithm: str
    q: float
    q_df: int
    q_pval: float
    i2: float
    h2: float
    vt: float
    qm: float
    qm_df: tuple[int, int | None]
    qm_pval: float
    weights: NDArray[np.float64]
    pred_se: float | None = None
    pi_lb: float | None = None
    pi_ub: float | None = None
    heterogeneity_ci: HeterogeneityCI | None = None
    r2: float | None = None
    threshold: float = DEFAULT_THRESHOLD
    maxiter: int = DEFAULT_MAXITER

    @property
    def k(self) -> int:
        """Number of studies."""
        return int(self.yi.size)

    @property
    def p(self) -> int:
        """Number of coefficients (1 without moderators)."""
        return int(self.X.shape[1])

    @property
    def estimate(self) -> float:
        """The pooled effect (the intercept in a meta-regression), unit of the measure."""
        return float(self.beta[0])

    @property
    def tau(self) -> float:
        """sqrt(tau^2), unit of the measure."""
        return float(np.sqrt(self.tau2))

    @property
    def random_effects(self) -> bool:
        return self.method != "FE"

    def coefficients(self) -> list[dict[str, float | str | None]]:
        """One dict per coefficient: name, estimate, se, statistic, pval, ci_lb, ci_ub."""
        return [
            {
                "name": name,
                "estimate": _f(self.beta[j]),
                "se": _f(self.se[j]),
                "statistic": _f(self.stat[j]),
                "pval": _f(self.pval[j]),
                "ci_lb": _f(self.ci_lb[j]),
                "ci_ub": _f(self.ci_ub[j]),
            }
            for j, name in enumerate(self.coef_names)
        ]

    def to_dict(self) -> dict[str, object]:
        """The result as plain JSON-ready values (None where a figure does not apply)."""
        record: dict[str, object] = {
            "method": self.method,
            "test": self.test,
            "level": 100.0 * self.level,
            "k": self.k,
            "p": self.p,
            "estimate": _f(self.beta[0]),
            "se": _f(self.se[0]),
            "statistic": _f(self.stat[0]),
            "statistic_kind": "t" if self.test == "knha" else "z",
            "df": self.ddf,
            "pval": _f(self.pval[0]),
            "ci_lb": _f(self.ci_lb[0]),
            "ci_ub": _f(self.ci_ub[0]),
            "pi_lb": _f(self.pi_lb),
            "pi_ub": _f(self.pi_ub),
            "tau2": float(self.tau2),
            "se_tau2": _f(self.se_tau2) if self.random_effects else None,
            "tau": self.tau,
            "tau2_algorithm": self.tau2_algorithm if self.random_effects else None,
            "i2": float(self.i2),
            "h2": float(self.h2),
            "q": float(self.q),
            "q_df": self.q_df,
            "q_pval": float(self.q_pval),
        }
        ci = self.heterogeneity_ci
        for key in ("tau2", "tau", "i2", "h2"):
            record[f"{key}_ci_lb"] = None if ci is None else float(getattr(ci, key)[0])
            record[f"{key}_ci_ub"] = None if ci is None else float(getattr(ci, key)[1])
        record.update(
            {
                "qm": _f(self.qm),
                "qm_df": list(self.qm_df),
                "qm_pval": _f(self.qm_pval),
                "r2": _f(self.r2),
                "coefficients": self.coefficients(),
                "studies": [
                    {
                        "study": label,
                        "yi": float(y),
                        "vi": float(v),
                        "weight_percent": float(w),
                    }
                    for label, y, v, w in zip(
                        self.labels, self.yi, self.vi, self.weights, strict=True
                    )
                ],
            }
        )
        return record
