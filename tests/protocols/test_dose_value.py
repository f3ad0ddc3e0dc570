"""The dose module's typed value: resolve_dose in every unit, round trips, the tesla conversion
against the analytic field of a circular loop, the links, and the refusals."""

from __future__ import annotations

import ast
import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.coils.coil import Coil
from tmslab.efield.dose import chain_dose, peak_b_to_didt
from tmslab.errors import InvalidValueError, TmslabError
from tmslab.protocols.dose import (
    Dose,
    convert_intensity,
    didt_max_link,
    didt_to_pct_mso,
    pct_mso_of,
    resolve_dose,
    tesla_per_ampere,
)
from tmslab.protocols.stimulators import get_stimulator
from tmslab.units import A_PER_US

MAGPRO_MCB70 = 155.33 * A_PER_US  # Drakaki et al. 2022: MagPro X100 + MC-B70 at 100 % MSO
MU0 = 4e-7 * math.pi  # H/m; the kernels use mu0 / 4 pi = 1e-7 exactly
PULSE = get_stimulator("magstim-rapid2").waveform("biphasic")
SRC = Path(__file__).resolve().parents[2] / "src" / "tmslab"


def loop_coil(radius_m: float, n_vertices: int = 4000) -> Coil:
    """One circular turn of ``radius_m`` in the z = 0 plane, centred at the origin."""
    angle = np.linspace(0.0, 2 * np.pi, n_vertices, endpoint=False)
    ring = np.stack([radius_m * np.cos(angle), radius_m * np.sin(angle), 0 * angle], axis=1)
    winding = np.concatenate([ring, ring[:1]])
    return Coil(
        name="loop",
        dipole_positions=np.zeros((1, 3)),
        dipole_moments=np.array([[0.0, 0.0, np.pi * radius_m**2]]),
        windings=(winding,),
        reference_point=np.zeros(3),
    )


def loop_axis_b_per_a(radius_m: float, z_m: float) -> float:
    """|B| per ampere on the axis of a circular loop, T/A (Biot-Savart, closed form)."""
    return MU0 * radius_m**2 / (2 * (radius_m**2 + z_m**2) ** 1.5)


def test_pct_mt_resolves_through_every_link():
    dose = resolve_dose(pct_mt=120, mt_pct_mso=45, didt_max_a_per_s=MAGPRO_MCB70)
    assert dose.given == "pct_mt"
    assert dose.pct_mso == pytest.approx(54.0, rel=1e-12)
    assert dose.didt_a_per_s == pytest.approx(0.54 * MAGPRO_MCB70, rel=1e-12)
    assert dose.peak_b_t is None  # no coil model given
    assert dose.origins["pct_mt"] == "given"
    assert {"pct_mso", "didt_a_per_s"} <= set(dose.origins)


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"pct_mso": 60}, {"pct_mso": 60, "pct_mt": None, "didt_a_per_s": None}),
        ({"pct_mt": 110}, {"pct_mso": None, "pct_mt": 110, "didt_a_per_s": None}),
        ({"didt_a_per_s": 5e7}, {"pct_mso": None, "pct_mt": None, "didt_a_per_s": 5e7}),
        ({"peak_b_t": 1.2}, {"pct_mso": None, "pct_mt": None, "didt_a_per_s": None}),
    ],
)
def test_without_links_only_the_given_unit_is_known(kwargs, expected):
    dose = resolve_dose(**kwargs)
    assert dose.intensity == expected
    assert dose.given == next(iter(kwargs))


@settings(max_examples=100, deadline=None)
@given(st.floats(0.5, 100.0), st.floats(10.0, 100.0), st.floats(1e7, 3e8))
def test_every_unit_round_trips(pct_mso, mt, didt_max):
    links = {"mt_pct_mso": mt, "didt_max_a_per_s": didt_max}
    dose = resolve_dose(pct_mso=pct_mso, **links)
    from_didt = resolve_dose(didt_a_per_s=dose.didt_a_per_s, **links)
    assert from_didt.pct_mso == pytest.approx(pct_mso, rel=1e-12)
    assert from_didt.pct_mt == pytest.approx(dose.pct_mt, rel=1e-12)
    if dose.pct_mt <= 100.0 * 100.0 / mt:  # always: pct_mso <= 100
        from_mt = resolve_dose(pct_mt=dose.pct_mt, **links)
        assert from_mt.pct_mso == pytest.approx(pct_mso, rel=1e-12)
        assert from_mt.didt_a_per_s == pytest.approx(dose.didt_a_per_s, rel=1e-12)


