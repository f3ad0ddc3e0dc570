"""Figures: matplotlib Figure objects (no pyplot state) that show the fitted numbers."""

import numpy as np
import pytest

from tests.evidence.meta.refs import DATA
from tmslab.evidence.meta import (
    fit,
    get_measure,
    leave_one_out,
    load_meta_csv,
    meta_regression,
    trim_and_fill,
)
from tmslab.viz.meta import forest_plot, funnel_plot, leave_one_out_plot


@pytest.fixture(scope="module")
def bcg():
    data = load_meta_csv(DATA / "bcg.csv", "RR")
    return data, fit(data.yi, data.vi, "DL", labels=data.labels)


def test_forest_plot_rows_scale_and_diamond(bcg):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    data, result = bcg
    before = plt.get_fignums()  # figures other tests left open are not this one's
    fig = forest_plot(result, get_measure("RR"))
    assert isinstance(fig, Figure) and plt.get_fignums() == before
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [*data.labels, "Random-effects model (DL)"]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "risk ratio"
    # the diamond spans the CI of the pooled risk ratio: exp(-1.0644) .. exp(-0.3638)
    diamond = ax.patches[-1].get_xy()[:, 0]
    assert diamond.min() == pytest.approx(np.exp(result.ci_lb[0]))
    assert diamond.max() == pytest.approx(np.exp(result.ci_ub[0]))
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("0.49 [0.34, 0.70]") for t in texts)


def test_forest_plot_of_a_meta_regression_has_no_diamond():
    data = load_meta_csv(DATA / "bcg.csv", "RR", mods=["ablat"])
    r = meta_regression(data.yi, data.vi, data.moderators, labels=data.labels)
    ax = forest_plot(r, get_measure("RR")).axes[0]
    assert len(ax.get_yticklabels()) == data.k and not ax.patches


def test_funnel_plot_points_and_filled_studies():
    data = load_meta_csv(DATA / "hackshaw1998.csv", "GEN")
    result = fit(data.yi, data.vi, "REML")
    tf = trim_and_fill(result)
    ax = funnel_plot(result, get_measure("GEN"), trimfill=tf).axes[0]
    observed, filled = ax.collections[-2], ax.collections[-1]
    np.testing.assert_allclose(observed.get_offsets()[:, 0], data.yi)
    np.testing.assert_allclose(observed.get_offsets()[:, 1], np.sqrt(data.vi))
    assert len(filled.get_offsets()) == tf.k0 == 7
    lo, hi = ax.get_ylim()
    assert lo > hi == 0.0  # inverted: precise studies on top
    assert ax.lines[-2].get_xdata()[0] == pytest.approx(tf.fit.estimate)


def test_leave_one_out_plot(bcg):
    _, result = bcg
    loo = leave_one_out(result)
    ax = leave_one_out_plot(loo, result, get_measure("RR")).axes[0]
    assert len(ax.get_yticklabels()) == result.k
    np.testing.assert_allclose(
        np.sort(ax.collections[-1].get_offsets()[:, 0]), np.sort(np.exp(loo.estimate))
    )
