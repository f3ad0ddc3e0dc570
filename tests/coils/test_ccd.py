"""SimNIBS ``.ccd`` files: the grammar SimNIBS 4 reads, the writer's header, the 70 mm check.

Grammar after ``TmsCoil.from_ccd`` in simnibs/simulation/tms_coil/tms_coil.py (SimNIBS 4):
line 1 split on ';', fields after the first split on '=', ``np.loadtxt(skiprows=2)`` for the rows
(so '#' lines are comments).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.coils.simnibs_style import COMMENT, ccd_bytes, fig8_dipoles, write_fig8_ccd
from tmslab.cli import main
from tmslab.coils import get_coil, load_coil, pose_on_sphere, read_ccd, write_ccd
from tmslab.coils.ccd import ccd_text, parse_header
from tmslab.conductors.sphere import get_head
from tmslab.efield.sphere import sphere_efield
from tmslab.errors import SpecFileError, TmslabError

# |E| at 15 mm depth under the centre of SimNIBS's Magstim_70mm_Fig8.ccd (Thielscher & Kammer
# 2004, Clin Neurophysiol 115:1697-1708) in the 85 mm human sphere at 100 A/us, computed with
# this reader from SimNIBS's file (issue 14): 154.4 V/m.
SIMNIBS_FIG8_E_15MM = 154.4


def simnibs_parse_header(line: str) -> dict:
    """SimNIBS 4's header parser, restated: it raises where SimNIBS raises."""
    fields = [p.strip() for p in line.replace("\n", "").split(";")[1:]]
    out = {}
    for pair in (p for p in fields if p):
        key, value = pair.split("=")  # ValueError unless exactly one '='
        if value == "none":
            value = None
        elif "." in value:
            value = float(value)
        elif value.isdigit():
            value = int(value)
        out[key] = value
    return out


def efield_15mm(coil) -> float:
    head = get_head("human")
    point = np.array([[0.0, 0.0, head.scalp_radius_m - 0.015]])
    placed = coil.transformed(pose_on_sphere(head.scalp_radius_m))
    return float(np.linalg.norm(sphere_efield(placed, point, head, didt_a_per_s=100e6)[0]))


@pytest.mark.parametrize("style", ["legacy", "drakaki"])
def test_simnibs_layout_with_its_comment_line_is_read(tmp_path, style):
    """Fails on the old reader: line 3 (the comment) gave 'expected 6 numbers, got 10'."""
    path = write_fig8_ccd(tmp_path / f"fig8_{style}.ccd", style)
    lines = path.read_text().splitlines()
    assert lines[2] == COMMENT
    coil = read_ccd(path)
    positions, moments = fig8_dipoles()
    assert coil.n_dipoles == int(lines[1]) == len(positions) > 2000
    assert np.allclose(coil.dipole_positions, positions, rtol=1e-14, atol=0)
    assert np.allclose(coil.dipole_moments, moments, rtol=1e-14, atol=0)
    if style == "drakaki":
        assert coil.didt_max_a_per_s == pytest.approx(114.73e6)
        assert coil.parameters["coilname"] == "70mm"
        assert coil.parameters["brand"] == "Magstim"
        assert coil.parameters["stimulator"] == "Magstim Rapid"
        assert coil.parameters["ccd_header"]["version"] == "1.0"
        assert coil.parameters["ccd_header"]["fields"]["resolution"] == "3"
    else:
        assert coil.didt_max_a_per_s is None


