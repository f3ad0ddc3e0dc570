"""Tidy CSV in, checked effect sizes out: one row per study, metafor's escalc column names.

Columns (header names are matched without regard to case or surrounding spaces):

- ``RR``, ``OR``: ``ai, bi, ci, di`` (2x2 counts) or ``ai, n1i, ci, n2i`` (events and group
  sizes; ``bi = n1i - ai``, ``di = n2i - ci``);
- ``SMD``, ``MD``: ``m1i, sd1i, n1i, m2i, sd2i, n2i`` (group means, SDs, sizes);
- ``GEN``: ``yi`` with ``vi`` (or ``sei``): precomputed effect sizes and variances (or SEs);
- optional ``study`` (a label) and any moderator columns (numbers, or text for a categorical
  moderator); other columns are ignored.

Every problem raises a :class:`~tmslab.errors.TmslabError` whose one line names the file,
the 1-based data row (with the study label when there is one) and the column.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from tmslab.errors import InvalidValueError, SpecFileError
from tmslab.evidence.meta import effect_sizes
from tmslab.evidence.meta.measures import Measure, get_measure

MISSING = ("", "na", "nan", ".", "null", "none")
COUNT_COLUMNS = ("ai", "bi", "ci", "di", "n1i", "n2i")


@dataclass(frozen=True)
class MetaTable:
    """A CSV file read as text: ``header`` (names as written) and one dict per data row."""

    path: str
    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]

    @property
    def k(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> str | None:
        """The header name matching ``name`` (exact first, then case-insensitive), or None."""
        if name in self.header:
            return name
        wanted = name.strip().lower()
        for candidate in self.header:
            if candidate.strip().lower() == wanted:
                return candidate
        return None

    def label(self, i: int) -> str:
        study = self.column("study")
        return self.rows[i].get(study, "").strip() if study else ""

    def where(self, i: int, column: str | Sequence[str]) -> str:
        """'data.csv: row 3 (Aronson 1948), column 'ai'' for 0-based row ``i``."""
        label = self.label(i)
        row = f"row {i + 1} ({label})" if label else f"row {i + 1}"
        if isinstance(column, str):
            return f"{Path(self.path).name}: {row}, column {column!r}"
        return f"{Path(self.path).name}: {row}, columns {', '.join(column)}"


def read_table(path: str | Path) -> MetaTable:
    """Read a CSV file (UTF-8, a header line, one row per study) as text."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SpecFileError(f"data file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SpecFileError(f"cannot read data file {str(path)!r}: {error}") from None
    first_line = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if d in first_line), ",")
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    try:
        lines = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise SpecFileError(f"{path.name}: not a valid CSV file ({error})") from None
    if not lines:
        raise SpecFileError(f"{path.name} is empty; give a header line and one row per study")
    header = tuple(cell.strip() for cell in lines[0])
    seen: set[str] = set()
    for name in header:
        if not name:
            raise SpecFileError(
                f"{path.name}: the header has an empty column name; name every column"
            )
        if name.lower() in seen:
            raise SpecFileError(f"{path.name}: column {name!r} appears twice in the header")
        seen.add(name.lower())
    rows = []
    for number, cells in enumerate(lines[1:], start=1):
        if len(cells) > len(header):
            raise SpecFileError(
                f"{path.name}: row {number} has {len(cells)} cells but the header names {len(header)} columns"
            )
        cells = [*cells, *[""] * (len(header) - len(cells))]
        rows.append(dict(zip(header, (c.strip() for c in cells), strict=True)))
    if not rows:
        raise SpecFileError(f"{path.name} has a header but no studies; add one row per study")
    return MetaTable(path=str(path), header=header, rows=tuple(rows))


def _number(table: MetaTable, i: int, column: str) -> float:
    text = table.rows[i][column]
    if text.lower() in MISSING:
        raise InvalidValueError(
            f"{table.where(i, column)} is empty; fill it in or remove the study"
        )
    try:
        value = float(text)
    except ValueError:
        raise InvalidValueError(f"{table.where(i, column)}: {text!r} is not a number") from None
    if not np.isfinite(value):
        raise InvalidValueError(f"{table.where(i, column)}: {text!r} is not a finite number")
    return value


def _numbers(table: MetaTable, column: str) -> NDArray[np.float64]:
    return np.array([_number(table, i, column) for i in range(table.k)])


