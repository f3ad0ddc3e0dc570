"""The verdict on a whole protocol (policy steps 1 and 6 of :mod:`tmslab.protocols.safety`)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.protocols.protocol import Protocol
from tmslab.protocols.safety.constants import VERDICTS
from tmslab.protocols.safety.notes import _cite, _notes
from tmslab.protocols.safety.table import SafetyTable, load_wassermann_table
from tmslab.protocols.safety.train import TrainCheck, check_train
from tmslab.sources import Source


# --- the whole protocol ----------------------------------------------------------------------
@dataclass(frozen=True)
class SafetyReport:
    """The verdict on a protocol: one TrainCheck per train, a summary and cited guidance.

    intensity_pct_mt: the nominal intensity checked, % MT. notes: cited guidance, one line each.
    sources: every source the notes cite. table_source: the table's source.
    shortest_inter_train_pause_s: shortest pause from a train's last pulse to the next train's
    first pulse, s (None for one train); reported, not checked.
    """

    protocol_name: str
    protocol_kind: str
    intensity_pct_mt: float
    trains: tuple[TrainCheck, ...]
    pulses_per_session: int
    sessions_per_day: int
    n_sessions: int
    total_pulses: int
    shortest_inter_train_pause_s: float | None
    notes: tuple[str, ...]
    sources: tuple[Source, ...]
    table_source: Source

    @property
    def within_limits(self) -> bool:
        """True when no train exceeds a real limit of the table."""
        return not any(t.verdict == "exceeds" for t in self.trains)

    @property
    def beyond_tested_range(self) -> bool:
        """True when a train is longer than a '>' cell's tested duration or not covered."""
        return any(t.verdict in ("beyond-tested", "not-covered") for t in self.trains)

    @property
    def covered_by_table(self) -> bool:
        """True when the table applies to every train."""
        return all(t.verdict != "not-covered" for t in self.trains)

    @property
    def pulses_per_day(self) -> int:
        return self.pulses_per_session * self.sessions_per_day

    @property
    def verdict_counts(self) -> dict[str, int]:
        """How many trains got each verdict (every verdict listed, zeros included)."""
        return {v: sum(t.verdict == v for t in self.trains) for v in VERDICTS}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values (what `tmslab protocol check --json` prints)."""
        return {
            "protocol": self.protocol_name,
            "kind": self.protocol_kind,
            "intensity_pct_mt": self.intensity_pct_mt,
            "within_limits": self.within_limits,
            "beyond_tested_range": self.beyond_tested_range,
            "covered_by_table": self.covered_by_table,
            "verdict_counts": self.verdict_counts,
            "pulses_per_session": self.pulses_per_session,
            "sessions_per_day": self.sessions_per_day,
            "pulses_per_day": self.pulses_per_day,
            "n_sessions": self.n_sessions,
            "total_pulses": self.total_pulses,
            "shortest_inter_train_pause_s": self.shortest_inter_train_pause_s,
            "trains": [t.to_dict() for t in self.trains],
            "notes": list(self.notes),
            "sources": [s.to_dict() for s in self.sources],
            "table_source": self.table_source.to_dict(),
        }


MAX_PCT_MT = 1000.0


def _check_intensity(value: Any) -> float:
    """``value`` as a float if it is a finite number > 0, else InvalidValueError."""
    message = (
        f"intensity_pct_mt = {value!r} is not allowed; give a finite number > 0 "
        "(% of motor threshold; the table covers 100-220)"
    )
    if isinstance(value, bool):
        raise InvalidValueError(message)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidValueError(message) from None
    if not (math.isfinite(number) and number > 0):
        raise InvalidValueError(message)
    if number > MAX_PCT_MT:
        # 100 % MSO is rarely above 5 x a motor threshold: this is another unit (A/s? % MSO x 100?).
        raise InvalidValueError(
            f"intensity_pct_mt = {value!r} is implausible (above {MAX_PCT_MT:g} % of motor "
            "threshold); give the intensity in % of the resting motor threshold, e.g. 120"
        )
    return number


def check_protocol(
    protocol: Protocol, intensity_pct_mt: float, table: SafetyTable | None = None
) -> SafetyReport:
    """Check every train of ``protocol`` at ``intensity_pct_mt`` (% of motor threshold) against
    ``table`` (default: Wassermann 1998, :func:`load_wassermann_table`); see the module docstring
    for the policy. Raises InvalidValueError when the intensity is not a finite number > 0.
    """
    intensity = _check_intensity(intensity_pct_mt)
    if not isinstance(protocol, Protocol):
        raise InvalidValueError(
            f"protocol must be a tmslab Protocol, got {type(protocol).__name__}"
        )
    if table is None:
        table = load_wassermann_table()
    elif not isinstance(table, SafetyTable):
        raise InvalidValueError(f"table must be a SafetyTable, got {type(table).__name__}")

    checks = [
        check_train(times, intensity * float(np.max(scale)), table, kind=protocol.kind, index=index)
        for index, times, scale in _trains(protocol)
    ]
    by_onset = sorted(checks, key=lambda c: c.onset_s)
    pauses = [b.onset_s - (a.onset_s + a.span_s) for a, b in pairwise(by_onset)]
    notes = _notes(checks, table)
    sources: list[Source] = []
    for _, cited in notes:
        for source, _ in cited:
            if source not in sources:
                sources.append(source)
    return SafetyReport(
        protocol_name=protocol.name,
        protocol_kind=protocol.kind,
        intensity_pct_mt=intensity,
        trains=tuple(checks),
        pulses_per_session=protocol.n_pulses,
        sessions_per_day=protocol.course.sessions_per_day,
        n_sessions=protocol.course.n_sessions,
        total_pulses=protocol.total_pulses,
        shortest_inter_train_pause_s=min(pauses) if pauses else None,
        notes=tuple(_cite(text, cited) for text, cited in notes),
        sources=tuple(sources),
        table_source=table.source,
    )


def _trains(protocol: Protocol) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(train index, (n,) times in s, (n,) pulse scales) of each train, by train index."""
    order = np.argsort(protocol.train_index, kind="stable")
    for group in np.split(order, np.flatnonzero(np.diff(protocol.train_index[order])) + 1):
        if group.size:
            index = int(protocol.train_index[group[0]])
            yield index, protocol.pulse_times_s[group], protocol.pulse_scale[group]
