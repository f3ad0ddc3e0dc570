"""Doses of the rodent set-up search: % MSO only where a stimulator+coil pair is known."""

from __future__ import annotations

import pytest

from tmslab.coils import get_coil
from tmslab.coils.builders import figure8_coil
from tmslab.conductors.sphere import get_head
from tmslab.efield import setup_search as ss
from tmslab.efield.translate import Setup
from tmslab.errors import InvalidValueError
from tmslab.protocols import setup_search as ps
from tmslab.protocols.stimulators import get_stimulator
from tmslab.units import A_PER_US, MM

HUMAN = get_head("human")
RAT = get_head("rat")
MAGPRO = get_stimulator("magventure-magpro-x100")


@pytest.fixture(scope="module")
def reference():
    coil = figure8_coil(
        56 * MM, 87 * MM, 9, wing_separation_m=88 * MM, face_gap_m=3 * MM,
        n_radial=2, n_angular=16, name="human-fig8",
    )  # fmt: skip
    return coil, ss.reference_from_setup(Setup(HUMAN, coil, "dlpfc"), 80 * A_PER_US, "human")


SMALL = ss.SearchGrid(
    outer_diameters_m=(7 * MM, 20 * MM),
    turns=(4,),
    distances_m=(0.0, 2 * MM),
    presets=("mouse-8mm",),
    refine=1,
)


def test_pair_didt():
    didt, source = ps.pair_didt(MAGPRO, "MC-B70")
    assert didt == pytest.approx(155.33 * A_PER_US)
    assert "Drakaki" in source
    assert ps.pair_didt(MAGPRO, "rodent-round-25-50mm") is None


def test_search_with_doses(reference):
    coil, ref = reference
    calls = []
    pair = (100 * A_PER_US, "a pair for the test")
    result = ps.search_with_doses(
        ref,
        RAT,
        "motor-cortex",
        stimulator=MAGPRO,
        shape="biphasic",
        reference_coil=coil,
        known_pairs={"mouse-8mm": pair},
        grid=SMALL,
        progress=lambda done, total, label: calls.append((done, total)),
    )
    n = len(result.search.candidates)
    # mouse-8mm and two parametric kinds x two sizes at 2 distances, the 20 mm figure-8 (40 mm
    # wide) at the nearest only, the scaled human coil at 2 distances
    assert n == 2 + 2 + 2 + 2 + 1 + 2
    assert calls[-1] == (n + 1, n + 1)
    assert len(result.doses) == n
    for dose in result.doses:
        c = dose.candidate
        assert dose.dose.didt_a_per_s == pytest.approx(c.required_didt_a_per_s)
        assert dose.dose.efield_v_per_m == pytest.approx(ref.target_efield_v_per_m)
        assert dose.dose.peak_current_a > 0 and dose.dose.peak_b_t > 0
        if c.coil.name == "mouse-8mm":
            assert dose.pct_mso == pytest.approx(100 * c.required_didt_a_per_s / pair[0])
            assert dose.exceeds_maximum == (dose.pct_mso > 100)
            assert dose.didt_max_source == pair[1]
        else:  # no pairing and no inductance model: no % MSO, never a guess
            assert dose.pct_mso is None and dose.exceeds_maximum is None
            assert "not available" in dose.note
    # out-of-reach set-ups come last
    flags = [d.exceeds_maximum is True for d in result.doses]
    assert flags == sorted(flags)
    record = result.to_dict(top=3)
    assert len(record["candidates"]) == 3 and record["n_candidates"] == n
    assert record["candidates"][0]["rank"] == 1
    assert {"pct_mso", "peak_current_a", "required_didt_a_per_s"} <= set(record["candidates"][0])
    assert any("not available" in note for note in record["notes"])
    title, columns, rows = result.table(top=4)
    assert "rat" in title and len(rows) == 5 and rows[-1][0] == "ref"
    assert all(len(row) == len(columns) for row in rows)


def test_candidate_dose_beyond_the_maximum(reference):
    _, ref = reference
    good = ss.CandidateCoil(
        "rodent-round-25-50mm",
        "preset",
        get_coil("rodent-round-25-50mm"),
        didt_max_a_per_s=1 * A_PER_US,
        didt_max_source="tiny",
    )
    result = ss.search_setups(ref, RAT, "cortex", [ss.Placement(good, 0.0)], refine=0)
    dose = ps.candidate_dose(result.best, 1e-4, "tiny")
    assert dose.exceeds_maximum is True and dose.pct_mso > 100
    assert dose.to_dict()["pct_mso"] == dose.pct_mso


def test_a_shape_the_device_lacks_is_refused(reference):
    _, ref = reference
    with pytest.raises(InvalidValueError, match="monophasic"):
        ps.search_with_doses(
            ref, RAT, "cortex", stimulator=get_stimulator("magstim-rapid2"), shape="monophasic",
            grid=SMALL,
        )  # fmt: skip
