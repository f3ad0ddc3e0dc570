"""``tmslab plasticity`` through main(argv): JSON outputs, figures, and one-line errors (exit 2)."""

import json

import pytest


def test_stdp_json(cli):
    # GB 2012 Fig. 2 (DP): ~1.22 at +10 ms, ~0.88 at -10 ms after 60 pairs at 1 Hz
    for dt, expected, verdict in (("10", 1.22, "LTP"), ("-10", 0.88, "LTD")):
        code, out, _ = cli(
            "plasticity",
            "stdp",
            "--model",
            "graupner-brunel:DP",
            "--pairs",
            "60",
            "--frequency",
            "1",
            "--dt-ms",
            dt,
            "--json",
        )
        data = json.loads(out)
        assert code == 0
        assert data["relative_weight"] == pytest.approx(expected, abs=0.01)
        assert data["verdict"] == verdict


def test_stdp_shouval_pairing_set(cli):
    # Shouval 2002 Fig. 3C: post-pre (-10 ms) depresses, pre-post (+10 ms) potentiates
    verdicts = []
    for dt in ("-10", "10"):
        code, out, _ = cli(
            "plasticity",
            "stdp",
            "--model",
            "shouval:stdp",
            "--pairs",
            "100",
            "--dt-ms",
            dt,
            "--json",
        )
        assert code == 0
        verdicts.append(json.loads(out)["verdict"])
    assert verdicts == ["LTD", "LTP"]


def test_predict_json(cli):
    code, out, _ = cli(
        "plasticity", "predict", "--protocol", "rtms-1hz", "--model", "shouval", "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["verdict"] == "LTD" and 0 < data["relative_weight"] < 0.95
    assert data["threshold"] == 0.05 and data["source"]["doi"]


def test_predict_with_priming_and_plot(cli, tmp_path):
    fig = tmp_path / "w.png"
    code, out, _ = cli(
        "plasticity",
        "predict",
        "--protocol",
        "rtms-1hz",
        "--model",
        "bcm",
        "--prime",
        "rtms-20hz",
        "--prime-gap-s",
        "60",
        "--plot",
        str(fig),
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and fig.stat().st_size > 0
    assert data["primed_by"] == "rtms-20hz" and data["unprimed_relative_weight"] is not None


def test_predict_from_a_protocol_file(cli, tmp_path):
    spec = tmp_path / "p.toml"
    spec.write_text('[protocol]\nkind = "rtms"\nfrequency_hz = 50\npulses_per_train = 100\n')
    code, out, _ = cli(
        "plasticity",
        "predict",
        "--protocol",
        str(spec),
        "--model",
        "graupner-brunel:cortical-slices",
        "--post-delay-ms",
        "10",
        "--json",
    )
    assert code == 0 and json.loads(out)["verdict"] == "LTP"


def test_curve_figure_and_json(cli, tmp_path):
    fig = tmp_path / "fig.png"
    code, out, _ = cli(
        "plasticity",
        "curve",
        "--model",
        "graupner-brunel:DP",
        "--model",
        "bcm",
        "--pulses",
        "900",
        "--points",
        "8",
        "--out",
        str(fig),
        "--json",
    )
    curves = json.loads(out)
    assert code == 0 and fig.stat().st_size > 0
    assert [c["model"] for c in curves] == ["graupner-brunel:DP", "bcm:dudek-bear-1992"]
    assert curves[0]["x"][0] == pytest.approx(1.0) and curves[0]["x"][-1] == pytest.approx(100.0)
    assert curves[0]["relative_weight"][-1] > 1.05  # DP, presynaptic only: LTP at 100 Hz


def test_list_json(cli):
    code, out, _ = cli("plasticity", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 14
    assert all(row["source"]["citation"] and row["source"]["doi"] for row in rows)


def test_table_command(cli, tmp_path):
    doc = tmp_path / "table.md"
    code, _, _ = cli("plasticity", "table", "--out", str(doc))
    assert code == 0 and "agree / applicable" in doc.read_text()


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (
            ["predict", "--protocol", "itbs", "--model", "stdp-classic"],
            ["unknown plasticity model"],
        ),
        (
            ["predict", "--protocol", "itbs", "--model", "graupner-brunel:XYZ"],
            ["parameter set 'XYZ'"],
        ),
        (["predict", "--protocol", "no-such-protocol", "--model", "shouval"], ["unknown protocol"]),
        (["predict", "--protocol", "rtms-1hz", "--model", "huang-tbs"], ["bursts of 3 pulses"]),
        (["curve", "--model", "bcm", "--pulses", "-5"], ["--pulses", ">= 1"]),
        (["stdp", "--model", "graupner-brunel", "--pairs", "0"], ["n_pairs"]),
        (["stdp", "--model", "bcm"], ["spike timing"]),
        (["predict", "--protocol", "itbs", "--model", "bcm", "--threshold", "1.5"], ["threshold"]),
    ],
)
def test_bad_input(cli, argv, fragments):
    cli.fails("plasticity", *argv, says=tuple(fragments))


def test_protocol_without_pulses(cli, tmp_path):
    spec = tmp_path / "empty.toml"
    spec.write_text('[protocol]\nkind = "custom"\npulse_times_s = []\n')
    cli.fails("plasticity", "predict", "--protocol", str(spec), "--model", "shouval")


def test_bad_figure_suffix_writes_nothing(cli, tmp_path):
    target = tmp_path / "fig.txt"
    cli.fails(
        "plasticity", "curve", "--model", "bcm", "--points", "3", "--out", str(target), says=".png"
    )
    assert not target.exists()
