"""Cells placed in the cortex of fsaverage (tmslab.neuron.cortex): geometry, coupling against the
uniform case, thresholds against today's direction thresholds, the map's units and curve."""

from __future__ import annotations

import numpy as np
import pytest

from tmslab.errors import InvalidValueError
from tmslab.neuron.cortex import (
    LAYER_DEPTHS,
    cortex_threshold_map,
    layer_of,
    place_in_cortex,
    placed_field,
)
from tmslab.units import MM

E_UNIFORM = np.array([30.0, -40.0, 120.0])  # V/m


@pytest.fixture(scope="module")
def l5():
    from tmslab.neuron.models import get_model

    return get_model("l5-pyramidal")


def uniform(points):
    return np.broadcast_to(E_UNIFORM, np.shape(points)).copy()


@pytest.mark.parametrize(
    ("name", "layer"),
    [
        ("l5-pyramidal", "L5"),
        ("aberra-l23-pc", "L2/3"),
        ("aberra-l1-ngc", "L1"),
        ("aberra-l4-lbc", "L4"),
        ("aberra-l6-pc", "L6"),
    ],
)
def test_layer_from_the_model_name(name, layer):
    assert layer_of(name) == (layer, False)


def test_layer_given_assumed_and_refused():
    assert layer_of("axon-straight") == ("L5", True)
    assert layer_of("axon-straight", "l23") == ("L2/3", False)
    with pytest.raises(InvalidValueError, match="layer 'L7'"):
        layer_of("l5-pyramidal", "L7")


def test_soma_at_the_layer_depth_and_axis_along_the_normal(head, target):
    p = place_in_cortex(head, target, 10 * MM, 300, model_name="l5-pyramidal", seed=3)
    f = LAYER_DEPTHS["L5"]
    assert p.layer == "L5" and p.depth_fraction == f
    # between the pial and white surfaces, at the fraction f of the thickness from the pial one
    depth = np.linalg.norm(p.soma_m - p.pial_m, axis=1)
    height = np.linalg.norm(p.white_m - p.soma_m, axis=1)
    np.testing.assert_allclose(depth, f * p.thickness_m, rtol=1e-9)
    np.testing.assert_allclose(depth + height, p.thickness_m, rtol=1e-9)
    assert np.all((p.thickness_m > 0.5 * MM) & (p.thickness_m < 6 * MM))
    # proper rotations whose z axis (the apical dendrite) is the outward normal
    r = p.rotation
    np.testing.assert_allclose(
        np.einsum("pji,pjk->pik", r, r), np.broadcast_to(np.eye(3), r.shape), atol=1e-12
    )
    np.testing.assert_allclose(np.linalg.det(r), 1.0, atol=1e-12)
    np.testing.assert_allclose(r[:, :, 2], p.normal, atol=1e-12)
    # the outward normal points from the white towards the pial surface (the axon inwards)
    column = (p.pial_m - p.white_m) / p.thickness_m[:, None]
    assert np.mean(np.sum(column * p.normal, axis=1) > 0.5) > 0.9
    # in the patch: within the radius (plus an edge) of the target
    assert np.all(np.linalg.norm(p.soma_m - target.point, axis=1) < 10 * MM + 5 * MM)
    assert np.all(p.patch_distance_m <= 10 * MM)


