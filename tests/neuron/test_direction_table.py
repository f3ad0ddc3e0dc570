"""Direction tables (tmslab.neuron.direction_table): the interpolation on the sphere, estimates
against direct simulation, the on-disk cache, and the cortex map's ``table`` method against its
own full simulation. The method is Weise et al. 2023's (Imaging Neurosci 1:1-26,
doi:10.1162/imag_a_00036): thresholds of placed cells from precomputed uniform-field maps."""

from __future__ import annotations

import numpy as np
import pytest

from tmslab.errors import InvalidValueError
from tmslab.neuron.direction_table import (
    DirectionTable,
    check_directions,
    direction_table,
    interpolate_on_sphere,
)
from tmslab.neuron.directions import fibonacci_sphere
from tmslab.units import MM

PREFERRED = np.array([0.3, -0.5, 0.81]) / np.linalg.norm([0.3, -0.5, 0.81])


def cosine_like(u):
    """A threshold whose excitability 1/threshold is 1 + 0.8 cos(angle to PREFERRED), V/m."""
    return 100.0 / (1.0 + 0.8 * np.asarray(u) @ PREFERRED)


def random_directions(n, seed=0):
    v = np.random.default_rng(seed).normal(size=(n, 3))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_interpolation_is_exact_at_the_table_and_second_order_between():
    queries = random_directions(500)
    errors = []
    for n in (50, 200, 800):
        d = fibonacci_sphere(n)
        np.testing.assert_allclose(interpolate_on_sphere(d, cosine_like(d), d), cosine_like(d))
        estimate = interpolate_on_sphere(d, cosine_like(d), queries)
        errors.append(float(np.max(np.abs(estimate / cosine_like(queries) - 1.0))))
    # linear interpolation on triangles of size h ~ n^-1/2: error ~ h^2 ~ 1/n (16x from 50 to
    # 800); largest where the excitability 0.2 is smallest (measured 17.6 %, 4.7 %, 1.0 %)
    assert errors[0] > errors[1] > errors[2]
    assert errors[0] / errors[2] > 8
    assert errors[2] < 0.015


def test_a_direction_that_did_not_fire_makes_its_triangles_nan():
    d = fibonacci_sphere(60)
    th = cosine_like(d)
    th[7] = np.nan
    out = interpolate_on_sphere(d, th, np.vstack([d[7], d[8], -d[7]]))
    assert np.isnan(out[0]) and np.isfinite(out[2])


def test_estimate_scales_with_the_field_and_names_the_nearest_site():
    d = fibonacci_sphere(100)
    table = DirectionTable(
        "m", "w", d, cosine_like(d), np.arange(100), 0.005, "k" * 64, n_simulations=1
    )
    scale, node = table.estimate(np.vstack([50.0 * d[3], 200.0 * d[3], np.zeros(3)]))
    np.testing.assert_allclose(scale[:2], cosine_like(d[3]) / np.array([50.0, 200.0]))
    assert np.isnan(scale[2])
    assert list(node) == [3, 3, -1]


@pytest.mark.parametrize("bad", [0, 11, 12.5, True, "400", -3])
def test_bad_direction_counts_are_refused(bad):
    with pytest.raises(InvalidValueError, match="table directions"):
        check_directions(bad)


@pytest.fixture(scope="module")
def l5():
    from tmslab.neuron.models import get_model

    return get_model("l5-pyramidal")


@pytest.fixture(scope="module")
def drive():
    from tmslab.neuron.drive import get_drive

    return get_drive("monophasic", 2.5e-6)


def test_table_equals_direct_thresholds_and_interpolates_them(l5, drive, tmp_path):
    from tmslab.neuron.threshold import direction_thresholds

    table = direction_table(l5, drive, 60, cache_dir=tmp_path)
    direct = direction_thresholds(l5, drive, table.directions[:5], "batched")
    np.testing.assert_array_equal(table.thresholds_v_per_m[:5], direct.thresholds_v_per_m)
    # between the table's directions: the interpolation against a direct search
    queries = random_directions(6, seed=3)
    between = direction_thresholds(l5, drive, queries, "batched").thresholds_v_per_m
    estimate, _ = table.estimate(queries)  # a 1 V/m field along each query
    np.testing.assert_allclose(estimate, between, rtol=0.06)


def test_the_cache_is_keyed_by_what_the_simulation_reads(l5, drive, tmp_path):
    from tmslab.neuron.drive import get_drive

    first = direction_table(l5, drive, 20, cache_dir=tmp_path)
    again = direction_table(l5, drive, 20, cache_dir=tmp_path)
    assert first.n_simulations > 0 and again.n_simulations == 0
    np.testing.assert_array_equal(first.thresholds_v_per_m, again.thresholds_v_per_m)
    np.testing.assert_array_equal(first.initiation_node, again.initiation_node)
    assert len(list(tmp_path.glob("*.npz"))) == 1
    # another time step is another simulation: computed again, under its own key
    other = direction_table(l5, get_drive("monophasic", 5e-6), 20, cache_dir=tmp_path)
    assert other.n_simulations > 0 and other.key != first.key
    assert len(list(tmp_path.glob("*.npz"))) == 2
    # a damaged file is computed again (and replaced), never read
    path = tmp_path / f"{first.key[:32]}.npz"
    path.write_bytes(path.read_bytes()[:100])
    assert direction_table(l5, drive, 20, cache_dir=tmp_path).n_simulations > 0
    assert direction_table(l5, drive, 20, cache_dir=tmp_path).n_simulations == 0