@dataclass(frozen=True)
class MetaData:
    """Effect sizes ready to pool.

    yi (k,): effect sizes (log scale for RR, OR); vi (k,): their sampling variances (> 0);
    labels: k study labels; moderators: column name -> k values (floats, or strings for a
    categorical moderator); measure, smd_correction and the source file, for the record.
    """

    measure: Measure
    yi: NDArray[np.float64]
    vi: NDArray[np.float64]
    labels: tuple[str, ...]
    moderators: dict[str, list[float] | list[str]] = field(default_factory=dict)
    smd_correction: str = "exact"
    path: str = ""

    @property
    def k(self) -> int:
        return int(self.yi.size)


def _resolve_columns(table: MetaTable, measure: Measure) -> dict[str, str]:
    """Map each needed column name to its header name, choosing the first complete set."""
    for names in measure.columns:
        found = {name: table.column(name) for name in names}
        if all(found.values()):
            return {name: header for name, header in found.items() if header}
    first = measure.columns[0]
    missing = [name for name in first if table.column(name) is None]
    alternatives = " or ".join(", ".join(cols) for cols in measure.columns)
    raise SpecFileError(
        f"{Path(table.path).name}: missing column(s) {', '.join(missing)} for measure "
        f"{measure.name}; it needs columns {alternatives} (found: {', '.join(table.header)})"
    )


def _check_nonnegative(table: MetaTable, column: str, values: NDArray[np.float64]) -> None:
    for i, value in enumerate(values):
        if value < 0:
            raise InvalidValueError(
                f"{table.where(i, column)}: {value:g} is negative; counts must be >= 0"
            )


def _two_by_two(table: MetaTable, cols: dict[str, str]):
    ai, ci = _numbers(table, cols["ai"]), _numbers(table, cols["ci"])
    _check_nonnegative(table, cols["ai"], ai)
    _check_nonnegative(table, cols["ci"], ci)
    if "bi" in cols:
        bi, di = _numbers(table, cols["bi"]), _numbers(table, cols["di"])
        _check_nonnegative(table, cols["bi"], bi)
        _check_nonnegative(table, cols["di"], di)
        groups = (("ai", "bi", "n1i", ai, bi), ("ci", "di", "n2i", ci, di))
        for events, others, size, e, o in groups:
            size_column = table.column(size)
            sizes = _numbers(table, size_column) if size_column else None
            for i in range(table.k):
                if e[i] + o[i] == 0:
                    raise InvalidValueError(
                        f"{table.where(i, cols[events])}: group has no participants "
                        f"({events} + {others} = 0); remove the study or correct the counts"
                    )
                if sizes is not None and sizes[i] != e[i] + o[i]:
                    raise InvalidValueError(
                        f"{table.where(i, size_column)}: {size} = {sizes[i]:g} is not "
                        f"{events} + {others} = {e[i] + o[i]:g}; correct one of them"
                    )
    else:
        n1i, n2i = _numbers(table, cols["n1i"]), _numbers(table, cols["n2i"])
        for events, size, e, n in (("ai", "n1i", ai, n1i), ("ci", "n2i", ci, n2i)):
            for i in range(table.k):
                if n[i] <= 0:
                    raise InvalidValueError(
                        f"{table.where(i, cols[size])}: group size {n[i]:g} must be > 0"
                    )
                if e[i] > n[i]:
                    raise InvalidValueError(
                        f"{table.where(i, cols[events])}: {e[i]:g} events exceed the group size "
                        f"{size} = {n[i]:g}"
                    )
        bi, di = n1i - ai, n2i - ci
    return ai, bi, ci, di


