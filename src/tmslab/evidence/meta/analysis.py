"""One meta-analysis from a file: load the table, fit the model, give its record and table rows.

The steps every ``tmslab meta`` command shares (:func:`analyse`), and what they print:
:meth:`MetaAnalysis.record` for JSON, ``*_rows`` for the tables (raw text and numbers; the
caller lays them out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tmslab.evidence.meta.bias import EggerResult, TrimFillResult
from tmslab.evidence.meta.data import MetaData, load_meta_csv, parse_columns
from tmslab.evidence.meta.models import fit
from tmslab.evidence.meta.regression import design_matrix
from tmslab.evidence.meta.results import MetaResult
from tmslab.evidence.meta.sensitivity import LeaveOneOut
from tmslab.wording import Listing
from tmslab.wording import short_form as fmt

Rows = list[tuple[str, Any]]


def _interval(lb: Any, ub: Any) -> str:
    return "" if lb is None else f"[{fmt(lb)}, {fmt(ub)}]"


def exp_block(data: MetaData, result: MetaResult) -> dict[str, float | None] | None:
    """Ratios (exp of the log-scale estimate and its intervals) for RR and OR; else None."""
    if not data.measure.ratio or result.p != 1:
        return None
    values = {
        "estimate": result.estimate,
        "ci_lb": float(result.ci_lb[0]),
        "ci_ub": float(result.ci_ub[0]),
        "pi_lb": result.pi_lb,
        "pi_ub": result.pi_ub,
    }
    return {key: None if value is None else math.exp(value) for key, value in values.items()}


@dataclass(frozen=True)
class MetaAnalysis:
    """A data set (effect sizes of k studies) and the model fitted to it."""

    data: MetaData
    result: MetaResult

    @property
    def title(self) -> str:
        return "Meta-analysis" if self.result.p == 1 else "Meta-regression"

    def header(self) -> dict[str, Any]:
        """File, measure and scale (and the SMD correction) as JSON-ready values."""
        measure = self.data.measure
        record: dict[str, Any] = {
            "data": str(self.data.path),
            "measure": measure.name,
            "scale": measure.label,
        }
        if measure.name == "SMD":
            record["smd_correction"] = self.data.smd_correction
        return record

    def record(self, result: MetaResult | None = None) -> dict[str, Any]:
        """:meth:`header` and ``result`` (default: the fit) as JSON-ready values."""
        result = self.result if result is None else result
        record = {**self.header(), **result.to_dict()}
        ratio = exp_block(self.data, result)
        if ratio is not None:
            record["exp"] = ratio
        return record

    def summary_rows(self, result: MetaResult | None = None) -> Rows:
        """Key-value rows of a model (default: the fit): estimate, intervals, heterogeneity."""
        result = self.result if result is None else result
        r = self.record(result)
        stat = "t" if result.test == "knha" else "z"
        rows: Rows = [
            ("data", r["data"]),
            ("measure", f"{r['measure']}: {r['scale']}"),
            ("model", f"{result.method}" + (", Knapp-Hartung" if result.test == "knha" else "")),
            ("studies (k)", result.k),
        ]
        level = f"{100 * result.level:g} %"
        if result.p == 1:
            rows += [
                ("estimate", r["estimate"]),
                ("standard error", r["se"]),
                (f"{stat} (p)", f"{fmt(r['statistic'])} (p = {fmt(r['pval'])})"),
                (f"{level} CI", _interval(r["ci_lb"], r["ci_ub"])),
                (f"{level} prediction interval", _interval(r["pi_lb"], r["pi_ub"])),
            ]
            if "exp" in r:
                e = r["exp"]
                ratio = f"{fmt(e['estimate'])} {_interval(e['ci_lb'], e['ci_ub'])}"
                rows.append(("ratio (exp)", ratio))
        for key, name in (("tau2", "tau^2"), ("i2", "I^2 (%)"), ("h2", "H^2")):
            rows.append((name, f"{fmt(r[key])} {_interval(r[key + '_ci_lb'], r[key + '_ci_ub'])}"))
        rows.append(("Q (df, p)", f"{fmt(r['q'])} ({r['q_df']}, p = {fmt(r['q_pval'])})"))
        if result.p > 1:
            test = "F" if result.test == "knha" else "chi^2"
            df = ", ".join(str(d) for d in r["qm_df"] if d is not None)
            rows.append(
                (f"moderators: QM ({test})", f"{fmt(r['qm'])} (df {df}, p = {fmt(r['qm_pval'])})")
            )
            rows.append(("R^2 (%)", r["r2"]))
        return rows

    def coefficient_columns(self, result: MetaResult | None = None) -> tuple[str, ...]:
        result = self.result if result is None else result
        stat = "t" if result.test == "knha" else "z"
        return ("coefficient", "estimate", "se", stat, "p", "CI lb", "CI ub")

    def coefficient_rows(self, result: MetaResult | None = None) -> list[tuple[str, ...]]:
        """One row per coefficient of a meta-regression (none without moderators)."""
        result = self.result if result is None else result
        if result.p == 1:
            return []
        keys = ("estimate", "se", "statistic", "pval", "ci_lb", "ci_ub")
        return [(c["name"], *(f"{c[k]:.3g}" for k in keys)) for c in result.coefficients()]

    def study_rows(self) -> list[tuple[str, ...]]:
        """study, yi, vi, weight (%) of each study."""
        r = self.result
        return [
            (label, fmt(float(y)), fmt(float(v)), f"{w:.2f}")
            for label, y, v, w in zip(r.labels, r.yi, r.vi, r.weights, strict=True)
        ]

    def leave_one_out_title(self) -> str:
        r = self.result
        return (
            f"Leave-one-out ({r.method}, {100 * r.level:g} % CI; all studies: "
            f"estimate {fmt(r.estimate)}, I^2 {fmt(r.i2)} %)"
        )

    @staticmethod
    def leave_one_out_rows(loo: LeaveOneOut) -> list[tuple[str, ...]]:
        """omitted, estimate, CI lb, CI ub, p, tau^2, I^2 % of each refit."""
        forms = (
            ("estimate", ".4f"),
            ("ci_lb", ".4f"),
            ("ci_ub", ".4f"),
            ("pval", ".3g"),
            ("tau2", ".4g"),
            ("i2", ".1f"),
        )
        return [(str(row["omitted"]), *(format(row[k], f) for k, f in forms)) for row in loo.rows()]

    def leave_one_out_record(self, loo: LeaveOneOut) -> dict[str, Any]:
        """:meth:`record` with the refits (``leave_one_out``)."""
        return {**self.record(), "leave_one_out": loo.rows()}

    def egger_record(self, egger: EggerResult) -> dict[str, Any]:
        """:meth:`header` with Egger's test."""
        return {**self.header(), **egger.to_dict()}

    @staticmethod
    def _numbers(title: str, columns: tuple[str, ...], rows: list, **style: Any) -> Listing:
        # A table of numbers: the first column (names) left, the figures right.
        left = {columns[0]: {"justify": "left"}}
        return Listing(title, columns, rows, styles=left, style={"justify": "right", **style})

    def coefficient_listing(self, result: MetaResult | None = None) -> Listing | None:
        """The coefficients of a meta-regression; None for a model without moderators."""
        result = self.result if result is None else result
        if result.p <= 1:
            return None
        columns, rows = self.coefficient_columns(result), self.coefficient_rows(result)
        return self._numbers("Coefficients", columns, rows, no_wrap=True)

    def study_listing(self) -> Listing:
        """Each study's yi, vi and weight (%)."""
        return self._numbers("Studies", ("study", "yi", "vi", "weight (%)"), self.study_rows())

    def leave_one_out_listing(self, loo: LeaveOneOut) -> Listing:
        """Each refit without one study; the record is :meth:`leave_one_out_record`."""
        columns = ("omitted", "estimate", "CI lb", "CI ub", "p", "tau^2", "I^2 %")
        rows = self.leave_one_out_rows(loo)
        listing = self._numbers(self.leave_one_out_title(), columns, rows, no_wrap=True)
        return replace(listing, record=self.leave_one_out_record(loo))

    def egger_rows(self, egger: EggerResult) -> Rows:
        """Key-value rows of Egger's test."""
        stat = "t" if egger.ddf is not None else "z"
        limit = f"{fmt(egger.limit_estimate)} {_interval(egger.limit_ci_lb, egger.limit_ci_ub)}"
        return [
            ("data", str(self.data.path)),
            ("model", self.result.method + (", Knapp-Hartung" if egger.ddf is not None else "")),
            ("studies (k)", self.result.k),
            ("slope on SE", f"{fmt(egger.slope)} (SE {fmt(egger.slope_se)})"),
            (
                f"test of asymmetry: {stat}" + (f" (df {egger.ddf})" if egger.ddf else ""),
                egger.stat,
            ),
            ("p", egger.pval),
            ("limit estimate (SE -> 0)", limit),
        ]

    def trim_fill_record(self, tf: TrimFillResult) -> dict[str, Any]:
        record = {**self.header(), **tf.to_dict()}
        ratio = exp_block(self.data, tf.fit)
        if ratio is not None:
            record["exp"] = ratio
        return record

    def trim_fill_line(self, tf: TrimFillResult) -> str:
        return (
            f"estimated missing studies on the {tf.side} side: {tf.k0} (SE {fmt(tf.se_k0)}); "
            f"estimate without filling: {fmt(self.result.estimate)}"
        )


