"""The safety table: its cells, the monotone reading, CSV parsing and the packaged Wassermann
1998 table (policy steps 3-4 of :mod:`tmslab.protocols.safety`)."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import Any

import numpy as np

from tmslab.errors import InvalidValueError, SpecFileError
from tmslab.protocols.safety.constants import REL_TOL
from tmslab.protocols.safety.sources import WASSERMANN_1998
from tmslab.sources import Source

TABLE_FILE = "safety_max_train_duration_wassermann1998.csv"
TABLE_COLUMNS = ("frequency_hz", "intensity_pct_mt", "max_train_s", "longest_tested")


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
