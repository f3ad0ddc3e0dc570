"""BCM rule with the Intrator-Cooper sliding threshold (Bienenstock, Cooper & Munro 1982,
doi 10.1523/JNEUROSCI.02-01-00032.1982): fixed point, crossover, sliding, priming."""

import dataclasses

import numpy as np
import pytest

from tmslab.plasticity import bcm
from tmslab.plasticity.data import bcm_sets
from tmslab.plasticity.inputs import regular_pulses
from tmslab.plasticity.predict import predict_protocol

P = bcm_sets()["dudek-bear-1992"]


def test_threshold_relaxes_to_rest_with_tau_theta():
    # with no input (x = 0): tau_theta dtheta/dt = y_b^2/y_0 - theta, so theta - theta_0 decays
    # as exp(-t/tau_theta) once the rate trace has gone
    pulses = regular_pulses(20.0, 200)
    short = bcm.simulate(pulses, P, tail_s=60.0)
    long = bcm.simulate(pulses, P, tail_s=60.0 + 1800.0)
    theta0 = bcm.resting_threshold_hz(P)
    expected = theta0 + (short.theta_hz[-1] - theta0) * np.exp(-1800.0 / P.tau_theta_s)
    assert long.theta_hz[-1] == pytest.approx(expected, rel=1e-3)
    assert long.w[-1] == pytest.approx(short.w[-1], rel=1e-6)  # no input, no weight change


def test_crossover_with_frozen_threshold():
    # theta_0 = y_b + crossover: with the threshold frozen, rates below the crossover depress and
    # rates above it potentiate (BCM's phi changes sign at y = theta)
    frozen = dataclasses.replace(P, tau_theta_s=1e12)

    def at(f):
        return bcm.simulate(regular_pulses(f, 60), frozen).relative_weight

    assert at(5.0) < 1.0 < at(20.0)


def test_calibration_to_dudek_and_bear():
    # eta is set so that 900 pulses at 1 Hz depress by ~20 % (Dudek & Bear 1992, PNAS 89:4363)
    assert bcm.simulate(regular_pulses(1.0, 900), P).relative_weight == pytest.approx(0.8, abs=0.02)


def test_priming_with_high_activity_biases_towards_depression():
    # metaplasticity: 6 Hz priming deepens the depression by 1 Hz rTMS (Iyer, Schleper &
    # Wassermann 2003, J Neurosci 23:10867): theta rises during priming, so the same test
    # protocol starts with a higher threshold
    test = regular_pulses(1.0, 600)
    prime = regular_pulses(6.0, 600)
    primed = predict_protocol(test, "bcm", prime=prime, prime_gap_s=60.0)
    assert primed.details["theta_start_hz"] > bcm.resting_threshold_hz(P)
    assert primed.relative_weight < primed.details["unprimed_relative_weight"] < 1.0


def test_weight_stays_in_bounds():
    run = bcm.simulate(regular_pulses(40.0, 2000), P)
    assert np.all(run.w >= P.w_min) and np.all(run.w <= P.w_max)
