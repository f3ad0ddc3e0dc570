"""What drives the synapse: presynaptic and postsynaptic spike times, from pulses or pairings.

A TMS pulse is taken to fire the presynaptic axon at the pulse time and, optionally, the
postsynaptic neuron ``post_delay_s`` later (negative: before). Spike times from the neuron layer
can be given directly as a :class:`SpikeTrains`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tmslab.errors import InvalidValueError, check_positive

MAX_SPIKES = 2_000_000  # far beyond any protocol; guards memory against typos


@dataclass(frozen=True, eq=False)
class SpikeTrains:
    """Spike times at one synapse.

    pre_s: (N,) array, seconds, ascending: presynaptic spikes (each pulse's afferent volley).
    post_s: (M,) array, seconds, ascending (M may be 0): postsynaptic spikes.
    pulse_s: (K,) array, seconds: the stimulation pulses that produced them (for pulse-pattern
        models such as the theta-burst model); the presynaptic times when not given.
    """

    pre_s: np.ndarray
    post_s: np.ndarray
    pulse_s: np.ndarray

    def __post_init__(self) -> None:
        for name in ("pre_s", "post_s", "pulse_s"):
            array = np.array(getattr(self, name), dtype=float).reshape(-1)
            array.setflags(write=False)
            object.__setattr__(self, name, array)

    @property
    def start_s(self) -> float:
        """First spike or pulse, s."""
        return float(min(a[0] for a in (self.pre_s, self.post_s, self.pulse_s) if a.size))

    @property
    def end_s(self) -> float:
        """Last spike or pulse, s."""
        return float(max(a[-1] for a in (self.pre_s, self.post_s, self.pulse_s) if a.size))


def check_times(times_s: np.ndarray, what: str) -> np.ndarray:
    """(N,) finite, ascending spike times in s, N >= 1; raise InvalidValueError otherwise."""
    times = np.asarray(times_s, dtype=float).reshape(-1)
    if times.size == 0:
        raise InvalidValueError(f"{what} has no pulses or spikes; give at least one")
    if times.size > MAX_SPIKES:
        raise InvalidValueError(f"{what} has {times.size} spikes, more than {MAX_SPIKES}")
    if not np.all(np.isfinite(times)):
        raise InvalidValueError(f"{what} contains a time that is not a finite number")
    if np.any(np.diff(times) < 0):
        raise InvalidValueError(f"{what} must be in ascending order")
    return times


def spike_trains(
    pre_s: np.ndarray, post_s: np.ndarray | None = None, pulse_s: np.ndarray | None = None
) -> SpikeTrains:
    """Validated trains from spike times (s): ``pre_s`` (N,) N >= 1, ``post_s`` (M,) or None."""
    pre = check_times(pre_s, "the presynaptic spike train")
    post = (
        np.empty(0)
        if post_s is None or np.size(post_s) == 0
        else check_times(post_s, "the postsynaptic spike train")
    )
    pulses = pre if pulse_s is None else check_times(pulse_s, "the pulse train")
    return SpikeTrains(pre, post, pulses)


def pulse_spikes(pulse_times_s: np.ndarray, post_delay_s: float | None = None) -> SpikeTrains:
    """Each pulse fires the presynaptic axon, and the postsynaptic neuron ``post_delay_s`` later.

    pulse_times_s: (N,) array, seconds, ascending, N >= 1.
    post_delay_s: delay from a pulse's presynaptic to its postsynaptic spike, s (None: no
        postsynaptic spikes; negative: the postsynaptic spike comes first).
    """
    pulses = check_times(pulse_times_s, "the protocol")
    if post_delay_s is None:
        return SpikeTrains(pulses, np.empty(0), pulses)
    delay = float(post_delay_s)
    if not np.isfinite(delay):
        raise InvalidValueError(f"post_delay_s = {post_delay_s!r} is not a finite number")
    gaps = np.diff(pulses)
    if len(gaps) and abs(delay) >= gaps.min():
        # The "postsynaptic spike of a pulse" would fall beyond its neighbour: a unit slip.
        raise InvalidValueError(
            f"post_delay_s = {post_delay_s!r} s is not allowed; its size must be below the "
            f"shortest interval between pulses ({gaps.min():g} s)"
        )
    return SpikeTrains(pulses, pulses + delay, pulses)


def regular_pulses(frequency_hz: float, n_pulses: int) -> np.ndarray:
    """(n_pulses,) pulse times, s, at ``frequency_hz`` from t = 0."""
    check_count("n_pulses", n_pulses)
    period = 1.0 / check_positive("frequency_hz", frequency_hz, "Hz")
    return np.arange(int(n_pulses)) * period


def pairing(
    n_pairs: int,
    frequency_hz: float,
    dt_s: float,
    n_post: int = 1,
    post_interval_s: float = 0.0115,
) -> SpikeTrains:
    """Pre/post pairing protocol: ``n_pairs`` presentations at ``frequency_hz``.

    dt_s: postsynaptic minus presynaptic spike time, s (> 0: post after pre). n_post: spikes in
    the postsynaptic burst (the first at ``dt_s``, the next ``post_interval_s`` apart; 11.5 ms is
    the burst of Wittenberg & Wang 2006 used by Graupner & Brunel 2012, Fig. 3).
    """
    check_count("n_pairs", n_pairs)
    check_count("n_post", n_post)
    dt = float(dt_s)
    if not np.isfinite(dt):
        raise InvalidValueError(f"dt = {dt_s!r} is not a finite number")
    onsets = regular_pulses(frequency_hz, n_pairs)
    pre = onsets - min(dt, 0.0)  # the first spike of the protocol at t = 0
    burst = dt + np.arange(int(n_post)) * float(post_interval_s)
    post = np.sort((pre[:, None] + burst[None, :]).ravel())
    return SpikeTrains(pre, post, pre)


def check_count(name: str, value: int) -> int:
    """``value`` as int if it is a whole number >= 1, else InvalidValueError."""
    if isinstance(value, bool) or not float(value).is_integer() or value < 1:
        raise InvalidValueError(
            f"{name} = {value!r} is not allowed; it must be a whole number >= 1"
        )
    if value > MAX_SPIKES:
        raise InvalidValueError(f"{name} = {value} is more than the limit of {MAX_SPIKES}")
    return int(value)


def concatenate(first: SpikeTrains, second: SpikeTrains, gap_s: float) -> tuple[SpikeTrains, float]:
    """``second`` after ``first``, its first event ``gap_s`` (s, >= 0) after the last of ``first``.

    Returns the joined trains and the time (s) at which ``second`` starts.
    """
    gap = float(gap_s)
    if not np.isfinite(gap) or gap < 0:
        raise InvalidValueError(f"the gap between protocols = {gap_s!r} s; it must be >= 0")
    start = first.end_s + gap
    origin = second.start_s
    moved = SpikeTrains(  # (t - origin) + start keeps the first event exactly at start
        (second.pre_s - origin) + start,
        (second.post_s - origin) + start,
        (second.pulse_s - origin) + start,
    )
    joined = SpikeTrains(
        np.concatenate([first.pre_s, moved.pre_s]),
        np.sort(np.concatenate([first.post_s, moved.post_s])),
        np.concatenate([first.pulse_s, moved.pulse_s]),
    )
    return joined, start