def _means(table: MetaTable, cols: dict[str, str], measure: str, correction: str):
    values = {name: _numbers(table, cols[name]) for name in cols}
    for name in ("n1i", "n2i"):
        for i, n in enumerate(values[name]):
            if n <= 0:
                raise InvalidValueError(
                    f"{table.where(i, cols[name])}: group size {n:g} must be > 0"
                )
    for name in ("sd1i", "sd2i"):
        for i, sd in enumerate(values[name]):
            if sd < 0:
                raise InvalidValueError(
                    f"{table.where(i, cols[name])}: standard deviation {sd:g} is negative"
                )
    for i in range(table.k):
        if values["sd1i"][i] == 0 and values["sd2i"][i] == 0:
            raise InvalidValueError(
                f"{table.where(i, cols['sd1i'])}: sd1i and sd2i are both 0, so the study has no "
                "sampling variance; correct the SDs or remove the study"
            )
        if measure == "SMD" and values["n1i"][i] + values["n2i"][i] < 4:
            raise InvalidValueError(
                f"{table.where(i, cols['n1i'])}: Hedges' g needs n1i + n2i >= 4; "
                f"got {values['n1i'][i] + values['n2i'][i]:g}"
            )
    args = [values[n] for n in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")]
    if measure == "MD":
        return effect_sizes.mean_difference(*args)
    return effect_sizes.standardized_mean_difference(*args, correction=correction)


def _generic(table: MetaTable, cols: dict[str, str]):
    yi = _numbers(table, cols["yi"])
    name = "vi" if "vi" in cols else "sei"
    spread = _numbers(table, cols[name])
    for i, value in enumerate(spread):
        if value <= 0:
            what = "sampling variance" if name == "vi" else "standard error"
            raise InvalidValueError(f"{table.where(i, cols[name])}: {what} {value:g} must be > 0")
    return yi, spread if name == "vi" else spread**2


def _moderator(table: MetaTable, name: str) -> tuple[str, list[float] | list[str]]:
    column = table.column(name)
    if column is None:
        raise SpecFileError(
            f"{Path(table.path).name}: no moderator column {name!r} (found: {', '.join(table.header)})"
        )
    cells = [row[column] for row in table.rows]
    for i, cell in enumerate(cells):
        if cell.lower() in MISSING:
            raise InvalidValueError(
                f"{table.where(i, column)} is empty; fill it in or remove the study"
            )
    numeric = []
    for cell in cells:
        try:
            numeric.append(float(cell))
        except ValueError:
            numeric.append(None)
    if all(value is None for value in numeric):
        return column, cells  # categorical
    for i, value in enumerate(numeric):
        if value is None or not np.isfinite(value):
            raise InvalidValueError(
                f"{table.where(i, column)}: {cells[i]!r} is not a number (the other rows of this "
                "moderator are numbers)"
            )
    return column, [float(v) for v in numeric if v is not None]


def effect_data(
    table: MetaTable,
    measure: str,
    smd_correction: str = "exact",
    mods: Sequence[str] = (),
) -> MetaData:
    """Compute and check effect sizes for ``measure`` (RR, OR, SMD, MD, GEN) from ``table``.

    smd_correction: "exact" (metafor) or "revman" (RevMan 5), for SMD; mods: moderator
    columns to carry along. Zero cells get metafor's default 1/2 (see effect_sizes).
    """
    spec = get_measure(measure)
    if smd_correction not in effect_sizes.SMD_CORRECTIONS:
        raise InvalidValueError(
            f"SMD correction {smd_correction!r} is not known; use exact (metafor) or revman (RevMan 5)"
        )
    cols = _resolve_columns(table, spec)
    if spec.name in ("RR", "OR"):
        cells = _two_by_two(table, cols)
        if spec.name == "RR":
            yi, vi = effect_sizes.log_risk_ratio(*cells)
        else:
            yi, vi = effect_sizes.log_odds_ratio(*cells)
    elif spec.name in ("SMD", "MD"):
        yi, vi = _means(table, cols, spec.name, smd_correction)
    else:
        yi, vi = _generic(table, cols)
    involved = list(cols.values())
    for i in range(table.k):
        if not (np.isfinite(yi[i]) and np.isfinite(vi[i]) and vi[i] > 0):
            raise InvalidValueError(
                f"{table.where(i, involved)}: no finite effect size with a positive variance "
                f"(yi = {yi[i]:g}, vi = {vi[i]:g}); check the values"
            )
    moderators: dict[str, list[float] | list[str]] = {}
    for name in mods:
        column, values = _moderator(table, name.strip())
        moderators[column] = values
    labels = tuple(table.label(i) or f"Study {i + 1}" for i in range(table.k))
    return MetaData(
        measure=spec,
        yi=np.asarray(yi, dtype=float),
        vi=np.asarray(vi, dtype=float),
        labels=labels,
        moderators=moderators,
        smd_correction=smd_correction,
        path=table.path,
    )


def load_meta_csv(
    path: str | Path,
    measure: str,
    smd_correction: str = "exact",
    mods: Sequence[str] = (),
) -> MetaData:
    """Read ``path`` and compute the effect sizes for ``measure``: see :func:`effect_data`."""
    return effect_data(read_table(path), measure, smd_correction=smd_correction, mods=mods)