def test_an_unwritable_cache_still_gives_the_table(l5, drive, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    table = direction_table(l5, drive, 20, cache_dir=blocker / "tables")
    assert np.all(np.isfinite(table.thresholds_v_per_m))


def test_cortex_map_from_the_table_reports_its_error(
    head, target, l5, drive, monkeypatch, tmp_path
):
    from tmslab.neuron.cortex import cortex_threshold_map

    monkeypatch.setenv("TMSLAB_CACHE_DIR", str(tmp_path))

    def field(points):  # varies along the cells: the table ignores that, the check sees it
        return np.array([30.0, -40.0, 120.0]) * (1.0 + 8.0 * np.asarray(points)[:, [2]])

    common = dict(azimuth_deg=None, seed=2)
    full = cortex_threshold_map(head, field, l5, drive, target, 10 * MM, 8, **common)
    table = cortex_threshold_map(
        head, field, l5, drive, target, 10 * MM, 8, method="table", table_directions=100,
        check_cells=8, **common,
    )  # fmt: skip
    np.testing.assert_array_equal(table.check_index, np.arange(8))
    # the same cells simulated; the searches start elsewhere, so agree to their 0.5 % bracket
    np.testing.assert_allclose(table.check_scale, full.threshold_scale, rtol=0.005)
    check = table.table_check()
    error = np.abs(table.threshold_scale / table.check_scale - 1.0)
    assert check["max_abs_error"] == pytest.approx(float(np.max(error)))
    assert check["median_abs_error"] == pytest.approx(float(np.median(error)))
    assert 0 < check["max_abs_error"] < 0.10  # l5-pyramidal, 100 directions: 8.1 %
    assert not any("use the full simulation" in w for w in table.warnings)
    summary = table.summary()
    assert summary["method"] == "table" and summary["table_directions"] == 100
    assert summary["table_check_cells"] == 8
    assert summary["table_max_abs_error"] == check["max_abs_error"]
    assert any("estimated from the 100-direction" in v for _, v in table.rows())
    assert not any("direction table" in w for w in table.warnings)  # good enough: no warning
    assert "method" not in full.summary()  # a simulated map's summary is unchanged
    # the figure says the thresholds are estimates, with their error
    from tmslab.viz.cortex_map import plot_cortex_threshold_map

    assert (
        "estimated from the 100-direction" in plot_cortex_threshold_map(table)._suptitle.get_text()
    )
    assert "estimated" not in plot_cortex_threshold_map(full)._suptitle.get_text()


def test_a_coarse_table_is_told_to_give_way_to_the_simulation(head, target, l5, drive, monkeypatch, tmp_path):  # fmt: skip
    from tmslab.neuron.cortex import cortex_threshold_map

    monkeypatch.setenv("TMSLAB_CACHE_DIR", str(tmp_path))

    def field(points):
        return np.broadcast_to([30.0, -40.0, 120.0], np.shape(points)).copy()

    table = cortex_threshold_map(
        head, field, l5, drive, target, 10 * MM, 12, method="table", table_directions=12,
        check_cells=12, seed=5,
    )  # fmt: skip
    check = table.table_check()
    assert check["max_abs_error"] > 0.10  # 12 directions are far too few
    assert any("(over 10 %): use the full simulation" in w for w in table.warnings)
    unchecked = cortex_threshold_map(
        head, field, l5, drive, target, 10 * MM, 12, method="table", table_directions=12,
        check_cells=0, seed=5,
    )  # fmt: skip
    assert unchecked.check_index is None and unchecked.table_check() is None
    assert any("not checked against the full simulation" in w for w in unchecked.warnings)
    assert unchecked.summary()["table_check_cells"] == 0


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"method": "guess"}, "method 'guess'"),
        ({"method": "table", "check_cells": -1}, "check cells"),
        ({"method": "table", "table_directions": 5}, "table directions"),
    ],
)
def test_bad_table_options_are_refused(head, target, l5, drive, kw, message):
    from tmslab.neuron.cortex import cortex_threshold_map

    with pytest.raises(InvalidValueError, match=message):
        cortex_threshold_map(head, np.ones_like, l5, drive, target, 5 * MM, 3, **kw)


def test_a_large_table_is_searched_in_two_passes_to_the_same_bracket(l5, drive, tmp_path):
    from tmslab.neuron.direction_table import COARSE_EVERY, TWO_PASS_FROM
    from tmslab.neuron.threshold import direction_thresholds

    table = direction_table(l5, drive, TWO_PASS_FROM, cache_dir=tmp_path)
    one_pass = direction_thresholds(l5, drive, table.directions, "batched")
    # every direction from the model's guess: more runs, the same 0.5 % bracket
    np.testing.assert_allclose(table.thresholds_v_per_m, one_pass.thresholds_v_per_m, rtol=0.005)
    assert table.n_simulations < one_pass.n_simulations  # 887 against 970 here; 25 % at 400
    coarse = np.arange(0, TWO_PASS_FROM, COARSE_EVERY)  # searched exactly as the plain search
    np.testing.assert_array_equal(
        table.thresholds_v_per_m[coarse],
        direction_thresholds(l5, drive, table.directions[coarse], "batched").thresholds_v_per_m,
    )
