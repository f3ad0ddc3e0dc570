"""Every named protocol against the definition in its source.

Sources (also in src/tmslab/data/protocols.toml): Kujirai et al. 1993 (SICI 1-6 ms, ICF 10-15 ms),
Valls-Sole et al. 1992 (LICI), O'Reardon et al. 2007 (10 Hz, 40-pulse trains, 26 s off, 75 trains,
3000 pulses), Huang et al. 2005 (iTBS: 3 pulses at 50 Hz, bursts at 5 Hz, 2 s every 10 s, 600
pulses in ~190 s; cTBS 600 pulses in 40 s, cTBS300 in 20 s), Hamada et al. 2008 (QPS: 4 pulses
every 5 s for 30 min = 360 bursts, 1440 pulses), Cole et al. 2020 (SAINT: 1800-pulse iTBS sessions,
10 a day for 5 days).
"""

import numpy as np
import pytest

from tmslab.protocols.library import get_protocol, list_protocols


def train_times(p, k):
    return p.pulse_times_s[p.train_index == k]


def pauses(p):
    """Pause from each train's last pulse to the next train's first, seconds."""
    return np.array(
        [train_times(p, k + 1)[0] - train_times(p, k)[-1] for k in range(p.n_trains - 1)]
    )


@pytest.mark.parametrize("name", list_protocols())
def test_every_preset_has_a_source_and_a_consistent_summary(name):
    p = get_protocol(name)
    assert p.source is not None and p.source.citation and p.source.doi.startswith("10.")
    assert p.description
    s = p.summary()
    assert s["n_pulses"] == p.pulse_times_s.size
    assert s["total_pulses"] == p.n_pulses * p.course.n_sessions
    assert np.all(np.diff(p.pulse_times_s) > 0)
    assert p.pulse_times_s[0] == 0.0


def test_single():
    p = get_protocol("single")
    assert (p.n_pulses, p.duration_s, p.n_trains) == (1, 0.0, 1)


@pytest.mark.parametrize(
    "name, isi_s, low, high",
    [("sici", 3e-3, 1e-3, 6e-3), ("icf", 10e-3, 10e-3, 15e-3), ("lici", 100e-3, 100e-3, 200e-3)],
)
def test_paired_pulse_presets(name, isi_s, low, high):
    p = get_protocol(name)
    assert p.n_pulses == 2
    assert p.duration_s == pytest.approx(isi_s, abs=1e-12)
    assert low <= p.duration_s <= high
    assert p.pulse_scale[1] == 1.0  # the test pulse is the nominal intensity


def test_sici_conditioning_pulse_is_80_of_120():
    assert get_protocol("sici").pulse_scale[0] == pytest.approx(80 / 120)


def test_rtms_1hz_900_pulses_continuous():
    p = get_protocol("rtms-1hz")
    assert p.n_pulses == 900 and p.n_trains == 1
    np.testing.assert_allclose(np.diff(p.pulse_times_s), 1.0)
    assert p.duration_s == pytest.approx(899.0)
    assert p.mean_rate_hz == pytest.approx(1.0) and p.peak_rate_hz == pytest.approx(1.0)


def test_rtms_10hz_fda():
    p = get_protocol("rtms-10hz-fda")
    assert (p.n_pulses, p.n_trains) == (3000, 75)
    assert all(t.n_pulses == 40 for t in p.trains())
    np.testing.assert_allclose(np.diff(train_times(p, 0)), 0.1)
    np.testing.assert_allclose(pauses(p), 26.0)  # off-time convention: last pulse -> first pulse
    assert p.duration_s == pytest.approx(75 * 3.9 + 74 * 26.0)
    assert p.peak_rate_hz == pytest.approx(10.0)


def test_rtms_20hz():
    p = get_protocol("rtms-20hz")
    assert (p.n_pulses, p.n_trains) == (800, 20)
    np.testing.assert_allclose(np.diff(train_times(p, 3)), 0.05)
    assert train_times(p, 0)[-1] == pytest.approx(1.95)  # a 2 s train of 40 pulses


def test_itbs_huang_2005():
    p = get_protocol("itbs")
    assert (p.n_pulses, p.n_trains) == (600, 20)
    onsets = np.array([t.onset_s for t in p.trains()])
    np.testing.assert_allclose(np.diff(onsets), 10.0)  # a train every 10 s
    first = train_times(p, 0)
    assert first.size == 30  # 10 bursts of 3
    bursts = first.reshape(10, 3)
    np.testing.assert_allclose(np.diff(bursts, axis=1), 0.02)  # 50 Hz within a burst
    np.testing.assert_allclose(np.diff(bursts[:, 0]), 0.2)  # bursts at 5 Hz
    assert first[-1] - first[0] == pytest.approx(1.84)  # "2 s" of TBS
    assert p.duration_s == pytest.approx(19 * 10 + 1.84)  # ~190 s
    assert p.peak_rate_hz == pytest.approx(50.0)


@pytest.mark.parametrize("name, pulses, seconds", [("ctbs", 600, 40.0), ("ctbs300", 300, 20.0)])
def test_ctbs(name, pulses, seconds):
    p = get_protocol(name)
    assert (p.n_pulses, p.n_trains) == (pulses, 1)
    # Last burst starts at seconds - 0.2 and lasts 40 ms.
    assert p.duration_s == pytest.approx(seconds - 0.2 + 0.04)
    np.testing.assert_allclose(np.diff(p.pulse_times_s.reshape(-1, 3)[:, 0]), 0.2)


@pytest.mark.parametrize("name, isi", [("qps5", 5e-3), ("qps50", 50e-3)])
def test_qps_hamada_2008(name, isi):
    p = get_protocol(name)
    assert p.n_pulses == 1440
    bursts = p.pulse_times_s.reshape(360, 4)
    np.testing.assert_allclose(np.diff(bursts, axis=1), isi)
    np.testing.assert_allclose(np.diff(bursts[:, 0]), 5.0)
    assert p.duration_s == pytest.approx(359 * 5.0 + 3 * isi)  # 30 min


def test_saint_session_and_course():
    session, course = get_protocol("saint-itbs"), get_protocol("saint")
    assert session.n_pulses == course.n_pulses == 1800
    assert session.n_trains == 60
    assert course.course.sessions_per_day == 10 and course.course.days == 5
    assert course.total_pulses == 90_000
    onsets = course.course.session_onsets_s()
    assert onsets.size == 50
    assert onsets[1] - onsets[0] == pytest.approx(3600.0)
    assert onsets[10] == pytest.approx(86400.0)  # day two


def test_rodent_courses():
    rat = get_protocol("rat-15hz-7d")
    assert rat.peak_rate_hz == pytest.approx(15.0)
    assert rat.course.days == 7 and rat.total_pulses == 7 * rat.n_pulses
    mouse = get_protocol("mouse-10hz-20d")
    assert mouse.duration_s == pytest.approx(179.9)  # 3 min at 10 Hz
    assert mouse.course.days == 20


def test_overrides_replace_fields():
    p = get_protocol("itbs", n_trains=40)
    assert p.n_pulses == 1200 and p.source.doi == "10.1016/j.neuron.2004.12.033"
