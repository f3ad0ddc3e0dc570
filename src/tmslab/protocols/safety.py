"""Check a protocol's trains against the maximum safe rTMS train durations of Wassermann 1998.

The table (``tmslab/data/safety_max_train_duration_wassermann1998.csv``) gives, for conventional
rTMS at 1, 5, 10, 20 and 25 Hz and 100-220 % of motor threshold (MT), the maximum safe duration
of a single train, as reproduced in Table 4 of Rossi et al. 2009. Cells printed with '>' are the
longest duration tested without adverse effect: a lower bound, not a limit.

Policy (what :func:`check_protocol` does, in order):

1. **Trains.** Pulses are grouped by ``protocol.train_index``. A train's *frequency* is its peak
   pulse rate, 1 / (shortest inter-pulse interval). Its *duration* is its first-to-last span plus
   one shortest interval: the stimulator's "train duration", n pulses at f Hz lasting n / f
   (40 pulses at 10 Hz = 4.0 s, where first-to-last is 3.9 s), the conservative choice.
   A train's *intensity* is the nominal intensity times its largest ``pulse_scale``.
2. **What the table covers.** Only continuous trains of one frequency. Not covered (verdict
   ``"not-covered"``): single pulses; paired pulses (kind ``"paired"``, or a two-pulse train
   faster than 25 Hz); theta burst (kind ``"tbs"``); trains made of bursts (kind ``"qps"``, or a
   train whose longest inter-pulse interval exceeds ``BURST_IPI_RATIO`` = 1.5 times its shortest);
   peak rates above 25 Hz; intensities above 220 % MT. Each comes with cited guidance.
3. **Cell.** Between tabulated values the next HIGHER tabulated frequency and the next HIGHER
   tabulated intensity are used (15 Hz at 115 % MT -> the 20 Hz / 120 % MT cell). Below 1 Hz the
   1 Hz row is used (lower frequency is safer); below 100 % MT the 100 % MT column (the table does
   not cover sub-threshold intensities; its first column is the conservative stand-in). Values
   within a relative ``REL_TOL`` = 1e-6 of a tabulated value count as that value.
4. **Monotone reading.** The printed table is not monotone (10 Hz: 0.8 s at 150 % MT but 0.9 s
   at 160 % MT). Taking risk never to fall as frequency or intensity rise, a cell is read as
   ``safe_up_to_s`` = the smallest printed value of all cells at lower-or-equal frequency and
   intensity, and ``limit_s`` = the smallest printed *real limit* (cells without '>') among them
   (none if there is none). This lowers nine cells of the printed table and raises none. So a
   '>' cell above a real limit (1 Hz: 360 s at 120 % MT, '>50' s at 130 % MT) keeps that limit:
   900 s at 1 Hz and 130 % MT exceeds the 360 s of 120 % MT.
5. **Verdict per train.** ``"within"``: duration <= safe_up_to_s. ``"exceeds"``: duration >
   limit_s (a real limit: unsafe by the table). ``"beyond-tested"``: in between, i.e. longer
   than the longest duration tested without adverse effect while no limit is known: beyond the
   tested range, NOT a finding that it is unsafe. ``"not-covered"``: the table does not apply.
   Durations are compared with the relative tolerance ``REL_TOL``.
6. **Summary.** ``within_limits``: no train exceeds a real limit. ``beyond_tested_range``: some
   train is beyond the tested range OR not covered by the table. ``covered_by_table``: the table
   applies to every train. Inter-train pauses are reported, not checked (the table ignores them).

Reading the table file is the only I/O (:func:`load_wassermann_table`, cached); the rest is pure
and takes the table as a value.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from itertools import pairwise
from typing import Any, Literal

import numpy as np

from tmslab.errors import InvalidValueError, SpecFileError
from tmslab.protocols.protocol import Protocol
from tmslab.sources import Source

__all__ = [
    "CHEN_1997",
    "LERNER_2019",
    "OBERMAN_2011",
    "ROSSI_2009",
    "ROSSI_2021",
    "VERDICTS",
    "WASSERMANN_1998",
    "SafetyReport",
    "SafetyTable",
    "TableCell",
    "TrainCheck",
    "check_protocol",
    "check_train",
    "load_wassermann_table",
    "parse_table_csv",
]

Verdict = Literal["within", "beyond-tested", "exceeds", "not-covered"]
VERDICTS: tuple[str, ...] = ("within", "beyond-tested", "exceeds", "not-covered")

REL_TOL = 1e-6  # relative tolerance: "equal to a tabulated value", duration comparisons
BURST_IPI_RATIO = 1.5  # longest / shortest inter-pulse interval above which a train is bursts

TABLE_FILE = "safety_max_train_duration_wassermann1998.csv"
TABLE_COLUMNS = ("frequency_hz", "intensity_pct_mt", "max_train_s", "longest_tested")

# --- sources ---------------------------------------------------------------------------------
WASSERMANN_1998 = Source(
    citation="Wassermann 1998, Electroencephalogr Clin Neurophysiol 108:1-16",
    doi="10.1016/S0168-5597(97)00096-8",
    note=(
        "Maximum safe duration (s) of a single rTMS train by frequency (1-25 Hz) and intensity "
        "(100-220 % MT), as reproduced in Table 4 of Rossi et al. 2009 "
        "(doi 10.1016/j.clinph.2009.08.016); '>' cells are the longest durations tested."
    ),
)
ROSSI_2009 = Source(
    citation="Rossi et al. 2009, Clin Neurophysiol 120:2008-2039",
    doi="10.1016/j.clinph.2009.08.016",
    note="Safety of TMS consensus guidelines; Table 1 (side effects by protocol), Table 4.",
)
ROSSI_2021 = Source(
    citation="Rossi et al. 2021, Clin Neurophysiol 132:269-306",
    doi="10.1016/j.clinph.2020.10.003",
    note="IFCN expert guidelines updating Rossi et al. 2009 (abstract).",
)
OBERMAN_2011 = Source(
    citation="Oberman et al. 2011, J Clin Neurophysiol 28:67-74",
    doi="10.1097/WNP.0b013e318205135f",
    note="Systematic review of theta burst safety, studies May 2004 - December 2009 (abstract).",
)
CHEN_1997 = Source(
    citation="Chen et al. 1997, Electroencephalogr Clin Neurophysiol 105:415-421",
    doi="10.1016/s0924-980x(97)00036-2",
    note="Safety of inter-train intervals for 20 Hz rTMS (abstract).",
)
LERNER_2019 = Source(
    citation="Lerner et al. 2019, Clin Neurophysiol 130:1409-1416",
    doi="10.1016/j.clinph.2019.03.016",
    note="Survey of seizures from TMS 2012-2016 in 174 laboratories and clinics (abstract).",
)


# --- the table -------------------------------------------------------------------------------
@dataclass(frozen=True)
class TableCell:
    """One cell of a safety table and the durations read from it (policy step 4).

    frequency_hz, intensity_pct_mt: the tabulated frequency (Hz) and intensity (% MT).
    max_train_s: the printed value, s. longest_tested: True if printed with '>'.
    safe_up_to_s: trains up to this duration (s) are within the table.
    limit_s: trains longer than this (s) exceed a real limit; ``math.inf`` when none applies.
    safe_from, limit_from: (frequency_hz, intensity_pct_mt) of the cell each value comes from
        (this cell unless one at lower frequency or intensity is stricter); limit_from is None
        when limit_s is inf.
    """

    frequency_hz: float
    intensity_pct_mt: float
    max_train_s: float
    longest_tested: bool
    safe_up_to_s: float
    limit_s: float
    safe_from: tuple[float, float] | None = None
    limit_from: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The cell as printed: frequency, intensity, value and whether it was printed with '>'."""
        return {
            "frequency_hz": self.frequency_hz,
            "intensity_pct_mt": self.intensity_pct_mt,
            "max_train_s": self.max_train_s,
            "longest_tested": self.longest_tested,
        }


