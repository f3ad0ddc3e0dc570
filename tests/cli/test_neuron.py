"""``tmslab neuron`` through main(argv): JSON outputs, figures, and one-line errors with exit 2."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tmslab.neuron.drive import get_drive
from tmslab.neuron.models import get_model
from tmslab.neuron.threshold import direction_thresholds


def test_list_json(cli):
    code, out, _ = cli("neuron", "list", "--json")
    rows = {row["name"]: row for row in json.loads(out)}
    assert code == 0
    assert {"hh-axon-straight", "hh-axon-bent", "mrg-axon", "l5-pyramidal"} <= set(rows)
    assert all(row["source"]["doi"] for row in rows.values())
    assert rows["mrg-axon"]["celsius"] == 37.0 and rows["hh-axon-straight"]["celsius"] == 6.3


def test_threshold_json_matches_the_api(cli):
    code, out, _ = cli("neuron", "threshold", "--model", "mrg-axon", "--waveform", "magpro-x100:biphasic", "--direction", "0,2,0", "--solver", "batched", "--json")  # fmt: skip
    data = json.loads(out)
    expected = direction_thresholds(get_model("mrg-axon"), get_drive("biphasic"), [(0, 1, 0)])
    assert code == 0
    assert np.isnan(expected.thresholds_v_per_m[0]) and data["threshold"] is None
    assert data["activated"] is False and data["direction"] == [0.0, 1.0, 0.0]


@pytest.mark.neuron
def test_threshold_with_neuron_reports_the_terminal(cli):
    code, out, _ = cli("neuron", "threshold", "--model", "mrg-axon", "--waveform", "biphasic", "--direction", "1,0,0", "--solver", "neuron", "--json")  # fmt: skip
    data = json.loads(out)
    batched = direction_thresholds(get_model("mrg-axon"), get_drive("biphasic"), [(1, 0, 0)])
    assert code == 0 and data["solver"] == "neuron"
    assert data["threshold"] == pytest.approx(batched.thresholds_v_per_m[0], rel=0.01)
    assert data["initiation_site"]["label"] == "node"
    assert abs(data["initiation_site"]["position_m"][0]) > 4.9e-3  # a terminal node, 5 mm out


def test_field_file_of_a_uniform_field_gives_the_direction_threshold(cli, tmp_path):
    nodes = tmp_path / "nodes.csv"
    code, _, _ = cli("neuron", "nodes", "--model", "mrg-axon", "--out", nodes)
    positions = np.loadtxt(nodes, delimiter=",", skiprows=1)
    assert code == 0 and positions.shape == (get_model("mrg-axon").cable.n_nodes, 3)
    field = tmp_path / "field.npy"
    np.save(field, np.tile([40.0, 0.0, 0.0], (len(positions), 1)))
    code, out, _ = cli("neuron", "threshold", "--model", "mrg-axon", "--waveform", "biphasic", "--field", field, "--solver", "batched", "--json")  # fmt: skip
    data = json.loads(out)
    direct = direction_thresholds(get_model("mrg-axon"), get_drive("biphasic"), [(1, 0, 0)])
    assert code == 0
    assert data["threshold"] == pytest.approx(direct.thresholds_v_per_m[0], rel=0.006)
    assert data["threshold_scale"] == pytest.approx(data["threshold"] / 40.0)


def test_sd_curve_json_and_figure(cli, tmp_path):
    figure = tmp_path / "sd.png"
    code, out, _ = cli("neuron", "sd-curve", "--model", "mrg-axon", "--widths-us", "30,60,120,240", "--out", figure, "--json")  # fmt: skip
    data = json.loads(out)
    assert code == 0 and figure.stat().st_size > 1000
    assert len(data["thresholds_v_per_m"]) == 4 and data["tau_s"] > 0
    assert np.all(np.diff(data["thresholds_v_per_m"]) < 0)


def test_map_figure_and_summary(cli, tmp_path):
    figure = tmp_path / "map.png"
    code, out, _ = cli("neuron", "map", "--model", "hh-axon-straight", "--n-directions", "6", "--dt-us", "5", "--out", figure, "--json")  # fmt: skip
    data = json.loads(out)
    assert code == 0 and figure.stat().st_size > 1000
    th = np.array([np.nan if t is None else t for t in data["thresholds_v_per_m"]])
    cosine = np.abs(np.array(data["directions"])[:, 0])
    ok = np.isfinite(th)
    # a straight axon feels only the field along it: threshold * |cos| is the same everywhere
    assert np.ptp(th[ok] * cosine[ok]) / np.min(th[ok] * cosine[ok]) < 0.02
    assert data["min_threshold_v_per_m"] == pytest.approx(np.nanmin(th))


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (
            ["neuron", "threshold", "--model", "l6-basket"],
            ["unknown neuron model 'l6-basket'", "mrg-axon"],
        ),
        (["neuron", "threshold"], ["give --model"]),
        (["neuron", "threshold", "--model", "mrg-axon", "--dt-us", "10"], ["too coarse"]),
        (["neuron", "threshold", "--model", "mrg-axon", "--direction", "1,0"], ["three numbers"]),
        (["neuron", "threshold", "--model", "mrg-axon", "--direction", "0,0,0"], ["no direction"]),
        (
            [
                "neuron",
                "threshold",
                "--model",
                "mrg-axon",
                "--waveform",
                "magstim-rapid2:monophasic",
            ],
            ["magstim-rapid2"],
        ),
        (["neuron", "threshold", "--model", "mrg-axon", "--solver", "brian"], ["unknown solver"]),
        (["neuron", "sd-curve", "--model", "mrg-axon", "--widths-us", "30,x"], ["--widths-us"]),
        (["neuron", "map", "--model", "mrg-axon", "--n-directions", "0"], ["directions"]),
        (["neuron", "map", "--model", "mrg-axon,l5-pyramidal"], ["need head mode"]),
        # a head-mode option without a head would be ignored: refused instead
        (["neuron", "map", "--model", "mrg-axon", "--seed", "3"], ["--seed is a head-mode"]),
        (
            ["neuron", "map", "--model", "mrg-axon", "--cells", "500", "--method", "table"],
            ["--cells, --method are head-mode options"],
        ),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(cli, argv, fragments):
    cli.fails(*argv, says=tuple(fragments))


def test_malformed_swc_and_mismatched_field(cli, tmp_path):
    swc = tmp_path / "bad.swc"
    swc.write_text("1 1 0 0 0 5 -1\n2 3 0 10 0 1 9\n")
    cli.fails("neuron", "threshold", "--swc", swc, says=("bad.swc", "parent 9"))
    field = tmp_path / "field.csv"
    field.write_text("ex,ey,ez\n1,0,0\n2,0,0\n")
    cli.fails(
        "neuron",
        "threshold",
        "--model",
        "mrg-axon",
        "--field",
        field,
        says=("shape (2, 3)", f"{get_model('mrg-axon').cable.n_nodes} nodes"),
    )
    cli.fails("neuron", "threshold", "--model", "mrg-axon", "--swc", swc, says="either --model")
    figure = tmp_path / "map.gif"
    cli.fails(
        "neuron",
        "map",
        "--model",
        "mrg-axon",
        "--n-directions",
        "2",
        "--out",
        figure,
        says="map.gif",
    )
    assert not figure.exists()
