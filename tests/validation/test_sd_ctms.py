"""Strength-duration time constant by the method of the human measurements (issue 17).

The human values come from controllable-pulse TMS (cTMS) at positive-phase widths of 30, 60 and
120 us with a negative phase of M = 0.2, fitted with a first-order (RC) filter applied to the
actual E-field waveform (threshold ~ 1 / max_t of the filtered waveform):
* Peterchev AV et al. (2013), Clin Neurophysiol 124:1364, doi 10.1016/j.clinph.2013.01.011:
  196 +/- 33 us.
* D'Ostilio K et al. (2016), Clin Neurophysiol 127:675, doi 10.1016/j.clinph.2015.05.017:
  230.9 +/- 97.2 us with posterior-anterior current.
The pulses are :func:`tmslab.neuron.drive.ctms_drive`, the fit :func:`tmslab.neuron.sd_curve.
fit_filter`; rectangular pulses with Lapicque's law (the default of ``strength_duration``) give
shorter time constants for the same cells (numbers in the tests below).
"""

from __future__ import annotations

import numpy as np
import pytest

from tmslab.errors import InvalidValueError
from tmslab.neuron.drive import CTMS_M_RATIO, ctms_drive, get_drive
from tmslab.neuron.sd_curve import (
    filtered_peak,
    fit_filter,
    fit_lapicque,
    lapicque,
    pulse_drive,
    strength_duration,
)

WIDTHS_S = (30e-6, 60e-6, 120e-6)
PETERCHEV = (196.0 - 33.0, 196.0 + 33.0)  # us, mean +/- SD
DOSTILIO_PA = (230.9 - 97.2, 230.9 + 97.2)  # us, mean +/- SD


# --- the cTMS pulse -------------------------------------------------------------------------
@pytest.mark.parametrize("width_s", WIDTHS_S)
@pytest.mark.parametrize("dt_s", [1e-6, 2.5e-6])
def test_ctms_pulse_is_charge_balanced_with_width_w_and_ratio_m(width_s, dt_s):
    drive = ctms_drive(width_s, CTMS_M_RATIO, dt_s)
    e = drive.e
    steps = round(width_s / dt_s)
    positive_area = np.sum(e[e > 0]) * dt_s
    assert abs(np.sum(e) * dt_s) < 1e-9 * positive_area  # charge balance: coil current back to 0
    assert np.all(e[:steps] > 0) and np.all(e[steps:] < 0)  # positive phase exactly W long
    assert e[0] == pytest.approx(1.0, abs=0.05)  # max |e| = 1 at the start of the pulse
    # The negative phase is C2's voltage (M at the start, raised by the charge C2 takes back) plus
    # the resistive drop; at its end (zero current) only C2's voltage: 0.23, 0.27, 0.34 for 30,
    # 60, 120 us. (The last sample is a partial step.)
    assert -1.75 * CTMS_M_RATIO < e[-2] < -CTMS_M_RATIO
    assert np.all(-e[steps:-1] > CTMS_M_RATIO) and np.max(np.abs(e[steps:])) < 1.0
    # ... so it lasts less than (positive area) / M, the time at a constant M.
    negative_s = (len(e) - steps) * dt_s
    assert 0.3 * positive_area / CTMS_M_RATIO < negative_s < positive_area / CTMS_M_RATIO


def test_ctms_positive_phase_droops_like_the_device():
    """About 15 % over 30 us and 70 % over 120 us (module comment of tmslab.neuron.drive)."""
    e30 = ctms_drive(30e-6, dt_s=1e-6).e
    e120 = ctms_drive(120e-6, dt_s=1e-6).e
    assert e30[29] == pytest.approx(0.85, abs=0.03)
    assert e120[119] == pytest.approx(0.32, abs=0.05)


def test_get_drive_parses_ctms_specs():
    assert get_drive("ctms:60us").name == "ctms:60us:M0.2"
    assert get_drive("cTMS-30us").name == "ctms:30us:M0.2"
    drive = get_drive("ctms:60us:M0.4", 1e-6)
    assert drive.name == "ctms:60us:M0.4"
    assert -0.6 < drive.e[-2] < -0.4
    with pytest.raises(InvalidValueError, match="ctms:WIDTHus"):
        get_drive("ctms:60")
    with pytest.raises(InvalidValueError, match="M ratio"):
        get_drive("ctms:60us:M2")


# --- the filter fit -------------------------------------------------------------------------
def _membrane_thresholds(waves, dt_s, tau_s, v_threshold=0.01):
    """Thresholds of a first-order membrane tau dV/dt = k E(t) - V that fires at V = v_threshold,
    integrated exactly over each step (E held), written out independently of filtered_peak."""
    decay = np.exp(-dt_s / tau_s)
    out = []
    for e in waves:
        v, peak = 0.0, 0.0
        for x in e:
            v = x + (v - x) * decay
            peak = max(peak, v)
        out.append(v_threshold / peak)
    return np.array(out)


@pytest.mark.parametrize("tau_us", [50.0, 150.0, 200.0, 400.0, 1500.0])
def test_filter_fit_recovers_the_time_constant_of_a_first_order_membrane(tau_us):
    dt = 1e-6
    waves = [ctms_drive(w, dt_s=dt).e for w in WIDTHS_S]
    thresholds = _membrane_thresholds(waves, dt, tau_us * 1e-6)
    rheobase, tau, error = fit_filter(waves, dt, thresholds)
    assert tau == pytest.approx(tau_us * 1e-6, rel=1e-6)
    assert rheobase == pytest.approx(0.01, rel=1e-6)
    assert error < 1e-8