@dataclass(frozen=True, eq=False)
class SafetyTable:
    """Maximum safe single-train durations on a frequency x intensity grid.

    frequencies: (F,) array, Hz, strictly ascending.
    intensities: (I,) array, % of motor threshold, strictly ascending.
    max_train_s: (F, I) array, seconds, > 0: the printed value of each cell.
    longest_tested: (F, I) bool array: True where the value is the longest duration tested
        without adverse effect (printed '>'), a lower bound rather than a limit.
    source: where the numbers come from.
    """

    frequencies: np.ndarray
    intensities: np.ndarray
    max_train_s: np.ndarray
    longest_tested: np.ndarray
    source: Source

    def __post_init__(self) -> None:
        for name, dtype in (
            ("frequencies", float),
            ("intensities", float),
            ("max_train_s", float),
            ("longest_tested", bool),
        ):
            array = np.array(getattr(self, name), dtype=dtype)  # private, read-only copy
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        shape = (self.frequencies.size, self.intensities.size)
        if self.frequencies.ndim != 1 or self.intensities.ndim != 1 or 0 in shape:
            raise InvalidValueError(
                "a safety table needs 1-D, non-empty frequencies and intensities"
            )
        if self.max_train_s.shape != shape or self.longest_tested.shape != shape:
            raise InvalidValueError(
                f"max_train_s and longest_tested must have shape {shape} (frequencies x "
                f"intensities), got {self.max_train_s.shape} and {self.longest_tested.shape}"
            )
        for name, grid in (("frequencies", self.frequencies), ("intensities", self.intensities)):
            if not (np.all(np.isfinite(grid)) and np.all(grid > 0) and np.all(np.diff(grid) > 0)):
                raise InvalidValueError(
                    f"{name} = {grid.tolist()} must be finite, > 0 and strictly ascending"
                )
        if not (np.all(np.isfinite(self.max_train_s)) and np.all(self.max_train_s > 0)):
            raise InvalidValueError("max_train_s must be finite and > 0 s in every cell")

    @property
    def shape(self) -> tuple[int, int]:
        """(F, I): number of frequencies and intensities."""
        return (self.frequencies.size, self.intensities.size)

    @cached_property
    def safe_up_to_s(self) -> np.ndarray:
        """(F, I) s: smallest printed value of the cells at lower-or-equal frequency and
        intensity."""
        return _cumulative_min_2d(self.max_train_s)

    @cached_property
    def limit_s(self) -> np.ndarray:
        """(F, I) s: smallest real limit ('>' cells left out) of all cells at lower-or-equal
        frequency and intensity; inf where there is none."""
        return _cumulative_min_2d(self._real_limits)

    @cached_property
    def _real_limits(self) -> np.ndarray:
        return np.where(self.longest_tested, np.inf, self.max_train_s)

    def cell_index(self, frequency_hz: float, intensity_pct_mt: float) -> tuple[int, int] | None:
        """(row, column) of the conservative cell for a train, or None outside the table: the
        next higher tabulated frequency and intensity, the first row / column below the grid."""
        row = _conservative_index(self.frequencies, frequency_hz)
        column = _conservative_index(self.intensities, intensity_pct_mt)
        if row is None or column is None:
            return None
        return row, column

    def lookup(self, frequency_hz: float, intensity_pct_mt: float) -> TableCell | None:
        """The conservative cell for a train at ``frequency_hz`` (Hz) and ``intensity_pct_mt``
        (% MT) with its durations (policy steps 3-4); None when the table does not cover them."""
        index = self.cell_index(frequency_hz, intensity_pct_mt)
        if index is None:
            return None
        i, j = index
        safe, limit = float(self.safe_up_to_s[i, j]), float(self.limit_s[i, j])
        return TableCell(
            frequency_hz=float(self.frequencies[i]),
            intensity_pct_mt=float(self.intensities[j]),
            max_train_s=float(self.max_train_s[i, j]),
            longest_tested=bool(self.longest_tested[i, j]),
            safe_up_to_s=safe,
            limit_s=limit,
            safe_from=self._origin(self.max_train_s, i, j, safe),
            limit_from=None if math.isinf(limit) else self._origin(self._real_limits, i, j, limit),
        )

    def _origin(self, values: np.ndarray, i: int, j: int, target: float) -> tuple[float, float]:
        """(frequency, intensity) of the cell nearest (i, j), at or below it, holding ``target``."""
        rows, columns = np.nonzero(values[: i + 1, : j + 1] == target)
        k = int(np.argmax(rows + columns))
        return float(self.frequencies[rows[k]]), float(self.intensities[columns[k]])

    def to_dict(self) -> dict[str, Any]:
        return {
            "frequencies_hz": self.frequencies.tolist(),
            "intensities_pct_mt": self.intensities.tolist(),
            "max_train_s": self.max_train_s.tolist(),
            "longest_tested": self.longest_tested.tolist(),
            "source": self.source.to_dict(),
        }