def test_header_grammar_matches_simnibs():
    header = parse_header(
        "# Test Coil version 1.1;dIdtmax=100.0;x=-100,100;y=-100,100;z=-100,100;"
        "resolution=10;stimulator=none;brand=Acme;dIdtstim=100;coilname=T1;"
    )
    assert header.version == "1.1"
    assert header.description == "Test Coil version 1.1"
    assert header.didt_max_a_per_s == pytest.approx(1e8)
    assert header.stimulator is None and header.brand == "Acme" and header.coilname == "T1"
    assert header.fields["dIdtstim"] == "100"  # kept, not used
    assert np.allclose(header.limits_m(), [[-0.1, 0.1]] * 3)
    with pytest.raises(SpecFileError, match="not key=value"):
        parse_header("# coil; written by tmslab 0.1")
    with pytest.raises(SpecFileError, match="not key=value"):
        parse_header("# coil; a=b=c")
    with pytest.raises(SpecFileError, match="starts with a '#'"):
        parse_header("coil; dIdtmax=100.0")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1.5e8", "looks like A/s"),
        ("-3", "plausible"),
        ("fast", "not a number"),
        ("nan", "plausible"),
    ],
)
def test_implausible_didt_is_refused(value, message):
    with pytest.raises(SpecFileError, match=message):
        parse_header(f"# coil; dIdtmax={value}")


def test_written_header_is_parsed_by_simnibs_rules(tmp_path):
    """Fails on the old writer: its header had 'written by tmslab X' after a ';' (no '=')."""
    source = write_fig8_ccd(tmp_path / "in.ccd", "drakaki")
    coil = read_ccd(source)
    first = ccd_text(coil).splitlines()[0]
    fields = simnibs_parse_header(first)
    assert first.startswith("# tmslab ")
    assert fields["dIdtmax"] == pytest.approx(114.73) and isinstance(fields["dIdtmax"], float)
    assert fields["coilname"] == "70mm" and fields["brand"] == "Magstim"
    preset = get_coil("magstim-70mm-fig8")
    header = ccd_text(preset).splitlines()[0]
    assert "dIdtmax" not in simnibs_parse_header(header)  # only when known
    assert simnibs_parse_header(header)["coilname"] == "magstim-70mm-fig8"


def test_names_simnibs_cannot_parse_are_made_safe(tmp_path):
    coil = get_coil("magstim-70mm-round")
    odd = type(coil)(
        name="a.b;c=d",
        dipole_positions=coil.dipole_positions,
        dipole_moments=coil.dipole_moments,
        parameters={"brand": "X, v1.0", "didt_max_a_per_s": 1.2e8},
    )
    fields = simnibs_parse_header(ccd_text(odd).splitlines()[0])
    assert fields["coilname"] == "a_b_c_d" and fields["brand"] == "X_ v1_0"


def test_round_trip_is_bit_identical_and_keeps_the_header(tmp_path):
    coil = read_ccd(write_fig8_ccd(tmp_path / "in.ccd", "drakaki"))
    again = read_ccd(write_ccd(coil, tmp_path / "out.ccd"))
    assert np.array_equal(again.dipole_positions, coil.dipole_positions)
    assert np.array_equal(again.dipole_moments, coil.dipole_moments)
    assert again.didt_max_a_per_s == coil.didt_max_a_per_s
    assert again.parameters["brand"] == "Magstim"
    preset = get_coil("magstim-70mm-fig8")
    back = read_ccd(write_ccd(preset, tmp_path / "preset.ccd"))
    assert np.array_equal(back.dipole_positions, preset.dipole_positions)
    assert np.array_equal(back.dipole_moments, preset.dipole_moments)


finite = st.floats(-0.5, 0.5, allow_nan=False, allow_subnormal=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(*[finite] * 6), min_size=1, max_size=20),
    didt=st.one_of(st.none(), st.floats(1, 2000)),
    name=st.text(min_size=1, max_size=20),
)
def test_random_valid_files_round_trip(tmp_path_factory, rows, didt, name):
    data = np.array(rows)
    params = {"didt_max_a_per_s": didt * 1e6} if didt else {}
    coil = type(get_coil("magstim-70mm-round"))(
        name=name, dipole_positions=data[:, :3], dipole_moments=data[:, 3:], parameters=params
    )
    path = tmp_path_factory.mktemp("rt") / "c.ccd"
    again = read_ccd(write_ccd(coil, path))
    assert np.array_equal(again.dipole_positions, data[:, :3])
    assert np.array_equal(again.dipole_moments, data[:, 3:])
    if didt:
        assert again.didt_max_a_per_s == pytest.approx(didt * 1e6, rel=1e-15)
    simnibs_parse_header(path.read_text().splitlines()[0])  # SimNIBS can read the header


