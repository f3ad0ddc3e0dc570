"""Neurolucida ASCII reader (tmslab.neuron.asc): round trips of random trees, malformed files,
and the real Blue Brain files against NEURON's own Import3d reader (when present)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.errors import SpecFileError
from tmslab.neuron.asc import asc_points, parse_asc, read_asc, soma_area_m2
from tmslab.neuron.swc import APICAL, AXON, BASAL, swc_branches
from tmslab.units import UM

SOMA_TEXT = """("CellBody"
  (Color Red)
  (CellBody)
  (-5 0 0 0)  ; 1, 1
  (0 5 0 0)  ; 1, 2
  (5 0 0 0)  ; 1, 3
  (0 -5 0 0)  ; 1, 4
);
"""


def _tree_text(tree, depth: int = 1) -> tuple[str, float, int]:
    """ASC text of a random tree (points, then '( child | child )'); its length and points."""
    pad = "  " * depth
    points, children = tree
    lines = [f"{pad}({x:.4f} {y:.4f} {z:.4f} {d:.3f})" for x, y, z, d in points]
    length = float(np.sum(np.linalg.norm(np.diff(np.array(points)[:, :3], axis=0), axis=1)))
    count = len(points)
    if children:
        lines.append(f"{pad}(")
        for k, child in enumerate(children):
            if k:
                lines.append(f"{pad}|")
            text, child_length, child_count = _tree_text(child, depth + 1)
            lines.append(text)
            # each child starts at its parent's last point (Import3d)
            first = np.array(child[0][0][:3])
            length += child_length + float(np.linalg.norm(first - np.array(points[-1][:3])))
            count += child_count
        lines.append(f"{pad})  ;  End of split")
    else:
        lines.append(f"{pad}Normal")
    return "\n".join(lines), length, count


coordinate = st.floats(-500, 500, allow_nan=False).map(lambda v: round(v, 2))
point = st.tuples(coordinate, coordinate, coordinate, st.floats(0.1, 10).map(lambda v: round(v, 2)))
points = st.lists(point, min_size=2, max_size=5, unique_by=lambda p: p[:3])
trees = st.recursive(
    st.tuples(points, st.just([])),
    lambda sub: st.tuples(points, st.lists(sub, min_size=2, max_size=3)),
    max_leaves=6,
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Axon", "Dendrite", "Apical"]), trees), max_size=3))
def test_random_trees_read_back_with_their_length_and_points(trees_by_type):
    text = SOMA_TEXT
    expected_length = {AXON: 0.0, BASAL: 0.0, APICAL: 0.0}
    kinds = {"Axon": AXON, "Dendrite": BASAL, "Apical": APICAL}
    for name, tree in trees_by_type:
        body, length, _ = _tree_text(tree)
        text += f"\n( (Color Blue)\n  ({name})\n{body}\n)  ;  End of tree\n"
        expected_length[kinds[name]] += length
    cell = parse_asc(text, "random.asc")
    for kind, length in expected_length.items():
        assert cell.length_m(kind) == pytest.approx(length * UM, rel=1e-9, abs=1e-12)
    # and as SWC points: one soma, one tree per list, the same branch structure
    pts = asc_points(cell)
    assert pts[0].kind == 1 and sum(p.parent == -1 for p in pts) == 1
    branches = swc_branches(pts, "random.asc")
    assert len(branches) == 1 + len(cell.pieces)


def test_soma_area_of_a_circle_contour_is_a_sphere():
    angles = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    contour = np.stack([10 * np.cos(angles), 10 * np.sin(angles), 0 * angles], axis=1) * UM
    assert soma_area_m2(contour) == pytest.approx(4 * np.pi * (10 * UM) ** 2, rel=0.01)


def test_markers_and_spines_are_skipped_and_counted():
    text = (
        SOMA_TEXT
        + """