def _cumulative_min_2d(values: np.ndarray) -> np.ndarray:
    """out[i, j] = min(values[:i + 1, :j + 1]) of an (F, I) array; read-only."""
    out = np.minimum.accumulate(np.minimum.accumulate(values, axis=0), axis=1)
    out.setflags(write=False)
    return out


def _conservative_index(grid: np.ndarray, value: float) -> int | None:
    """Index of the smallest grid value >= value (REL_TOL allowed); 0 below the grid, None above."""
    if value > grid[-1] * (1.0 + REL_TOL):
        return None
    return int(np.searchsorted(grid * (1.0 + REL_TOL), value, side="left"))


def parse_table_csv(text: str, source: Source, where: str = "safety table") -> SafetyTable:
    """A SafetyTable from CSV text with columns frequency_hz, intensity_pct_mt, max_train_s,
    longest_tested (true/false): one row per cell of a full frequency x intensity grid.

    Raises SpecFileError (one line naming the file and line) when the text is malformed.
    """
    reader = csv.DictReader(io.StringIO(text))
    names = tuple(name.strip() for name in reader.fieldnames or ())
    if names != TABLE_COLUMNS:
        raise SpecFileError(f"{where}: columns must be {', '.join(TABLE_COLUMNS)}; got {names}")
    cells: dict[tuple[float, float], tuple[float, bool]] = {}
    for line, row in enumerate(reader, start=2):
        try:
            frequency = float(row["frequency_hz"])
            intensity = float(row["intensity_pct_mt"])
            value = float(row["max_train_s"])
        except (TypeError, ValueError):
            raise SpecFileError(f"{where}, line {line}: expected numbers, got {row}") from None
        flag = str(row["longest_tested"]).strip().lower()
        if flag not in ("true", "false"):
            raise SpecFileError(
                f"{where}, line {line}: longest_tested = {row['longest_tested']!r}; "
                "use true or false"
            )
        if not all(math.isfinite(x) and x > 0 for x in (frequency, intensity, value)):
            raise SpecFileError(
                f"{where}, line {line}: frequency, intensity and duration must be finite and > 0"
            )
        if (frequency, intensity) in cells:
            raise SpecFileError(
                f"{where}, line {line}: cell {frequency:g} Hz / {intensity:g} % MT given twice"
            )
        cells[(frequency, intensity)] = (value, flag == "true")
    if not cells:
        raise SpecFileError(f"{where}: no rows")
    frequencies = sorted({f for f, _ in cells})
    intensities = sorted({i for _, i in cells})
    missing = [(f, i) for f in frequencies for i in intensities if (f, i) not in cells]
    if missing:
        f, i = missing[0]
        raise SpecFileError(f"{where}: the grid is incomplete; no cell for {f:g} Hz / {i:g} % MT")
    return SafetyTable(
        frequencies=np.array(frequencies),
        intensities=np.array(intensities),
        max_train_s=np.array([[cells[(f, i)][0] for i in intensities] for f in frequencies]),
        longest_tested=np.array([[cells[(f, i)][1] for i in intensities] for f in frequencies]),
        source=source,
    )


