"""Mesh length units: ``--mesh-unit`` / ``[subject] mesh_unit``, the size check, and the mesh
reader's behaviour on random valid and corrupted files."""

from __future__ import annotations

import meshio
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmslab.cli import main
from tmslab.conductors import get_conductor
from tmslab.conductors.mesh_io import conductor_from_file, read_surfaces, write_surfaces
from tmslab.conductors.meshing import icosphere
from tmslab.conductors.surfaces import Conductor, TriangleSurface
from tmslab.errors import InvalidValueError, SpecFileError, TmslabError
from tmslab.scenario import scenario_from_mapping

FUNCTION_SCOPED = [HealthCheck.function_scoped_fixture]


def _stl(path, scale):
    v, t = icosphere(0.02 * scale, 2)  # a 40 mm ball in the file's unit
    meshio.write(path, meshio.Mesh(v, [("triangle", t)]), file_format="stl")
    return path


def test_metre_stl_is_refused_naming_the_unit(tmp_path):
    # Before: read as mm, a 0.04 mm ball, and every point "outside".
    path = _stl(tmp_path / "ball.stl", 1.0)
    with pytest.raises(SpecFileError, match=r"0\.04 mm across.*--mesh-unit m\b"):
        read_surfaces(path)
    ball = get_conductor(path, mesh_unit_m=1.0)
    assert np.allclose(ball.bounds()[1], 0.02, rtol=1e-6)


def test_millimetre_obj_read_as_metres_is_refused(tmp_path):
    v, t = icosphere(85.0, 2)
    path = tmp_path / "head.obj"  # .obj defaults to metres: an 17 m head
    meshio.write(path, meshio.Mesh(v, [("triangle", t)]))
    with pytest.raises(SpecFileError, match=r"170 m across.*--mesh-unit mm"):
        read_surfaces(path, 1.0)
    assert read_surfaces(path, 1e-3)[0][2].max() == pytest.approx(0.085)


def test_cli_solve_metre_stl_exit_2_then_works_with_mesh_unit(tmp_path, cli):
    path = _stl(tmp_path / "ball.stl", 1.0)
    points = tmp_path / "p.csv"
    points.write_text("x,y,z\n0,0,0.01\n")
    out = tmp_path / "o.csv"
    args = ["field", "solve", "--conductor", str(path), "--coil", "magstim-70mm-round"]
    args += ["--points", str(points), "--out", str(out)]
    assert main(args) == 2
    cli.error("across", "--mesh-unit m")
    assert not out.exists()
    assert main([*args, "--mesh-unit", "m"]) == 0
    same = tmp_path / "o_mm.csv"
    mm = _stl(tmp_path / "ball_mm.stl", 1e3)
    assert main([*args[:3], str(mm), *args[4:-1], str(same)]) == 0
    a, b = (np.loadtxt(f, delimiter=",", skiprows=1) for f in (out, same))
    assert np.allclose(a, b, rtol=1e-5)


def test_mesh_unit_on_a_preset_or_unknown_unit_exit_2(tmp_path, cli):
    points = tmp_path / "p.csv"
    points.write_text("x,y,z\n0,0,0.001\n")
    base = ["field", "solve", "--coil", "magstim-70mm-round", "--points", str(points)]
    base += ["--out", str(tmp_path / "o.csv")]
    assert main([*base, "--conductor", "dish-35mm", "--mesh-unit", "mm"]) == 2
    cli.error("mesh files, not to the preset 'dish-35mm'")
    assert main([*base, "--conductor", "x.stl", "--mesh-unit", "inch"]) == 2
    cli.error("--mesh-unit 'inch'")


def test_scenario_mesh_unit_key():
    base = {"protocol": {"preset": "itbs"}}
    spec = scenario_from_mapping(
        {**base, "subject": {"kind": "mesh", "conductor": "a.stl", "mesh_unit": "m"}}
    ).spec
    assert spec.subject.mesh_unit == "m"
    with pytest.raises(InvalidValueError, match="mesh_unit"):
        scenario_from_mapping({**base, "subject": {"kind": "head", "mesh_unit": "m"}})
    with pytest.raises(InvalidValueError, match="mesh_unit"):
        scenario_from_mapping(
            {**base, "subject": {"kind": "mesh", "conductor": "a.stl", "mesh_unit": "cm"}}
        )


FORMATS = [".stl", ".msh", ".vtk", ".obj", ".ply", ".off", ".vtu"]


@settings(max_examples=25, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(
    suffix=st.sampled_from(FORMATS),
    radius=st.floats(0.005, 0.2),
    centre=st.lists(st.floats(-0.1, 0.1), min_size=3, max_size=3),
    level=st.integers(1, 2),
)
def test_written_meshes_read_back(tmp_path, suffix, radius, centre, level):
    v, t = icosphere(radius, level)
    ball = Conductor((TriangleSurface("ball", v + centre, t, 0.33, 0.0),))
    path = write_surfaces(ball, tmp_path / f"ball{suffix}", unit_m=1e-3)
    ((_, _, vertices, triangles),) = read_surfaces(path, 1e-3)
    assert len(triangles) == len(t)
    # STL stores float32: a relative error of ~1e-7.
    assert np.allclose(np.sort(vertices, axis=0), np.sort(v + centre, axis=0), atol=1e-7 * 0.3)


@pytest.fixture(scope="module")
def good_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("meshes")
    v, t = icosphere(0.02, 1)
    ball = Conductor((TriangleSurface("ball", v, t, 0.33, 0.0),))
    return _Files(
        {s: write_surfaces(ball, folder / f"ball{s}", unit_m=1e-3).read_bytes() for s in FORMATS}
    )


class _Files(dict):
    def __repr__(self) -> str:  # keep hypothesis reports short
        return "<valid mesh files>"


@settings(max_examples=150, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(
    suffix=st.sampled_from(FORMATS),
    cut=st.floats(0, 1),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=4),
)
def test_corrupted_meshes_give_a_conductor_or_a_one_line_error(
    tmp_path, good_files, suffix, cut, flips
):
    data = bytearray(good_files[suffix])
    for where, value in flips:
        data[min(int(where * len(data)), len(data) - 1)] = value
    data = data[: max(int(cut * len(data)), 1)] if cut < 0.98 else data
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(bytes(data))
    try:
        conductor = conductor_from_file(path, unit_m=1e-3)
    except TmslabError as error:
        assert "\n" not in str(error)
        return
    assert conductor.n_triangles > 0 and np.all(np.isfinite(conductor.centroids))


def test_truncated_msh_is_a_clean_error_not_a_system_exit(tmp_path, good_files, capsys):
    # meshio calls sys.exit on some unreadable .msh files; the reader turns it into one line.
    path = tmp_path / "cut.msh"
    path.write_bytes(good_files[".msh"][:1])
    with pytest.raises(SpecFileError, match="cannot read mesh"):
        read_surfaces(path)
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""
