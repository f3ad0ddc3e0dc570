"""The Python API: input checks (one line naming the study), predictions, import cost."""

import subprocess
import sys

import numpy as np
import pytest

from tests.evidence.meta.refs import DATA, close, reference
from tmslab.errors import InvalidValueError, TmslabError, UnknownNameError
from tmslab.evidence.meta import (
    design_matrix,
    fit,
    leave_one_out,
    load_meta_csv,
    meta_regression,
    predict,
    trim_and_fill,
)


def test_variance_must_be_positive_and_names_the_study():
    with pytest.raises(InvalidValueError, match=r"vi of study 2 \(B\) is 0\.0"):
        fit([0.1, 0.2, 0.3], [0.1, 0.0, 0.2], labels=["A", "B", "C"])
    with pytest.raises(InvalidValueError, match="yi of study 3"):
        fit([0.1, 0.2, np.nan], [0.1, 0.1, 0.2])
    with pytest.raises(InvalidValueError, match="equal length"):
        fit([0.1, 0.2], [0.1])
    with pytest.raises(InvalidValueError, match="no studies"):
        fit([], [])


def test_messages_are_one_line():
    try:
        fit([0.1], [0.1], "REML")
    except TmslabError as error:
        assert "\n" not in str(error) and "at least 2 studies" in str(error)
    else:
        raise AssertionError("a single study must be refused for REML")


def test_names_and_levels():
    with pytest.raises(UnknownNameError, match="unknown method 'EB'"):
        fit([0.1, 0.2], [0.1, 0.1], "EB")
    assert fit([0.1, 0.2], [0.1, 0.1], "dl").method == "DL"
    wide = fit([0.1, 0.5, 0.3], [0.1, 0.1, 0.2], "DL", level=99)
    narrow = fit([0.1, 0.5, 0.3], [0.1, 0.1, 0.2], "DL", level=0.9)
    assert wide.ci_ub[0] - wide.ci_lb[0] > narrow.ci_ub[0] - narrow.ci_lb[0]
    with pytest.raises(InvalidValueError, match="level"):
        fit([0.1, 0.2], [0.1, 0.1], level=0)


def test_design_checks():
    with pytest.raises(InvalidValueError, match="intercept"):
        fit([0.1, 0.2, 0.4], [0.1, 0.1, 0.1], X=np.array([[2.0], [1.0], [1.0]]))
    with pytest.raises(InvalidValueError, match="single level"):
        design_matrix({"g": ["a", "a", "a"]}, 3)
    with pytest.raises(InvalidValueError, match="one per study"):
        design_matrix({"x": [1.0, 2.0]}, 3)
    with pytest.raises(InvalidValueError, match="no moderators"):
        meta_regression([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], {})


def test_leave_one_out_and_trimfill_refuse_moderators():
    data = load_meta_csv(DATA / "bcg.csv", "RR", mods=["ablat"])
    r = meta_regression(data.yi, data.vi, data.moderators)
    with pytest.raises(InvalidValueError, match="without moderators"):
        leave_one_out(r)
    with pytest.raises(InvalidValueError, match="without moderators"):
        trim_and_fill(r)
    with pytest.raises(InvalidValueError, match="left or right"):
        trim_and_fill(fit(data.yi, data.vi), side="up")


def test_predict_at_moderator_values_matches_fitted_line():
    # metafor: predict(rma(yi, vi, mods = ~ ablat), newmods = c(10, 50)) on dat.bcg log RRs
    data = load_meta_csv(DATA / "bcg.csv", "RR", mods=["ablat"])
    r = meta_regression(data.yi, data.vi, data.moderators, "REML")
    pred = predict(r, [[1.0, 10.0], [1.0, 50.0]])
    np.testing.assert_allclose(pred["pred"], r.beta[0] + r.beta[1] * np.array([10.0, 50.0]))
    assert np.all(pred["pi_lb"] < pred["ci_lb"]) and np.all(pred["pi_ub"] > pred["ci_ub"])
    # intercept-only default prediction = the pooled estimate and its prediction interval
    plain = fit(data.yi, data.vi, "REML")
    p0 = predict(plain)
    ref = reference("bcg_rr")["fits"]["REML"]
    close(p0["pi_lb"], ref["pi_lb"])
    close(p0["pi_ub"], ref["pi_ub"])


def test_fisher_scoring_fallback_where_metafor_stops():
    # metafor 3.8 (rma, method="REML") stops here: "Fisher scoring algorithm did not converge"
    # (the steps oscillate); tmslab solves the REML score equation instead.
    yi = np.array([0.0] * 8 + [1.0])
    vi = np.array([1.0] * 8 + [0.125])
    r = fit(yi, vi, "REML")
    assert r.tau2_algorithm.startswith("root of the score")
    k = yi.size
    w = 1 / (vi + r.tau2)
    P = np.diag(w) - np.outer(w, w) / w.sum()
    score = yi @ P @ P @ yi - np.trace(P)
    assert abs(score) < 1e-9 and 0.05 < r.tau2 < 0.15 and k == 9


def test_importing_tmslab_does_not_load_the_meta_engine():
    code = (
        "import sys, tmslab, tmslab.cli; "
        "print('tmslab.evidence.meta' in sys.modules, 'matplotlib' in sys.modules); "
        "import tmslab.evidence.meta; print('matplotlib' in sys.modules, 'scipy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False", "False", "False"]


def test_listings_of_an_analysis():
    from tests.evidence.meta.refs import DATA
    from tmslab.evidence.meta.analysis import analyse
    from tmslab.evidence.meta.sensitivity import leave_one_out

    meta = analyse(DATA / "bcg.csv", "RR")
    assert meta.coefficient_listing() is None
    studies = meta.study_listing()
    assert studies.title == "Studies" and len(studies.rows) == meta.result.k
    loo = leave_one_out(meta.result)
    listing = meta.leave_one_out_listing(loo)
    assert listing.record == meta.leave_one_out_record(loo) and len(listing.rows) == meta.result.k
    with_mods = analyse(DATA / "bcg.csv", "RR", mods="ablat")
    assert len(with_mods.coefficient_listing().rows) == 2