def test_azimuth_given_and_seeded(head, target):
    a = place_in_cortex(head, target, 5 * MM, 20, azimuth_deg=90.0, seed=1)
    np.testing.assert_allclose(a.azimuth_rad, np.pi / 2)
    b = place_in_cortex(head, target, 5 * MM, 20, azimuth_deg=90.0, seed=1)
    np.testing.assert_array_equal(a.soma_m, b.soma_m)
    # azimuth 90 turns the cell's x axis onto its y axis at azimuth 0
    c = place_in_cortex(head, target, 5 * MM, 20, azimuth_deg=0.0, seed=1)
    np.testing.assert_allclose(a.rotation[:, :, 0], c.rotation[:, :, 1], atol=1e-12)
    with pytest.raises(InvalidValueError, match="one per cell"):
        place_in_cortex(head, target, 5 * MM, 20, azimuth_deg=[1.0, 2.0])


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"n_cells": 0}, "--cells 0"),
        ({"n_cells": 2.5}, "--cells 2.5"),
        ({"radius_m": -1 * MM}, "--radius-mm -1"),
    ],
)
def test_bad_counts_and_radii(head, target, kw, message):
    args = {"radius_m": 5 * MM, "n_cells": 10, **kw}
    with pytest.raises(InvalidValueError, match=message):
        place_in_cortex(head, target, **args)


def test_uniform_field_through_the_head_path_is_the_uniform_coupling(head, target, l5):
    from tmslab.neuron.coupling import uniform_quasipotential
    from tmslab.neuron.threshold import placed_quasipotentials

    p = place_in_cortex(head, target, 10 * MM, 5, model_name=l5.name, seed=2)
    values = placed_field(l5, p, uniform)
    assert values.shape == (5, l5.cable.n_nodes, 3)
    profiles = placed_quasipotentials(l5, values, p.rotation, p.soma_m)
    for k in range(5):
        world = l5.cable.position_m @ p.rotation[k].T + p.soma_m[k]
        expected = uniform_quasipotential(world, E_UNIFORM)
        np.testing.assert_allclose(profiles[k], expected, rtol=1e-9, atol=1e-12)
        # and the cell's own frame sees the field rotated back: -E'.r plus a constant
        local = uniform_quasipotential(l5.cable.position_m, p.rotation[k].T @ E_UNIFORM)
        shift = profiles[k] - local
        np.testing.assert_allclose(shift, shift[0], atol=1e-12)


def test_thresholds_in_a_uniform_field_equal_the_direction_thresholds(head, target, l5):
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.threshold import direction_thresholds

    drive = get_drive("monophasic", 2.5e-6)
    result = cortex_threshold_map(
        head, uniform, l5, drive, target, 10 * MM, 3, azimuth_deg=30.0, seed=4
    )
    p = result.placement
    directions = np.einsum("pji,j->pi", p.rotation, E_UNIFORM / np.linalg.norm(E_UNIFORM))
    today = direction_thresholds(l5, drive, directions, "batched")
    np.testing.assert_allclose(result.threshold_soma_v_per_m, today.thresholds_v_per_m, rtol=1e-6)
    np.testing.assert_array_equal(result.initiation_node, today.initiation_node)
    assert all(label for label in result.initiation_label)
    # a uniform field: |E| at the target is |E|, so that threshold is the same number
    np.testing.assert_allclose(result.threshold_target_v_per_m, result.threshold_soma_v_per_m)
    assert result.threshold_didt_a_per_s is None and result.threshold_pct_mso is None


def test_units_and_input_output_curve(head, target, l5):
    from tmslab.neuron.drive import get_drive

    drive = get_drive("monophasic", 2.5e-6)
    result = cortex_threshold_map(
        head,
        uniform,
        l5,
        drive,
        target,
        10 * MM,
        4,
        seed=5,
        didt_a_per_s=1e8,
        didt_max_a_per_s=2e8,
    )
    s = result.threshold_scale
    np.testing.assert_allclose(result.threshold_pct, 100 * s)
    np.testing.assert_allclose(result.threshold_didt_a_per_s, 1e8 * s)
    np.testing.assert_allclose(result.threshold_pct_mso, 50 * s)
    _, fraction = result.io_curve([0.0, np.min(s), np.max(s), 10 * np.max(s)])
    np.testing.assert_allclose(fraction, [0.0, 0.25, 1.0, 1.0])
    record = result.to_dict()
    assert record["n_cells"] == 4 and record["n_activated"] == 4
    assert record["layer"] == "L5" and "Aberra" in record["depth_source"]
    assert len(record["cells"]["threshold_pct_mso"]) == 4
    assert any("threshold" in label for label, _ in result.rows())


