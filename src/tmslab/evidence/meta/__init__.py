"""Meta-analysis that agrees with R's metafor: effect sizes, FE/RE models, heterogeneity, bias.

Effect sizes (:mod:`~tmslab.evidence.meta.effect_sizes`): log risk and odds ratios, mean
differences, Hedges' g (exact or RevMan 5), generic yi/vi, from CSV or R's write.table /
write.csv output with metafor's column names or a mapping onto them (:func:`load_meta_csv`).
Models (:func:`fit`): fixed effect (inverse variance) and random effects with the DL, REML,
PM and ML estimators of tau^2, optional Hartung-Knapp(-Sidik-Jonkman) inference, Q, I^2, H^2
(tau^2 truncated at zero), Q-profile intervals, prediction intervals; meta-regression
(:func:`meta_regression`); leave-one-out (:func:`leave_one_out`); Egger's test and
trim-and-fill (:func:`egger_test`, :func:`trim_and_fill`). Figures live in
:mod:`tmslab.viz.meta` (matplotlib, imported only there).

The numbers agree with metafor 3.8 (Viechtbauer 2010, doi:10.18637/jss.v036.i03) to better
than 1e-6; ``tests/evidence/meta/reference/make_reference.R`` records how the reference was made.
"""

from __future__ import annotations

from tmslab.evidence.meta.bias import EggerResult, TrimFillResult, egger_test, trim_and_fill
from tmslab.evidence.meta.data import (
    MetaData,
    MetaTable,
    effect_data,
    load_meta_csv,
    map_columns,
    read_table,
)
from tmslab.evidence.meta.effect_sizes import (
    hedges_correction_exact,
    hedges_correction_revman,
    log_odds_ratio,
    log_risk_ratio,
    mean_difference,
    standardized_mean_difference,
    zero_cell_correction,
)
from tmslab.evidence.meta.heterogeneity import HeterogeneityCI, q_profile_ci
from tmslab.evidence.meta.measures import MEASURES, Measure, get_measure
from tmslab.evidence.meta.models import fit, predict
from tmslab.evidence.meta.regression import design_matrix, meta_regression
from tmslab.evidence.meta.results import MetaResult
from tmslab.evidence.meta.sensitivity import LeaveOneOut, leave_one_out

__all__ = [
    "MEASURES",
    "EggerResult",
    "HeterogeneityCI",
    "LeaveOneOut",
    "Measure",
    "MetaData",
    "MetaResult",
    "MetaTable",
    "TrimFillResult",
    "design_matrix",
    "effect_data",
    "egger_test",
    "fit",
    "get_measure",
    "hedges_correction_exact",
    "hedges_correction_revman",
    "leave_one_out",
    "load_meta_csv",
    "log_odds_ratio",
    "log_risk_ratio",
    "map_columns",
    "mean_difference",
    "meta_regression",
    "predict",
    "q_profile_ci",
    "read_table",
    "standardized_mean_difference",
    "trim_and_fill",
    "zero_cell_correction",
]