def analyse(
    path: str | Path,
    measure: str,
    *,
    method: str = "REML",
    knha: bool = False,
    smd_correction: str = "exact",
    columns: str = "",
    mods: str = "",
    level: float = 95.0,
    confint: bool = True,
) -> MetaAnalysis:
    """Read the table at ``path``, compute the effect sizes and fit the model.

    Parameters
    ----------
    path : path
        CSV or R write.table output, one row per study (:func:`~.data.read_table`).
    measure : str
        RR, OR, SMD, MD or GEN.
    method, knha, level, confint
        As :func:`~.models.fit` (``level`` in %).
    smd_correction : str
        exact or revman (case-insensitive).
    columns : str
        ``metafor_name=file_column`` pairs, comma-separated (checked before the file is read).
    mods : str
        Moderator columns, comma-separated: a meta-regression.
    """
    mapping = parse_columns(columns)  # a malformed option is reported before the file is read
    moderators = tuple(name.strip() for name in mods.split(",") if name.strip())
    data = load_meta_csv(
        path, measure, smd_correction=smd_correction.lower(), mods=moderators, columns=mapping
    )
    X, names = design_matrix(data.moderators, data.k) if data.moderators else (None, None)
    result = fit(
        data.yi,
        data.vi,
        method,
        knha=knha,
        X=X,
        coef_names=names,
        labels=data.labels,
        level=level,
        confint=confint,
    )
    return MetaAnalysis(data, result)
