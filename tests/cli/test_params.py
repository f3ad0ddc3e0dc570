"""Unit suffixes on the command line: one meaning for a bare dI/dt, warnings, one-line errors."""

import json

import numpy as np
import pytest

FIELD = ["field", "metrics", "--coil", "mouse-8mm", "--head", "mouse", "--json"]


@pytest.fixture
def field_at(tmp_path, cli):
    """field_at(*options) -> (E at one point off the axis of the mouse coil, V/m; stderr)."""
    points = tmp_path / "p.csv"
    points.write_text("x,y,z\n0.002,0,0.004\n")
    out = tmp_path / "e.csv"

    def field(*options):
        argv = ["field", "sphere", "--coil", "mouse-8mm", "--head", "mouse"]
        code, _, err = cli(*argv, "--points", str(points), "--out", str(out), *options)
        assert code == 0, err
        values = [float(v) for v in out.read_text().splitlines()[1].split(",")]
        return np.linalg.norm(values[3:]), err

    return field


@pytest.mark.parametrize(
    "spelling", ["100A/us", "100 A/us", "100 A/µs", "1e8A/s", "1e8 A/s", "1e8"]
)
def test_field_didt_spellings_agree(field_at, spelling):
    reference, _ = field_at("--didt", "1")  # V/m per A/s
    e, err = field_at("--didt", spelling)
    assert reference > 0 and e == pytest.approx(1e8 * reference, rel=1e-9)
    assert err == ""  # 1e8 A/s is plausible: no warning


def test_bare_didt_is_a_per_s_with_a_warning_when_implausible(field_at):
    bare, err = field_at("--didt", "100")
    assert "--didt 100 is read as 100 A/s; did you mean 100A/us?" in err
    per_us, err = field_at("--didt", "100A/us")
    # The field is linear in dI/dt (Faraday): the suffix scales E by exactly 1e6.
    assert per_us == pytest.approx(bare * 1e6, rel=1e-9)
    assert err == ""


def test_length_suffix_on_an_mm_option(field_at):
    in_mm, _ = field_at("--distance-mm", "2")
    in_cm, _ = field_at("--distance-mm", "0.2cm")
    touching, _ = field_at("--distance-mm", "0")
    assert in_cm == pytest.approx(in_mm, rel=1e-12)
    assert in_mm < touching  # the gap was applied, not ignored


@pytest.mark.parametrize(
    "argv, fragments",
    [
        ([*FIELD, "--didt", "100 furlongs"], ["--didt", "'100 furlongs'", "A/s, A/ms, A/us"]),
        ([*FIELD, "--didt", "fast"], ["--didt", "'fast'", "A/us"]),
        ([*FIELD, "--distance-mm", "3T"], ["--distance-mm", "'3T'", "m, cm, mm"]),
        (
            ["stimulator", "dose", "--didt", "5mT", "--device", "magstim-rapid2", "--coil", "x"],
            ["--didt", "'5mT'", "A/us"],
        ),
        (
            ["field", "translate", "--from-head", "rat", "--from-coil", "mouse-8mm",
             "--intensity", "5 A/us"],
            ["--intensity", "--unit tesla", "T, mT"],
        ),
    ],
)  # fmt: skip
def test_bad_units_fail_in_one_line(cli, argv, fragments):
    cli.fails(*argv, says=tuple(fragments))


def test_stimulator_dose_reads_didt_like_every_other_command(cli):
    device = ["--device", "magventure-magpro-x100", "--coil", "MC-B70", "--json"]
    code, out, _ = cli("stimulator", "dose", "--didt", "77.665A/us", *device)
    assert code == 0
    # Drakaki et al. 2022: MagPro X100 + MC-B70 peaks at 155.33 A/us at 100 % MSO.
    assert json.loads(out)["pct_mso"] == pytest.approx(50.0)
    code, out, _ = cli("stimulator", "dose", "--didt", "7.7665e7", *device)
    assert json.loads(out)["pct_mso"] == pytest.approx(50.0)


@pytest.fixture
def translate_calls(monkeypatch):
    """Record what `field translate` hands the translation (the solve itself is tested elsewhere)."""
    import tmslab.efield.translate as module

    calls = []

    def fake(source, unit, value, destination, waveform):
        calls.append((source, unit, value, destination))
        return {"unit": unit, "value": value}

    monkeypatch.setattr(module, "translate", fake)
    return calls


def test_translate_intensity_with_units(cli, translate_calls):
    base = ["field", "translate", "--from-head", "rat", "--from-coil", "rodent-round-25-50mm",
            "--to-target", "2mm", "--json"]  # fmt: skip
    code, _, err = cli(*base, "--intensity", "1260mT", "--to-didt-max", "114.73A/us")
    assert code == 0, err
    _, unit, value, destination = translate_calls[-1]
    assert (unit, value) == ("tesla", pytest.approx(1.26))
    assert destination.didt_max_a_per_s == pytest.approx(114.73e6)
    assert destination.target == pytest.approx(0.002)
    code, _, err = cli(*base, "--unit", "didt", "--intensity", "80A/us")
    assert code == 0 and translate_calls[-1][2] == pytest.approx(8e7) and err == ""
    code, _, err = cli(*base, "--unit", "didt", "--intensity", "50")
    assert translate_calls[-1][2] == 50.0
    assert "--intensity 50 is read as 50 A/s; did you mean 50A/us?" in err
    code, _, err = cli(*base, "--intensity", "500")
    assert translate_calls[-1][2] == 500.0
    assert "--intensity 500 is read as 500 T; did you mean 500mT?" in err
    code, _, err = cli(*base, "--intensity", "1.5")
    assert err == ""  # a plausible tesla
    code, _, err = cli(*base, "--unit", "pct_mso", "--intensity", "60%",
                       "--didt-max", "1.5e8")  # fmt: skip
    assert code == 0, err
    assert translate_calls[-1][2] == 60.0 and translate_calls[-1][0].didt_max_a_per_s == 1.5e8


def test_n_points_error_names_the_users_value(cli):
    code, out, err = cli("field", "dish", "--coil", "mouse-8mm", "--n-points", "0")
    assert code == 2 and out == ""
    assert "--n-points 0 is not allowed; give 3 or more" in err
    assert "- 2" not in err


def test_unknown_device_is_named_as_such(cli):
    code, out, err = cli("stimulator", "dose", "--pct-mso", "50", "--device", "magstim-9000")
    assert code == 2 and out == ""
    assert err.startswith("error: unknown stimulator 'magstim-9000'")
    assert "go together" not in err


def test_time_options_accept_suffixes(cli):
    argv = ["plasticity", "stdp", "--model", "graupner-brunel:DP", "--pairs", "60", "--json"]
    code, bare, _ = cli(*argv, "--dt-ms", "-10")
    assert code == 0
    code, seconds, _ = cli(*argv, "--dt-ms", "-0.01s")
    assert code == 0 and json.loads(seconds) == json.loads(bare)
    code, us, _ = cli(*argv, "--dt-ms", "-10000 µs")
    assert code == 0 and json.loads(us)["relative_weight"] == json.loads(bare)["relative_weight"]
    code, out, err = cli(*argv, "--dt-ms", "10A/us")
    assert out == ""
    assert code == 2 and "--dt-ms" in err and "s, ms, us" in err
