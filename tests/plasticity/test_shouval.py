"""Shouval, Bear & Cooper 2002 (PNAS 99:10831-10836, doi 10.1073/pnas.152343099): the
published regimes of the unified calcium model."""

import dataclasses

import numpy as np
import pytest

from tmslab.plasticity import shouval
from tmslab.plasticity.data import shouval_sets
from tmslab.plasticity.inputs import pairing, pulse_spikes, regular_pulses

P = shouval_sets()["rate"]  # EPSP 10 mV (Fig. 3B)
P_STDP = shouval_sets()["stdp"]  # EPSP 1 mV (Figs. 2, 3A, 3C)


def clamped(v_mv, params=P_STDP, **kw):
    # pairing protocol of Fig. 3A: 100 presynaptic spikes at 1 Hz, postsynaptic voltage clamped
    trains = pulse_spikes(regular_pulses(1.0, 100))
    return shouval.simulate(trains, params, v_clamp_v=v_mv * 1e-3, **kw).relative_weight


def test_voltage_clamp_regimes():
    # Fig. 3A: no change below -62.5 mV, LTD between -62.5 and -52.5 mV, LTP above about -50 mV
    assert all(abs(clamped(v) - 1) < 0.02 for v in (-75, -70, -65, -63))
    assert all(clamped(v) < 0.8 for v in (-60, -57.5, -55, -53))
    assert all(clamped(v) > 1.4 for v in (-50, -45, -40, -30))


def test_ltd_to_ltp_crossover_between_minus_53_and_minus_50_mv():
    # the sign change of Fig. 3A lies between the LTD region's upper edge and -50 mV
    volts = np.arange(-53.0, -49.9, 0.5)
    weights = np.array([clamped(v) for v in volts])
    crossing = volts[np.argmax(weights > 1)]
    assert -53 < crossing <= -50


def test_rate_dependence():
    # Fig. 3B (100 presynaptic pulses, EPSP 10 mV): low rates depress, high rates potentiate
    def at(f):
        return shouval.simulate(pulse_spikes(regular_pulses(f, 100)), P).relative_weight

    assert at(1.0) < 0.9 and at(3.0) < 0.9
    assert at(10.0) > 1.5 and at(20.0) > 1.5


def test_spike_timing_dependence():
    # Fig. 3C (EPSP 1 mV, BPAP with after-depolarisation, 100 pairs at 1 Hz): post-pre depresses,
    # pre-post potentiates, and pre-post at long delays depresses again
    def at(dt):
        return shouval.simulate(pairing(100, 1.0, dt), P_STDP).relative_weight

    assert at(-0.010) < 0.9
    assert at(0.010) > 1.2
    assert at(0.100) < 0.9


def test_step_size_converged():
    # halving the fine step and widening the fine window changes results by < 1 %
    trains = pulse_spikes(regular_pulses(5.0, 200), post_delay_s=0.01)
    default = shouval.simulate(trains, P).relative_weight
    fine = shouval.simulate(
        trains, P, dt_s=5e-5, fine_window_s=0.5, coarse_dt_s=1e-3
    ).relative_weight
    assert default == pytest.approx(fine, rel=0.01)
    assert clamped(-57.5) == pytest.approx(
        clamped(-57.5, dt_s=5e-5, fine_window_s=0.5, coarse_dt_s=1e-3), rel=0.01
    )


def test_plasticity_function_and_learning_rate_in_si():
    # Omega = 0.25 at rest, ~0 between alpha1 = 0.35 uM and alpha2 = 0.55 uM, ~1 above;
    # the learning time at rest is p1/p2 + p4 = 1e4 s (~3 h), 1 s at high calcium
    a1, a2, b1, b2 = (
        P.alpha1_mol_per_m3,
        P.alpha2_mol_per_m3,
        P.beta1_m3_per_mol,
        P.beta2_m3_per_mol,
    )
    assert shouval.omega(0.0, a1, a2, b1, b2) == pytest.approx(0.25, abs=1e-6)
    assert shouval.omega(0.45e-3, a1, a2, b1, b2) < 0.01
    assert shouval.omega(1e-3, a1, a2, b1, b2) > 0.99
    assert 1 / shouval.learning_rate(0.0, P.p1, P.p2, P.p3, P.p4_s) == pytest.approx(1e4 + 1)
    assert 1 / shouval.learning_rate(10e-3, P.p1, P.p2, P.p3, P.p4_s) == pytest.approx(
        1.0, rel=1e-3
    )


def test_epsp_normalisation_matches_paper():
    # Shouval 2002 SI: the EPSP kernel exp(-t/50 ms) - exp(-t/5 ms) peaks at 0.6968
    assert shouval._epsp_peak(0.05, 0.005) == pytest.approx(0.6968, abs=1e-4)


def test_weight_at_rest_does_not_drift():
    # W = Omega(0) = 0.25 is the resting fixed point: isolated 1 mV EPSPs (Fig. 2A) keep calcium
    # below alpha1 and leave it in place
    run = shouval.simulate(pulse_spikes(np.array([0.0, 30.0])), P_STDP)
    assert run.ca_peak_mol_per_m3 < P.alpha1_mol_per_m3
    assert run.relative_weight == pytest.approx(1.0, abs=1e-3)


def test_the_two_sets_differ_only_in_the_epsp():
    a, b = dataclasses.asdict(P), dataclasses.asdict(P_STDP)
    differ = {k for k in a if a[k] != b[k]} - {"name", "description", "source"}
    assert differ == {"epsp_amplitude_v"}
    assert (P.epsp_amplitude_v, P_STDP.epsp_amplitude_v) == pytest.approx((0.010, 0.001))