def test_filter_fit_of_rectangular_pulses_is_lapicque():
    dt = 2.5e-6
    waves = [pulse_drive("rect", w, dt).e for w in WIDTHS_S]
    assert filtered_peak(waves[1], dt, 100e-6) == pytest.approx(-np.expm1(-0.6))
    thresholds = lapicque(np.array(WIDTHS_S), 40.0, 180e-6) * np.array([1.0, 1.02, 0.99])
    by_filter = fit_filter(waves, dt, thresholds)
    by_lapicque = fit_lapicque(np.array(WIDTHS_S), thresholds)
    assert by_filter == pytest.approx(by_lapicque, rel=1e-5)


def test_filter_fit_needs_three_thresholds():
    waves = [ctms_drive(w).e for w in WIDTHS_S]
    with pytest.raises(InvalidValueError, match="three or more"):
        fit_filter(waves, 2.5e-6, [10.0, np.nan, 5.0])


def test_filter_fit_refuses_thresholds_no_membrane_gives():
    """Thresholds in the ratio of the widths (4:2:1) fall faster than the areas of the drooping
    cTMS positive phases: no first-order membrane fits (tmslab's l5-pyramidal does this in
    directions where the negative phase excites)."""
    waves = [ctms_drive(w).e for w in WIDTHS_S]
    with pytest.raises(InvalidValueError, match="faster than any first-order membrane"):
        fit_filter(waves, 2.5e-6, [400.0, 200.0, 100.0])


# --- the default axon -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def axon_sd():
    from tmslab.neuron.models import get_model

    model = get_model("axon-straight")
    rect = strength_duration(model, (1.0, 0.0, 0.0))
    ctms = strength_duration(model, (1.0, 0.0, 0.0), pulse="ctms", fit="filter")
    return rect, ctms


def test_default_axon_ctms_time_constant_within_dostilio_pa(axon_sd):
    """axon-straight along its length: cTMS + filter fit 283 us (rectangles + Lapicque: 151 us),
    within D'Ostilio's PA mean +/- SD (134-328 us)."""
    rect, ctms = axon_sd
    assert ctms.fit == "filter" and ctms.pulse == "ctms"
    assert DOSTILIO_PA[0] <= ctms.tau_s * 1e6 <= DOSTILIO_PA[1]
    assert ctms.tau_s > rect.tau_s  # the negative phase and droop lengthen the fitted tau
    assert np.all(ctms.thresholds_v_per_m > rect.thresholds_v_per_m)
    assert ctms.fitted(ctms.widths_s) == pytest.approx(ctms.thresholds_v_per_m, rel=0.05)


@pytest.mark.xfail(
    strict=True,
    reason="axon-straight by the cTMS method: 283 us, above Peterchev 2013's 196 +/- 33 us",
)
def test_default_axon_ctms_time_constant_within_peterchev(axon_sd):
    _, ctms = axon_sd
    assert PETERCHEV[0] <= ctms.tau_s * 1e6 <= PETERCHEV[1]


# --- Aberra et al.'s L5 pyramidal cell (NeMo-TMS morphology; skipped without it) ---------------
def _aberra_available() -> bool:
    from tmslab.neuron.aberra import available

    return "aberra-l5-pc" in available()


@pytest.fixture(scope="module")
def aberra_taus():
    """Filter-fit time constants of aberra-l5-pc over 26 directions, cTMS pulses (dt 2.5 us)."""
    if not _aberra_available():
        pytest.skip("NeMo-TMS Aberra_human_L5.swc not in $TMSLAB_MORPHOLOGIES")
    from tmslab.neuron.directions import fibonacci_sphere
    from tmslab.neuron.models import get_model
    from tmslab.neuron.threshold import direction_thresholds

    model = get_model("aberra-l5-pc")
    directions = fibonacci_sphere(26)
    drives = [ctms_drive(w) for w in WIDTHS_S]
    th = np.array(
        [
            direction_thresholds(model, d, directions, "batched", 0.005).thresholds_v_per_m
            for d in drives
        ]
    )
    taus = np.array([fit_filter([d.e for d in drives], 2.5e-6, col)[1] for col in th.T]) * 1e6
    return th, taus


@pytest.mark.slow
def test_aberra_l5_ctms_median_time_constant_within_dostilio_pa(aberra_taus):
    """Median over 26 directions 229 us (IQR 188-360; rectangles + Lapicque: 119 us), with the
    cell's own densities, apical Na and K and the held channels (before them 176 us; from a
    uniform -80.86 mV 156 us)."""
    _, taus = aberra_taus
    assert DOSTILIO_PA[0] <= np.median(taus) <= DOSTILIO_PA[1]


@pytest.mark.slow
def test_aberra_l5_ctms_median_time_constant_within_peterchev(aberra_taus):
    """Median 229 us, at the upper end of Peterchev et al. 2013's 196 +/- 33 us."""
    _, taus = aberra_taus
    assert PETERCHEV[0] <= np.median(taus) <= PETERCHEV[1]


@pytest.mark.slow
def test_aberra_l5_ctms_time_constant_in_the_most_excitable_direction(aberra_taus):
    """168 us (rectangles + Lapicque: 86 us), in D'Ostilio et al. 2016's PA 231 +/- 97 us and in
    Peterchev's 163-229 us."""
    th, taus = aberra_taus
    best = int(np.argmin(th[0]))  # lowest threshold at 30 us
    assert DOSTILIO_PA[0] <= taus[best] <= DOSTILIO_PA[1]
