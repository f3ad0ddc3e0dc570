"""The verdict on one train (policy steps 1-5 of :mod:`tmslab.protocols.safety`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.protocols.safety.constants import BURST_IPI_RATIO, REL_TOL
from tmslab.protocols.safety.table import SafetyTable, TableCell
from tmslab.units import MS_PER_S

# --- one train -------------------------------------------------------------------------------
CATEGORY_RTMS = "rtms"  # a continuous train the table covers
CATEGORIES = (
    CATEGORY_RTMS,
    "single-pulse",
    "paired-pulse",
    "theta-burst",
    "patterned",
    "frequency-above-table",
    "intensity-above-table",
)


@dataclass(frozen=True)
class TrainCheck:
    """The verdict on one train.

    onset_s, span_s (first to last pulse), duration_s (span + one shortest interval, n / f for a
    regular train): seconds. frequency_hz: peak pulse rate (0 for a single pulse).
    intensity_pct_mt: the train's highest pulse intensity, % MT.
    category: "rtms" (covered by the table) or why it is not covered (one of CATEGORIES).
    cell: the table cell used (None when not covered). safe_up_to_s, limit_s: the durations the
    verdict compares with, s; limit_s is None when no real limit applies.
    verdict: "within", "beyond-tested", "exceeds" or "not-covered". reason: one line saying why.
    """

    index: int
    onset_s: float
    n_pulses: int
    span_s: float
    frequency_hz: float
    duration_s: float
    intensity_pct_mt: float
    category: str
    verdict: str
    reason: str
    cell: TableCell | None = None
    safe_up_to_s: float | None = None
    limit_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "onset_s": self.onset_s,
            "n_pulses": self.n_pulses,
            "span_s": self.span_s,
            "frequency_hz": self.frequency_hz,
            "duration_s": self.duration_s,
            "intensity_pct_mt": self.intensity_pct_mt,
            "category": self.category,
            "cell": self.cell.to_dict() if self.cell else None,
            "safe_up_to_s": self.safe_up_to_s,
            "limit_s": self.limit_s,
            "verdict": self.verdict,
            "reason": self.reason,
        }


def check_train(
    times_s: np.ndarray,
    intensity_pct_mt: float,
    table: SafetyTable,
    *,
    kind: str = "custom",
    index: int = 0,
) -> TrainCheck:
    """The verdict on one train (policy steps 1-5).

    times_s: (n,) pulse times of the train, seconds, n >= 1. intensity_pct_mt: the train's
    intensity, % MT, > 0. kind: the protocol's builder; "tbs", "paired" and "qps" trains are never
    covered. index: the train's number, for the report.
    """
    times = np.sort(np.asarray(times_s, dtype=float).ravel())
    if times.size == 0:
        raise InvalidValueError(f"train {index} has no pulses; give at least one pulse time")
    n = int(times.size)
    span = float(times[-1] - times[0])
    shortest = longest = frequency = duration = 0.0
    if n >= 2:
        intervals = np.diff(times)
        shortest, longest = float(intervals.min()), float(intervals.max())
        if not shortest > 0:
            at = float(times[1:][intervals <= 0][0])
            raise InvalidValueError(f"train {index} has two pulses at {at:g} s; times must differ")
        frequency = 1.0 / shortest
        duration = span + shortest
    intensity = float(intensity_pct_mt)
    common = {
        "index": index,
        "onset_s": float(times[0]),
        "n_pulses": n,
        "span_s": span,
        "frequency_hz": frequency,
        "duration_s": duration,
        "intensity_pct_mt": intensity,
    }
    f_max, i_max = float(table.frequencies[-1]), float(table.intensities[-1])

    def not_covered(category: str, reason: str) -> TrainCheck:
        return TrainCheck(category=category, verdict="not-covered", reason=reason, **common)

    if n == 1:
        return not_covered(
            "single-pulse", "a single pulse is not a train; the table does not apply"
        )
    if kind == "tbs":
        return not_covered("theta-burst", "theta burst is not covered by the rTMS train table")
    if kind == "paired" or (n == 2 and frequency > f_max * (1 + REL_TOL)):
        return not_covered(
            "paired-pulse",
            f"a paired pulse ({shortest * MS_PER_S:.4g} ms apart) is not a train; "
            "the table does not apply",
        )
    if kind == "qps" or longest > BURST_IPI_RATIO * shortest:
        return not_covered(
            "patterned",
            f"the train is made of bursts (inter-pulse intervals {shortest * MS_PER_S:.4g} to "
            f"{longest * MS_PER_S:.4g} ms); the table covers continuous trains of one frequency",
        )
    cell = table.lookup(frequency, intensity)
    if cell is None:
        if frequency > f_max * (1 + REL_TOL):
            return not_covered(
                "frequency-above-table",
                f"{frequency:.4g} Hz is above the table's highest frequency, {f_max:g} Hz",
            )
        return not_covered(
            "intensity-above-table",
            f"{intensity:.4g} % MT is above the table's highest intensity, {i_max:g} % MT",
        )
    verdict, reason = _verdict(duration, frequency, intensity, cell)
    limit = None if math.isinf(cell.limit_s) else cell.limit_s
    return TrainCheck(
        category=CATEGORY_RTMS,
        verdict=verdict,
        reason=reason,
        cell=cell,
        safe_up_to_s=cell.safe_up_to_s,
        limit_s=limit,
        **common,
    )


def _verdict(
    duration: float, frequency: float, intensity: float, cell: TableCell
) -> tuple[str, str]:
    """(verdict, one-line reason) of a covered train (policy step 5)."""
    here = (cell.frequency_hz, cell.intensity_pct_mt)

    def of(origin: tuple[float, float] | None) -> str:
        return "" if origin in (None, here) else f" of the {_cell_name(origin)} cell"

    printed = f"{'>' if cell.longest_tested else ''}{cell.max_train_s:g} s"
    train = (
        f"{duration:.4g} s train at {frequency:.4g} Hz, {intensity:.4g} % MT "
        f"(cell {_cell_name(here)}, printed {printed})"
    )
    safe_is_tested = cell.limit_s != cell.safe_up_to_s
    safe = (
        f"{cell.safe_up_to_s:g} s {'tested without adverse effect' if safe_is_tested else 'limit'}"
    )
    if duration <= cell.safe_up_to_s * (1 + REL_TOL):
        return "within", f"{train} is within the {safe}{of(cell.safe_from)}"
    if duration > cell.limit_s * (1 + REL_TOL):
        return "exceeds", f"{train} exceeds the {cell.limit_s:g} s limit{of(cell.limit_from)}"
    known = (
        "no limit is known"
        if math.isinf(cell.limit_s)
        else f"the next real limit is {cell.limit_s:g} s{of(cell.limit_from)}"
    )
    return "beyond-tested", f"{train} is longer than the {safe}{of(cell.safe_from)}; {known}"


def _cell_name(cell: tuple[float, float]) -> str:
    return f"{cell[0]:g} Hz / {cell[1]:g} % MT"