class _SphereSolution:
    """A BEM-solution stand-in: a conductor and a uniform field that records its check flag."""

    def __init__(self, radius_m):
        from tmslab.conductors.meshing import icosphere
        from tmslab.conductors.surfaces import Conductor, TriangleSurface

        v, t = icosphere(radius_m, 3)
        self.conductor = Conductor((TriangleSurface("brain", v, t, 0.33, 0.0),))
        self.checked = []

    def efield(self, points, check=True):
        self.checked.append(check)
        return uniform(points)


def _placement_at(soma):
    from tmslab.neuron.cortex import CortexPlacement

    n = len(soma)
    eye = np.broadcast_to(np.eye(3), (n, 3, 3)).copy()
    nothing = np.zeros(0)
    return CortexPlacement(
        "L5", 0.65, np.asarray(soma, float), eye[:, :, 2], eye, np.zeros(n),
        np.asarray(soma, float), np.asarray(soma, float), np.zeros(n, int),
        nothing.astype(int), nothing, 5 * MM, 0,
    )  # fmt: skip


def test_solution_fields_are_checked_per_cell(l5):
    sphere = _SphereSolution(20 * MM)
    inside = _placement_at([[0.0, 0.0, 0.0], [0.0, 5 * MM, 0.0]])
    values = placed_field(l5, inside, sphere)
    np.testing.assert_allclose(values, uniform(values.reshape(-1, 3)).reshape(values.shape))
    assert sphere.checked == [False]  # checked here, per cell, not point by point
    # a cell whose dendrites leave the conductor is refused in one line
    poking = _placement_at([[0.0, 0.0, 19 * MM]])
    with pytest.raises(InvalidValueError, match=r"outside|boundary"):
        placed_field(l5, poking, sphere)


def test_figure_of_the_map(head, target, l5, tmp_path):
    from tmslab.neuron.drive import get_drive
    from tmslab.viz.cortex_map import best_view, plot_cortex_threshold_map
    from tmslab.viz.files import save_figure

    result = cortex_threshold_map(
        head, uniform, l5, get_drive("monophasic", 2.5e-6), target, 8 * MM, 3, seed=6
    )
    assert best_view(result.placement.normal) == "left"  # M1-hand faces left and out
    vertices, triangles, magnitude = result.surface
    assert triangles.max() < len(vertices) == len(magnitude)
    np.testing.assert_allclose(magnitude, np.linalg.norm(E_UNIFORM))
    path = save_figure(plot_cortex_threshold_map(result, subtitle="uniform"), tmp_path / "m.png")
    assert path.stat().st_size > 10_000


def test_several_types_share_one_solve(head, target, l5, monkeypatch, tmp_path):
    from types import SimpleNamespace

    from tmslab.efield import bem
    from tmslab.neuron.cortex import run_head_maps
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.models import get_model
    from tmslab.viz.cortex_map import plot_cortex_threshold_map
    from tmslab.viz.files import save_figure

    solves = []

    def fake_solve(conductor, coil, didt_a_per_s):
        solves.append(didt_a_per_s)
        return SimpleNamespace(conductor=conductor, efield=lambda p, check=True: uniform(p))

    monkeypatch.setattr(bem, "solve", fake_solve)
    coil = SimpleNamespace(name="test-coil", transformed=lambda pose: pose)
    setup = SimpleNamespace(head=head, coil=coil, pose=None, target=target, didt_a_per_s=1e8)
    drive = get_drive("monophasic", 2.5e-6)
    maps = run_head_maps(setup, [l5, get_model("mrg-axon")], drive, 8 * MM, 3, seed=7)
    assert solves == [1e8] and [m.model for m in maps] == ["l5-pyramidal", "mrg-axon"]
    # same layer (mrg-axon assumed L5, flagged), same seed: the same points and rotations
    np.testing.assert_array_equal(maps[0].placement.soma_m, maps[1].placement.soma_m)
    assert not maps[0].layer_assumed and maps[1].layer_assumed
    assert any("names no cortical layer" in w for w in maps[1].warnings)
    for m in maps:
        assert m.coil == "test-coil" and "head solve" in m.timings_s
        np.testing.assert_allclose(m.threshold_didt_a_per_s, 1e8 * m.threshold_scale)
    figure = save_figure(plot_cortex_threshold_map(maps), tmp_path / "two.png")
    assert figure.stat().st_size > 10_000


