"""tmslab.efield.workflows and efield.placing: what the field commands call."""

from __future__ import annotations

import numpy as np
import pytest

from tmslab.conductors.sphere import resolve_head
from tmslab.efield.placing import coil_over_sphere, write_sphere_pose
from tmslab.efield.sphere import sphere_efield
from tmslab.efield.workflows import (
    metrics_rows,
    parse_conductivities,
    parse_target,
    sphere_points,
)
from tmslab.errors import InvalidValueError
from tmslab.io.pose import read_pose


def test_sphere_points_writes_the_field_it_returns(tmp_path):
    head = resolve_head("rat")
    placed = coil_over_sphere("mouse-8mm", head, distance_m=1e-3)
    points = tmp_path / "p.csv"
    points.write_text("x,y,z\n0,0,0.005\n0.001,0,0.004\n")
    out = tmp_path / "e.csv"
    result = sphere_points(placed, head, points, out, 1e6, {})
    assert np.array_equal(result.efield, sphere_efield(placed, result.points, head, 1e6))
    written = np.loadtxt(out, delimiter=",", skiprows=1)
    assert np.allclose(written[:, 3:], result.efield, rtol=1e-9)
    assert result.message(out).startswith(f"wrote {out} (2 points, max |E| ")


def test_sphere_pose_round_trip(tmp_path):
    out = tmp_path / "pose.txt"
    centre, unit, name = write_sphere_pose(out, "human", "1,0,1", distance_m=0.002, unit="MM")
    assert unit == "mm" and name == "human"
    pose = read_pose(out)
    assert np.allclose(pose[:3, 3] * 1e3, centre)
    assert np.allclose(pose[:3, 2], -np.array([1, 0, 1]) / np.sqrt(2))
    with pytest.raises(InvalidValueError, match="three numbers"):
        write_sphere_pose(out, "human", "1,0")
    with pytest.raises(InvalidValueError, match="text"):
        write_sphere_pose(tmp_path / "pose.mat", "human", "0,0,1")


def test_a_pose_far_from_the_head_is_refused(tmp_path):
    pose = np.eye(4)
    pose[:3, 3] = [0, 0, 0.5]
    path = tmp_path / "far.txt"
    path.write_text("\n".join(" ".join(map(str, row)) for row in pose))
    with pytest.raises(InvalidValueError, match="from the head surface"):
        coil_over_sphere("mouse-8mm", resolve_head("human"), str(path), pose_unit="m")


def test_parsers_and_rows():
    assert parse_target("2.5mm") == pytest.approx(2.5e-3)
    assert parse_target("cortex") == "cortex"
    assert parse_conductivities("0.33; 0.0132") == [0.33, 0.0132]
    assert parse_conductivities(None) is None
    for bad in ("a", "0.3,-1", ""):
        with pytest.raises(InvalidValueError, match="--conductivities"):
            parse_conductivities(bad)

    class Metrics:
        emax, d_half_m, v_half_m3, s_half_m2 = 100.0, 0.012, 2e-6, 3e-4

    assert dict(metrics_rows(Metrics, 1e8))["d_1/2"] == "1.200 cm"


def test_conductor_from_options_checks_the_lengths_in_mm():
    from tmslab.efield.workflows import conductor_from_options
    from tmslab.errors import InvalidValueError
    from tmslab.units import MM

    with pytest.raises(InvalidValueError, match=r"--edge-mm = -0\.3 is not allowed"):
        conductor_from_options("dish-35mm", edge_m=-0.3 * MM)
    with pytest.raises(InvalidValueError, match=r"--medium-height-mm = 0\.0"):
        conductor_from_options("dish-35mm", medium_height_m=0.0)
    with pytest.raises(InvalidValueError, match="--conductivities"):
        conductor_from_options("dish-35mm", conductivities="-1")
    dish = conductor_from_options("dish-35mm", "1.5", medium_height_m=3 * MM)
    assert dish.n_triangles > 0


def test_sphere_setup_checks_the_head_then_the_didt_then_places_the_coil():
    from tmslab.efield.workflows import sphere_setup

    with pytest.raises(InvalidValueError, match="--didt"):
        sphere_setup("mouse-8mm", "mouse", 0.0)
    from tmslab.errors import TmslabError

    with pytest.raises(TmslabError, match="no-such-head"):
        sphere_setup("mouse-8mm", "no-such-head", 0.0)  # the head is checked first
    setup = sphere_setup("mouse-8mm", "rat", 1e6, distance_m=1e-3)
    expected = coil_over_sphere("mouse-8mm", resolve_head("rat"), distance_m=1e-3)
    assert setup.head.name == resolve_head("rat").name and setup.didt_a_per_s == 1e6
    assert np.allclose(setup.coil.dipole_positions, expected.dipole_positions)
