"""Leave-one-out sensitivity analysis (metafor's ``leave1out``), pure numerics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tmslab.errors import InvalidValueError
from tmslab.evidence.meta.models import fit_unchecked
from tmslab.evidence.meta.results import MetaResult
from tmslab.evidence.meta.validate import min_studies


@dataclass(frozen=True)
class LeaveOneOut:
    """The model refitted k times, each time without one study; every array has shape (k,).

    ``estimate``, ``se``, ``ci_lb``, ``ci_ub`` in the unit of the measure; ``stat`` (z or t),
    ``pval``; heterogeneity without the study: ``q``, ``q_pval``, ``tau2`` (unit^2), ``i2`` (%),
    ``h2``. Entry i is the fit without ``labels[i]``.
    """

    labels: tuple[str, ...]
    estimate: NDArray[np.float64]
    se: NDArray[np.float64]
    stat: NDArray[np.float64]
    pval: NDArray[np.float64]
    ci_lb: NDArray[np.float64]
    ci_ub: NDArray[np.float64]
    q: NDArray[np.float64]
    q_pval: NDArray[np.float64]
    tau2: NDArray[np.float64]
    i2: NDArray[np.float64]
    h2: NDArray[np.float64]

    def rows(self) -> list[dict[str, float | str]]:
        """One dict per omitted study (JSON-ready)."""
        keys = (
            "estimate",
            "se",
            "stat",
            "pval",
            "ci_lb",
            "ci_ub",
            "q",
            "q_pval",
            "tau2",
            "i2",
            "h2",
        )
        return [
            {"omitted": label, **{key: float(getattr(self, key)[i]) for key in keys}}
            for i, label in enumerate(self.labels)
        ]


def leave_one_out(result: MetaResult) -> LeaveOneOut:
    """Refit ``result``'s model (same method, test, level) once without each study."""
    if result.p != 1:
        raise InvalidValueError(
            "leave-one-out applies to models without moderators; drop the moderators"
        )
    need = min_studies(result.method) + 1
    if result.k < need:
        raise InvalidValueError(
            f"leave-one-out with method {result.method} needs at least {need} studies; got {result.k}"
        )
    k = result.k
    fields: dict[str, list[float]] = {
        key: []
        for key in (
            "estimate",
            "se",
            "stat",
            "pval",
            "ci_lb",
            "ci_ub",
            "q",
            "q_pval",
            "tau2",
            "i2",
            "h2",
        )
    }
    for i in range(k):
        keep = np.arange(k) != i
        sub = fit_unchecked(
            result.yi[keep],
            result.vi[keep],
            result.method,
            knha=result.test == "knha",
            X=result.X[keep],
            coef_names=result.coef_names,
            labels=tuple(label for j, label in enumerate(result.labels) if j != i),
            level=result.level,
            threshold=result.threshold,
            maxiter=result.maxiter,
        )
        for key, value in (
            ("estimate", sub.beta[0]),
            ("se", sub.se[0]),
            ("stat", sub.stat[0]),
            ("pval", sub.pval[0]),
            ("ci_lb", sub.ci_lb[0]),
            ("ci_ub", sub.ci_ub[0]),
            ("q", sub.q),
            ("q_pval", sub.q_pval),
            ("tau2", sub.tau2),
            ("i2", sub.i2),
            ("h2", sub.h2),
        ):
            fields[key].append(float(value))
    return LeaveOneOut(labels=result.labels, **{key: np.array(v) for key, v in fields.items()})
