"""Builders and specs: pulse counts and timings from first principles, and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.errors import InvalidValueError, TmslabError
from tmslab.protocols.builders import (
    custom,
    paired_pulse,
    quadripulse,
    rtms,
    single_pulse,
    theta_burst,
)
from tmslab.protocols.export import pulse_times_csv
from tmslab.protocols.pattern import nested_pulse_times
from tmslab.protocols.spec import build


@settings(max_examples=60, deadline=None)
@given(
    f=st.floats(0.1, 100),
    n=st.integers(1, 60),
    trains=st.integers(1, 12),
    iti=st.floats(0.1, 60),
    convention=st.sampled_from(["off", "onset"]),
)
def test_rtms_structure(f, n, trains, iti, convention):
    span = (n - 1) / f
    if convention == "onset":
        iti = iti + span  # a cycle longer than the train
    p = rtms(f, n, trains, iti, iti_convention=convention)
    assert p.n_pulses == n * trains and p.n_trains == trains
    assert np.all(np.diff(p.pulse_times_s) > 0)
    onsets = np.array([t.onset_s for t in p.trains()])
    period = span + iti if convention == "off" else iti
    np.testing.assert_allclose(np.diff(onsets), period, rtol=1e-9)
    assert p.duration_s == pytest.approx((trains - 1) * period + span, rel=1e-9)
    # The shortest interval is within a train (1/f) or the pause between trains.
    intervals = ([1 / f] if n > 1 else []) + ([period - span] if trains > 1 else [])
    if intervals:
        assert p.peak_rate_hz == pytest.approx(1 / min(intervals), rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(ppb=st.integers(1, 5), bursts=st.integers(1, 30), trains=st.integers(1, 10))
def test_theta_burst_structure(ppb, bursts, trains):
    cycle = bursts * 0.2 + 1.0
    p = theta_burst(bursts, trains, cycle, pulses_per_burst=ppb)
    assert p.n_pulses == ppb * bursts * trains
    if ppb > 1:
        assert p.peak_rate_hz == pytest.approx(50.0)
    onsets = np.array([t.onset_s for t in p.trains()])
    np.testing.assert_allclose(np.diff(onsets), cycle)


def test_nested_pulse_times_hand_computed():
    times, index = nested_pulse_times(2, 0.01, 2, 0.1, 2, 1.0, "off")
    np.testing.assert_allclose(times, [0, 0.01, 0.1, 0.11, 1.11, 1.12, 1.21, 1.22])
    np.testing.assert_array_equal(index, [0, 0, 0, 0, 1, 1, 1, 1])


def test_single_and_paired_repetitions():
    p = single_pulse(repetitions=10, interval_s=5.0)
    np.testing.assert_allclose(np.diff(p.pulse_times_s), 5.0)
    pp = paired_pulse(0.002, conditioning_scale=0.7, repetitions=3, interval_s=4.0, paradigm="sici")
    np.testing.assert_allclose(pp.pulse_times_s, [0, 0.002, 4, 4.002, 8, 8.002])
    np.testing.assert_allclose(pp.pulse_scale, [0.7, 1, 0.7, 1, 0.7, 1])


def test_quadripulse_and_custom():
    q = quadripulse(isi_s=1.5e-3, n_bursts=3)
    np.testing.assert_allclose(q.pulse_times_s[:4], [0, 1.5e-3, 3e-3, 4.5e-3])
    c = custom([0.0, 0.25, 1.0], train_index=[0, 0, 1])
    assert (c.n_pulses, c.n_trains, c.duration_s) == (3, 2, 1.0)


def test_csv_export_round_trip():
    p = build({"kind": "tbs", "bursts_per_train": 10, "n_trains": 3, "train_cycle_s": 10})
    rows = pulse_times_csv(p).strip().splitlines()
    assert rows[0] == "pulse,time_s,train,relative_intensity"
    values = np.array([[float(x) for x in row.split(",")] for row in rows[1:]])
    np.testing.assert_allclose(values[:, 1], p.pulse_times_s, atol=1e-9)
    np.testing.assert_array_equal(values[:, 2], p.train_index)


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ({"kind": "rtms", "frequency_hz": 0, "pulses_per_train": 10}, "frequency_hz"),
        ({"kind": "rtms", "frequency_hz": -5, "pulses_per_train": 10}, "greater than 0"),
        ({"kind": "rtms", "frequency_hz": 10, "pulses_per_train": 0}, "pulses_per_train"),
        (
            {"kind": "rtms", "frequency_hz": 10, "pulses_per_train": 10, "n_trains": 2},
            "pause between trains",
        ),
        (
            {
                "kind": "rtms",
                "frequency_hz": 10,
                "pulses_per_train": 100,
                "n_trains": 2,
                "inter_train_interval_s": 5,
                "iti_convention": "onset",
            },
            "not shorter than its 5 s cycle",
        ),
        ({"kind": "tbs", "bursts_per_train": 10, "n_trains": 20, "train_cycle_s": 1.5}, "cycle"),
        ({"kind": "tbs", "bursts_per_train": 10, "pulses_per_burst": 20}, "burst lasts"),
        (
            {"kind": "rtms", "frequncy_hz": 10, "pulses_per_train": 10},
            "unknown field 'frequncy_hz'",
        ),
        ({"kind": "zap"}, "not a protocol kind"),
        ({"kind": "paired", "isi_s": 0.05, "paradigm": "sici"}, "outside the SICI range"),
        ({"kind": "custom", "pulse_times_s": [0, 2, 1]}, "strictly increase"),
        ({"kind": "custom", "pulse_times_s": []}, "pulse_times_s"),
        ({"kind": "rtms", "frequency_hz": float("nan"), "pulses_per_train": 1}, "frequency_hz"),
        (
            {
                "kind": "rtms",
                "frequency_hz": 10,
                "pulses_per_train": 3,
                "course": {"sessions_per_day": 2},
            },
            "session_interval_s",
        ),
    ],
)
def test_bad_specs_give_one_line_errors(spec, fragment):
    with pytest.raises(InvalidValueError) as caught:
        build(spec)
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message and isinstance(caught.value, TmslabError)