@cache
def load_wassermann_table() -> SafetyTable:
    """The Wassermann 1998 table (Rossi et al. 2009, Table 4) shipped with tmslab; read once."""
    try:
        text = (resources.files("tmslab") / "data" / TABLE_FILE).read_text(encoding="utf-8")
    except OSError as error:
        raise SpecFileError(
            f"cannot read the packaged safety table {TABLE_FILE}: {error}"
        ) from None
    return parse_table_csv(text, WASSERMANN_1998, where=TABLE_FILE)


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
            f"a paired pulse ({shortest * 1e3:.4g} ms apart) is not a train; "
            "the table does not apply",
        )
    if kind == "qps" or longest > BURST_IPI_RATIO * shortest:
        return not_covered(
            "patterned",
            f"the train is made of bursts (inter-pulse intervals {shortest * 1e3:.4g} to "
            f"{longest * 1e3:.4g} ms); the table covers continuous trains of one frequency",
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


# --- cited guidance --------------------------------------------------------------------------
Cited = tuple[Source, str]  # a source and where in it ("" for the work as a whole)
Note = tuple[str, tuple[Cited, ...]]


def _cite(text: str, cited: tuple[Cited, ...]) -> str:
    """'text (Author year, journal, Table 1, doi:...; ...)'."""
    refs = "; ".join(
        ", ".join(part for part in (source.citation, where, f"doi:{source.doi}") if part)
        for source, where in cited
    )
    return f"{text} ({refs})"


def _notes(checks: list[TrainCheck], table: SafetyTable) -> list[Note]:
    """Cited guidance for the trains of a report, each note at most once, in a fixed order."""
    categories = {c.category for c in checks}
    verdicts = {c.verdict for c in checks}
    covered = [c for c in checks if c.category == CATEGORY_RTMS]
    f_min, f_max = float(table.frequencies[0]), float(table.frequencies[-1])
    i_min, i_max = float(table.intensities[0]), float(table.intensities[-1])
    own: tuple[Cited, ...] = ((table.source, ""),)
    table_cite = own + ((ROSSI_2009, "Table 4"),) if table.source == WASSERMANN_1998 else own
    table1: tuple[Cited, ...] = ((ROSSI_2009, "Table 1"),)
    notes: list[Note] = []

    def add(text: str, cited: tuple[Cited, ...]) -> None:
        notes.append((text, cited))

    if covered:
        add(
            f"Trains were checked against maximum safe single-train durations of conventional "
            f"rTMS at {f_min:g}-{f_max:g} Hz and {i_min:g}-{i_max:g} % MT; values printed "
            "with '>' are the longest durations tested without adverse effect, not limits",
            table_cite,
        )
        add(
            "tmslab reads the table conservatively: the next higher tabulated frequency and "
            "intensity, and no cell allowing longer than a cell at lower or equal frequency "
            "and intensity",
            own,
        )
    if any(c.frequency_hz < f_min * (1 - REL_TOL) for c in covered):
        add(
            f"The table starts at {f_min:g} Hz; slower trains were checked against the "
            f"{f_min:g} Hz row, a conservative choice: seizures with low-frequency rTMS are "
            "rated rare, usually with a protective effect",
            table1,
        )
    if any(c.intensity_pct_mt < i_min * (1 - REL_TOL) for c in covered):
        add(
            f"The table starts at {i_min:g} % MT and does not cover sub-threshold intensities; "
            f"they were checked against the {i_min:g} % MT column, a conservative choice",
            table_cite,
        )
    if len(covered) > 1:
        add(
            "Inter-train intervals are not checked by this table: 20 Hz, 1.6 s trains at "
            "110 % MT were safe 5 s apart, but intervals of 1 s or less were unsafe above "
            "100 % MT",
            ((CHEN_1997, ""),),
        )
    if "beyond-tested" in verdicts:
        add(
            "A train longer than a '>' value is beyond the tested range: no adverse effect "
            "was seen up to that duration and no limit is known past it; this is not a "
            "finding that it is unsafe",
            table_cite,
        )
    if "exceeds" in verdicts:
        add(
            "A survey of 318,560 TMS sessions found 24 seizures (0.08 per 1000 sessions); "
            "seizures appeared more common when safety guidelines were exceeded",
            ((LERNER_2019, ""),),
        )
    if "single-pulse" in categories:
        add(
            "Single pulses are not covered by the train table; seizure induction by "
            "single-pulse TMS is rated rare",
            table1,
        )
    if "paired-pulse" in categories:
        add(
            "Paired pulses are not covered by the train table (their ms interval is not a "
            "train rate); no seizure is reported with paired-pulse TMS",
            table1,
        )
    if "theta-burst" in categories:
        add(
            "Theta burst stimulation is not covered by the rTMS train table; its seizure "
            "risk is rated possible, with one seizure in a normal subject during cTBS",
            table1,
        )
        add(
            "A review of TBS studies published May 2004 - December 2009 found mostly mild "
            "adverse events, in about 5 % of subjects, and advised applying TBS with caution",
            ((OBERMAN_2011, ""),),
        )
    if "patterned" in categories:
        add(
            "Trains made of bursts (patterned rTMS such as QPS) are not covered: the table "
            "is for continuous trains of one frequency",
            table_cite,
        )
    if "frequency-above-table" in categories:
        add(
            f"Trains faster than {f_max:g} Hz are outside the table "
            f"({f_min:g}-{f_max:g} Hz); no tabulated limit applies",
            table_cite,
        )
    if "intensity-above-table" in categories:
        add(
            f"Intensities above {i_max:g} % MT are outside the table "
            f"({i_min:g}-{i_max:g} % MT); no tabulated limit applies",
            table_cite,
        )
    if categories & {"theta-burst", "patterned", "frequency-above-table", "intensity-above-table"}:
        add(
            "The 2009 recommendation of neurophysiological monitoring for new protocols "
            "remains valid; seizure risk is low with traditional parameters and focal coils, "
            "for which large data sets exist",
            ((ROSSI_2021, ""),),
        )
    return notes
