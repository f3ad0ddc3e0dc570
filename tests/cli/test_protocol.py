"""The command line through main(argv): outputs, files, and one-line errors with exit code 2."""

import json

import numpy as np
import pytest

from tmslab import __version__
from tmslab.protocols.library import get_protocol


def test_version(cli):
    code, out, _ = cli("--version")
    assert code == 0 and out.strip() == f"tmslab {__version__}"


def test_list_json(cli):
    code, out, _ = cli("protocol", "list", "--json")
    rows = json.loads(out)
    names = {row["name"] for row in rows}
    assert code == 0
    assert {
        "single",
        "sici",
        "icf",
        "lici",
        "rtms-1hz",
        "rtms-10hz-fda",
        "rtms-20hz",
        "itbs",
        "ctbs",
        "ctbs300",
        "qps5",
        "saint-itbs",
    } <= names
    assert all(row["source"]["doi"] for row in rows)


def test_show_json_has_required_fields(cli):
    code, out, _ = cli("protocol", "show", "itbs", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["name"] == "itbs" and data["n_pulses"] == 600 and data["n_trains"] == 20
    assert data["duration_s"] == pytest.approx(191.84)
    assert "Huang" in data["source"]["citation"]


def test_show_human_readable(cli):
    code, out, _ = cli("protocol", "show", "rtms-10hz-fda")
    assert code == 0 and "3000" in out and "O'Reardon" in out


def test_show_reads_a_toml_file(tmp_path, cli):
    path = tmp_path / "p.toml"
    path.write_text(
        '[protocol]\nkind = "rtms"\nfrequency_hz = 15\npulses_per_train = 30\n'
        "n_trains = 20\ninter_train_interval_s = 28\ncourse = { days = 7 }\n"
    )
    code, out, _ = cli("protocol", "show", str(path), "--json")
    data = json.loads(out)
    assert code == 0 and data["n_pulses"] == 600 and data["total_pulses"] == 4200


def test_show_preset_with_overrides_from_toml(tmp_path, cli):
    path = tmp_path / "p.toml"
    path.write_text('[protocol]\npreset = "itbs"\nn_trains = 40\n')
    code, out, _ = cli("protocol", "show", str(path), "--json")
    assert code == 0 and json.loads(out)["n_pulses"] == 1200


def test_export_csv_and_json(tmp_path, cli):
    csv_path, json_path = tmp_path / "out" / "fda.csv", tmp_path / "fda.json"
    assert cli("protocol", "export", "rtms-10hz-fda", "--out", str(csv_path))[0] == 0
    table = np.loadtxt(csv_path, delimiter=",", skiprows=1)
    np.testing.assert_allclose(table[:, 1], get_protocol("rtms-10hz-fda").pulse_times_s, atol=1e-9)
    assert cli("protocol", "export", "qps5", "--out", str(json_path))[0] == 0
    record = json.loads(json_path.read_text())
    assert len(record["pulse_times_s"]) == 1440
    assert record["provenance"]["tmslab_version"] == __version__


def test_plot_writes_a_png(tmp_path, cli):
    path = tmp_path / "itbs.png"
    code, _, _ = cli("protocol", "plot", "itbs", "--out", str(path))
    assert code == 0 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["protocol", "show", "itbsx"], ["unknown protocol 'itbsx'", "itbs"]),
        (["protocol", "check", "nope", "--intensity-mt", "120"], ["unknown protocol 'nope'"]),
        (["protocol", "export", "itbs", "--out", "x.txt"], [".csv or .json"]),
        (["protocol", "plot", "itbs", "--out", "x.bmp"], [".png"]),
        (["protocol", "check", "itbs", "--intensity-mt", "-5"], ["-5"]),
        (["protocol", "check", "itbs", "--intensity-mt", "abc"], ["--intensity-mt", "number"]),
        (["protocol", "show"], ["Missing argument"]),
        (["protocol", "frobnicate"], ["frobnicate"]),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, cli, monkeypatch, argv, fragments):
    monkeypatch.chdir(tmp_path)
    cli.fails(*argv, says=tuple(fragments))
    assert list(tmp_path.iterdir()) == []  # nothing half-written


@pytest.mark.parametrize(
    "body, fragments",
    [
        (
            '[protocol]\nkind = "rtms"\nfrequency_hz = 0\npulses_per_train = 10\n',
            ["frequency_hz", "greater than 0"],
        ),
        (
            '[protocol]\nkind = "rtms"\nfrequency_hz = -10\npulses_per_train = 10\n',
            ["frequency_hz", "-10"],
        ),
        (
            '[protocol]\nkind = "tbs"\nbursts_per_train = 10\nn_trains = 20\ntrain_cycle_s = 1\n',
            ["train lasts 1.84 s", "1 s cycle"],
        ),
        ('[protocol\nkind = "rtms"\n', ["not valid TOML"]),
        (
            '[protocol]\nkind = "rtms"\nfrequency_hz = "ten"\npulses_per_train = 10\n',
            ["frequency_hz", "ten"],
        ),
        ('[protocol]\npreset = "itbz"\n', ["unknown protocol 'itbz'"]),
        (
            '[protocol]\nkind = "rtms"\nfrequency_hz = 10\npulses_per_train = 10\nspeed = 3\n',
            ["unknown field 'speed'"],
        ),
    ],
)
def test_bad_protocol_files(tmp_path, cli, body, fragments):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    cli.fails("protocol", "show", str(path), says=tuple(fragments))