def test_tesla_per_ampere_is_the_analytic_loop_field():
    radius = 0.02
    coil = loop_coil(radius)
    assert tesla_per_ampere(coil) == pytest.approx(MU0 / (2 * radius), rel=1e-5)
    for z in (0.005, 0.01, 0.03):
        assert tesla_per_ampere(coil, np.array([0.0, 0.0, z])) == pytest.approx(
            loop_axis_b_per_a(radius, z), rel=1e-5
        )


@pytest.mark.parametrize("b_at, z", [("coil", 0.0), ("brain-surface", 0.012)])
def test_tesla_to_didt_through_the_loop_and_back(b_at, z):
    radius, tesla = 0.02, 0.8
    coil = loop_coil(radius)
    point = None if b_at == "coil" else np.array([0.0, 0.0, z])
    k = tesla_per_ampere(coil, point)
    dose = resolve_dose(peak_b_t=tesla, b_at=b_at, tesla_per_a=k, waveform=PULSE)
    # I_peak = B / k from the closed form; dI/dt(0) = I_peak / (I_peak / dI/dt(0)).
    current = tesla / loop_axis_b_per_a(radius, z)
    assert dose.peak_current_a == pytest.approx(current, rel=1e-5)
    assert dose.didt_a_per_s == pytest.approx(current / PULSE.current_per_didt_s, rel=1e-5)
    assert dose.b_at == b_at and dose.given == "peak_b_t" and dose.waveform is PULSE
    back = resolve_dose(didt_a_per_s=dose.didt_a_per_s, tesla_per_a=k, waveform=PULSE, b_at=b_at)
    assert back.peak_b_t == pytest.approx(tesla, rel=1e-12)


def test_tesla_reaches_pct_mso_with_the_measured_maximum():
    k = tesla_per_ampere(loop_coil(0.02))
    didt = peak_b_to_didt(0.5, k, PULSE.current_per_didt_s)
    dose = resolve_dose(peak_b_t=0.5, tesla_per_a=k, waveform=PULSE, didt_max_a_per_s=4 * didt)
    assert dose.pct_mso == pytest.approx(25.0, rel=1e-12)
    with pytest.raises(InvalidValueError, match="at most"):
        resolve_dose(peak_b_t=0.5, tesla_per_a=k, waveform=PULSE, didt_max_a_per_s=0.5 * didt)


def test_the_chain_and_the_dose_agree_bit_for_bit():
    """The scenario's field stage and the evidence estimate divide B by k then by the pulse's
    ratio: the one primitive keeps that order, so results do not move by a rounding."""
    k, tesla = 2.3e-4, 1.26
    seconds = PULSE.current_per_didt_s
    dose = resolve_dose(peak_b_t=tesla, tesla_per_a=k, waveform=PULSE)
    assert dose.didt_a_per_s == tesla / k / seconds
    chained = chain_dose(
        "tesla", tesla, tesla_per_a=k, current_per_didt_s=seconds, efield_per_didt=1e-7
    )
    assert chained.didt_a_per_s == dose.didt_a_per_s


def test_current_per_didt_does_not_depend_on_the_amplitude():
    assert PULSE.scaled(0.3).current_per_didt_s == pytest.approx(
        PULSE.current_per_didt_s, rel=1e-12
    )
    assert PULSE.current_per_didt_s == PULSE.peak_current_a / abs(float(PULSE.didt_a_per_s[0]))


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({}, "exactly one intensity"),
        ({"pct_mso": 50, "pct_mt": 100}, "exactly one intensity"),
        ({"pct_mso": -5}, "pct_mso"),
        ({"pct_mt": math.nan}, "pct_mt"),
        ({"didt_a_per_s": math.inf}, "didt_a_per_s"),
        ({"peak_b_t": 0.0}, "peak_b_t"),
        ({"pct_mso": 120}, "[0, 100]"),
        ({"pct_mt": 120, "mt_pct_mso": 90}, "above the stimulator's maximum"),
        ({"didt_a_per_s": 2 * MAGPRO_MCB70, "didt_max_a_per_s": MAGPRO_MCB70}, "at most"),
        ({"peak_b_t": 1.0, "tesla_per_a": 1e-4}, "pulse shape"),
        ({"peak_b_t": 1.0, "b_at": "scalp"}, "b_at"),
        ({"pct_mt": 100, "mt_pct_mso": 0}, "mt_pct_mso"),
    ],
)
def test_bad_intensities_are_refused_in_one_line(kwargs, fragment):
    with pytest.raises(TmslabError) as info:
        resolve_dose(**kwargs)
    message = str(info.value)
    assert fragment in message and "\n" not in message


