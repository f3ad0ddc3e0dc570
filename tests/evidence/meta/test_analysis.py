"""The shared load-fit step of the meta commands (tmslab.evidence.meta.analysis)."""

from pathlib import Path

import numpy as np
import pytest

from tmslab.errors import TmslabError
from tmslab.evidence.meta import fit, load_meta_csv
from tmslab.evidence.meta.analysis import MetaAnalysis, analyse
from tmslab.evidence.meta.bias import egger_test, trim_and_fill
from tmslab.evidence.meta.sensitivity import leave_one_out

BCG = Path(__file__).parent / "data" / "bcg.csv"


def test_analyse_is_load_then_fit():
    meta = analyse(BCG, "RR", method="DL", level=90.0)
    data = load_meta_csv(BCG, "RR")
    direct = fit(data.yi, data.vi, "DL", labels=data.labels, level=90.0)
    assert isinstance(meta, MetaAnalysis)
    assert meta.result.estimate == pytest.approx(direct.estimate, rel=1e-12)
    assert meta.result.tau2 == pytest.approx(direct.tau2, rel=1e-12)
    assert meta.title == "Meta-analysis"


def test_record_adds_the_header_and_the_ratios():
    meta = analyse(BCG, "RR")
    record = meta.record()
    assert record["data"] == str(BCG) and record["measure"] == "RR"
    assert record["exp"]["estimate"] == pytest.approx(np.exp(meta.result.estimate))
    assert "smd_correction" not in record


def test_rows_name_every_figure_once():
    meta = analyse(BCG, "RR")
    keys = [key for key, _ in meta.summary_rows()]
    assert keys[:4] == ["data", "measure", "model", "studies (k)"]
    assert {"estimate", "95 % CI", "ratio (exp)", "tau^2", "I^2 (%)", "Q (df, p)"} <= set(keys)
    assert len(keys) == len(set(keys))
    assert meta.coefficient_rows() == []
    assert [row[0] for row in meta.study_rows()] == list(meta.result.labels)


def test_meta_regression_gives_coefficient_rows():
    meta = analyse(BCG, "RR", mods="ablat, year", knha=True)
    assert meta.title == "Meta-regression"
    assert meta.coefficient_columns()[3] == "t"
    assert [row[0] for row in meta.coefficient_rows()] == list(meta.result.coef_names)
    assert "moderators: QM (F)" in dict(meta.summary_rows())


def test_bias_and_sensitivity_rows():
    meta = analyse(BCG, "RR")
    loo = leave_one_out(meta.result)
    rows = meta.leave_one_out_rows(loo)
    assert len(rows) == meta.result.k and all(len(row) == 7 for row in rows)
    assert dict(meta.egger_rows(egger_test(meta.result)))["studies (k)"] == meta.result.k
    tf = trim_and_fill(meta.result)
    assert meta.trim_fill_record(tf)["k0"] == tf.k0
    assert meta.trim_fill_line(tf).startswith(f"estimated missing studies on the {tf.side} side")


def test_a_bad_columns_option_is_refused_before_the_file_is_read():
    with pytest.raises(TmslabError, match="--columns"):
        analyse("no-such-file.csv", "RR", columns="ai=")