def test_missing_file(tmp_path, cli):
    cli.fails("protocol", "show", str(tmp_path / "none.toml"), says="file not found")


BAD_FILES = {
    "zero frequency": (
        '[protocol]\nkind = "rtms"\nfrequency_hz = 0\npulses_per_train = 10\n',
        "frequency_hz",
    ),
    "train longer than cycle": (
        '[protocol]\nkind = "rtms"\nfrequency_hz = 10\npulses_per_train = 100\n'
        'n_trains = 3\ninter_train_interval_s = 5\niti_convention = "onset"\n',
        "cycle",
    ),
    "malformed TOML": ('[protocol]\nkind = "rtms\n', "not valid TOML"),
    "unknown preset": ('[protocol]\npreset = "ittbs"\n', "unknown protocol 'ittbs'"),
}


@pytest.mark.parametrize("problem", sorted(BAD_FILES))
@pytest.mark.parametrize(
    "command",
    [
        ["protocol", "show"],
        ["protocol", "check", "--intensity-mt", "120"],
        ["protocol", "export", "--out", "o.csv"],
        ["protocol", "plot", "--out", "o.png"],
        ["run", "--out", "outdir"],
    ],
)
def test_every_command_rejects_bad_protocol_files(tmp_path, cli, monkeypatch, command, problem):
    body, fragment = BAD_FILES[problem]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.toml").write_text(body)
    result = (
        cli(*command[:2], "bad.toml", *command[2:])
        if command[0] == "protocol"
        else cli("run", "bad.toml", *command[1:])
    )
    result.error(fragment)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]  # nothing written


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["stimulator", "show", "magstim-9000"], "unknown stimulator"),
        (["stimulator", "show", "magstim-rapid2", "--pct-mso", "150"], "pct_mso"),
        (["stimulator", "show", "magstim-rapid2", "--shape", "square"], "square"),
        (["stimulator", "dose", "--pct-mt", "120", "--mt", "90"], "above the stimulator's maximum"),
        (["stimulator", "dose", "--pct-mt", "120", "--pct-mso", "50"], "exactly one intensity"),
        (["stimulator", "dose", "--pct-mso", "50", "--device", "magstim-rapid2"], "go together"),
        (
            [
                "stimulator",
                "dose",
                "--pct-mso",
                "50",
                "--device",
                "magstim-rapid2",
                "--coil",
                "B65",
            ],
            "unknown",
        ),
    ],
)
def test_stimulator_commands_bad_input(cli, argv, fragment):
    cli.fails(*argv, says=fragment)


def test_stimulator_show_and_dose(cli, tmp_path):
    code, out, _ = cli(
        "stimulator", "show", "magventure-magpro-x100", "--json", "--out", str(tmp_path / "w.png")
    )
    data = json.loads(out)
    assert code == 0 and data["shape"] == "biphasic"
    assert data["damped_period_s"] == pytest.approx(303e-6, rel=0.01)  # MagPro X100 + MC-B70 fit
    assert data["didt0_a_per_s"] == pytest.approx(
        155.33e6, rel=1e-6
    )  # Drakaki et al. 2022 at 100 %
    assert (tmp_path / "w.png").exists()
    code, out, _ = cli(
        "stimulator",
        "dose",
        "--pct-mt",
        "120",
        "--mt",
        "45",
        "--device",
        "magventure-magpro-x100",
        "--coil",
        "MC-B70",
        "--json",
    )
    dose = json.loads(out)
    assert dose["pct_mso"] == pytest.approx(54.0)
    assert dose["didt_a_per_s"] == pytest.approx(0.54 * 155.33e6)


def test_protocol_check_json_fields(cli):
    code, out, _ = cli("protocol", "check", "rtms-10hz-fda", "--intensity-mt", "130", "--json")
    data = json.loads(out)
    assert code == 0
    # Rossi et al. 2009, Table 4: 10 Hz at 130 % MT allows 2.9 s; the 4 s trains exceed it.
    assert data["within_limits"] is False and data["verdict_counts"]["exceeds"] == 75
    code, out, _ = cli("protocol", "check", "itbs", "--intensity-mt", "80", "--json")
    data = json.loads(out)
    assert data["within_limits"] is True and data["beyond_tested_range"] is True
    assert data["covered_by_table"] is False


def test_protocol_check_human_readable(cli):
    code, out, _ = cli("protocol", "check", "rtms-1hz", "--intensity-mt", "110")
    assert code == 0 and "within" in out and "900" in out
