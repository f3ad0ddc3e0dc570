"""Coil files, placement, results files and the coil/field commands, including bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.cli import main
from tmslab.coils import get_coil, pose_on_sphere, read_ccd, write_ccd
from tmslab.conductors.sphere import get_head
from tmslab.efield.sphere import sphere_efield


def test_ccd_round_trip(tmp_path):
    coil = get_coil("magstim-70mm-fig8")
    path = write_ccd(coil, tmp_path / "fig8.ccd")
    lines = path.read_text().splitlines()
    assert lines[0].startswith("#") and int(lines[1]) == coil.n_dipoles
    again = read_ccd(path)
    assert np.allclose(again.dipole_positions, coil.dipole_positions, rtol=1e-9, atol=1e-15)
    assert np.allclose(again.dipole_moments, coil.dipole_moments, rtol=1e-9, atol=1e-18)
    head = get_head("human")
    pose = pose_on_sphere(head.scalp_radius_m)
    point = np.array([[0.0, 0.01, 0.065]])
    assert sphere_efield(again.transformed(pose), point, head) == pytest.approx(
        sphere_efield(coil.transformed(pose), point, head), rel=1e-8
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# header\nnot-a-number\n", "line 2"),
        ("# header\n2\n0 0 0 0 0 1\n", "announces 2 dipoles but 1"),
        ("# header\n1\n0 0 0 0 1\n", "line 3: expected 6 numbers"),
        ("# header\n1\n0 0 x 0 0 1\n", "non-number"),
    ],
)
def test_malformed_ccd_gives_one_line_error(tmp_path, cli, text, message):
    path = tmp_path / "bad.ccd"
    path.write_text(text)
    cli("coil", "show", path).error(message, quiet=False)


@settings(max_examples=30, deadline=None)
@given(
    direction=st.tuples(*[st.floats(-1, 1)] * 3).filter(lambda v: np.linalg.norm(v) > 0.1),
    distance=st.floats(0, 0.02),
    angle=st.floats(-360, 360),
)
def test_pose_on_sphere_is_a_rigid_tangent_placement(direction, distance, angle):
    pose = pose_on_sphere(0.085, direction, distance_m=distance, handle_angle_deg=angle)
    rotation = pose[:3, :3]
    assert np.allclose(rotation @ rotation.T, np.eye(3), atol=1e-12)
    assert np.linalg.det(rotation) == pytest.approx(1.0)
    u = np.array(direction) / np.linalg.norm(direction)
    assert np.allclose(pose[:3, 3], (0.085 + distance) * u)
    assert np.allclose(rotation[:, 2], -u)  # coil z-axis into the head


def write_points(path, rows):
    path.write_text("x,y,z\n" + "\n".join(",".join(str(v) for v in r) for r in rows) + "\n")


def test_field_sphere_writes_csv_and_matches_api(tmp_path):
    points = tmp_path / "in.csv"
    write_points(points, [[0, 0, 0.07], [0.01, 0.0, 0.06], [0, 0, 0]])
    out = tmp_path / "out.csv"
    assert (
        main(
            [
                "field",
                "sphere",
                "--coil",
                "magstim-70mm-fig8",
                "--didt",
                "1e8",
                "--points",
                str(points),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    lines = out.read_text().splitlines()
    assert lines[0] == "x,y,z,ex,ey,ez" and len(lines) == 4
    data = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    head = get_head("human")
    coil = get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(head.scalp_radius_m))
    assert np.allclose(data[:, 3:], sphere_efield(coil, data[:, :3], head, 1e8), rtol=1e-8)
    assert np.allclose(data[2, 3:], 0, atol=1e-12)  # the field vanishes at the centre


def test_field_sphere_with_identity_pose_and_ccd(tmp_path):
    head = get_head("human")
    placed = get_coil("rodent-fig8-25mm").transformed(pose_on_sphere(head.scalp_radius_m))
    ccd = write_ccd(placed, tmp_path / "placed.ccd")
    points = tmp_path / "in.csv"
    write_points(points, [[0, 0, 0.07]])
    out = tmp_path / "out.csv"
    assert (
        main(
            [
                "field",
                "sphere",
                "--coil",
                str(ccd),
                "--pose",
                "identity",
                "--didt",
                "1",
                "--points",
                str(points),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    e = np.array([float(v) for v in out.read_text().splitlines()[1].split(",")[3:]])
    assert np.allclose(e, sphere_efield(placed, [[0, 0, 0.07]], head)[0], rtol=1e-8)


def test_field_sphere_netcdf_output(tmp_path):
    import xarray as xr

    points = tmp_path / "in.csv"
    write_points(points, [[0, 0, 0.07], [0, 0.01, 0.06]])
    out = tmp_path / "field.nc"
    assert (
        main(
            [
                "field",
                "sphere",
                "--coil",
                "magstim-70mm-round",
                "--didt",
                "1e8",
                "--points",
                str(points),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    with xr.open_dataset(out) as ds:
        assert ds["E"].attrs["units"] == "V/m" and ds["E"].shape == (2, 3)
        assert ds.attrs["tmslab_version"] and ds.attrs["head"] == "human"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--coil", "magstim-70mm-fig8", "--pts", "OUTSIDE"], "outside the head"),
        (["--coil", "no-such-coil", "--pts", "INSIDE"], "unknown coil"),
        (
            ["--coil", "magstim-70mm-fig8", "--pose", "identity", "--pts", "INSIDE"],
            "coil is inside the head",
        ),
        (["--coil", "magstim-70mm-fig8", "--didt", "-5", "--pts", "INSIDE"], "--didt"),
    ],
)
def test_field_sphere_bad_input(tmp_path, cli, args, message):
    inside = tmp_path / "inside.csv"
    write_points(inside, [[0, 0, 0.05]])
    outside = tmp_path / "outside.csv"
    write_points(outside, [[0, 0, 0.05], [0, 0, 0.09]])
    out = tmp_path / "out.csv"
    files = {"INSIDE": str(inside), "OUTSIDE": str(outside)}
    argv = ["field", "sphere", "--out", str(out)]
    argv += ["--points" if a == "--pts" else files.get(a, a) for a in args]
    cli(*argv).error(message, quiet=False)
    assert not out.exists()


def test_field_metrics_json_keys(capsys):
    assert (
        main(
            [
                "field",
                "metrics",
                "--coil",
                "rodent-fig8-25mm",
                "--head",
                "rat",
                "--didt",
                "5e7",
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert {"emax", "d_half", "v_half", "s_half"} <= set(data)
    assert 0 < data["d_half"] < get_head("rat").brain_radius_m
    assert data["s_half"] == pytest.approx(data["v_half"] / data["d_half"])


@pytest.mark.slow
def test_field_translate_json(capsys):
    argv = [
        "field",
        "translate",
        "--from-head",
        "rat",
        "--from-coil",
        "rodent-round-25-50mm",
        "--intensity",
        "1.26",
        "--from-target",
        "hippocampus-ca1",
        "--to-target",
        "2mm",
        "--to-didt-max",
        "114.73A/us",
        "--json",
    ]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source"]["peak_b_t"] == pytest.approx(1.26)
    assert data["destination"]["efield_v_per_m"] == pytest.approx(data["matched_efield_v_per_m"])
    assert data["destination"]["target_depth_m"] == pytest.approx(0.002)


@pytest.mark.slow
def test_field_map_figure_and_coil_commands(tmp_path, capsys):
    fig = tmp_path / "map.png"
    assert (
        main(["field", "map", "--coil", "rodent-fig8-25mm", "--head", "rat", "--out", str(fig)])
        == 0
    )
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    capsys.readouterr()
    assert main(["coil", "list", "--json"]) == 0
    names = [c["name"] for c in json.loads(capsys.readouterr().out)["coils"]]
    assert {"magstim-70mm-fig8", "magstim-70mm-round", "mouse-8mm", "rodent-fig8-25mm"} <= set(
        names
    )
    out = tmp_path / "c.ccd"
    assert main(["coil", "export", "mouse-8mm", "--out", str(out)]) == 0
    assert read_ccd(out).n_dipoles == get_coil("mouse-8mm").n_dipoles
    assert main(["coil", "show", "nope"]) == 2
