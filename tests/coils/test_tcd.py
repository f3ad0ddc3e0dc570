"""SimNIBS 4 ``.tcd`` coil files: elements, stimulators, casing, deformations, bad input.

Format after simnibs/resources/coil_models/coil_model.schema.json and
simnibs/simulation/tms_coil/tms_coil_element.py (SimNIBS 4): points in mm, dipole moments in
A m^2, line-element vectors in mm, stimulator maxdIdt in A/s, binary arrays as base64 of
zlib-compressed float64. SimNIBS evaluates a line element as a point current element at its
point (``LineSegmentElements.get_b_field``).
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.coils.simnibs_style import (
    encode,
    fig8_polyline,
    line_elements,
    tcd_dict,
    write_fig8_ccd,
    write_tcd,
)
from tmslab.cli import main
from tmslab.coils import load_coil, pose_on_sphere, read_ccd, read_tcd
from tmslab.coils.coil import _dipole_magnetic_field
from tmslab.coils.tcd import point_element_magnetic_field, segment_loops
from tmslab.conductors.sphere import get_head
from tmslab.efield.analytic import winding_magnetic_field
from tmslab.efield.sphere import sphere_efield
from tmslab.errors import SpecFileError, TmslabError

# Points 15-40 mm below the coil face (z into the head), spread over both wings.
FIELD_POINTS = np.array(
    [[0.0, 0.0, 0.015], [0.02, 0.01, 0.02], [-0.045, 0.0, 0.025], [0.03, -0.02, 0.04]]
)


@pytest.fixture(scope="module")
def fig8_tcd(tmp_path_factory):
    return write_tcd(tmp_path_factory.mktemp("tcd") / "fig8.tcd", tcd_dict(layers=1))


def test_line_element_coil_reads_with_stimulator_and_casing(fig8_tcd):
    coil = read_tcd(fig8_tcd)
    assert coil.didt_max_a_per_s == pytest.approx(114.73e6)  # maxdIdt is A/s in .tcd
    assert coil.parameters["coilname"] == "Fig8 fixture"
    assert coil.parameters["stimulator"] == "Magstim Rapid"
    info = coil.parameters["tcd"]
    assert info["elements"] == [
        {"name": "figure_of_8", "type": 2, "count": 2 * 9 * 72, "deformed": False}
    ]
    assert info["stimulators"][0]["waveforms"][0]["n_samples"] == 31
    assert info["casing"]["n_faces"] == 12
    assert info["casing"]["min_m"] == pytest.approx([-0.1, -0.06, -0.012])
    assert len(coil.windings) == 2 * 9  # one closed loop per turn
    assert coil.assumptions and "closed path" in coil.assumptions[0]


def test_binary_and_list_arrays_read_the_same(tmp_path):
    a = read_tcd(write_tcd(tmp_path / "a.tcd", tcd_dict(layers=1, binary=True)))
    b = read_tcd(write_tcd(tmp_path / "b.tcd", tcd_dict(layers=1, binary=False)))
    assert np.array_equal(a.dipole_positions, b.dipole_positions)
    assert np.array_equal(a.dipole_moments, b.dipole_moments)


def test_b_field_matches_simnibs_point_elements_and_exact_biot_savart(fig8_tcd):
    """Three independent routes to B of the same current paths agree: SimNIBS's point current
    elements, exact Biot-Savart of the straight segments, and the dipole sheet (sphere solver)."""
    coil = read_tcd(fig8_tcd)
    loops = fig8_polyline()[:9] + fig8_polyline()[27:36]  # layer 1 of each wing
    mids, vectors = line_elements(loops)
    simnibs = point_element_magnetic_field(FIELD_POINTS, mids, vectors)
    exact = winding_magnetic_field(FIELD_POINTS, loops)
    sheet = _dipole_magnetic_field(FIELD_POINTS, coil.dipole_positions, coil.dipole_moments)
    scale = np.linalg.norm(exact, axis=1, keepdims=True)
    assert np.all(
        np.linalg.norm(coil.magnetic_field(FIELD_POINTS) - exact, axis=1) < 1e-9 * scale.ravel()
    )
    assert np.all(np.abs(simnibs - exact) < 2e-3 * scale)
    assert np.all(np.abs(sheet - exact) < 5e-3 * scale)


def test_efield_matches_the_ccd_of_the_same_coil(tmp_path):
    """The .tcd (3 layers in series) gives 3x the |E| of the .ccd (layers share the current)."""
    head = get_head("human")
    point = np.array([[0.0, 0.0, head.scalp_radius_m - 0.015]])
    pose = pose_on_sphere(head.scalp_radius_m)
    tcd = read_tcd(write_tcd(tmp_path / "f.tcd", tcd_dict()))
    ccd = read_ccd(write_fig8_ccd(tmp_path / "f.ccd"))
    e_tcd = np.linalg.norm(sphere_efield(tcd.transformed(pose), point, head, 1e8))
    e_ccd = np.linalg.norm(sphere_efield(ccd.transformed(pose), point, head, 1e8))
    assert e_tcd / 3 == pytest.approx(e_ccd, rel=0.01)


def test_dipole_elements_and_deformations(tmp_path):
    """A rot2p deformation at its initial angle turns the element about the axis point1->point2
    (right-handed, degrees), as SimNIBS's TmsCoilRotation; an x translation moves it (mm)."""
    data = {
        "name": "d",
        "coilElementList": [
            {
                "stimulator": 0,
                "type": 1,
                "points": [[10.0, 0.0, -5.0]],
                "values": [[1e-5, 0.0, 0.0]],
                "deformations": [0, 1],
            }
        ],
        "stimulatorList": [{"maxdIdt": 1.5e8}],
        "deformRangeList": [{"initial": 90, "range": [-90, 90]}, {"initial": 2, "range": [0, 5]}],
        "deformList": [
            {"deformRange": 0, "type": "rot2p", "point1": [0, 0, 0], "point2": [0, 0, 1]},
            {"deformRange": 1, "type": "x"},
        ],
    }
    coil = read_tcd(write_tcd(tmp_path / "d.tcd", data))
    assert np.allclose(coil.dipole_positions, [[0.002, 0.010, -0.005]], atol=1e-15)
    assert np.allclose(coil.dipole_moments, [[0.0, 1e-5, 0.0]], atol=1e-20)
    assert any("Flexible coil" in a for a in coil.assumptions)