GOOD = ccd_bytes(
    np.array([[0.01, 0.0, -0.005], [-0.01, 0.0, -0.005]]),
    np.array([[0.0, 0.0, 1e-5], [0.0, 0.0, -1e-5]]),
    "# t.ccd version 1.0 number of elements; dIdtmax=100.00;coilname=t;",
)


@st.composite
def corruptions(draw):
    lines = GOOD.decode().splitlines()
    kind = draw(
        st.sampled_from(["truncate", "count", "word", "nan", "junk", "header", "drop", "field"])
    )
    if kind == "truncate":
        cut = draw(st.integers(1, len(GOOD) - 40))
        return GOOD[:cut]
    if kind == "count":
        lines[1] = str(draw(st.integers(-5, 50).filter(lambda n: n != 2)))
    elif kind == "word":
        row = draw(st.integers(3, 4))
        words = lines[row].split()
        words[draw(st.integers(0, 5))] = draw(st.sampled_from(["x", "1.2.3", "--", "0x10", "1e"]))
        lines[row] = " ".join(words)
    elif kind == "nan":
        words = lines[3].split()
        words[draw(st.integers(0, 5))] = draw(st.sampled_from(["nan", "inf", "-inf", "1e999"]))
        lines[3] = " ".join(words)
    elif kind == "junk":
        return draw(st.binary(min_size=1, max_size=200))
    elif kind == "header":
        lines = lines[1:]
    elif kind == "drop":
        words = lines[4].split()
        lines[4] = (
            " ".join(words[: draw(st.integers(0, 5))] + words[6:])
            + " 1 2"[: draw(st.integers(0, 1))]
        )
    else:
        lines[0] += draw(st.sampled_from(["; free text", "; a=b=c", "; dIdtmax=1e9"]))
    return ("\n".join(lines) + "\n").encode()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blob=corruptions())
def test_corrupt_files_give_one_line_tmslab_errors(tmp_path_factory, blob):
    path = tmp_path_factory.mktemp("bad") / "bad.ccd"
    path.write_bytes(blob)
    try:
        coil = read_ccd(path)
    except TmslabError as error:
        assert "\n" not in str(error) and str(error)
    else:  # a corruption that left a valid file (e.g. a truncation at a row boundary)
        assert coil.n_dipoles >= 1 and np.all(np.isfinite(coil.dipole_positions))


def test_positions_in_millimetres_are_refused(tmp_path):
    path = tmp_path / "mm.ccd"
    path.write_bytes(ccd_bytes(np.array([[10.0, 0, -5]]), np.array([[0, 0, 1e-5]]), "# mm"))
    with pytest.raises(SpecFileError, match="is the file in mm"):
        read_ccd(path)


def test_fig8_file_and_preset_agree_at_15mm(tmp_path):
    """The 70 mm figure-8 as a SimNIBS-layout .ccd built from Thielscher & Kammer's (2004)
    geometry and tmslab's preset (Deng et al. 2013 geometry) agree within 3 % in |E| at 15 mm
    depth in the human sphere, and the file is within 3 % of SimNIBS's own file there (154.4 V/m
    at 100 A/us)."""
    from_file = efield_15mm(read_ccd(write_fig8_ccd(tmp_path / "fig8.ccd")))
    preset = efield_15mm(get_coil("magstim-70mm-fig8"))
    assert from_file == pytest.approx(preset, rel=0.03)
    assert from_file == pytest.approx(SIMNIBS_FIG8_E_15MM, rel=0.03)
    assert preset == pytest.approx(SIMNIBS_FIG8_E_15MM, rel=0.03)


