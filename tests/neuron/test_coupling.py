"""Quasipotentials: -E.r for uniform fields, the line integral of E along the tree otherwise
(Wang, Grill & Peterchev 2018, Biophys J 115:95, doi 10.1016/j.bpj.2018.06.004)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.errors import InvalidValueError
from tmslab.neuron.coupling import (
    field_at,
    line_integral_quasipotential,
    quasipotentials,
    uniform_quasipotential,
    unit_vector,
)
from tmslab.neuron.models import get_model
from tmslab.neuron.threshold import placed_quasipotentials

vectors = st.lists(st.floats(-1, 1), min_size=3, max_size=3)


@settings(max_examples=25, deadline=None)
@given(e=vectors, shift=vectors, name=st.sampled_from(["hh-axon-bent", "l5-pyramidal", "mrg-axon"]))
def test_line_integral_of_a_uniform_field_is_minus_e_dot_r(e, shift, name):
    cable = get_model(name).cable
    field = np.array(e) * 300.0
    position = cable.position_m + np.array(shift) * 1e-2
    phi = line_integral_quasipotential(
        cable.parent, position, np.broadcast_to(field, position.shape)
    )
    expected = uniform_quasipotential(position, field)
    assert np.max(np.abs(phi - expected)) <= 1e-12 * max(1.0, np.max(np.abs(expected)))


@settings(max_examples=25, deadline=None)
@given(g=st.lists(st.floats(-1, 1), min_size=6, max_size=6), e0=vectors)
def test_linear_gradient_field_matches_its_closed_form(g, e0):
    """E(r) = E0 + G r with G symmetric is curl-free with potential phi = -E0.r - r.G.r / 2; the
    trapezoid rule along each straight edge is exact for it. Quasipotentials are defined up to a
    constant (only differences drive the cable), so both are taken relative to the root."""
    cable = get_model("l5-pyramidal").cable
    gradient = np.array([[g[0], g[1], g[2]], [g[1], g[3], g[4]], [g[2], g[4], g[5]]]) * 1e5  # V/m^2
    base = np.array(e0) * 100.0

    def efield(points):
        return base + points @ gradient.T

    phi = quasipotentials(cable, efield)
    r = cable.position_m
    closed = -(r @ base) - 0.5 * np.einsum("ni,ij,nj->n", r, gradient, r)
    phi, closed = phi - phi[0], closed - closed[0]
    assert np.max(np.abs(phi - closed)) <= 1e-15 + 1e-10 * np.max(np.abs(closed))


def test_rotational_field_is_integrated_along_the_tree():
    """E = (0, k x, 0) has a curl, so phi depends on the path. The bent axon, moved 1 mm along +x,
    runs along x (where E is perpendicular to it) and then along y at x = 1 mm, so along its second
    limb phi = -k (1 mm) y, not what a straight path from the root would give."""
    model = get_model("hh-axon-bent")
    k = 2e5  # V/m^2
    profiles = placed_quasipotentials(
        model,
        lambda p: np.stack([0 * p[:, 0], k * p[:, 0], 0 * p[:, 0]], axis=1),
        np.eye(3),
        [[1e-3, 0, 0]],
    )
    world = model.cable.position_m + np.array([1e-3, 0.0, 0.0])
    second = world[:, 1] > 0
    assert profiles[0, second] == pytest.approx(-k * 1e-3 * world[second, 1], rel=1e-12, abs=1e-15)
    assert profiles[0, ~second] == pytest.approx(0.0, abs=1e-15)


def test_field_array_must_match_the_nodes():
    cable = get_model("mrg-axon").cable
    with pytest.raises(InvalidValueError) as info:
        quasipotentials(cable, np.zeros((cable.n_nodes - 1, 3)))
    assert f"{cable.n_nodes} nodes" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(InvalidValueError, match="returned shape"):
        field_at(cable.position_m, lambda p: np.zeros(3))
    with pytest.raises(InvalidValueError, match="non-finite"):
        field_at(cable.position_m, np.full((cable.n_nodes, 3), np.nan))


def test_field_array_at_the_nodes_equals_the_callable():
    cable = get_model("mrg-axon").cable

    def efield(p):
        return np.stack([100 + 1e4 * p[:, 0], 0 * p[:, 0], 0 * p[:, 0]], axis=1)

    assert quasipotentials(cable, efield(cable.position_m)) == pytest.approx(
        quasipotentials(cable, efield)
    )


@pytest.mark.parametrize("bad", [(0, 0, 0), (1, 0), ("a", 1, 2), (np.nan, 0, 1)])
def test_bad_directions(bad):
    with pytest.raises(InvalidValueError):
        unit_vector(bad)
