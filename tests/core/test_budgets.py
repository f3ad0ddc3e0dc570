"""Budgets: the estimates, the limits from the environment, and refusal before the work."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab import budgets
from tmslab.coils.library import coil_from_mapping
from tmslab.errors import InvalidValueError, TmslabError


@pytest.fixture(autouse=True)
def _default_limits(monkeypatch):
    monkeypatch.delenv(budgets.MEMORY_ENV, raising=False)
    monkeypatch.delenv(budgets.MINUTES_ENV, raising=False)


def test_defaults_are_4_gib_and_10_minutes():
    assert budgets.limits() == (4 * 1024**3, 600.0)


def test_point_field_time_is_pairs_over_the_rate():
    # 1e6 points x 8064 dipoles = 8.064e9 pairs at 1e8 pairs/s: 80.64 s.
    estimate = budgets.point_field(1e6, 8064)
    assert estimate.seconds == pytest.approx(80.64)
    budgets.check(estimate)  # under 10 min


def test_bem_memory_is_6_kb_per_triangle():
    # benchmarks/bem_scale.py: peak 5.9 GB for 1.02M facets
    assert budgets.bem(1e5).memory_bytes == pytest.approx(6e8)
    with pytest.raises(budgets.BudgetError, match=budgets.MEMORY_ENV):
        budgets.check(budgets.bem(1e6))  # 6 GB over the 4 GiB default


def test_triangles_for_an_equilateral_tiling():
    # A unit equilateral triangle has area sqrt(3)/4: that area holds exactly one.
    assert budgets.triangles_for(3**0.5 / 4, 1.0) == pytest.approx(1.0)


def test_the_message_names_the_estimate_the_limit_and_the_variable():
    with pytest.raises(budgets.BudgetError) as info:
        budgets.check(budgets.neuron_map(1e8, 121, 1800))
    message = str(info.value)
    assert "1e+08 directions" in message and "--n-directions" in message
    assert budgets.MINUTES_ENV in message and "\n" not in message


def test_the_environment_raises_and_lowers_the_limits(monkeypatch):
    big = budgets.bem(1e6)
    monkeypatch.setenv(budgets.MEMORY_ENV, "64")
    monkeypatch.setenv(budgets.MINUTES_ENV, "120")
    budgets.check(big)
    monkeypatch.setenv(budgets.MINUTES_ENV, "0.001")
    with pytest.raises(budgets.BudgetError, match=r"limit 0\.06 s"):
        budgets.check(budgets.bem(1e3))


@pytest.mark.parametrize("text", ["0", "-1", "nan", "inf", "lots"])
def test_a_bad_limit_is_refused(monkeypatch, text):
    monkeypatch.setenv(budgets.MEMORY_ENV, text)
    with pytest.raises(InvalidValueError, match=budgets.MEMORY_ENV):
        budgets.limits()


def test_an_oversized_coil_is_refused_before_any_array():
    spec = {"kind": "round", "inner_diameter_mm": 20, "outer_diameter_mm": 50, "turns": 10}
    with pytest.raises(budgets.BudgetError, match="dipoles"):  # 1e9 dipoles were never built
        coil_from_mapping("big", {**spec, "n_angular": 10**9})


_number = st.one_of(
    st.integers(-10, 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=3),
)


@settings(max_examples=60, deadline=None)
@given(
    turns=_number,
    n_angular=_number,
    n_radial=_number,
    layers=_number,
    inner=_number,
    kind=st.sampled_from(["round", "figure-8", "spiral", "hexagon"]),
)
def test_coil_specs_build_or_raise_a_tmslab_error(turns, n_angular, n_radial, layers, inner, kind):
    """Property: any coil TOML mapping builds a coil or is refused with a TmslabError."""
    spec = {
        "kind": kind,
        "inner_diameter_mm": inner,
        "outer_diameter_mm": 60,
        "turns": turns,
        "n_angular": n_angular,
        "n_radial": n_radial,
        "layers": layers,
    }
    try:
        coil = coil_from_mapping("c", spec)
    except TmslabError:
        pass
    else:
        assert coil.n_dipoles >= 1


def test_a_large_mesh_is_refused_before_the_solve(monkeypatch):
    # Any conductor goes through solve(): a 1000-triangle ball is refused under a tiny budget.
    from tmslab.coils import get_coil
    from tmslab.conductors import get_conductor
    from tmslab.efield.bem import solve

    ball = get_conductor("sphere-50mm", edge_m=0.02)
    coil = get_coil("round-7cm").transformed(np.diag([1.0, 1.0, 1.0, 1.0]) + _lift(0.07))
    monkeypatch.setenv(budgets.MINUTES_ENV, "1e-6")

    def operator(*args, **kwargs):
        raise AssertionError("the operator was built before the refusal")

    import importlib

    # the module, not the bem package's function of the same name
    monkeypatch.setattr(
        importlib.import_module("tmslab.efield.bem.solve"), "build_operator", operator
    )
    with pytest.raises(budgets.BudgetError, match="triangles"):
        solve(ball, coil, 1.0)


def _lift(z: float):
    lift = np.zeros((4, 4))
    lift[2, 3] = z
    return lift
