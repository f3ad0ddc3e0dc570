"""The Protocol value: one session's pulse times, its trains, and the course it is repeated in."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tmslab.protocols.pattern import mean_rate_hz, peak_rate_hz
from tmslab.sources import Source

SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class Course:
    """How often a session is repeated: ``sessions_per_day`` sessions on each of ``days`` days.

    session_interval_s: onset-to-onset time between sessions of one day, seconds (None when
    there is one session a day). Days are taken to start 24 h apart.
    """

    days: int = 1
    sessions_per_day: int = 1
    session_interval_s: float | None = None

    @property
    def n_sessions(self) -> int:
        return self.days * self.sessions_per_day

    def session_onsets_s(self) -> np.ndarray:
        """Onset of every session, seconds from the first: (days * sessions_per_day,) array."""
        within_day = np.arange(self.sessions_per_day) * (self.session_interval_s or 0.0)
        day_starts = np.arange(self.days) * SECONDS_PER_DAY
        return (day_starts[:, None] + within_day[None, :]).ravel()

    def to_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "sessions_per_day": self.sessions_per_day,
            "session_interval_s": self.session_interval_s,
            "n_sessions": self.n_sessions,
        }


@dataclass(frozen=True)
class TrainSummary:
    """One train of a session: onset and duration in seconds, pulses, peak rate in Hz."""

    index: int
    onset_s: float
    duration_s: float
    n_pulses: int
    peak_rate_hz: float
    mean_rate_hz: float


@dataclass(frozen=True, eq=False)
class Protocol:
    """One session of TMS pulses, and the course of sessions it belongs to.

    pulse_times_s: (N,) array, seconds, ascending, first pulse at 0 for built-in patterns.
    train_index: (N,) int array, the 0-based train each pulse belongs to.
    pulse_scale: (N,) array, dimensionless: each pulse's intensity relative to the protocol's
        nominal intensity (1 for all pulses except e.g. the conditioning pulse of a paired pulse).
    kind: the builder that made it ("single", "paired", "rtms", "tbs", "qps", "custom").
    parameters: the validated builder parameters (SI units), for provenance and re-building.
    """

    name: str
    kind: str
    pulse_times_s: np.ndarray
    train_index: np.ndarray
    pulse_scale: np.ndarray
    parameters: dict[str, Any] = field(default_factory=dict)
    course: Course = field(default_factory=Course)
    source: Source | None = None
    description: str = ""

    def __post_init__(self) -> None:
        for name, dtype in (("pulse_times_s", float), ("train_index", int), ("pulse_scale", float)):
            array = np.array(getattr(self, name), dtype=dtype)  # private, read-only copy
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        if not (self.pulse_times_s.shape == self.train_index.shape == self.pulse_scale.shape):
            raise ValueError("pulse_times_s, train_index and pulse_scale must have the same shape")

    # --- figures of one session -------------------------------------------------------------
    @property
    def n_pulses(self) -> int:
        """Pulses in one session."""
        return int(self.pulse_times_s.size)

    @property
    def duration_s(self) -> float:
        """Time from the first to the last pulse of a session, seconds."""
        if self.n_pulses < 2:
            return 0.0
        return float(self.pulse_times_s[-1] - self.pulse_times_s[0])

    @property
    def n_trains(self) -> int:
        return int(np.unique(self.train_index).size)

    @property
    def mean_rate_hz(self) -> float:
        """(N - 1) / duration, Hz."""
        return mean_rate_hz(self.pulse_times_s)

    @property
    def peak_rate_hz(self) -> float:
        """1 / shortest inter-pulse interval, Hz."""
        return peak_rate_hz(self.pulse_times_s)

    @property
    def total_pulses(self) -> int:
        """Pulses over the whole course (all sessions, all days)."""
        return self.n_pulses * self.course.n_sessions

    def trains(self) -> list[TrainSummary]:
        """Onset, duration, pulse count and rates of each train."""
        summaries = []
        for index in np.unique(self.train_index):
            times = self.pulse_times_s[self.train_index == index]
            summaries.append(
                TrainSummary(
                    index=int(index),
                    onset_s=float(times[0]),
                    duration_s=float(times[-1] - times[0]),
                    n_pulses=int(times.size),
                    peak_rate_hz=peak_rate_hz(times),
                    mean_rate_hz=mean_rate_hz(times),
                )
            )
        return summaries

    def summary(self) -> dict[str, Any]:
        """The protocol's figures as plain values (what `tmslab protocol show --json` prints)."""
        trains = self.trains()
        gaps = [b.onset_s - (a.onset_s + a.duration_s) for a, b in itertools.pairwise(trains)]
        return {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "n_pulses": self.n_pulses,
            "duration_s": self.duration_s,
            "n_trains": self.n_trains,
            "pulses_per_train": sorted({t.n_pulses for t in trains}),
            "train_duration_s": max(t.duration_s for t in trains) if trains else 0.0,
            "inter_train_pause_s": min(gaps) if gaps else None,
            "mean_rate_hz": self.mean_rate_hz,
            "peak_rate_hz": self.peak_rate_hz,
            "course": self.course.to_dict(),
            "total_pulses": self.total_pulses,
            "parameters": self.parameters,
            "source": self.source.to_dict() if self.source else None,
        }
