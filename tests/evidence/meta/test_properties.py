"""Invariants of the estimators where the data vary (hypothesis), and tau^2 truncation at zero."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.evidence.meta.refs import DATA, METHODS, reference
from tmslab.evidence.meta import (
    egger_test,
    fit,
    leave_one_out,
    load_meta_csv,
    meta_regression,
    trim_and_fill,
)
from tmslab.evidence.meta.tau2 import tau2_dl


@st.composite
def studies(draw, min_k=2, max_k=12):
    k = draw(st.integers(min_value=min_k, max_value=max_k))
    yi = draw(
        st.lists(st.floats(-3, 3, allow_nan=False, allow_subnormal=False), min_size=k, max_size=k)
    )
    vi = draw(st.lists(st.floats(0.005, 2.0), min_size=k, max_size=k))
    return np.array(yi), np.array(vi)


method_st = st.sampled_from(METHODS)
SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(studies(min_k=1), st.booleans())
def test_fixed_effect_estimate_is_a_weighted_mean(data, knha):
    yi, vi = data
    assume(not knha or yi.size > 1)
    r = fit(yi, vi, "FE", knha=knha, confint=False)
    assert yi.min() - 1e-12 <= r.estimate <= yi.max() + 1e-12
    w = 1 / vi
    assert r.estimate == pytest.approx(np.sum(w * yi) / np.sum(w), abs=1e-12)
    assert r.weights.sum() == pytest.approx(100.0)


@SETTINGS
@given(studies(), method_st, st.booleans())
def test_heterogeneity_ranges(data, method, knha):
    yi, vi = data
    r = fit(yi, vi, method, knha=knha)
    assert r.tau2 >= 0.0
    assert 0.0 <= r.i2 < 100.0
    assert r.h2 >= 1.0 or method == "FE"
    assert r.q >= 0.0 and 0.0 <= r.q_pval <= 1.0
    assert yi.min() - 1e-9 <= r.estimate <= yi.max() + 1e-9
    assert r.ci_lb[0] <= r.estimate <= r.ci_ub[0]
    assert r.pi_lb <= r.ci_lb[0] + 1e-12 and r.pi_ub >= r.ci_ub[0] - 1e-12
    if method != "FE":
        lb, ub = r.heterogeneity_ci.tau2
        assert 0.0 <= lb <= ub
        lo, hi = r.heterogeneity_ci.i2
        assert 0.0 <= lo <= hi < 100.0


@SETTINGS
@given(studies(), st.sampled_from(["PM", "DL"]))
def test_paule_mandel_lies_in_the_q_profile_interval(data, method):
    # PM solves Q_gen(tau^2) = k - 1, which lies between the chi^2(k-1) quantiles that define
    # the Q-profile interval: so the PM estimate is always inside it (Viechtbauer 2007)
    yi, vi = data
    pm = fit(yi, vi, "PM")
    lb, ub = fit(yi, vi, method).heterogeneity_ci.tau2
    assert lb - 1e-9 <= pm.tau2 <= ub + 1e-9


@SETTINGS
@given(studies(), method_st, st.booleans(), st.randoms(use_true_random=False))
def test_permuting_studies_changes_nothing(data, method, knha, rnd):
    yi, vi = data
    order = list(range(yi.size))
    rnd.shuffle(order)
    a = fit(yi, vi, method, knha=knha)
    b = fit(yi[order], vi[order], method, knha=knha)
    for key in ("estimate", "tau2", "i2", "h2", "q"):
        assert getattr(b, key) == pytest.approx(getattr(a, key), rel=1e-7, abs=1e-9)
    assert b.se[0] == pytest.approx(a.se[0], rel=1e-7, abs=1e-12)
    np.testing.assert_allclose(b.weights, a.weights[order], rtol=1e-6, atol=1e-9)


@SETTINGS
@given(studies(), method_st, st.floats(0.1, 20.0), st.floats(-5, 5))
def test_change_of_unit_and_origin(data, method, scale, shift):
    # y -> a y + b, v -> a^2 v: estimate -> a est + b, tau^2 -> a^2 tau^2, I^2 and Q unchanged
    yi, vi = data
    a = fit(yi, vi, method)
    b = fit(scale * yi + shift, scale**2 * vi, method)
    assert b.estimate == pytest.approx(scale * a.estimate + shift, rel=1e-6, abs=1e-8)
    assert b.tau2 == pytest.approx(scale**2 * a.tau2, rel=1e-6, abs=1e-9 * scale**2)
    assert b.i2 == pytest.approx(a.i2, rel=1e-6, abs=1e-7)
    assert b.q == pytest.approx(a.q, rel=1e-9, abs=1e-9)


@SETTINGS
@given(studies(max_k=6), method_st)
def test_identical_effects_have_no_heterogeneity(data, method):
    _, vi = data
    yi = np.full(vi.size, 0.4)
    r = fit(yi, vi, method)
    assert r.tau2 == 0.0 and r.i2 == 0.0 and r.q == pytest.approx(0.0, abs=1e-20)
    assert r.estimate == pytest.approx(0.4)


@SETTINGS
@given(studies())
def test_dl_is_the_truncated_moment_estimate(data):
    # DerSimonian & Laird 1986: tau^2 = max(0, (Q - (k-1)) / (sum w - sum w^2 / sum w))
    yi, vi = data
    w = 1 / vi
    q = np.sum(w * (yi - np.sum(w * yi) / w.sum()) ** 2)
    raw = (q - (yi.size - 1)) / (w.sum() - np.sum(w**2) / w.sum())
    r = fit(yi, vi, "DL")
    assert r.tau2 == pytest.approx(max(0.0, raw), abs=1e-10)
    assert tau2_dl(yi, vi, np.ones((yi.size, 1))).untruncated == pytest.approx(raw, abs=1e-10)


def test_tau2_truncated_at_zero_where_statsmodels_is_not():
    # dat.nielweise2007, log odds ratios: Q = 15.99 < k - 1 = 17, so the moment estimate is
    # negative. statsmodels' combine_effects(method_re="chi2") returns that negative value
    # (and I^2 = 1 - 1/H^2 < 0); metafor and tmslab truncate tau^2 at 0 (I^2 = 0, H^2 = 1).
    data = load_meta_csv(DATA / "nielweise2007.csv", "OR")
    w = 1 / data.vi
    q = np.sum(w * (data.yi - np.sum(w * data.yi) / w.sum()) ** 2)
    untruncated = (q - (data.k - 1)) / (w.sum() - np.sum(w**2) / w.sum())
    assert untruncated < 0
    ref = reference("nielweise2007_or")["fits"]
    for method in ("DL", "PM", "ML"):
        r = fit(data.yi, data.vi, method)
        assert r.tau2 == 0.0 == ref[method]["tau2"]
        assert r.i2 == 0.0 and r.h2 == 1.0
        # with tau^2 = 0 the random-effects model is the fixed-effect model
        fe = fit(data.yi, data.vi, "FE")
        assert r.estimate == pytest.approx(fe.estimate, abs=1e-14)
    assert tau2_dl(data.yi, data.vi, np.ones((data.k, 1))).untruncated == pytest.approx(untruncated)
    # REML stays positive here (0.0139, metafor): truncation is not forced where not needed
    reml = fit(data.yi, data.vi, "REML").tau2
    assert reml == pytest.approx(ref["REML"]["tau2"], abs=1e-8) and reml > 0


@SETTINGS
@given(studies(min_k=3), st.booleans())
def test_fixed_effect_leave_one_out_closed_form(data, knha):
    yi, vi = data
    loo = leave_one_out(fit(yi, vi, "FE", knha=knha, confint=False))
    w = 1 / vi
    expected = (np.sum(w * yi) - w * yi) / (w.sum() - w)
    np.testing.assert_allclose(loo.estimate, expected, atol=1e-12)
    if not knha:
        np.testing.assert_allclose(loo.se, 1 / np.sqrt(w.sum() - w), rtol=1e-12)


@SETTINGS
@given(
    st.lists(st.floats(0.01, 1.0), min_size=4, max_size=10, unique=True),
    st.floats(-1, 1),
    st.floats(-3, 3),
)
def test_egger_recovers_an_exact_line(vi, intercept, slope):
    # y = b0 + b1 sei exactly: the FE regression returns b0 (limit estimate) and b1 (bias)
    vi = np.array(vi)
    yi = intercept + slope * np.sqrt(vi)
    egger = egger_test(fit(yi, vi, "FE", confint=False))
    assert egger.slope == pytest.approx(slope, abs=1e-9)
    assert egger.limit_estimate == pytest.approx(intercept, abs=1e-9)


@SETTINGS
@given(studies(min_k=4), method_st)
def test_trim_and_fill_mirror_symmetry(data, method):
    # reflecting every effect (y -> -y) reflects the analysis: same k0, other side
    yi, vi = data
    assume(np.ptp(vi) > 1e-6)
    a = trim_and_fill(fit(yi, vi, method, confint=False))
    b = trim_and_fill(fit(-yi, vi, method, confint=False))
    assert a.k0 == b.k0 and a.fit.k == yi.size + a.k0 == a.fill.size
    if a.k0:
        assert {a.side, b.side} == {"left", "right"}
        assert b.fit.estimate == pytest.approx(-a.fit.estimate, abs=1e-7)
        np.testing.assert_allclose(np.sort(b.filled_yi), np.sort(-a.filled_yi), atol=1e-7)
        # the filled studies sit on the side named
        centre = a.fit.estimate
        side_sign = -1 if a.side == "left" else 1
        assert np.mean(side_sign * (a.filled_yi - centre)) > -1e-9


@SETTINGS
@given(studies(min_k=4), st.data())
def test_binary_moderator_fe_regression_equals_subgroups(data, draw):
    # a fixed-effects regression on a two-level factor reproduces the two subgroup FE means
    yi, vi = data
    groups = draw.draw(
        st.lists(st.sampled_from(["a", "b"]), min_size=yi.size, max_size=yi.size).filter(
            lambda g: 0 < g.count("a") < len(g)
        )
    )
    g = np.array(groups)
    r = meta_regression(yi, vi, {"group": groups}, "FE")
    w = 1 / vi
    mean_a = np.sum((w * yi)[g == "a"]) / np.sum(w[g == "a"])
    mean_b = np.sum((w * yi)[g == "b"]) / np.sum(w[g == "b"])
    assert r.coef_names == ("intrcpt", "group[b]")
    assert r.beta[0] == pytest.approx(mean_a, abs=1e-9)
    assert r.beta[0] + r.beta[1] == pytest.approx(mean_b, abs=1e-9)
    # Q splits into within-group (QE) and between-group (QM) parts
    q_total = fit(yi, vi, "FE").q
    assert r.q + r.qm == pytest.approx(q_total, rel=1e-8, abs=1e-9)


def test_knapp_hartung_scales_the_variance_by_the_weighted_residual_variance():
    # Knapp & Hartung 2003: se^2 = s^2 / sum w, s^2 = sum w (y - est)^2 / (k - 1), t(k - 1)
    from scipy.stats import t

    data = load_meta_csv(DATA / "bcg.csv", "RR")
    z = fit(data.yi, data.vi, "REML")
    kh = fit(data.yi, data.vi, "REML", knha=True)
    w = 1 / (data.vi + z.tau2)
    s2 = np.sum(w * (data.yi - z.estimate) ** 2) / (data.k - 1)
    assert kh.estimate == pytest.approx(z.estimate, abs=1e-14)
    assert kh.se[0] == pytest.approx(np.sqrt(s2 / w.sum()), rel=1e-12)
    assert kh.ddf == data.k - 1
    half = t.isf(0.025, data.k - 1) * kh.se[0]
    assert (kh.ci_lb[0], kh.ci_ub[0]) == pytest.approx((kh.estimate - half, kh.estimate + half))
