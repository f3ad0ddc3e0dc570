"""Points on a boundary of a BEM conductor and the points CSV reader.

The field of a surface charge jumps by sigma/eps0 across the surface (Gauss's law), so a point
on a boundary has no single value: before, such a point gave NaN (at a triangle centroid: the
1/r^3 kernel divides by zero) or ~1e299 V/m (at a vertex), written without a word. Now it is
refused, naming the point and its distance.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmslab.cli import main
from tmslab.coils import get_coil, pose_on_sphere
from tmslab.conductors.meshing import icosphere
from tmslab.conductors.surfaces import Conductor, TriangleSurface
from tmslab.efield.bem import solve
from tmslab.errors import InvalidValueError, SpecFileError, TmslabError
from tmslab.io.points import read_points as _read_points

FUNCTION_SCOPED = [HealthCheck.function_scoped_fixture]


@pytest.fixture(scope="module")
def solution():
    v, t = icosphere(0.02, 2)
    ball = Conductor((TriangleSurface("ball", v, t, 0.33, 0.0),), name="ball")
    coil = get_coil("magstim-70mm-round").transformed(pose_on_sphere(0.02, distance_m=0.005))
    return solve(ball, coil)


def _on_surface(solution):
    s = solution.conductor.surfaces[0]
    return {
        "vertex": s.vertices[s.triangles[5, 0]],
        "centroid": solution.conductor.centroids[5],
        "edge": s.vertices[s.triangles[5, :2]].mean(axis=0),
    }


@pytest.mark.parametrize("where", ["vertex", "centroid", "edge"])
@pytest.mark.parametrize("check", [True, False])
def test_point_on_the_surface_is_refused(solution, where, check):
    point = _on_surface(solution)[where]
    with pytest.raises(InvalidValueError, match=r"row 1\) is .* m from a boundary") as error:
        solution.efield(point[None], check=check)
    assert "\n" not in str(error.value)


def test_points_just_inside_are_finite_and_continuous(solution):
    """1 um and 10 um below a centroid the field agrees to 1e-3 (it is smooth inside)."""
    c = solution.conductor.centroids[5]
    inward = -c / np.linalg.norm(c)
    e = solution.efield(np.array([c + 1e-6 * inward, c + 1e-5 * inward]))
    assert np.all(np.isfinite(e))
    assert np.allclose(e[0], e[1], rtol=1e-3, atol=1e-3 * np.abs(e).max())


def test_cli_point_on_the_surface_exit_2_and_nothing_written(tmp_path, cli):
    import meshio

    v, t = icosphere(20.0, 2)
    mesh = tmp_path / "ball.stl"
    meshio.write(mesh, meshio.Mesh(v, [("triangle", t)]), file_format="stl")
    from tmslab.conductors import get_conductor

    centroid = get_conductor(mesh).centroids[3]  # exactly as the solver sees it (float32 STL)
    points = tmp_path / "p.csv"
    points.write_text("x,y,z\n0,0,0\n" + ",".join(repr(float(x)) for x in centroid) + "\n")
    out = tmp_path / "o.csv"
    args = ["field", "solve", "--conductor", str(mesh), "--coil", "magstim-70mm-round"]
    assert main([*args, "--points", str(points), "--out", str(out)]) == 2
    cli.error("(row 2)", "from a boundary")
    assert not out.exists()


@settings(max_examples=60, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(rows=st.lists(st.tuples(*[st.floats(-1, 1, allow_subnormal=False)] * 3), min_size=1,
                     max_size=20))  # fmt: skip
def test_points_csv_round_trips(tmp_path, rows):
    path = tmp_path / "p.csv"
    path.write_text("x,y,z\n" + "".join(",".join(repr(v) for v in r) + "\n" for r in rows))
    assert np.array_equal(_read_points(path), np.array(rows, float))


@settings(max_examples=200, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(data=st.binary(max_size=200) | st.text(alphabet="xyz0123456789.,-e\n \x00", max_size=120))
def test_points_csv_random_bytes_give_points_or_one_line_error(tmp_path, data):
    path = tmp_path / "p.csv"
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    try:
        p = _read_points(path)
    except TmslabError as error:
        assert "\n" not in str(error)
        return
    assert p.ndim == 2 and p.shape[1] == 3


def test_binary_points_file_is_a_clean_error(tmp_path, cli):
    path = tmp_path / "p.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff")
    with pytest.raises(SpecFileError, match="not a text file"):
        _read_points(path)
    out = tmp_path / "o.csv"
    args = ["field", "sphere", "--coil", "magstim-70mm-round", "--points", str(path)]
    assert main([*args, "--out", str(out)]) == 2
    cli.error("not a text file")
    assert not out.exists()