def test_no_intensity_is_allowed_when_not_required():
    dose = resolve_dose(mt_pct_mso=50, didt_max_a_per_s=MAGPRO_MCB70, require=False)
    assert dose.given is None and dose.intensity == dict.fromkeys(dose.intensity)
    assert dose.mt_pct_mso == 50 and dose.didt_max_a_per_s == MAGPRO_MCB70


def test_dose_is_frozen_and_json_able():
    dose = resolve_dose(pct_mso=40, didt_max_a_per_s=MAGPRO_MCB70, waveform=PULSE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        dose.pct_mso = 50  # type: ignore[misc]
    record = json.loads(json.dumps(dose.to_dict()))
    assert record["pct_mso"] == 40 and record["waveform"] == PULSE.name
    assert isinstance(dose, Dose)


def test_convert_intensity_is_resolve_dose_as_a_dict():
    kwargs = {"pct_mt": 110, "mt_pct_mso": 50, "didt_max_a_per_s": MAGPRO_MCB70}
    assert convert_intensity(**kwargs) == resolve_dose(**kwargs).intensity


def test_pct_mso_of_reports_beyond_the_maximum_where_the_setting_is_refused():
    assert pct_mso_of(2 * MAGPRO_MCB70, MAGPRO_MCB70) == pytest.approx(200.0)
    with pytest.raises(InvalidValueError):
        didt_to_pct_mso(2 * MAGPRO_MCB70, MAGPRO_MCB70)


def test_didt_max_link():
    didt_max, source = didt_max_link("magventure-magpro-x100", "MC-B70")
    assert didt_max == pytest.approx(MAGPRO_MCB70) and "Drakaki" in source
    assert didt_max_link() == (None, None)
    with pytest.raises(InvalidValueError, match="go together"):
        didt_max_link("magstim-rapid2")
    with pytest.raises(TmslabError, match="unknown stimulator"):
        didt_max_link("magstim-9000", "D70")


def test_efield_knows_no_waveform_or_stimulator():
    """efield (translate and the plain-number chain included) imports nothing from protocols."""
    offenders = []
    for path in sorted((SRC / "efield").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("tmslab.protocols")]
    assert offenders == []


@pytest.mark.parametrize(
    "stimulator, subject, expected",
    [
        (
            {"device": "magventure-magpro-x100", "intensity_pct_mt": 120},
            {"motor_threshold_pct_mso": 45},
            {"given": "pct_mt", "pct_mso": 54.0, "didt_a_per_s": 0.54 * MAGPRO_MCB70},
        ),
        (
            {
                "device": "magventure-magpro-x100",
                "intensity_t": 1.2,
                "intensity_t_at": "brain-surface",
            },
            {},
            {"given": "peak_b_t", "peak_b_t": 1.2, "b_at": "brain-surface", "didt_a_per_s": None},
        ),
        ({}, {}, {"given": None, "didt_a_per_s": None, "waveform": None}),
    ],
)
def test_the_stimulator_stage_hands_on_the_typed_dose(stimulator, subject, expected):
    """Later stages read the resolved Dose (with the device's pulse), not a dictionary."""
    from tmslab.scenario import scenario_from_mapping
    from tmslab.stages.protocol import stimulator_stage

    scenario = scenario_from_mapping(
        {
            "protocol": {"preset": "single"},
            "stimulator": stimulator,
            "subject": subject,
            "coil": {"name": "MC-B70"},
        }
    )
    section = stimulator_stage(scenario, {})
    dose = section.value
    assert isinstance(dose, Dose)
    for key, value in expected.items():
        assert getattr(dose, key) == (pytest.approx(value) if isinstance(value, float) else value)
    if stimulator.get("device"):
        assert dose.waveform is not None and dose.didt_max_a_per_s == pytest.approx(MAGPRO_MCB70)
    assert section.data["intensity"] == {**dose.intensity, "peak_b_t": dose.peak_b_t}
