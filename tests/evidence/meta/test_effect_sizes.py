"""Effect sizes: closed forms, metafor's zero-cell rule, RevMan 5's Hedges' g, symmetries."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.evidence.meta.refs import DATA, reference
from tmslab.evidence.meta import (
    hedges_correction_exact,
    hedges_correction_revman,
    load_meta_csv,
    log_odds_ratio,
    log_risk_ratio,
    mean_difference,
    standardized_mean_difference,
    zero_cell_correction,
)

counts = st.integers(min_value=1, max_value=500)
means = st.floats(min_value=-100, max_value=100, allow_nan=False)
sds = st.floats(min_value=0.1, max_value=50)
sizes = st.integers(min_value=2, max_value=400)


def test_hedges_exact_closed_forms():
    # c(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)) at small m, from Gamma(1/2) = sqrt(pi):
    # c(2) = 1/sqrt(pi), c(3) = sqrt(pi)/(2 sqrt(1.5)), c(4) = 2/sqrt(2 pi)
    expected = [
        1 / math.sqrt(math.pi),
        math.sqrt(math.pi) / (2 * math.sqrt(1.5)),
        2 / math.sqrt(2 * math.pi),
    ]
    np.testing.assert_allclose(hedges_correction_exact([2, 3, 4]), expected, rtol=1e-13)
    assert np.isnan(hedges_correction_exact([1.0])[0])  # undefined for m <= 1, as metafor


def test_hedges_exact_tends_to_the_classic_approximation():
    # Hedges 1981: c(m) ~ 1 - 3/(4m - 1), error O(m^-2)
    m = np.array([10.0, 50.0, 200.0, 1000.0])
    err = np.abs(hedges_correction_exact(m) - (1 - 3 / (4 * m - 1)))
    assert np.all(err < 1.0 / m**2) and np.all(np.diff(err) < 0)


def test_revman_hand_example():
    # Deeks & Higgins 2010 (RevMan 5): g = d (1 - 3/(4N - 9)), SE^2 = N/(n1 n2) + g^2/(2(N - 3.94));
    # n1 = n2 = 10, means 1 and 0, SDs 1: d = 1, N = 20
    g, v = standardized_mean_difference([1.0], [1.0], [10], [0.0], [1.0], [10], correction="revman")
    assert g[0] == pytest.approx(1 - 3 / 71, rel=1e-15)
    assert v[0] == pytest.approx(20 / 100 + (1 - 3 / 71) ** 2 / (2 * 16.06), rel=1e-15)
    assert hedges_correction_revman([20])[0] == pytest.approx(68 / 71)


def test_revman_against_r_computation():
    # reference/make_reference.R computes RevMan's g and variance in R for dat.normand1999
    ref = reference("normand1999_smd_revman")
    data = load_meta_csv(DATA / "normand1999.csv", "SMD", smd_correction="revman")
    np.testing.assert_allclose(data.yi, ref["yi"], rtol=1e-13)
    np.testing.assert_allclose(data.vi, ref["vi"], rtol=1e-13)


@settings(max_examples=60, deadline=None)
@given(means, sds, sizes, means, sds, sizes)
def test_revman_and_exact_g_agree_for_moderate_samples(m1, s1, n1, m2, s2, n2):
    exact, v_exact = standardized_mean_difference([m1], [s1], [n1], [m2], [s2], [n2])
    revman, v_revman = standardized_mean_difference(
        [m1], [s1], [n1], [m2], [s2], [n2], correction="revman"
    )
    n = n1 + n2
    # the two factors differ by O(N^-2); the variances by O(1/N) terms (N vs N - 3.94)
    assert abs(revman[0] - exact[0]) <= 2.0 / n**2 * abs(exact[0]) + 1e-12
    assert v_revman[0] >= v_exact[0] - 1e-12


@settings(max_examples=60, deadline=None)
@given(means, sds, sizes, means, sds, sizes)
def test_swapping_groups_negates_smd_and_md(m1, s1, n1, m2, s2, n2):
    for fn in (standardized_mean_difference, mean_difference):
        y, v = fn([m1], [s1], [n1], [m2], [s2], [n2])
        y_swap, v_swap = fn([m2], [s2], [n2], [m1], [s1], [n1])
        assert y_swap[0] == pytest.approx(-y[0], abs=1e-12)
        assert v_swap[0] == pytest.approx(v[0], rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(counts, counts, counts, counts)
def test_ratio_symmetries(ai, bi, ci, di):
    lrr, vrr = log_risk_ratio([ai], [bi], [ci], [di])
    lor, vor = log_odds_ratio([ai], [bi], [ci], [di])
    # closed forms without zero cells
    assert lrr[0] == pytest.approx(math.log(ai / (ai + bi)) - math.log(ci / (ci + di)), abs=1e-12)
    assert lor[0] == pytest.approx(math.log(ai * di / (bi * ci)), abs=1e-12)
    assert vor[0] == pytest.approx(1 / ai + 1 / bi + 1 / ci + 1 / di, rel=1e-12)
    # swapping events and non-events negates the log odds ratio; swapping groups negates both
    assert log_odds_ratio([bi], [ai], [di], [ci])[0][0] == pytest.approx(-lor[0], abs=1e-12)
    assert log_risk_ratio([ci], [di], [ai], [bi])[0][0] == pytest.approx(-lrr[0], abs=1e-12)
    assert log_risk_ratio([ci], [di], [ai], [bi])[1][0] == pytest.approx(vrr[0], rel=1e-12)
    # the variance of the log risk ratio is below that of the log odds ratio
    assert vrr[0] < vor[0]


def test_zero_cells_get_one_half_only_where_needed():
    # metafor escalc default add = 1/2, to = "only0": all four cells of studies with a zero
    ai, bi, ci, di = zero_cell_correction([0, 3, 5], [10, 7, 5], [2, 0, 5], [8, 10, 5])
    np.testing.assert_array_equal(ai, [0.5, 3.5, 5])
    np.testing.assert_array_equal(bi, [10.5, 7.5, 5])
    np.testing.assert_array_equal(ci, [2.5, 0.5, 5])
    np.testing.assert_array_equal(di, [8.5, 10.5, 5])
    y, v = log_odds_ratio([0], [10], [2], [8])
    assert y[0] == pytest.approx(math.log(0.5 * 8.5 / (10.5 * 2.5)))
    assert v[0] == pytest.approx(1 / 0.5 + 1 / 10.5 + 1 / 2.5 + 1 / 8.5)
    none = zero_cell_correction([0], [1], [1], [1], to="none")
    assert none[0][0] == 0
    every = zero_cell_correction([0, 2], [1, 2], [1, 2], [1, 2], to="if0all")
    np.testing.assert_array_equal(every[0], [0.5, 2.5])


def test_zero_cells_in_nielweise2007_match_escalc():
    # dat.nielweise2007 has studies with 0 events in one arm (Bach 1996) and in both (Yucel 2004)
    ref = reference("nielweise2007_or")
    data = load_meta_csv(DATA / "nielweise2007.csv", "OR")
    assert "Yucel 2004" in data.labels
    np.testing.assert_allclose(data.yi, ref["yi"], atol=1e-13)
    np.testing.assert_allclose(data.vi, ref["vi"], atol=1e-13)
    i = data.labels.index("Yucel 2004")
    assert data.yi[i] == pytest.approx(math.log(0.5 * 105.5 / (118.5 * 0.5)))
