"""``--pose`` / ``--pose-unit`` on the field commands, the plausibility of a posed coil, and
``tmslab coil pose``, in-process through ``tmslab.cli.main``."""

from __future__ import annotations

import meshio
import numpy as np
import pytest

from tmslab.cli import main
from tmslab.coils import get_coil
from tmslab.coils.placement import (
    MAX_COIL_GAP_M,
    check_coil_gap,
    pose_on_sphere,
    read_pose,
    write_pose,
)
from tmslab.conductors.meshing import icosphere
from tmslab.conductors.quality import signed_surface_distance
from tmslab.conductors.sphere import resolve_head
from tmslab.efield.sphere import sphere_efield
from tmslab.errors import InvalidValueError

FIG8 = "magstim-70mm-fig8"


def _matsimnibs_mm(pose_m) -> np.ndarray:
    m = np.array(pose_m, float)
    m[:3, 3] *= 1e3
    return m


def _write(path, matrix, header=""):
    path.write_text(header + "\n".join(" ".join(repr(float(v)) for v in r) for r in matrix) + "\n")
    return path


@pytest.fixture
def points(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text("x,y,z\n0,0,0.07\n0.01,0,0.065\n")
    return path


def _sphere(args, points, out):
    return main(["field", "sphere", "--coil", FIG8, "--points", str(points), "--out", str(out),
                 *args])  # fmt: skip


def test_mm_pose_without_unit_is_refused_and_writes_nothing(tmp_path, cli, points):
    pose = pose_on_sphere(0.085, (0, 0.3, 1), distance_m=0.004)
    path = _write(tmp_path / "pose.txt", _matsimnibs_mm(pose))
    out = tmp_path / "out.csv"
    assert _sphere(["--pose", str(path)], points, out) == 2
    cli.error("from the origin", "pass --pose-unit mm")
    assert not out.exists()


def test_mm_pose_with_unit_gives_the_field_of_that_pose(tmp_path, points):
    # Before: the same file gave ~1e-10 V/m (coil 89 m away); now the field of the pose.
    pose = pose_on_sphere(0.085, (0, 0.3, 1), distance_m=0.004, handle_angle_deg=30)
    path = _write(tmp_path / "pose.txt", _matsimnibs_mm(pose))
    out = tmp_path / "out.csv"
    assert _sphere(["--pose", str(path), "--pose-unit", "mm", "--didt", "1e8"], points, out) == 0
    got = np.loadtxt(out, delimiter=",", skiprows=1)[:, 3:]
    xyz = np.loadtxt(points, delimiter=",", skiprows=1)
    want = sphere_efield(get_coil(FIG8).transformed(pose), xyz, resolve_head("human"), 1e8)
    assert np.allclose(got, want, rtol=1e-8)
    assert np.linalg.norm(got, axis=1).max() > 10  # tens of V/m, not 1e-10


def test_far_pose_names_the_distance_and_the_other_unit(tmp_path, cli, points):
    pose = pose_on_sphere(0.085, distance_m=0.3)  # 30 cm off the scalp, in metres
    path = _write(tmp_path / "pose.txt", pose)
    out = tmp_path / "out.csv"
    assert _sphere(["--pose", str(path)], points, out) == 2
    cli.error("the coil centre is 30 cm from the head surface", "--pose-unit mm")
    assert not out.exists()


def test_pose_in_metres_read_as_mm_is_inside_the_head(tmp_path, cli, points):
    path = _write(tmp_path / "pose.txt", pose_on_sphere(0.085))
    assert _sphere(["--pose", str(path), "--pose-unit", "mm"], points, tmp_path / "o.csv") == 2
    cli.error("inside the head surface", "pass --pose-unit m")


def test_bad_pose_unit_exits_2(tmp_path, cli, points):
    path = _write(tmp_path / "pose.txt", pose_on_sphere(0.085))
    assert _sphere(["--pose", str(path), "--pose-unit", "cm"], points, tmp_path / "o.csv") == 2
    cli.error("--pose-unit 'cm'", "mm or m")


def test_check_coil_gap_limits():
    check_coil_gap(0.0, "head surface")
    check_coil_gap(MAX_COIL_GAP_M, "head surface")
    with pytest.raises(InvalidValueError, match=r"5\.1 cm from the head surface"):
        check_coil_gap(0.051, "head surface", "m")
    with pytest.raises(InvalidValueError, match="inside the mesh surface"):
        check_coil_gap(-0.01, "mesh surface", "mm", "[coil] pose_unit")


def test_signed_surface_distance_matches_the_sphere():
    """Distance from points to an icosphere of radius 20 mm: |p| - R, up to the chord sag."""
    v, t = icosphere(0.02, 3)
    from tmslab.conductors.surfaces import Conductor, TriangleSurface

    ball = Conductor((TriangleSurface("ball", v, t, 0.33, 0.0),))
    p = np.array([[0, 0, 0.03], [0.05, 0.0, 0.0], [0, 0.015, 0], [0.0, 0.0, 0.0]])
    expected = np.linalg.norm(p, axis=1) - 0.02
    sag = 0.02 - np.linalg.norm(v[t].mean(axis=1), axis=1).min()  # flat faces lie inside
    assert np.allclose(signed_surface_distance(ball, p), expected, atol=1.5 * sag)


@pytest.fixture
def ball_mm(tmp_path):
    v, t = icosphere(20.0, 2)
    path = tmp_path / "ball.stl"
    meshio.write(path, meshio.Mesh(v, [("triangle", t)]), file_format="stl")
    return path


def test_solve_with_far_mesh_pose_exits_before_solving(tmp_path, cli, ball_mm):
    points = tmp_path / "p.csv"
    points.write_text("x,y,z\n0,0,0.01\n")
    pose = _write(tmp_path / "pose.txt", _matsimnibs_mm(pose_on_sphere(0.02, distance_m=0.2)),
                  "# matsimnibs\n")  # fmt: skip
    out = tmp_path / "o.csv"
    args = ["field", "solve", "--conductor", str(ball_mm), "--coil", FIG8, "--pose", str(pose)]
    assert main([*args, "--points", str(points), "--out", str(out)]) == 2
    cli.error("20 cm from the conductor surface", "--pose-unit m")
    assert not out.exists()


def test_solve_with_mm_pose_matches_the_default_placement(tmp_path, ball_mm):
    points = tmp_path / "p.csv"
    points.write_text("x,y,z\n0,0,0.01\n0.005,0,0\n")
    pose = pose_on_sphere(0.02, distance_m=0.005)
    path = write_pose(tmp_path / "pose.txt", pose, "mm")
    base = ["field", "solve", "--conductor", str(ball_mm), "--coil", FIG8, "--points", str(points)]
    assert main([*base, "--pose", str(path), "--out", str(tmp_path / "a.csv")]) == 0
    assert main([*base, "--distance-mm", "5", "--out", str(tmp_path / "b.csv")]) == 0
    a = np.loadtxt(tmp_path / "a.csv", delimiter=",", skiprows=1)
    b = np.loadtxt(tmp_path / "b.csv", delimiter=",", skiprows=1)
    # Same centre and axis; the handle differs by 180 degrees (pose_above vs pose_on_sphere),
    # which a symmetric figure-8 does not see in |E|.
    assert np.allclose(np.linalg.norm(a[:, 3:], axis=1), np.linalg.norm(b[:, 3:], axis=1),
                       rtol=1e-4)  # fmt: skip


def test_coil_pose_command_writes_what_field_reads(tmp_path, capsys):
    out = tmp_path / "pose.txt"
    args = ["coil", "pose", "--out", str(out), "--head", "rat", "--direction", "1,0,2"]
    assert main([*args, "--distance-mm", "2", "--handle-angle", "30"]) == 0
    text = out.read_text()
    assert "# unit: mm" in text and len([r for r in text.splitlines() if r[0] != "#"]) == 4
    head = resolve_head("rat")
    want = pose_on_sphere(head.scalp_radius_m, (1, 0, 2), distance_m=0.002, handle_angle_deg=30)
    assert np.array_equal(read_pose(out), want)
    assert np.allclose(np.linalg.norm(want[:3, 3]), head.scalp_radius_m + 0.002)


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--unit", "cm"], "--unit 'cm'"), (["--direction", "1,2"], "--direction '1,2'"),
     (["--direction", "0,0,0"], "not all zero"), (["--head", "elephant"], "elephant"),
     (["--out", "pose.mat"], "pose files are text")],
)  # fmt: skip
def test_coil_pose_bad_input_exits_2_and_writes_nothing(tmp_path, cli, extra, message):
    out = tmp_path / "pose.txt"
    assert main(["coil", "pose", "--out", str(out), *extra]) == 2
    cli.error(message)
    assert not out.exists()