def test_open_path_with_close_leads_is_closed_and_flagged(tmp_path):
    loop = fig8_polyline()[0]
    mids, vectors = line_elements([loop])
    data = tcd_dict(layers=1, binary=False)
    data["coilElementList"][0]["points"] = (mids[:-1] * 1e3).tolist()  # drop the last segment
    data["coilElementList"][0]["values"] = (vectors[:-1] * 1e3).tolist()
    coil = read_tcd(write_tcd(tmp_path / "open.tcd", data))
    assert any("open path" in a for a in coil.assumptions)
    assert len(coil.windings) == 1 and len(coil.windings[0]) == len(loop)


def test_elements_outside_the_casing_are_flagged(tmp_path):
    data = tcd_dict(layers=1, binary=False)
    data["coilModels"][0]["points"] = (np.array(data["coilModels"][0]["points"]) / 10).tolist()
    coil = read_tcd(write_tcd(tmp_path / "small_casing.tcd", data))
    assert any("outside the casing" in a for a in coil.assumptions)
    assert not any(
        "casing" in a
        for a in read_tcd(write_tcd(tmp_path / "ok.tcd", tcd_dict(layers=1))).assumptions
    )


def test_segment_loops_refuses_open_paths_far_apart():
    starts = np.array([[0.0, 0, 0], [0.01, 0, 0]])
    ends = np.array([[0.01, 0, 0], [0.02, 0, 0]])
    with pytest.raises(ValueError, match="open end"):
        segment_loops(starts, ends, 1e-4, lead_gap=1e-3)
    loops, _, lead = segment_loops(starts, ends, 1e-4, lead_gap=0.05)
    assert lead == pytest.approx(0.02) and len(loops) == 1


def base() -> dict:
    return tcd_dict(layers=1, binary=False)


def edit(path: str, value):
    def apply(data: dict) -> dict:
        data = copy.deepcopy(data)
        target = data
        keys = path.split("/")
        for key in keys[:-1]:
            target = target[int(key) if key.isdigit() else key]
        last = keys[-1]
        if value is KeyError:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
        return data

    return apply


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (edit("coilElementList/0/type", 3), "sampled A-field grid (type 3)"),
        (edit("stimulatorList/0/maxdIdt", 114.7), "looks like A/us"),
        (edit("stimulatorList", KeyError), "stimulatorList: is required"),
        (edit("coilElementList/0/stimulator", 4), "not an index"),
        (edit("coilElementList/0/points", "@@notbase64"), "not base64"),
        (edit("coilElementList/0/values", [[1, 2]]), "list of [3 numbers]"),
        (edit("coilElementList/0/extra", 1), "unknown key"),
        (edit("surprise", 1), "unknown key"),
        (edit("coilElementList/0/points", [[1e4, 0, 0]] * 1296), "in mm"),
    ],
)
def test_bad_tcd_gives_one_line_errors(tmp_path, change, message):
    path = write_tcd(tmp_path / "bad.tcd", change(base()))
    with pytest.raises(
        SpecFileError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")
    ) as info:
        read_tcd(path)
    assert "\n" not in str(info.value)


