"""`tmslab run`: the scenario chain, its three outputs, provenance, and bad scenarios."""

import json
import re
from pathlib import Path

import pytest

from tmslab import __version__
from tmslab.cli import main
from tmslab.provenance import spec_hash

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_quickstart_writes_results_provenance_and_report(example_run):
    out = example_run("quickstart.toml")
    assert sorted(p.name for p in out.iterdir()) == [
        "provenance.json",
        "report.html",
        "results.json",
        "results.nc",
    ]

    results = json.loads((out / "results.json").read_text())
    protocol = results["sections"]["protocol"]
    assert protocol["n_pulses"] == 3000 and protocol["n_trains"] == 75
    assert len(protocol["pulse_times_s"]) == 3000
    safety = results["sections"]["safety"]
    assert safety["checked"] is True and safety["within_limits"] is True
    assert results["tmslab_version"] == __version__

    record = json.loads((out / "provenance.json").read_text())
    assert record["tmslab_version"] == __version__
    assert record["spec"]["protocol"] == {"preset": "rtms-10hz-fda"}
    assert record["spec_sha256"] == spec_hash(record["spec"]) == results["spec_sha256"]

    html = (out / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert len(re.findall(r'<img src="data:image/png;base64,', html)) >= 2  # timeline + waveform
    assert "Safety" in html and "O&#39;Reardon" in html


def test_spec_hash_ignores_key_order():
    assert spec_hash({"a": 1, "b": {"c": 2, "d": 3}}) == spec_hash({"b": {"d": 3, "c": 2}, "a": 1})
    assert spec_hash({"a": 1}) != spec_hash({"a": 2})


@pytest.mark.slow
def test_json_output(tmp_path, capsys):
    assert (
        main(["run", str(EXAMPLES / "quickstart.toml"), "--out", str(tmp_path / "o"), "--json"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert set(data["sections"]) >= {"protocol", "stimulator", "safety"}


def test_safety_without_motor_threshold_is_reported_not_guessed(tmp_path, capsys):
    scenario = tmp_path / "s.toml"
    scenario.write_text('[protocol]\npreset = "itbs"\n[stimulator]\nintensity_pct_mso = 40\n')
    assert main(["run", str(scenario), "--out", str(tmp_path / "o"), "--json"]) == 0
    safety = json.loads(capsys.readouterr().out)["sections"]["safety"]
    assert safety["checked"] is False and "motor_threshold_pct_mso" in safety["reason"]


@pytest.mark.parametrize(
    "body, fragment",
    [
        ("[stimulator]\nintensity_pct_mt = 120\n", "[protocol] section is missing"),
        ('[protocol]\npreset = "itbs"\n[coill]\nname = "x"\n', "unknown section or field 'coill'"),
        (
            '[protocol]\npreset = "itbs"\n[stimulator]\nintensity_pct_mt = 120\nintensity_pct_mso = 50\n',
            "give one intensity",
        ),
        (
            '[protocol]\npreset = "itbs"\n[stimulator]\nintensity_pct_mso = 150\n',
            "intensity_pct_mso",
        ),
        ('[protocol]\npreset = "itbs"\n[subject]\nspecies = "cat"\n', "species"),
        ('[protocol]\nkind = "rtms"\nfrequency_hz = 0\npulses_per_train = 3\n', "frequency_hz"),
        ("[protocol\n", "not valid TOML"),
    ],
)
def test_bad_scenarios_fail_in_one_line_and_write_nothing(tmp_path, cli, body, fragment):
    scenario = tmp_path / "bad.toml"
    scenario.write_text(body)
    out = tmp_path / "out"
    cli("run", scenario, "--out", out).error(fragment, quiet=False)
    assert not out.exists()


def test_out_must_be_a_directory(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["run", str(EXAMPLES / "quickstart.toml"), "--out", str(target)]) == 2
    assert "not a directory" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.toml")))
def test_every_example_runs(example, example_run):
    out = example_run(example)  # shared with the chain and browser tests: each runs once
    assert sorted(p.name for p in out.iterdir()) == [
        "provenance.json",
        "report.html",
        "results.json",
        "results.nc",
    ]
    assert (out / "report.html").stat().st_size > 1000
