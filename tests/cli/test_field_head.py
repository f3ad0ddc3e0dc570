"""``tmslab field head``: bad options fail before the solve; one slow end-to-end run."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tmslab.cli import main

BASE = ["field", "head", "--coil", "magstim-70mm-fig8"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "C33"], "unknown 10-05 position 'C33'; did you mean C3"),
        ([], "give the coil position"),
        (["--at", "C3", "--at-mni", "1,2"], "--position-mni '1,2': give three"),
        (["--at", "C3", "--target", "M1"], "unknown cortical target 'M1'"),
        (["--at", "C3", "--target-mni", "20,0,0"], "mm from the cortex"),
        (["--at", "C3", "--target-label", "Q9"], "unknown 10-05 position 'Q9'"),
        (["--at", "C3", "--handle-angle", "45", "--handle-towards", "Cz"], "not both"),
        (["--at", "C3", "--didt", "0"], "--didt"),
        (["--at", "C3", "--plot", "cortex.txt"], "cannot save a figure as 'cortex.txt'"),
        (["--position", "C3", "--head", "nohead.msh"], "nohead.msh"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "run"
    assert main([*BASE, *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert not out.exists() and not list(tmp_path.iterdir())


def test_bad_coil_and_foreign_out_folder(tmp_path, capsys):
    assert main(["field", "head", "--coil", "nope", "--at", "C3"]) == 2
    assert "unknown coil 'nope'" in capsys.readouterr().err
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("keep me")
    assert main([*BASE, "--at", "C3", "--out", str(out)]) == 2
    assert "thesis.tex" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]


def test_help_lists_the_options():
    from typer.testing import CliRunner

    from tmslab.cli.field import app

    text = CliRunner().invoke(app, ["head", "--help"], env={"COLUMNS": "200"}).output
    for option in ("--at-mni", "--handle-towards", "--distance-mm", "--target-label", "--didt"):
        assert option in text


@pytest.mark.slow
def test_end_to_end_c3_with_out_folder_and_json(tmp_path, capsys):
    """About 1 min: the files open in nibabel, read back, and agree with the printed JSON."""
    import nibabel as nib

    from tmslab.efield.head_run import HEAD_FIELD_FILES
    from tmslab.io.cortex import read_cortex_csv, read_cortex_gifti
    from tmslab.io.pose import read_pose

    out = tmp_path / "c3"
    args = ["--at", "C3", "--handle-angle", "45", "--distance-mm", "4", "--target", "M1-hand"]
    assert main([*BASE, *args, "--out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert sorted(p.name for p in out.iterdir()) == sorted(HEAD_FIELD_FILES)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["e_target_v_per_m"] == pytest.approx(printed["e_target_v_per_m"], rel=1e-5)
    assert 0.8 < summary["e_max_v_per_m"] < 2.0 and summary["didt_a_per_s"] == 1e6
    lh = nib.load(out / "lh.mid.func.gii")
    assert [a.meta["Name"] for a in lh.darrays] == ["magnE", "E_normal", "E_tangential", "E"]
    assert lh.darrays[0].data.shape == (10242,) and lh.darrays[3].data.shape == (10242, 3)
    vertices, triangles, data, sizes = read_cortex_gifti(out)
    assert sizes == (10242, 10242) and triangles.shape == (40960, 3)
    table = read_cortex_csv(out / "cortex_field.csv")
    np.testing.assert_allclose(table["points"], vertices, atol=1e-6)
    np.testing.assert_allclose(table["magn"], data["magnE"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(table["normal"], data["E_normal"], rtol=1e-5, atol=1e-6)
    assert data["magnE"].max() == pytest.approx(summary["e_max_raw_v_per_m"], rel=1e-5)
    np.testing.assert_allclose(read_pose(out / "coil_pose.matsimnibs.txt"), summary["pose_m"], atol=1e-12)  # fmt: skip
    assert (out / "cortex_field.png").read_bytes()[:4] == b"\x89PNG"
