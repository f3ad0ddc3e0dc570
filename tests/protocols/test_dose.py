"""Dose-unit conversions: %MSO, %MT, dI/dt, and the hooks to B-field and E-field."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.errors import InvalidValueError, TmslabError
from tmslab.protocols.dose import (
    Intensity,
    didt_to_efield,
    didt_to_pct_mso,
    didt_to_peak_b_field,
    efield_to_didt,
    pct_mso_to_didt,
    pct_mso_to_pct_mt,
    pct_mt_to_pct_mso,
    peak_b_field_to_didt,
)
from tmslab.protocols.stimulators import get_coil_didt
from tmslab.protocols.waveform import RLCCircuit
from tmslab.units import A_PER_US

MAGPRO_MCB70 = 155.33 * A_PER_US  # Drakaki et al. 2022, SimNIBS MagVenture_MC-B70.ccd header
pcts = st.floats(0.0, 100.0)
maxima = st.floats(1e6, 1e9)


def test_pct_mso_to_didt_is_linear_in_output():
    assert pct_mso_to_didt(100, MAGPRO_MCB70) == MAGPRO_MCB70
    assert pct_mso_to_didt(50, MAGPRO_MCB70) == pytest.approx(77.665 * A_PER_US, rel=1e-12)
    assert pct_mso_to_didt(0, MAGPRO_MCB70) == 0.0
    preset = get_coil_didt("magstim-rapid2", "D70").didt_max_a_per_s
    assert pct_mso_to_didt(60, preset) == pytest.approx(0.6 * 114.73e6, rel=1e-12)


@settings(max_examples=200)
@given(pcts, maxima)
def test_pct_mso_didt_round_trip(pct, didt_max):
    assert didt_to_pct_mso(pct_mso_to_didt(pct, didt_max), didt_max) == pytest.approx(
        pct, rel=1e-12, abs=1e-12
    )


def test_didt_beyond_full_output_is_rejected():
    with pytest.raises(InvalidValueError) as info:
        didt_to_pct_mso(200e6, MAGPRO_MCB70)
    message = str(info.value)
    assert "128.8 % MSO" in message and "1.5533e+08" in message and "\n" not in message


def test_pct_mt_conversions():
    assert pct_mt_to_pct_mso(120, 50) == pytest.approx(60.0)
    assert pct_mt_to_pct_mso(80, 45) == pytest.approx(36.0)
    assert pct_mso_to_pct_mt(60, 50) == pytest.approx(120.0)
    assert pct_mt_to_pct_mso(100, 100) == 100.0


@settings(max_examples=200)
@given(st.floats(1.0, 100.0), st.floats(1.0, 100.0))
def test_pct_mt_round_trip(mt, pct_mso):
    relative = pct_mso_to_pct_mt(pct_mso, mt)
    if relative / 100 * mt <= 100:
        assert pct_mt_to_pct_mso(relative, mt) == pytest.approx(pct_mso, rel=1e-12)


def test_pct_mt_above_full_output_names_the_values():
    with pytest.raises(InvalidValueError) as info:
        pct_mt_to_pct_mso(120, 90)
    message = str(info.value)
    assert "120 % MT" in message and "90 % MSO" in message and "108 % MSO" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: pct_mso_to_didt(101, MAGPRO_MCB70), "pct_mso"),
        (lambda: pct_mso_to_didt(-1, MAGPRO_MCB70), "pct_mso"),
        (lambda: pct_mso_to_didt(float("nan"), MAGPRO_MCB70), "pct_mso"),
        (lambda: pct_mso_to_didt("high", MAGPRO_MCB70), "pct_mso"),
        (lambda: pct_mso_to_didt(50, 0.0), "didt_max_a_per_s"),
        (lambda: didt_to_pct_mso(-1.0, MAGPRO_MCB70), "didt_a_per_s"),
        (lambda: pct_mt_to_pct_mso(120, 0), "mt_pct_mso"),
        (lambda: pct_mt_to_pct_mso(120, 110), "mt_pct_mso"),
        (lambda: pct_mt_to_pct_mso(-5, 50), "pct_mt"),
        (lambda: Intensity(150), "pct_mso"),
        (lambda: efield_to_didt(100.0, 0.0), "efield_per_didt"),
    ],
)
def test_bad_dose_input_raises(call, words):
    with pytest.raises(InvalidValueError) as info:
        call()
    assert words in str(info.value) and "\n" not in str(info.value)


def test_intensity_helper():
    dose = Intensity.from_pct_mt(110, 60)
    assert dose.pct_mso == pytest.approx(66.0)
    assert dose.pct_mt(60) == pytest.approx(110.0)
    assert dose.didt_a_per_s(MAGPRO_MCB70) == pytest.approx(0.66 * MAGPRO_MCB70)
    assert Intensity.from_didt(0.66 * MAGPRO_MCB70, MAGPRO_MCB70) == Intensity(66.0)


# -- hooks to the coil and field layers ----------------------------------------------------------


def test_b_field_conversion_needs_a_coil_model():
    with pytest.raises(TmslabError) as info:
        peak_b_field_to_didt(1.5)
    assert "needs a coil model" in str(info.value) and "tmslab.coils" in str(info.value)
    with pytest.raises(TmslabError, match="coil model"):
        didt_to_peak_b_field(1e8)
    with pytest.raises(InvalidValueError, match="waveform"):
        peak_b_field_to_didt(1.5, 2e-4)


def test_b_field_conversion_with_a_field_per_ampere():
    circuit = RLCCircuit(200e-6, 12e-6, 0.02)
    w = circuit.waveform("biphasic", 1500.0, dt_s=0.1e-6)
    k = 2.5e-4  # T/A at the reference point
    b_peak = k * w.peak_current_a
    assert peak_b_field_to_didt(b_peak, k, waveform=w) == pytest.approx(1500.0 / 12e-6, rel=1e-12)
    assert didt_to_peak_b_field(1500.0 / 12e-6, k, waveform=w) == pytest.approx(b_peak, rel=1e-12)
    # the ratio is a property of the pulse shape only: another voltage gives the same answer
    assert peak_b_field_to_didt(b_peak, k, waveform=w.scaled(0.3)) == pytest.approx(
        1500.0 / 12e-6, rel=1e-12
    )


def test_didt_to_efield_scales_the_field_per_unit_didt():
    per_didt = np.array([[1e-6, 0.0, 0.0], [0.0, 2e-6, -1e-6]])  # V/m per A/s at 2 points
    e = didt_to_efield(1e8, per_didt)
    assert e.shape == (2, 3)
    np.testing.assert_allclose(e, 1e8 * per_didt)
    w = RLCCircuit(200e-6, 12e-6, 0.02).waveform("biphasic", 1000.0)
    course = didt_to_efield(w.didt_a_per_s, per_didt)
    assert course.shape == (len(w.t_s), 2, 3)
    np.testing.assert_allclose(course[:, 1, 1], 2e-6 * w.didt_a_per_s)
    assert efield_to_didt(100.0, 1e-6) == pytest.approx(1e8)