def test_cli_show_reads_a_simnibs_style_file(tmp_path, capsys):
    path = write_fig8_ccd(tmp_path / "fig8.ccd")
    assert main(["coil", "show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "70mm" in out and "Magstim Rapid" in out and "114.73 A/us" in out
    assert main(["coil", "show", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["didt_max_a_per_s"] == pytest.approx(114.73e6)
    assert info["parameters"]["ccd_header"]["coilname"] == "70mm"


def test_cli_export_writes_a_file_simnibs_parses(tmp_path, capsys):
    out = tmp_path / "fig8.ccd"
    assert main(["coil", "export", "magstim-70mm-fig8", "--out", str(out)]) == 0
    capsys.readouterr()
    lines = out.read_text().splitlines()
    simnibs_parse_header(lines[0])
    rows = np.loadtxt(out, skiprows=2)  # exactly how SimNIBS reads the rows
    assert rows.shape == (int(lines[1]), 6)
    assert np.array_equal(rows[:, :3], get_coil("magstim-70mm-fig8").dipole_positions)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# header\n1\n# comment\n0 0 0 0 0\n", "line 4: expected 6 numbers"),
        ("# a; b\n1\n0 0 0 0 0 1\n", "not key=value"),
        ("no header\n1\n0 0 0 0 0 1\n", "starts with a '#'"),
        ("# h\n2\n0 0 -0.01 0 0 1\n", "announces 2 dipoles but 1"),
    ],
)
def test_cli_bad_ccd_gives_error_and_exit_2(tmp_path, cli, text, message):
    path = tmp_path / "bad.ccd"
    path.write_text(text)
    cli("coil", "show", path).error(message, quiet=False)


def test_existing_file_that_is_not_a_coil_says_what_was_expected(tmp_path, capsys):
    path = tmp_path / "x.txt"
    path.write_text("hello\n")
    assert main(["coil", "show", str(path)]) == 2
    assert "is not a .ccd, .tcd or coil .toml" in capsys.readouterr().err
    with pytest.raises(TmslabError, match=r"not a \.ccd, \.tcd"):
        load_coil(path)


def test_dose_uses_the_files_didt_when_no_device_is_given(tmp_path):
    """%MSO converts through the .ccd header's dIdtmax; the source is stated."""
    from tmslab.scenario import scenario_from_mapping
    from tmslab.stages.protocol import stimulator_stage

    path = write_fig8_ccd(tmp_path / "fig8.ccd")
    scenario = scenario_from_mapping(
        {
            "name": "file coil",
            "protocol": {"preset": "single"},
            "stimulator": {"intensity_pct_mso": 50},
            "coil": {"name": str(path)},
        }
    )
    section = stimulator_stage(scenario, {})
    assert section.data["intensity"]["didt_a_per_s"] == pytest.approx(0.5 * 114.73e6)
    assert section.data["didt_max_a_per_s"] == pytest.approx(114.73e6)
    assert any("dIdtmax in the header of fig8.ccd" in note for note in section.notes)
    assert math.isclose(read_ccd(path).didt_max_a_per_s, 114.73e6)


def test_last_row_without_newline_and_crlf_line_ends(tmp_path):
    """SimNIBS's MagVenture_C-B70.ccd ends without a final newline; Windows editors write CRLF."""
    text = GOOD.decode()
    for name, blob in (("eof.ccd", text.rstrip("\n")), ("crlf.ccd", text.replace("\n", "\r\n"))):
        path = tmp_path / name
        path.write_bytes(blob.encode())
        coil = read_ccd(path)
        assert coil.n_dipoles == 2 and coil.didt_max_a_per_s == pytest.approx(1e8)
        assert coil.parameters["coilname"] == "t"


def test_stimulator_dose_takes_the_peak_didt_from_a_coil_file(tmp_path, capsys, cli):
    """`tmslab stimulator dose --coil FILE.ccd` converts %MSO through the header's dIdtmax
    (114.73 A/us: Magstim Rapid2 + D70, Drakaki et al. 2022); a file without one is refused."""
    path = write_fig8_ccd(tmp_path / "fig8.ccd")
    assert main(["stimulator", "dose", "--pct-mso", "50", "--coil", str(path), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["didt_a_per_s"] == pytest.approx(0.5 * 114.73e6)
    assert "dIdtmax in the header of fig8.ccd" in record["didt_max_source"]
    legacy = write_fig8_ccd(tmp_path / "legacy.ccd", style="legacy")
    cli("stimulator", "dose", "--pct-mso", 50, "--coil", legacy).error(
        "states no peak dI/dt", quiet=False
    )