def test_two_stimulators_are_refused(tmp_path):
    data = tcd_dict(layers=1)
    data["coilElementList"].append({**data["coilElementList"][0], "stimulator": 1})
    data["stimulatorList"].append({"name": "Second", "maxdIdt": 1e8})
    with pytest.raises(SpecFileError, match="2 stimulators"):
        read_tcd(write_tcd(tmp_path / "two.tcd", data))


finite_mm = st.floats(-200, 200, allow_nan=False)
moment = st.floats(-1e-4, 1e-4, allow_nan=False)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    points=st.lists(st.tuples(finite_mm, finite_mm, finite_mm), min_size=1, max_size=12),
    data=st.data(),
    binary=st.booleans(),
)
def test_random_dipole_files_round_trip(tmp_path_factory, points, data, binary):
    values = data.draw(
        st.lists(st.tuples(moment, moment, moment), min_size=len(points), max_size=len(points))
    )
    p, v = np.array(points, float), np.array(values, float)
    tcd = {
        "coilElementList": [
            {
                "stimulator": 0,
                "type": 1,
                "points": encode(p) if binary else p.tolist(),
                "values": encode(v) if binary else v.tolist(),
            }
        ],
        "stimulatorList": [{"name": "S", "maxdIdt": 1e8}],
    }
    path = write_tcd(tmp_path_factory.mktemp("t") / "r.tcd", tcd)
    coil = read_tcd(path)
    assert np.array_equal(coil.dipole_positions, p * 1e-3)
    assert np.array_equal(coil.dipole_moments, v)


@st.composite
def tcd_corruptions(draw):
    text = json.dumps(tcd_dict(layers=1, binary=False))
    kind = draw(st.sampled_from(["truncate", "junk", "nan", "swap", "type", "empty"]))
    if kind == "truncate":
        return text[: draw(st.integers(0, len(text) - 1))].encode()
    if kind == "junk":
        return draw(st.binary(min_size=0, max_size=300))
    data = json.loads(text)
    element = data["coilElementList"][0]
    if kind == "nan":
        element["points"][draw(st.integers(0, 10))][0] = float("nan")
        return json.dumps(data).encode()  # json writes NaN, which Python's json reads back
    if kind == "swap":
        key = draw(st.sampled_from(["points", "values", "stimulator", "type", "name"]))
        element[key] = draw(
            st.one_of(st.text(max_size=5), st.integers(-3, 3), st.none(), st.booleans())
        )
    elif kind == "type":
        return json.dumps(
            draw(st.one_of(st.lists(st.integers()), st.text(), st.integers()))
        ).encode()
    else:
        data["coilElementList"] = []
    return json.dumps(data).encode()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blob=tcd_corruptions())
def test_corrupt_tcd_gives_one_line_tmslab_errors(tmp_path_factory, blob):
    path = tmp_path_factory.mktemp("bad") / "bad.tcd"
    path.write_bytes(blob)
    try:
        coil = read_tcd(path)
    except TmslabError as error:
        assert "\n" not in str(error) and str(error)
    else:  # a change that kept the file valid (e.g. a new element name)
        assert coil.n_dipoles >= 1


def test_cli_show_tcd_and_bad_tcd(fig8_tcd, tmp_path, capsys, cli):
    assert main(["coil", "show", str(fig8_tcd)]) == 0
    out = capsys.readouterr().out
    assert "Fig8 fixture" in out and "114.73 A/us" in out and "casing" in out
    assert main(["coil", "show", str(fig8_tcd), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["didt_max_a_per_s"] == pytest.approx(114.73e6)
    bad = tmp_path / "bad.tcd"
    bad.write_text("{not json")
    cli("coil", "show", bad).error("not valid .tcd JSON", quiet=False)
    assert load_coil(fig8_tcd).n_dipoles == read_tcd(fig8_tcd).n_dipoles
