"""``tmslab field solve``, ``field dish`` and ``field conductors`` through ``main``."""

from __future__ import annotations

import json

import meshio
import numpy as np
import pytest

from tmslab.cli import main
from tmslab.coils import get_coil, pose_on_sphere
from tmslab.conductors import get_conductor
from tmslab.conductors.meshing import icosphere
from tmslab.efield.bem import solve


def write_points(path, rows):
    path.write_text("x,y,z\n" + "\n".join(",".join(str(v) for v in r) for r in rows) + "\n")


@pytest.fixture
def ball_file(tmp_path):
    v, t = icosphere(20.0, 3)  # millimetres, as STL files usually are
    path = tmp_path / "ball.stl"
    meshio.write(path, meshio.Mesh(v, [("triangle", t)]), file_format="stl")
    return path


@pytest.mark.slow
def test_field_solve_writes_csv_matching_the_api(tmp_path, ball_file):
    points = tmp_path / "in.csv"
    write_points(points, [[0, 0, 0.015], [0.005, 0, 0.0]])
    out = tmp_path / "out.csv"
    args = ["field", "solve", "--conductor", str(ball_file), "--coil", "magstim-70mm-fig8"]
    assert main([*args, "--points", str(points), "--out", str(out), "--distance-mm", "5"]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "x,y,z,ex,ey,ez" and len(lines) == 3
    values = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    conductor = get_conductor(ball_file)
    coil = get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(0.02, distance_m=0.005))
    expected = solve(conductor, coil).efield(values[:, :3])
    assert np.allclose(values[:, 3:], expected, rtol=1e-6, atol=1e-6 * np.abs(expected).max())


def test_field_solve_netcdf(tmp_path, ball_file):
    import xarray as xr

    points = tmp_path / "in.csv"
    write_points(points, [[0, 0, 0.01]])
    out = tmp_path / "out.nc"
    args = ["field", "solve", "--conductor", str(ball_file), "--coil", "magstim-70mm-round"]
    assert main([*args, "--points", str(points), "--out", str(out), "--didt", "1e8"]) == 0
    ds = xr.open_dataset(out)
    assert ds["E"].shape == (1, 3) and ds["E"].attrs["units"] == "V/m"


def test_field_dish_json(capsys):
    args = ["field", "dish", "--coil", "magstim-70mm-round", "--dish", "plate-24-well:one"]
    assert main([*args, "--distance", "5", "--json", "--n-points", "11"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ratio_to_free_space"]["mean"] == pytest.approx(1.0, abs=0.02)
    assert result["efield_v_per_m"]["max"] >= result["efield_v_per_m"]["median"] > 0


def test_field_dish_table_and_figure(tmp_path, capsys):
    out = tmp_path / "layer.png"
    args = ["field", "dish", "--coil", "magstim-70mm-fig8", "--edge-mm", "2.5", "--n-points", "15"]
    assert main([*args, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "ratio mean / median / max" in text and out.stat().st_size > 1000


def test_field_conductors_lists_presets(capsys):
    assert main(["field", "conductors", "--json"]) == 0
    names = [row["name"] for row in json.loads(capsys.readouterr().out)]
    assert {"dish-35mm", "plate-96-well", "plate-6-well:one", "insert-slice"} <= set(names)


def test_unknown_conductor_exits_2(tmp_path, cli):
    points = tmp_path / "in.csv"
    write_points(points, [[0, 0, 0]])
    args = ["field", "solve", "--conductor", "petri-dish", "--coil", "magstim-70mm-fig8"]
    assert main([*args, "--points", str(points), "--out", str(tmp_path / "o.csv")]) == 2
    cli.error("unknown conductor 'petri-dish'")


def test_unknown_dish_exits_2(cli):
    assert main(["field", "dish", "--coil", "magstim-70mm-fig8", "--dish", "plate-5-well"]) == 2
    cli.error("known conductors")


def test_points_outside_exit_2_and_write_nothing(tmp_path, cli, ball_file):
    points = tmp_path / "in.csv"
    write_points(points, [[0, 0, 0.0], [0, 0, 0.05]])
    out = tmp_path / "o.csv"
    args = ["field", "solve", "--conductor", str(ball_file), "--coil", "magstim-70mm-fig8"]
    assert main([*args, "--points", str(points), "--out", str(out)]) == 2
    cli.error("lie outside the conductor")
    assert not out.exists()


def test_coil_intersecting_the_conductor_exits_2(tmp_path, cli, ball_file):
    points = tmp_path / "in.csv"
    write_points(points, [[0, 0, 0.0]])
    args = ["field", "solve", "--conductor", str(ball_file), "--coil", "magstim-70mm-round"]
    args += ["--pose", "identity", "--points", str(points), "--out", str(tmp_path / "o.csv")]
    assert main(args) == 2
    cli.error("coil intersects the conductor")


def test_open_mesh_exits_2(tmp_path, cli):
    v, t = icosphere(20.0, 2)
    path = tmp_path / "open.stl"
    meshio.write(path, meshio.Mesh(v, [("triangle", t[:-2])]), file_format="stl")
    points = tmp_path / "in.csv"
    write_points(points, [[0, 0, 0.0]])
    args = ["field", "solve", "--conductor", str(path), "--coil", "magstim-70mm-fig8"]
    assert main([*args, "--points", str(points), "--out", str(tmp_path / "o.csv")]) == 2
    cli.error("is open")


def test_self_intersecting_mesh_exits_2(tmp_path, cli):
    v, t = icosphere(20.0, 2)
    w = v + np.array([7.3, 4.1, 2.9])
    mesh = meshio.Mesh(np.vstack([v, w]), [("triangle", np.vstack([t, t + len(v)]))])
    path = tmp_path / "two.vtk"
    meshio.write(path, mesh)
    points = tmp_path / "in.csv"
    write_points(points, [[0, 0, 0.0]])
    args = ["field", "solve", "--conductor", str(path), "--coil", "magstim-70mm-fig8"]
    assert main([*args, "--points", str(points), "--out", str(tmp_path / "o.csv")]) == 2
    cli.error("intersect")


def test_bad_conductivities_exit_2(tmp_path, cli, ball_file):
    points = tmp_path / "in.csv"
    write_points(points, [[0, 0, 0.0]])
    args = ["field", "solve", "--conductor", str(ball_file), "--coil", "magstim-70mm-fig8"]
    args += [
        "--conductivities",
        "0.3,abc",
        "--points",
        str(points),
        "--out",
        str(tmp_path / "o.csv"),
    ]
    assert main(args) == 2
    cli.error("--conductivities")
