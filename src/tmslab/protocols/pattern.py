"""Pure numerics of pulse patterns: nested pulses -> bursts -> trains.

Every built-in protocol is the same three-level pattern:

* a *burst* of ``pulses_per_burst`` pulses ``intra_burst_interval_s`` apart
  (1 pulse for plain rTMS, 2 for paired pulses, 3 for theta burst, 4 for QPS);
* a *train* of ``bursts_per_train`` bursts whose onsets are ``burst_interval_s`` apart;
* a *session* of ``n_trains`` trains separated by an inter-train interval.

Inter-train-interval conventions (both used in the field, so both are accepted):

* ``"off"`` (default): the pause from the **last pulse** of one train to the **first pulse** of
  the next, as MagVenture stimulators and the NIBS-BIDS draft define "inter-train interval".
  10 Hz, 40 pulses, 26 s off: trains start every 3.9 s + 26 s = 29.9 s.
* ``"onset"``: the train cycle, from the first pulse of one train to the first pulse of the next
  (Huang et al. 2005 describe iTBS as a 2 s train "repeated every 10 s").
"""

from __future__ import annotations

from typing import Literal

import numpy as np

ItiConvention = Literal["off", "onset"]


def burst_offsets(pulses_per_burst: int, intra_burst_interval_s: float) -> np.ndarray:
    """Pulse times within one burst, relative to its first pulse.

    Returns: (pulses_per_burst,) array, seconds.
    """
    return np.arange(pulses_per_burst, dtype=float) * float(intra_burst_interval_s)


def train_offsets(
    pulses_per_burst: int,
    intra_burst_interval_s: float,
    bursts_per_train: int,
    burst_interval_s: float,
) -> np.ndarray:
    """Pulse times within one train, relative to its first pulse.

    Returns: (bursts_per_train * pulses_per_burst,) array, seconds, ascending.
    """
    burst = burst_offsets(pulses_per_burst, intra_burst_interval_s)
    onsets = np.arange(bursts_per_train, dtype=float) * float(burst_interval_s)
    return (onsets[:, None] + burst[None, :]).ravel()


def train_onsets(
    n_trains: int,
    train_span_s: float,
    inter_train_interval_s: float,
    convention: ItiConvention = "off",
) -> np.ndarray:
    """Onset (first-pulse time) of each train.

    train_span_s: time from a train's first to its last pulse, seconds.
    inter_train_interval_s: pause from last to first pulse ("off") or train cycle ("onset"), s.
    Returns: (n_trains,) array, seconds, starting at 0.
    """
    if convention == "off":
        period = float(train_span_s) + float(inter_train_interval_s)
    elif convention == "onset":
        period = float(inter_train_interval_s)
    else:
        raise ValueError(f"unknown inter-train-interval convention {convention!r}")
    return np.arange(n_trains, dtype=float) * period


def nested_pulse_times(
    pulses_per_burst: int,
    intra_burst_interval_s: float,
    bursts_per_train: int,
    burst_interval_s: float,
    n_trains: int,
    inter_train_interval_s: float,
    convention: ItiConvention = "off",
) -> tuple[np.ndarray, np.ndarray]:
    """All pulse times of a session and the train each pulse belongs to.

    Returns: times (N,) array in seconds (first pulse at 0, ascending) and
    train_index (N,) int array (0-based), with N = pulses_per_burst * bursts_per_train * n_trains.
    """
    within = train_offsets(
        pulses_per_burst, intra_burst_interval_s, bursts_per_train, burst_interval_s
    )
    span = float(within[-1]) if within.size else 0.0
    onsets = train_onsets(n_trains, span, inter_train_interval_s, convention)
    times = (onsets[:, None] + within[None, :]).ravel()
    index = np.repeat(np.arange(n_trains), within.size)
    return times, index


def peak_rate_hz(times_s: np.ndarray) -> float:
    """Highest instantaneous pulse rate, 1 / (shortest inter-pulse interval); 0 for < 2 pulses."""
    if times_s.size < 2:
        return 0.0
    return float(1.0 / np.min(np.diff(times_s)))


def mean_rate_hz(times_s: np.ndarray) -> float:
    """Mean pulse rate over the session, (N - 1) / (last - first); 0 for < 2 pulses.

    (N - 1) intervals over the span makes 900 pulses at 1 Hz come out at exactly 1 Hz.
    """
    if times_s.size < 2:
        return 0.0
    return float((times_s.size - 1) / (times_s[-1] - times_s[0]))
