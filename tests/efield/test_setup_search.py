"""The cross-species set-up search (issue 18): scale invariance, monotonicity, ranking, refusals.

Validation: the field of a coil outside a sphere is scale invariant (Heller & van Hulsteyn 1992;
Deng, Lisanby & Peterchev 2013), so the human coil scaled by the rodent/human brain-radius ratio,
at the scaled distance, must reproduce the human relative d_1/2 and S_1/2 and rank first.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from tmslab.coils.builders import figure8_coil, round_coil
from tmslab.conductors.sphere import SphereHead, get_head
from tmslab.efield import setup_search as ss
from tmslab.efield.kernels import sphere_efield
from tmslab.efield.translate import Setup
from tmslab.errors import InvalidValueError, TmslabError
from tmslab.units import MM

HUMAN = get_head("human")
RAT = get_head("rat")
MOUSE = get_head("mouse")


def _human_coil():
    # The Magstim 70 mm figure-8's windings with a coarse quadrature: the test is about scale
    # invariance, which holds for any coil, and this keeps it to seconds.
    return figure8_coil(
        56 * MM, 87 * MM, 9, wing_separation_m=88 * MM, face_gap_m=3 * MM,
        n_radial=2, n_angular=16, name="human-fig8",
    )  # fmt: skip


@pytest.fixture(scope="module")
def human():
    coil = _human_coil()
    reference = ss.reference_from_setup(Setup(HUMAN, coil, "dlpfc"), 100e6, "human 10 Hz")
    return coil, reference


def _parametric(kind, outer_mm, turns=6):
    build = round_coil if kind == "round" else figure8_coil
    name = f"{kind} {outer_mm:g} mm"
    coil = build(outer_mm * MM / 2, outer_mm * MM, turns, face_gap_m=0.5 * MM, n_radial=2,
                 n_angular=16, name=name)  # fmt: skip
    return ss.CandidateCoil(name, kind, coil, outer_mm * MM, turns)


def _search(reference, head, placements, refine=2, target="cortex"):
    return ss.search_setups(reference, head, target, placements, refine=refine)


def _scaled(coil, reference, head):
    k = head.brain_radius_m / reference.brain_radius_m
    return ss.CandidateCoil("scaled", "scaled", ss.scaled_coil(coil, k))


def test_scaled_coil_keeps_e_per_didt_at_corresponding_points():
    # Scaling about the sphere's centre (the head frame's origin): placed coil and points alike.
    placed = Setup(HUMAN, _human_coil(), 0.0).placed_coil()
    k = 0.1
    small = ss.scaled_coil(placed, k)
    points = np.array([[0.0, 0.0, 0.069], [0.01, -0.02, 0.06], [0.0, 0.03, 0.03]])
    big = sphere_efield(points, placed.dipole_positions, placed.dipole_moments)
    tiny = sphere_efield(k * points, small.dipole_positions, small.dipole_moments)
    np.testing.assert_allclose(tiny, big, rtol=1e-9, atol=1e-9 * np.abs(big).max())


def test_scaled_human_coil_reproduces_the_human_relative_field_on_the_mouse(human):
    coil, reference = human
    distance = ss.scaled_distance(reference, MOUSE)
    assert distance > 0  # the mouse's 0.9 mm of tissue is thinner than 15 mm scaled (1.03 mm)
    scaled = _scaled(coil, reference, MOUSE)
    placements = [
        ss.Placement(scaled, distance),
        ss.Placement(scaled, 0.0),
        ss.Placement(_parametric("figure-8", 5), 0.0),
        ss.Placement(_parametric("round", 8), 0.0),
    ]
    result = _search(reference, MOUSE, placements)
    best = result.best
    rel_d, rel_s, rel_v = reference.relative
    assert best.name == "scaled" and best.distance_m == pytest.approx(distance)
    assert best.full_resolution
    assert best.relative_d_half == pytest.approx(rel_d, rel=1e-3)
    assert best.relative_s_half == pytest.approx(rel_s, rel=1e-3)
    assert best.relative_v_half == pytest.approx(rel_v, rel=1e-3)
    assert best.score < 1e-5
    # |E| per unit dI/dt is scale invariant too: the same dI/dt reaches the same |E| at the
    # corresponding (scaled-depth) target; here the target is the cortex of both.
    assert best.metrics.emax * 100e6 == pytest.approx(reference.emax_v_per_m, rel=1e-3)


def test_scaled_human_coil_ranks_first_on_a_rat_brain_with_scaled_scalp(human):
    coil, reference = human
    k = RAT.brain_radius_m / HUMAN.brain_radius_m
    head = SphereHead("rat-scaled-scalp", HUMAN.scalp_radius_m * k, RAT.brain_radius_m, "rat")
    assert ss.scaled_distance(reference, head) == pytest.approx(0.0, abs=1e-12)
    placements = [
        ss.Placement(_parametric("figure-8", 7), 0.0),
        ss.Placement(_parametric("figure-8", 10), 0.0),
        ss.Placement(_scaled(coil, reference, head), 0.0),
        ss.Placement(_parametric("round", 10), 0.0),
    ]
    result = _search(reference, head, placements, target=0.0)
    assert result.best.name == "scaled"
    assert result.best.relative_d_half == pytest.approx(reference.relative[0], rel=1e-3)
    assert result.best.relative_s_half == pytest.approx(reference.relative[1], rel=1e-3)
    assert not any("cannot be built" in line for line in result.unmatched)


def test_the_real_rat_says_the_scaled_setup_cannot_be_built(human):
    _, reference = human
    assert ss.scaled_distance(reference, RAT) < 0  # 2.5 mm of tissue against 15 mm x 0.111
    result = _search(reference, RAT, [ss.Placement(_parametric("figure-8", 10), 0.0)], 0)
    assert any("cannot be built on the rat" in line for line in result.unmatched)
    assert any("The best set-up" in line for line in result.unmatched)


def test_a_bigger_round_coil_reaches_relatively_deeper(human):
    _, reference = human
    sizes = (5, 10, 20, 40)
    placements = [ss.Placement(_parametric("round", d), 0.0) for d in sizes]
    result = _search(reference, RAT, placements, refine=0)
    depth = {c.outer_diameter_m: c.relative_d_half for c in result.candidates}
    ordered = [depth[d * MM] for d in sizes]
    assert all(a < b for a, b in itertools.pairwise(ordered)), ordered
    assert all(c.relative_s_half > 0 for c in result.candidates)


def test_setups_beyond_the_device_maximum_rank_last(human):
    _, reference = human
    good = _parametric("figure-8", 7)
    out_of_reach = ss.CandidateCoil(
        "limited", "preset", good.coil, didt_max_a_per_s=1.0, didt_max_source="test"
    )
    placements = [
        ss.Placement(out_of_reach, 0.0),
        ss.Placement(_parametric("round", 40), 0.0),
    ]
    result = _search(reference, RAT, placements, refine=0)
    assert [c.name for c in result.candidates] == ["round 40 mm", "limited"]
    assert result.candidates[1].reachable is False
    assert result.candidates[1].score < result.candidates[0].score
    assert result.candidates[0].reachable is None
    assert any("ranked last" in line for line in result.unmatched)
    record = result.to_dict(top=1)
    assert record["n_candidates"] == 2 and len(record["candidates"]) == 1
    assert record["reference"]["relative_d_half"] == pytest.approx(reference.relative[0])


def test_required_didt_matches_the_reference_field(human):
    _, reference = human
    placements = [ss.Placement(_parametric("figure-8", 10), 1 * MM)]
    result = _search(reference, RAT, placements, 0, target="hippocampus-ca1")
    c = result.best
    assert result.target_depth_m == pytest.approx(2.5 * MM)
    assert c.required_didt_a_per_s * c.efield_per_didt == pytest.approx(
        reference.target_efield_v_per_m
    )
    assert c.matched_emax_v_per_m > 1.5 * reference.target_efield_v_per_m  # 2.5 mm deep


def test_score():
    assert ss.match_score(0.2, 0.02, 0.2, 0.02) == 0
    assert ss.match_score(0.4, 0.02, 0.2, 0.02) == pytest.approx(math.log(2) ** 2)
    assert ss.match_score(0.1, 0.02, 0.2, 0.02) == pytest.approx(math.log(2) ** 2)
    assert ss.match_score(0.0, 0.02, 0.2, 0.02) == math.inf
    assert ss.match_score(0.2, float("nan"), 0.2, 0.02) == math.inf


def test_default_grid_candidates():
    coils = ss.candidate_coils(ss.SearchGrid(outer_diameters_m=(10 * MM,), presets=()))
    assert [c.family for c in coils] == ["round", "figure-8"]
    coils = ss.candidate_coils(ss.SearchGrid(outer_diameters_m=(), kinds=()))
    names = [c.name for c in coils]
    assert any("(= round-7cm)" in n for n in names)  # one geometry tried once
    assert "round-7cm" not in names
    wide = ss.grid_placements(coils, ss.DEFAULT_GRID, RAT.brain_radius_m)
    per_coil = {}
    for p in wide:
        per_coil.setdefault(p.coil.name, []).append(p.distance_m)
    assert per_coil["rodent-round-25-50mm"] == [0.0]  # wider than the rat's head: nearest only
    assert per_coil["mouse-8mm"] == list(ss.DEFAULT_GRID.distances_m)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"distances_m": (-1 * MM,)},
        {"distances_m": ()},
        {"distances_m": (1.0,)},
        {"turns": (0,)},
        {"outer_diameters_m": (0.0,)},
        {"kinds": ("triangle",)},
        {"inner_fraction": 1.0},
        {"refine": -1},
        {"outer_diameters_m": tuple(i * MM for i in range(1, 200)), "turns": (1, 2, 3, 4)},
    ],
)
def test_bad_grids_are_refused(kwargs):
    with pytest.raises(InvalidValueError):
        ss.SearchGrid(**kwargs)


def test_refusals(human, monkeypatch):
    _, reference = human
    import tmslab.efield.setup_search as module

    def tripwire(*args, **kwargs):
        raise AssertionError("field metrics computed for a refused search")

    monkeypatch.setattr(module, "field_metrics", tripwire)
    with pytest.raises(InvalidValueError, match="no candidate"):
        ss.search_setups(reference, RAT, "cortex", [])
    with pytest.raises(TmslabError, match="unknown target"):
        ss.search_setups(
            reference, RAT, "amygdala-nowhere", [ss.Placement(_parametric("round", 5), 0)]
        )
    with pytest.raises(InvalidValueError):
        ss.search_setups(reference, RAT, 0.02, [ss.Placement(_parametric("round", 5), 0)])
    with pytest.raises(InvalidValueError):
        ss.FieldReference("x", 0.07, 0.085, 0.0, "cortex", 0.0, 0.0, 1.0, 0.01, 1e-3, 1e-5)
