"""SWC files (Cannon et al. 1998, J Neurosci Methods 84:49, doi 10.1016/S0165-0270(98)00091-0):
parsing, branch building, NEURON's one-point-soma rule, and one-line errors for malformed files."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.errors import SpecFileError
from tmslab.neuron.models import model_from_swc
from tmslab.neuron.swc import parse_swc, read_swc, swc_branches

BALL_AND_STICK = """# soma, a dendrite up and an axon down (um)
1 1 0 0 0 10 -1
2 3 0 12 0 1 1
3 3 0 200 0 1 2
4 3 40 400 0 0.8 3
5 3 -40 400 0 0.8 3
6 2 0 -12 0 0.6 1
7 2 0 -600 0 0.6 6
"""


def write(tmp_path, text, name="cell.swc"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_ball_and_stick_branches(tmp_path):
    branches = read_swc(write(tmp_path, BALL_AND_STICK))
    kinds = [b.kind for b in branches]
    assert kinds == [1, 3, 2, 3, 3]  # soma, dendrite trunk, axon, two dendrite tips
    soma = branches[0]
    # NEURON's one-point soma: a cylinder 2r long and 2r wide, area 4 pi r^2
    length = np.linalg.norm(soma.points_m[1] - soma.points_m[0])
    assert length == pytest.approx(20e-6) and soma.diameters_m[0] == pytest.approx(20e-6)
    assert branches[1].parent == 0 and branches[1].parent_x == 0.5
    assert branches[3].parent == 1 and branches[3].parent_x == 1.0
    # the dendrite starts at the soma centre (its parent point) and keeps its own diameter
    assert branches[1].points_m[0] == pytest.approx([0, 0, 0])
    assert branches[1].diameters_m[0] == pytest.approx(2e-6)


def test_swc_model_lengths_and_membranes(tmp_path):
    model = model_from_swc(write(tmp_path, BALL_AND_STICK))
    labels = [b.label for b in model.morphology.branches]
    assert labels == ["soma", "dend", "axon", "dend", "dend"]
    axon = model.morphology.branches[2]
    assert axon.length_m == pytest.approx(600e-6) and axon.membrane.name == "axon-unmyelinated"
    assert model.morphology.branches[1].membrane.channels == "passive"
    assert model_from_swc(write(tmp_path, BALL_AND_STICK), membrane="hh").celsius == 6.3


@st.composite
def random_tree(draw):
    n = draw(st.integers(2, 25))
    parents = [-1] + [draw(st.integers(1, k)) for k in range(1, n)]
    steps = draw(
        st.lists(
            st.tuples(st.floats(-50, 50), st.floats(-50, 50), st.floats(5, 50)),
            min_size=n,
            max_size=n,
        )
    )
    return parents, steps


@settings(max_examples=40, deadline=None)
@given(random_tree())
def test_random_trees_keep_every_edge(tree):
    """Joining SWC points into branches keeps every parent-child edge: the total branch length is
    the sum of the edge lengths (no soma: type 3 only)."""
    parents, steps = tree
    positions = {}
    lines = []
    for k, (parent, step) in enumerate(zip(parents, steps, strict=True), start=1):
        base = positions[parent] if parent > 0 else np.zeros(3)
        positions[k] = base + np.array(step) if parent > 0 else np.zeros(3)
        x, y, z = positions[k]
        lines.append(f"{k} 3 {x} {y} {z} 1.0 {parent}")
    edges = sum(
        np.linalg.norm(positions[k] - positions[p]) for k, p in enumerate(parents, 1) if p > 0
    )
    branches = swc_branches(parse_swc("\n".join(lines)))
    total = sum(np.sum(np.linalg.norm(np.diff(b.points_m, axis=0), axis=1)) for b in branches)
    assert total == pytest.approx(edges * 1e-6, rel=1e-9)
    assert branches[0].parent == -1
    assert all(0 <= b.parent < i for i, b in enumerate(branches) if i > 0)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "no points"),
        ("1 1 0 0 0 5\n", "line 1: 6 fields"),
        ("1 1 0 0 zero 5 -1\n", "line 1"),
        ("1 1 0 0 0 5 -1\n1 3 0 10 0 1 1\n", "appears twice"),
        ("1 1 0 0 0 5 -1\n2 3 0 10 0 1 7\n", "not in the file"),
        ("1 1 0 0 0 5 -1\n2 3 0 10 0 1 -1\n", "2 root points"),
        ("1 1 0 0 0 5 -1\n2 3 0 10 0 1 3\n3 3 0 20 0 1 2\n", "loop"),
        ("1 1 0 0 0 5 -1\n2 3 0 10 0 0 1\n", "radius 0"),
        ("1 1 0 0 0 5 -1\n2 3 0 10 0 nan 1\n", "non-finite"),
    ],
)
def test_malformed_swc_gives_one_line(tmp_path, text, fragment):
    with pytest.raises(SpecFileError) as info:
        read_swc(write(tmp_path, text))
    message = str(info.value)
    assert fragment in message and "\n" not in message


def test_missing_swc_file(tmp_path):
    with pytest.raises(SpecFileError, match="not found"):
        read_swc(tmp_path / "absent.swc")
