"""Spike trains from pulses and pairings, verdicts with their threshold, priming, bad input."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tmslab.errors import InvalidValueError, TmslabError, UnknownNameError
from tmslab.plasticity.inputs import concatenate, pairing, pulse_spikes, regular_pulses
from tmslab.plasticity.predict import predict_pairing, predict_protocol, predict_spikes
from tmslab.plasticity.registry import get_model, list_models
from tmslab.plasticity.verdict import verdict
from tmslab.protocols.library import get_protocol


@given(st.integers(1, 50), st.floats(0.1, 100), st.floats(-0.05, 0.05))
def test_pairing_timing(n, f, dt):
    trains = pairing(n, f, dt)
    assert trains.pre_s.size == trains.post_s.size == n
    assert np.allclose(trains.post_s - trains.pre_s, dt)
    assert np.allclose(np.diff(trains.pre_s), 1 / f)
    assert min(trains.pre_s[0], trains.post_s[0]) == pytest.approx(0.0, abs=1e-12)


@given(st.floats(-0.02, 0.02), st.integers(1, 30))
def test_pulses_drive_pre_and_post(delay, n):
    trains = pulse_spikes(regular_pulses(10.0, n), post_delay_s=delay)
    assert np.allclose(trains.post_s - trains.pre_s, delay)
    assert pulse_spikes(regular_pulses(10.0, n)).post_s.size == 0


@given(st.floats(0, 100))
def test_concatenate_places_the_second_protocol_after_the_gap(gap):
    first = pulse_spikes(regular_pulses(5.0, 10))
    second = pulse_spikes(regular_pulses(1.0, 3) + 7.0)
    joined, start = concatenate(first, second, gap)
    assert start == pytest.approx(first.end_s + gap)
    assert joined.pre_s.size == 13 and np.all(np.diff(joined.pre_s) >= 0)
    assert joined.pre_s[10] == pytest.approx(start)


@given(st.floats(-1, 3, allow_nan=False), st.floats(0, 0.5))
def test_verdict_uses_threshold(change, threshold):
    v = verdict(change, threshold)
    assert v == ("LTP" if change > threshold else "LTD" if change < -threshold else "none")


def test_prediction_carries_threshold_source_and_input():
    p = predict_protocol(get_protocol("rtms-1hz"), "shouval", threshold=0.1)
    assert p.threshold == 0.1 and p.verdict == "LTD" and p.relative_weight < 0.9
    assert p.source.doi == "10.1073/pnas.152343099"
    assert "presynaptic" in p.input
    assert p.trajectory[0] == pytest.approx(1.0) and p.trajectory[-1] == pytest.approx(
        p.relative_weight
    )


def test_given_spike_times_equal_the_pairing():
    # spike times from elsewhere (e.g. the neuron layer) give the same answer as the pairing
    trains = pairing(60, 1.0, 0.01)
    direct = predict_spikes("graupner-brunel:DP", trains.pre_s, trains.post_s).relative_weight
    assert direct == pytest.approx(predict_pairing("graupner-brunel:DP").relative_weight)


def test_graupner_brunel_priming_composes_populations():
    # GB: priming changes the fraction of synapses DOWN; the primed test starts from it. Priming
    # with the same protocol twice equals running the population through both.
    test = regular_pulses(30.0, 300)
    primed = predict_protocol(test, "graupner-brunel:DP", prime=test, prime_gap_s=100.0)
    once = predict_protocol(test, "graupner-brunel:DP")
    assert primed.details["down_fraction_before"] == pytest.approx(
        once.details["down_fraction_after"]
    )
    assert primed.details["unprimed_relative_weight"] == pytest.approx(once.relative_weight)


def test_models_listed_with_sources():
    models = list_models()
    names = {m.name for m in models}
    assert {
        "graupner-brunel:DP",
        "graupner-brunel:cortical-slices",
        "shouval:rate",
        "shouval:stdp",
    } <= names
    assert {"bcm:dudek-bear-1992", "huang-tbs:revised", "huang-tbs:huang2011"} <= names
    assert len([n for n in names if n.startswith("graupner-brunel")]) == 9
    assert all(m.source.citation and m.source.doi for m in models)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("graupner-brunel", "graupner-brunel:DP"),
        ("Graupner-Brunel:dpdprime", "graupner-brunel:DPD'"),
        ("graupner-brunel:sjostrom", "graupner-brunel:cortical-slices"),
        ("huang-tbs", "huang-tbs:revised"),
    ],
)
def test_names_and_aliases(spec, expected):
    assert get_model(spec).name == expected


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: get_model("stdp-classic"), UnknownNameError),
        (lambda: get_model("graupner-brunel:XYZ"), UnknownNameError),
        (lambda: predict_protocol(np.array([]), "shouval"), InvalidValueError),
        (lambda: predict_pairing("bcm"), InvalidValueError),
        (lambda: predict_pairing("graupner-brunel", n_pairs=-3), InvalidValueError),
        (lambda: predict_protocol(regular_pulses(1.0, 5), "huang-tbs"), InvalidValueError),
        (
            lambda: predict_protocol(regular_pulses(1, 5), "huang-tbs:revised", prime=[0.0]),
            TmslabError,
        ),
        (lambda: predict_protocol(regular_pulses(1, 5), "bcm", threshold=2), InvalidValueError),
    ],
)
def test_bad_input_raises_one_line_errors(call, error):
    with pytest.raises(error) as info:
        call()
    assert "\n" not in str(info.value)