def test_prepare_head_maps_checks_before_the_head(l5, monkeypatch):
    from tmslab.efield import head_run
    from tmslab.neuron.cortex import prepare_head_maps
    from tmslab.neuron.drive import get_drive

    def no_head(*_, **__):  # every refusal below comes before the head is loaded
        raise AssertionError("loaded")

    monkeypatch.setattr(head_run, "prepare_head_field", no_head)
    drive = get_drive("monophasic", 2.5e-6)
    patch = dict(radius_m=8 * MM, n_cells=3, target="M1-hand")
    with pytest.raises(InvalidValueError, match="give the coil"):
        prepare_head_maps([l5], drive, None, **patch)
    with pytest.raises(InvalidValueError, match="give the patch centre"):
        prepare_head_maps([l5], drive, "magstim-70mm-fig8", radius_m=8 * MM, n_cells=3)
    with pytest.raises(InvalidValueError, match="--cells 0"):
        prepare_head_maps([l5], drive, "magstim-70mm-fig8", **{**patch, "n_cells": 0})


def test_prepare_head_maps_places_the_coil_on_fsaverage(l5):
    from tmslab.neuron.cortex import prepare_head_maps
    from tmslab.neuron.drive import get_drive

    drive = get_drive("monophasic", 2.5e-6)
    setup = prepare_head_maps(
        [l5], drive, "magstim-70mm-fig8", radius_m=8 * MM, n_cells=3, target="M1-hand", at="C3"
    )
    assert setup.head.name == "fsaverage" and setup.target is not None
    assert "C3" in setup.placement


def test_head_map_request_passes_every_option(l5, monkeypatch):
    # The typed request of `neuron map --head` hands each of its fields to the two steps.
    from tmslab.neuron import cortex
    from tmslab.neuron.drive import get_drive

    seen = {}
    monkeypatch.setattr(cortex, "prepare_head_maps", lambda *a, **kw: seen.update(prepare=(a, kw)))
    monkeypatch.setattr(cortex, "run_head_maps", lambda *a, **kw: seen.update(run=(a, kw)))
    request = cortex.HeadMapRequest(
        "magstim-70mm-fig8", target="M1-hand", at="C3", handle_angle_deg=45, distance_m=4 * MM,
        didt_max_a_per_s=1.5e8, radius_m=8 * MM, n_cells=3, layer="L5", seed=7, method="table",
        table_directions=100, check_cells=2,
    )  # fmt: skip
    drive = get_drive("monophasic", 2.5e-6)
    request.prepare([l5], drive)
    request.run("setup", [l5], drive, "batched", 0.01)
    (args, kw), (run_args, run_kw) = seen["prepare"], seen["run"]
    assert args[2] == "magstim-70mm-fig8" and kw["at"] == "C3" and kw["handle_angle_deg"] == 45
    assert kw["distance_m"] == 4 * MM and kw["didt_a_per_s"] == 1e8 and kw["target"] == "M1-hand"
    assert (kw["method"], kw["table_directions"], kw["check_cells"]) == ("table", 100, 2)
    assert run_args[3:] == (8 * MM, 3) and run_kw["seed"] == 7 and run_kw["rel_tol"] == 0.01
    assert run_kw["didt_max_a_per_s"] == 1.5e8 and run_kw["layer"] == "L5"
