"""Protocol builders: the Python way to describe a protocol exactly, pulse by pulse.

Each builder validates its arguments through the matching spec in
:mod:`tmslab.protocols.spec` (so Python calls, TOML files and the CLI share one set of rules)
and returns a :class:`~tmslab.protocols.protocol.Protocol`. Arguments are SI (s, Hz).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tmslab.protocols.pattern import ItiConvention
from tmslab.protocols.protocol import Protocol
from tmslab.protocols.spec import build


def _course(days: int, sessions_per_day: int, session_interval_s: float | None) -> dict[str, Any]:
    return {
        "days": days,
        "sessions_per_day": sessions_per_day,
        "session_interval_s": session_interval_s,
    }


def single_pulse(
    repetitions: int = 1, interval_s: float = 5.0, name: str | None = None
) -> Protocol:
    """Single pulses: ``repetitions`` pulses ``interval_s`` (s) apart, onset to onset."""
    return build(
        {"kind": "single", "repetitions": repetitions, "interval_s": interval_s, "name": name}
    )


def paired_pulse(
    isi_s: float,
    conditioning_scale: float = 1.0,
    repetitions: int = 1,
    interval_s: float = 5.0,
    paradigm: str | None = None,
    name: str | None = None,
) -> Protocol:
    """Paired pulses ``isi_s`` (s) apart; the first (conditioning) pulse at ``conditioning_scale``
    times the test intensity. ``paradigm`` ("sici", "icf", "lici") checks the ISI lies in that
    paradigm's published range (``spec.PAIRED_PULSE_ISI_RANGES_S``)."""
    return build(
        {
            "kind": "paired",
            "isi_s": isi_s,
            "conditioning_scale": conditioning_scale,
            "repetitions": repetitions,
            "interval_s": interval_s,
            "paradigm": paradigm,
            "name": name or paradigm,
        }
    )


def rtms(
    frequency_hz: float,
    pulses_per_train: int,
    n_trains: int = 1,
    inter_train_interval_s: float = 0.0,
    iti_convention: ItiConvention = "off",
    days: int = 1,
    sessions_per_day: int = 1,
    session_interval_s: float | None = None,
    name: str | None = None,
) -> Protocol:
    """Conventional rTMS: ``n_trains`` trains of ``pulses_per_train`` pulses at ``frequency_hz``.

    inter_train_interval_s: with ``iti_convention="off"`` (default) the pause from a train's last
    pulse to the next train's first pulse (MagVenture, NIBS-BIDS); with ``"onset"`` the train
    cycle from first pulse to first pulse.
    """
    return build(
        {
            "kind": "rtms",
            "frequency_hz": frequency_hz,
            "pulses_per_train": pulses_per_train,
            "n_trains": n_trains,
            "inter_train_interval_s": inter_train_interval_s,
            "iti_convention": iti_convention,
            "name": name,
            "course": _course(days, sessions_per_day, session_interval_s),
        }
    )


def theta_burst(
    bursts_per_train: int,
    n_trains: int = 1,
    train_cycle_s: float | None = None,
    pulses_per_burst: int = 3,
    intra_burst_frequency_hz: float = 50.0,
    burst_frequency_hz: float = 5.0,
    days: int = 1,
    sessions_per_day: int = 1,
    session_interval_s: float | None = None,
    name: str | None = None,
) -> Protocol:
    """Theta burst: bursts of ``pulses_per_burst`` at ``intra_burst_frequency_hz`` repeated at
    ``burst_frequency_hz``; ``n_trains`` trains of ``bursts_per_train`` bursts, one train every
    ``train_cycle_s`` (onset to onset). iTBS: 10 bursts, cycle 10 s, 20 trains; cTBS: 200 bursts."""
    return build(
        {
            "kind": "tbs",
            "bursts_per_train": bursts_per_train,
            "n_trains": n_trains,
            "train_cycle_s": train_cycle_s,
            "pulses_per_burst": pulses_per_burst,
            "intra_burst_frequency_hz": intra_burst_frequency_hz,
            "burst_frequency_hz": burst_frequency_hz,
            "name": name,
            "course": _course(days, sessions_per_day, session_interval_s),
        }
    )


def quadripulse(
    isi_s: float = 5e-3, n_bursts: int = 360, burst_interval_s: float = 5.0, name: str | None = None
) -> Protocol:
    """Quadripulse stimulation (Hamada et al. 2008): 4 pulses ``isi_s`` apart every
    ``burst_interval_s`` seconds, ``n_bursts`` times (360 bursts = 30 min)."""
    return build(
        {
            "kind": "qps",
            "isi_s": isi_s,
            "n_bursts": n_bursts,
            "burst_interval_s": burst_interval_s,
            "name": name,
        }
    )


def custom(
    pulse_times_s: Sequence[float],
    train_index: Sequence[int] | None = None,
    name: str | None = None,
) -> Protocol:
    """Any pattern from its pulse times: (N,) seconds, strictly increasing, >= 0."""
    return build(
        {
            "kind": "custom",
            "pulse_times_s": [float(t) for t in pulse_times_s],
            "train_index": None if train_index is None else [int(i) for i in train_index],
            "name": name,
        }
    )
