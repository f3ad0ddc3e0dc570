"""Geometry and compartments: validation, NEURON's layout rules, cable-theory sums."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.errors import InvalidValueError, UnknownNameError
from tmslab.neuron.cable import discretise
from tmslab.neuron.membranes import HH_SQUID, PASSIVE_DENDRITE
from tmslab.neuron.models import get_model, list_models
from tmslab.neuron.morphology import Branch, Morphology, polyline, rotation_between

UM = 1e-6


def straight(length_um, diameter_um, n, membrane=HH_SQUID):
    points = np.array([[0, 0, 0], [length_um, 0, 0]]) * UM
    return Morphology((Branch(points, np.full(2, diameter_um * UM), membrane, n),))


@settings(max_examples=40, deadline=None)
@given(
    length=st.floats(10, 5000),
    diameter=st.floats(0.2, 20),
    n=st.integers(1, 60),
)
def test_unbranched_cable_sums_to_cable_theory(length, diameter, n):
    """Sum of compartment areas is pi d L and the axial resistances from end to end add up to
    4 Ra L / (pi d^2), whatever the number of compartments (NEURON's half-segment rule)."""
    cable = discretise(straight(length, diameter, n))
    d, L = diameter * UM, length * UM
    assert cable.n_nodes == n + 2  # compartments plus the two zero-area ends
    assert np.sum(cable.area_m2) == pytest.approx(np.pi * d * L, rel=1e-12)
    resistance = np.sum(1.0 / cable.g_axial_s[1:])
    assert resistance == pytest.approx(4 * HH_SQUID.ra_ohm_m * L / (np.pi * d**2), rel=1e-12)
    assert np.all(cable.parent[1:] < np.arange(1, cable.n_nodes))


def test_tapered_branch_uses_mean_diameters():
    points = np.array([[0, 0, 0], [100, 0, 0]]) * UM
    branch = Branch(points, np.array([4.0, 2.0]) * UM, PASSIVE_DENDRITE, 4)
    assert branch.mean_diameters() / UM == pytest.approx([3.75, 3.25, 2.75, 2.25])


def test_bent_polyline_positions_follow_the_arc():
    branch = polyline(
        np.array([[0, 0, 0], [100, 0, 0], [100, 100, 0]]) * UM, 1 * UM, HH_SQUID, 50 * UM
    )
    assert branch.n_segments == 5 and branch.length_m == pytest.approx(200 * UM)
    centres = branch.point_at((np.arange(5) + 0.5) / 5) / UM
    assert centres[0] == pytest.approx([20, 0, 0]) and centres[4] == pytest.approx([100, 80, 0])


@pytest.mark.parametrize("name", list_models())
def test_builtin_models_are_trees_in_hines_order(name):
    model = get_model(name)
    cable = model.cable
    assert np.all(cable.parent[1:] < np.arange(1, cable.n_nodes)) and cable.parent[0] == -1
    assert np.all(cable.area_m2[~cable.has_membrane] == 0)
    assert np.all(cable.g_axial_s[1:] > 0)
    assert len(model.record_nodes) >= 1 and np.all(cable.has_membrane[model.record_nodes])
    assert model.source.citation and model.summary()["n_compartments"] == np.sum(cable.has_membrane)


def test_bent_axon_is_the_straight_one_folded():
    """Same compartments, same membrane, same total length: only the geometry differs."""
    straight_axon, bent = get_model("hh-axon-straight").cable, get_model("hh-axon-bent").cable
    assert np.array_equal(straight_axon.area_m2, bent.area_m2)
    assert np.array_equal(straight_axon.g_axial_s, bent.g_axial_s)
    ends = bent.position_m[[0, -1]] / 1e-3
    assert ends[0] == pytest.approx([-3, 0, 0]) and ends[1] == pytest.approx([0, 3, 0])


def test_node_at_picks_the_compartment_holding_x():
    cable = discretise(straight(100, 1, 5))
    assert cable.node_at(0, 0.5) == 3  # root end node, then compartments 0..4
    assert cable.node_at(0, 0.0) == 0 and cable.node_at(0, 1.0) == 6


@pytest.mark.parametrize(
    "points, diameters, n, fragment",
    [
        (np.zeros((1, 3)), np.ones(1), 1, "K >= 2"),
        (np.zeros((2, 2)), np.ones(2), 1, "(K, 3)"),
        (np.array([[0, 0, 0], [1, 0, 0]]), np.array([1.0, 0.0]), 1, "diameter must be > 0"),
        (np.array([[0, 0, 0], [0, 0, 0]]), np.ones(2), 1, "coincide"),
        (np.array([[0, 0, 0], [1, 0, 0]]), np.ones(2), 0, "n_segments"),
    ],
)
def test_branch_validation(points, diameters, n, fragment):
    with pytest.raises(InvalidValueError) as info:
        Branch(points, diameters, HH_SQUID, n)
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_morphology_needs_topological_order():
    root = Branch(np.array([[0, 0, 0], [1, 0, 0]]) * UM, np.ones(2) * UM, HH_SQUID, 1)
    child = Branch(np.array([[1, 0, 0], [2, 0, 0]]) * UM, np.ones(2) * UM, HH_SQUID, 1, parent=2)
    with pytest.raises(InvalidValueError, match="earlier branch"):
        Morphology((root, child))


def test_unknown_model_names_the_known_ones():
    with pytest.raises(UnknownNameError) as info:
        get_model("l6-basket")
    assert "hh-axon-straight" in str(info.value) and "l5-pyramidal" in str(info.value)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1, 1), min_size=6, max_size=6))
def test_rotation_between_turns_a_onto_b(values):
    a, b = np.array(values[:3]), np.array(values[3:])
    if np.linalg.norm(a) < 1e-3 or np.linalg.norm(b) < 1e-3:
        return
    r = rotation_between(a, b)
    assert np.allclose(r @ r.T, np.eye(3), atol=1e-9) and np.linalg.det(r) == pytest.approx(1)
    assert r @ (a / np.linalg.norm(a)) == pytest.approx(b / np.linalg.norm(b), abs=1e-9)
