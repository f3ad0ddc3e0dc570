"""``tmslab optimise placement``: bad options fail before any solve; one slow end-to-end run."""

from __future__ import annotations

import json

import numpy as np
import pytest

BASE = ["optimise", "placement", "--coil", "magstim-70mm-fig8"]


@pytest.fixture
def no_solve(monkeypatch):
    """Tripwire: a refused run must not reach the BEM."""
    from tmslab.efield.bem.solve import BemOperator

    def tripped(*args, **kwargs):
        raise AssertionError("the BEM was built before the options were checked")

    monkeypatch.setattr(BemOperator, "build", classmethod(tripped))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give the target"),
        (["--target", "M1-hand", "--target-mni", "-38,-21,58"], "give the target: one of"),
        (["--target", "M1"], "unknown cortical target 'M1'"),
        (["--target-mni", "20,0"], "--target-mni '20,0': give three"),
        (["--target", "M1-hand", "--goal", "sharpest"], "--goal 'sharpest'"),
        (
            ["--target", "M1-hand", "--avoid-mni", "-38,-21,58"],
            "--avoid-mni goes with --goal focal",
        ),
        (["--target", "M1-hand", "--goal", "focal", "--avoid-mni", "1,2"], "--avoid-mni '1,2'"),
        (["--target", "M1-hand", "--goal", "focal", "--avoid-mni", "0,0,200"], "outside the brain"),
        (["--target", "M1-hand", "--goal", "focal", "--penalty", "-1"], "--penalty -1"),
        (["--target", "M1-hand", "--angle-step", "7"], "must be > 0 and divide 360"),
        (["--target", "M1-hand", "--radius-mm", "150"], "--radius-mm 150"),
        (["--target", "M1-hand", "--step-mm", "0"], "--step-mm"),
        (["--target", "M1-hand", "--radius-mm", "100", "--step-mm", "0.1"], "poses: more than"),
        (["--target", "M1-hand", "--e-goal", "-5"], "--e-goal"),
        (["--target", "M1-hand", "--plot", "map.txt"], "cannot save a figure as 'map.txt'"),
        (["--target", "M1-hand", "--head", "nohead.msh"], "nohead.msh"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(tmp_path, cli, no_solve, args, message):
    out = tmp_path / "run"
    cli.fails(*BASE, *args, "--out", out, says=message)
    assert not out.exists() and not list(tmp_path.iterdir())


def test_a_foreign_out_folder_is_refused(tmp_path, cli, no_solve):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("keep me")
    cli.fails(*BASE, "--target", "M1-hand", "--out", out, says="thesis.tex")
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]


@pytest.mark.slow
def test_end_to_end_m1_with_out_folder_and_json(tmp_path, cli):
    """About a minute: a small search at M1-hand; the files agree with the printed JSON."""
    from tmslab.efield.optimise_run import PLACEMENT_FILES
    from tmslab.io.pose import read_pose

    out = tmp_path / "m1"
    args = ["--target", "M1-hand", "--goal", "normal", "--radius-mm", "4", "--step-mm", "2"]
    args += ["--angle-step", "30", "--distance-mm", "4", "--e-goal", "100", "--didt-max", "150A/us"]
    printed = cli.ok(*BASE, *args, "--out", out, "--json").json()
    assert sorted(p.name for p in out.iterdir()) == sorted(PLACEMENT_FILES)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["poses"] == printed["poses"] == summary["positions"] * 12
    assert summary["reciprocity_vs_direct"] < 0.01
    assert summary["didt_a_per_us"] == pytest.approx(
        100 / summary["score_direct_v_per_m_per_a_per_us"], rel=1e-6
    )
    assert summary["pct_mso"] == pytest.approx(summary["didt_a_per_us"] / 150 * 100, rel=1e-6)
    pose = read_pose(out / "coil_pose.matsimnibs.txt")
    np.testing.assert_allclose(pose[:3, 3] * 1e3, np.array(summary["pose_matsimnibs_mm"])[:3, 3], atol=1e-6)  # fmt: skip
    scan = np.loadtxt(out / "placement_scan.csv", delimiter=",", skiprows=1)
    assert scan.shape == (summary["poses"], 8)
    assert np.nanmax(scan[:, 7]) == pytest.approx(summary["score_reciprocity_v_per_m_per_a_per_us"], rel=1e-5)  # fmt: skip
    assert (out / "placement_map.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow
def test_on_a_simnibs_mesh_with_the_focal_goal(tmp_path, cli):
    """About a minute: a charm-format head (junctions; tests/conductors/head/simnibs_fixture.py)
    with the focal goal's default ring; reciprocity equals the direct solve at the best pose."""
    pytest.importorskip("gmsh", reason="the fixture is meshed with Gmsh")
    from tests.conductors.head.simnibs_fixture import write_ball_head

    (tmp_path / "toMNI").mkdir()
    np.savetxt(tmp_path / "toMNI" / "MNI2conform_12DOF.txt", np.eye(4))
    mesh = write_ball_head(tmp_path / "ballhead.msh", 10.0)
    args = ["--head", mesh, "--target-mni", "15,0,52", "--goal", "focal", "--radius-mm", "6"]
    args += ["--step-mm", "3", "--angle-step", "30", "--distance-mm", "5", "--json"]
    summary = cli.ok(*BASE, *args).json()
    assert summary["poses"] == 13 * 12 and len(summary["avoid_mm"]) == 6
    assert summary["reciprocity_vs_direct"] < 0.01
    assert summary["objective_v_per_m_per_a_per_us"] == pytest.approx(
        summary["score_reciprocity_v_per_m_per_a_per_us"]
        - summary["avoid_max_e_v_per_m_per_a_per_us"],
        rel=1e-6,
    )