( (Color Green)
  (Dendrite)
  (0 5 0 2)
  (0 10 0 2)
  <(0 11 1 0.5)>
  (0 20 0 2)
  Normal
)
(Dot (Color White) (Name "marker") (1 2 3 0.5))
"""
    )
    cell = parse_asc(text, "m.asc")
    assert cell.n_spines == 1 and cell.n_markers == 1
    assert cell.length_m(BASAL) == pytest.approx(15 * UM)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (SOMA_TEXT + "( (Dendrite) (0 0 0 1) (0 5 0 1)", "never closed"),
        (SOMA_TEXT + ")", "without a matching"),
        (SOMA_TEXT + "( (Dendrite) (0 0 0 1) (0 5 0 -1) )", "diameter -1 um"),
        (SOMA_TEXT + "( (Dendrite) (0 0 0 1) (0 5e6 0 1) )", "micrometres"),
        (SOMA_TEXT + "( (Dendrite) (0 0 0 1) (0 5 0 1 2 3) )", "6 numbers"),
        (SOMA_TEXT + "( (Dendrite) (0 0 0 1) banana )", "unexpected 'banana'"),
        ("hello", "outside any"),
        ("", "no soma contour and no trees"),
    ],
)
def test_malformed_files_give_one_line_errors(text, message):
    with pytest.raises(SpecFileError, match=message) as info:
        parse_asc(text, "bad.asc")
    assert "\n" not in str(info.value)


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(SpecFileError, match="not found"):
        read_asc(tmp_path / "none.asc")
    (tmp_path / "b.asc").write_bytes(b"(\x00)")
    with pytest.raises(SpecFileError, match="binary"):
        read_asc(tmp_path / "b.asc")


def _real_asc_files() -> list[Path]:
    out = []
    for folder in os.environ.get("TMSLAB_MORPHOLOGIES", "").split(os.pathsep):
        if folder:
            out += sorted(Path(folder).glob("*/morphology/*.asc"))
    return out[:2]


@pytest.mark.neuron
@pytest.mark.parametrize("path", _real_asc_files() or [None])
def test_blue_brain_file_matches_neuron_import3d(path):
    """Same total length and number of 3-d points (to 0.2 %) per section type as NEURON's Import3d; soma
    area within 5 % (Import3d's contour2centroid differs in detail)."""
    if path is None:
        pytest.skip("no Blue Brain cell folders in $TMSLAB_MORPHOLOGIES")
    h = pytest.importorskip("neuron").h
    h.load_file("stdlib.hoc")
    h.load_file("import3d.hoc")
    reader = h.Import3d_Neurolucida3()
    reader.quiet = 1
    reader.input(str(path))
    gui = h.Import3d_GUI(reader, 0)
    holder = h.SectionList()
    before = {s.name() for s in h.allsec()}
    gui.instantiate(None)
    totals: dict[str, list[float]] = {}
    for sec in h.allsec():
        if sec.name() in before:
            continue
        holder.append(sec=sec)
        entry = totals.setdefault(sec.name().split("[")[0], [0.0, 0, 0.0])
        entry[0] += sec.L
        entry[1] += sec.n3d()
        entry[2] += sum(seg.area() for seg in sec)
    cell = read_asc(path)
    for name, kind in (("axon", AXON), ("dend", BASAL), ("apic", APICAL)):
        length, n3d, _ = totals.get(name, [0.0, 0, 0.0])
        assert cell.length_m(kind) / UM == pytest.approx(length, rel=1e-4, abs=0.01)
        # tmslab drops a point that repeats its predecessor; Import3d keeps it
        got = sum(len(p.points_m) for p in cell.pieces if p.kind == kind)
        assert n3d - 0.002 * n3d - 1 <= got <= n3d
    assert soma_area_m2(cell.soma_contour_m) / UM**2 == pytest.approx(totals["soma"][2], rel=0.05)
    for sec in list(holder):
        h.delete_section(sec=sec)
