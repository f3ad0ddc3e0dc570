"""Physics invariants: linearity in dI/dt, rotation equivariance, no charge for azimuthal fields."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.coils import get_coil
from tmslab.conductors import get_conductor
from tmslab.conductors.surfaces import Conductor, TriangleSurface
from tmslab.efield.bem import cell_layer_points, dish_field, pose_above, solve

INNER = np.array([[0.0, 0.0, 0.012], [0.005, -0.004, 0.0], [-0.01, 0.0, -0.01]])


@settings(max_examples=5, deadline=None)
@given(didt=st.floats(1e3, 1e9))
def test_field_is_linear_in_didt(small_ball, didt):
    conductor, coil = small_ball
    unit = solve(conductor, coil, 1.0).efield(INNER)
    scaled = solve(conductor, coil, didt).efield(INNER)
    assert np.allclose(scaled, unit * didt, rtol=1e-6, atol=0)


def _rotation(angles):
    a, b, c = angles
    rx = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])
    return rz @ ry @ rx


@settings(max_examples=4, deadline=None)
@given(angles=st.tuples(*[st.floats(-np.pi, np.pi)] * 3))
def test_rotating_everything_rotates_the_field(small_ball, angles):
    conductor, coil = small_ball
    rotation = _rotation(angles)
    pose = np.eye(4)
    pose[:3, :3] = rotation
    surface = conductor.surfaces[0]
    turned = Conductor(
        (TriangleSurface("ball", surface.vertices @ rotation.T, surface.triangles, 0.33),)
    )
    e = solve(conductor, coil).efield(INNER)
    e_turned = solve(turned, coil.transformed(pose)).efield(INNER @ rotation.T)
    assert np.allclose(e_turned, e @ rotation.T, rtol=1e-4, atol=1e-4 * np.abs(e).max())


def test_round_coil_centred_over_a_dish_gives_the_primary_field():
    """Its field is azimuthal: tangent to the wall and to the faces, so no charge builds up."""
    dish = get_conductor("dish-35mm", edge_m=2e-3)
    coil = get_coil("magstim-70mm-round")
    result = dish_field(coil, dish, 0.01, n=21)
    primary = np.linalg.norm(result.free_space, axis=1).max()
    assert np.abs(result.solution.density).max() < 1e-4 * primary / result.didt_a_per_s * 1e3
    assert np.allclose(result.efield, result.free_space, atol=1e-3 * primary)
    assert result.ratio["mean"] == pytest.approx(1.0, abs=1e-3)


def test_figure8_over_a_dish_is_much_weaker_than_in_free_space():
    dish = get_conductor("dish-35mm", edge_m=2e-3)
    result = dish_field(get_coil("magstim-70mm-fig8"), dish, 0.01, n=21)
    assert result.ratio["mean"] < 0.2
    summary = result.to_dict()
    assert summary["efield_v_per_m"]["mean"] == pytest.approx(result.mean)
    assert set(summary["ratio_to_free_space"]) == {"mean", "median", "max"}


def test_dish_figures_converge_with_the_mesh():
    """The fig-8 field left in a dish is a small remainder; it must not depend on the mesh."""
    coil = get_coil("magstim-70mm-fig8")
    coarse = dish_field(coil, get_conductor("dish-35mm", edge_m=2e-3), 0.01, n=21)
    fine = dish_field(coil, get_conductor("dish-35mm", edge_m=1.1e-3), 0.01, n=21)
    print(f"\nfig-8 over dish-35mm, mean |E| per A/s: {coarse.mean:.4g} (2 mm edges), "
          f"{fine.mean:.4g} (1.1 mm edges)")  # fmt: skip
    assert coarse.mean == pytest.approx(fine.mean, rel=0.05)
    assert coarse.median == pytest.approx(fine.median, rel=0.1)


def test_insulated_wells_do_not_influence_each_other():
    """Each insulated well solves its own interior problem: a neighbour changes nothing."""
    well = get_conductor("plate-24-well:one", edge_m=1.6e-3).surfaces[0]
    shifted = TriangleSurface(
        "w2", well.vertices + np.array([0.0193, 0.0, 0.0]), well.triangles, 1.6
    )
    alone = Conductor((well,), kind="plate")
    pair = Conductor((well, shifted), kind="plate")
    coil = get_coil("magstim-70mm-fig8").transformed(pose_above(0.0026, 0.005, 0.0, (0.01, 0.0)))
    points = cell_layer_points(0.0078, 0.001, 0.002)
    e_alone = solve(alone, coil).efield(points)
    e_pair = solve(pair, coil).efield(points)
    assert np.allclose(e_pair, e_alone, atol=0.02 * np.abs(e_alone).max())
