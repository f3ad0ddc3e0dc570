"""E-field estimates for reviewed rodent studies (tmslab.evidence.field_estimate).

The estimate must be the field layer's own answer for the same coil, head and pulse: for the
rat 25/50 mm coil at 1.26 T it equals the rat example scenario's E_max (the scenario converts
the same tesla through the same coil model), and it is linear in the reported field.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.evidence import load_evidence
from tmslab.evidence.field_estimate import estimate_study_field, study_diameters

RAT = {
    "species": "rat",
    "intensity_unit": "T",
    "intensity_value": 1.26,
    "coil_inner_diameter_m": 0.025,
    "coil_outer_diameter_m": 0.05,
}


@pytest.mark.slow
def test_rat_estimate_is_the_scenario_field(example_run):
    sections = json.loads((example_run("rat-15hz-7d.toml") / "results.json").read_text())
    emax = sections["sections"]["field"]["metrics"]["emax"]
    estimate = estimate_study_field(RAT)
    assert estimate["coil"] == "rodent-round-25-50mm"
    assert estimate["emax_v_per_m"] == pytest.approx(emax, rel=1e-6)
    tian = load_evidence().query("id == 'tian2020'").iloc[0].to_dict()
    assert estimate_study_field(tian)["emax_v_per_m"] == pytest.approx(emax, rel=1e-6)


@settings(max_examples=20, deadline=None)
@given(st.floats(0.01, 2.0))
def test_estimate_is_linear_in_the_reported_field(tesla):
    base = estimate_study_field(RAT)["emax_v_per_m"] / 1.26
    in_mt = {**RAT, "intensity_unit": "mT", "intensity_value": tesla * 1e3}
    assert estimate_study_field(in_mt)["emax_v_per_m"] == pytest.approx(base * tesla, rel=1e-9)


@pytest.mark.parametrize(
    "change",
    [
        {"species": "human"},
        {"intensity_unit": "%MT"},
        {"intensity_value": float("nan")},
        {"coil_inner_diameter_m": None, "coil_outer_diameter_m": None},
    ],
)
def test_no_estimate_without_what_it_needs(change):
    assert estimate_study_field({**RAT, **change}) is None


def test_a_single_diameter_is_the_outer_one():
    assert study_diameters({"coil_diameter_m": 0.008}) == pytest.approx((0.002, 0.008))
    estimate = estimate_study_field(
        {
            "species": "mouse",
            "intensity_unit": "T",
            "intensity_value": 1.0,
            "coil_diameter_m": 0.008,
        }
    )
    assert estimate["coil"] == "mouse-8mm"
