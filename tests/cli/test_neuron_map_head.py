"""``tmslab neuron map`` in head mode: cells placed in the cortex of fsaverage around a target.

Bad options fail with one line and exit 2 before any solve; one slow end-to-end run."""

from __future__ import annotations

import json

import pytest

from tmslab.cli import main

BASE = ["neuron", "map", "--model", "l5-pyramidal", "--coil", "magstim-70mm-fig8"]
PLACED = [*BASE, "--position", "C3", "--target", "M1-hand"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([*PLACED, "--cells", "0"], "--cells 0"),
        ([*PLACED, "--radius-mm", "-3"], "--radius-mm -3"),
        ([*PLACED, "--layer", "L7"], "layer 'L7'"),
        ([*PLACED, "--n-directions", "10"], "--n-directions is for a uniform field"),
        ([*PLACED, "--didt-max", "0"], "--didt-max"),
        ([*PLACED, "--method", "guess"], "method 'guess'"),
        ([*PLACED, "--method", "table", "--table-directions", "5"], "table directions 5"),
        ([*PLACED, "--method", "table", "--check-cells", "-1"], "check cells -1"),
        ([*PLACED, "--out", "map.txt"], "cannot save a figure as 'map.txt'"),
        ([*BASE, "--position", "C3"], "give the patch centre"),
        (["neuron", "map", "--model", "l5-pyramidal", "--target", "M1-hand"], "give the coil"),
        ([*BASE, "--target", "M1-hand"], "give the coil position"),
        ([*BASE, "--position", "C33", "--target", "M1-hand"], "unknown 10-05 position 'C33'"),
        ([*BASE, "--position", "C3", "--target", "M1"], "unknown cortical target 'M1'"),
        ([*PLACED, "--head", "nohead.msh"], "nohead.msh"),
        (["neuron", "map", "--model", "nope", "--coil", "magstim-70mm-fig8"], "nope"),
        (["neuron", "map", "--model", "l5-pyramidal,nope", "--coil", "magstim-70mm-fig8"], "nope"),
        (
            ["neuron", "map", "--model", "l5-pyramidal,mrg-axon", "--swc", "cell.swc", *PLACED[4:]],
            "not both",
        ),
    ],
)
def test_bad_options_exit_2_with_one_line(tmp_path, monkeypatch, capsys, args, message):
    from tmslab.efield import bem

    def no_solve(*_, **__):  # the errors must come before the field is solved
        raise AssertionError("solved")

    monkeypatch.setattr(bem, "solve", no_solve)
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_help_lists_the_head_options():
    from typer.testing import CliRunner

    from tmslab.cli.neuron import app

    text = CliRunner().invoke(app, ["map", "--help"], env={"COLUMNS": "200"}).output
    for option in (
        "--head",
        "--coil",
        "--target",
        "--radius-mm",
        "--cells",
        "--layer",
        "--n-directions",
        "--method",
        "--table-directions",
        "--check-cells",
    ):
        assert option in text


@pytest.mark.slow
def test_end_to_end_on_fsaverage_with_a_few_cells(tmp_path, capsys):
    figure = tmp_path / "cortex_map.png"
    args = [*PLACED, "--head", "fsaverage", "--handle-angle", "45", "--distance-mm", "4"]
    args += ["--radius-mm", "8", "--cells", "6", "--seed", "1", "--out", str(figure), "--json"]
    assert main(args) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["head"] == "fsaverage" and record["coil"] == "magstim-70mm-fig8"
    assert record["target"] == "M1-hand" and record["layer"] == "L5"
    assert record["n_cells"] == 6 and record["n_activated"] == 6
    assert set(record["timings_s"]) == {"head solve", "field and coupling", "thresholds"}
    pct = record["threshold_pct"]
    # M1-hand under a 70 mm figure-8 at 100 A/us: about 77 V/m; this cell fires at 66-150 V/m
    assert 50 < pct["min"] <= pct["median"] <= pct["max"] < 500
    assert record["e_target_v_per_m"] == pytest.approx(76.7, rel=0.05)
    cells = record["cells"]
    assert len(cells["threshold_target_v_per_m"]) == 6 and all(cells["initiation_label"])
    assert figure.stat().st_size > 10_000
