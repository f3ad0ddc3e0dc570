"""Tables of studies in, checked effect sizes out: one row per study, metafor's escalc names.

Files: CSV, or R's own output as ``write.csv`` and ``write.table`` give it (quoted strings, a
row-names column, ``NA``); see :func:`read_table` for the rule that tells them apart.

Columns are named as metafor's escalc arguments (header names are matched without regard to
case or surrounding spaces); a file with other names, such as metafor's data sets as shipped
(``dat.bcg``: tpos, tneg, cpos, cneg), is read through a mapping argument -> column
(:func:`map_columns`, ``--columns ai=tpos,bi=tneg,ci=cpos,di=cneg``):

- ``RR``, ``OR``: ``ai, bi, ci, di`` (2x2 counts) or ``ai, n1i, ci, n2i`` (events and group
  sizes; ``bi = n1i - ai``, ``di = n2i - ci``);
- ``SMD``, ``MD``: ``m1i, sd1i, n1i, m2i, sd2i, n2i`` (group means, SDs, sizes);
- ``GEN``: ``yi`` with ``vi`` (or ``sei``): precomputed effect sizes and variances (or SEs);
- optional ``study`` (a label; metafor's ``slab``) and any moderator columns (numbers, or
  text for a categorical moderator); other columns are ignored.

Every problem raises a :class:`~tmslab.errors.TmslabError` whose one line names the file,
the 1-based data row (with the study label when there is one) and the column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from tmslab.errors import InvalidValueError, SpecFileError

# From the module, not the package: the package __init__ imports this module (no circle).
from tmslab.evidence.meta.effect_sizes import (
    SMD_CORRECTIONS,
    log_odds_ratio,
    log_risk_ratio,
    mean_difference,
    standardized_mean_difference,
)
from tmslab.evidence.meta.measures import (
    ESCALC_COLUMNS,
    UNSUPPORTED_ARGUMENTS,
    UNSUPPORTED_HINT,
    Measure,
    get_measure,
)

MISSING = ("", "na", "nan", ".", "null", "none")
COUNT_COLUMNS = ("ai", "bi", "ci", "di", "n1i", "n2i")
#: R's data files (save(), .rda/.RData) start with one of these: compressed or "RDX"
_R_BINARY_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"RDX", b"RDA")
_WHITESPACE = " \t"


@dataclass(frozen=True)
class MetaTable:
    """A data file read as text: ``header`` (names as written) and one dict per data row.

    row_names: R's row names when the file has them (write.table, write.csv), else empty;
    layout: how the file was read ("csv", "semicolon", "tab" or "whitespace"); columns:
    metafor argument -> header name, from ``--columns`` (see :func:`map_columns`).
    """

    path: str
    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    row_names: tuple[str, ...] = ()
    layout: str = "csv"
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def k(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> str | None:
        """The header name for ``name``: the ``--columns`` mapping first, then the header
        (exact, then case-insensitive), or None."""
        wanted = name.strip().lower()
        if wanted in self.columns:
            return self.columns[wanted]
        return _header_name(self, name)

    def label(self, i: int) -> str:
        study = self.column("study") or self.column("slab")
        if study:
            return self.rows[i].get(study, "").strip()
        # R's automatic row names are 1..k, which label nothing
        if self.row_names and self.row_names != tuple(str(n) for n in range(1, self.k + 1)):
            return self.row_names[i]
        return ""

    def where(self, i: int, column: str | Sequence[str]) -> str:
        """'data.csv: row 3 (Aronson 1948), column 'ai'' for 0-based row ``i``."""
        label = self.label(i)
        row = f"row {i + 1} ({label})" if label else f"row {i + 1}"
        if isinstance(column, str):
            return f"{Path(self.path).name}: {row}, column {column!r}"
        return f"{Path(self.path).name}: {row}, columns {', '.join(column)}"


def _outside_quotes(line: str) -> str:
    """``line`` without its quoted strings (a quote opens only at the start of a field)."""
    kept, quote, previous = [], "", ","
    for char in line:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'" and previous in _WHITESPACE + ",;":
            quote = char
        else:
            kept.append(char)
        previous = char
    return "".join(kept)


def _delimiter(header_line: str) -> str | None:
    """',' ';' or tab if the header has one outside quotes (first found wins), else None
    (whitespace-separated, as R's write.table and read.table have it)."""
    bare = _outside_quotes(header_line)
    return next((d for d in (",", ";", "\t") if d in bare), None)


def _split_whitespace(line: str, number: int, name: str) -> list[str]:
    """Fields of one line as R's scan(sep="") reads them: runs of spaces or tabs separate,
    "..." or '...' quote, and a backslash inside quotes escapes the next character."""
    fields: list[str] = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i] in _WHITESPACE:
            i += 1
        if i >= n:
            return fields
        if line[i] in "\"'":
            quote, i, chars = line[i], i + 1, []
            while i < n and line[i] != quote:
                if line[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(line[i])
                i += 1
            if i >= n:
                raise SpecFileError(
                    f"{name}: line {number} has a quote {quote} that is never closed; close it "
                    "(strings may not span lines)"
                )
            i += 1
            if i < n and line[i] not in _WHITESPACE:
                raise SpecFileError(
                    f"{name}: line {number}: text right after a closing quote "
                    f"({line[i : i + 10]!r}); separate the fields with spaces"
                )
            fields.append("".join(chars))
        else:
            start = i
            while i < n and line[i] not in _WHITESPACE:
                i += 1
            fields.append(line[start:i])


def _records(text: str, delimiter: str | None, name: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank record."""
    if delimiter is None:
        lines = text.split("\n")  # not splitlines(): it also breaks at \x0c, \x85, ...
        records = [
            (number, _split_whitespace(line.rstrip("\r"), number, name))
            for number, line in enumerate(lines, start=1)
        ]
    else:
        # A tab means R's write.table(sep="\t"), whose quotes are escaped \" (qmethod "escape");
        # "" is read as one quote too, so tab-separated files from other tools still work.
        escape = "\\" if delimiter == "\t" else None
        reader = csv.reader(
            io.StringIO(text, newline=""), delimiter=delimiter, strict=True, escapechar=escape
        )
        try:
            records = [(reader.line_num, row) for row in reader]
        except csv.Error as error:
            raise SpecFileError(
                f"{name}: line {reader.line_num} is not valid CSV ({error}); check its quotes"
            ) from None
    return [(number, cells) for number, cells in records if any(c.strip() for c in cells)]


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecFileError(f"data file {str(path)!r} does not exist") from None
    except OSError as error:
        raise SpecFileError(f"cannot read data file {str(path)!r}: {error}") from None
    if raw.startswith(_R_BINARY_MAGIC):
        raise SpecFileError(
            f"{path.name} is a binary (R data or compressed) file, not text; write it from R with "
            "write.csv(dat, 'file.csv') or write.table(dat, 'file.txt')"
        )
    if b"\x00" in raw:
        raise SpecFileError(
            f"{path.name} holds NUL bytes, so it is binary or UTF-16, not a UTF-8 text table; "
            "save it as UTF-8 CSV"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpecFileError(
            f"{path.name} is not UTF-8 text (byte {error.start}); save it as UTF-8 CSV"
        ) from None


def read_table(path: str | Path) -> MetaTable:
    """Read a table of studies (UTF-8 text, a header line, one row per study) as text.

    The layout is chosen by one rule from the header line: a ``,`` outside quotes makes it CSV,
    else ``;``, else a tab; a header with none of them is whitespace-separated as R's
    ``write.table`` writes it (``"..."`` quotes with ``\\"`` escapes, ``NA`` for missing).
    CSV follows RFC 4180 (``""`` escapes), as R's ``write.csv`` writes it. R's row names are
    recognised and set aside either way: a header with one name fewer than every row
    (``write.table``), or a header whose first name is empty (``write.csv``,
    ``write.table(col.names=NA)``, pandas' index).
    """
    path = Path(path)
    name = path.name
    text = _decode(path)
    first = next((line for line in text.split("\n") if line.strip()), "")
    delimiter = _delimiter(first)
    records = _records(text, delimiter, name)
    if not records:
        raise SpecFileError(f"{name} is empty; give a header line and one row per study")
    header = [cell.strip() for cell in records[0][1]]
    body = records[1:]
    if not body:
        raise SpecFileError(f"{name} has a header but no studies; add one row per study")
    # R's row names: a first data row one cell longer than the header (write.table), or an
    # empty first header name (write.csv, write.table(col.names=NA), pandas' index)
    named_rows = len(body[0][1]) == len(header) + 1
    if not named_rows and len(header) > 1 and header[0] == "":
        header, named_rows = header[1:], True
    width = len(header) + named_rows
    for number, cells in body:
        if len(cells) != width:
            names = f"{len(header)} columns" + (" and the row names" if named_rows else "")
            hint = (
                "; quote text that holds spaces, as write.table does"
                if delimiter is None and len(cells) > width
                else ""
            )
            raise SpecFileError(
                f"{name}: line {number} has {len(cells)} cells but the header names {names}{hint}"
            )
    row_names = tuple(cells[0].strip() for _, cells in body) if named_rows else ()
    seen: set[str] = set()
    for column in header:
        if not column:
            raise SpecFileError(f"{name}: the header has an empty column name; name every column")
        if column.lower() in seen:
            raise SpecFileError(f"{name}: column {column!r} appears twice in the header")
        seen.add(column.lower())
    rows = tuple(
        dict(zip(header, (c.strip() for c in cells[named_rows:]), strict=True)) for _, cells in body
    )
    layout = {",": "csv", ";": "semicolon", "\t": "tab", None: "whitespace"}[delimiter]
    return MetaTable(
        path=str(path), header=tuple(header), rows=rows, row_names=row_names, layout=layout
    )


def _header_name(table: MetaTable, name: str) -> str | None:
    """The file's own column called ``name`` (exact, then case-insensitive), or None."""
    if name in table.header:
        return name
    wanted = name.strip().lower()
    return next((c for c in table.header if c.strip().lower() == wanted), None)


def parse_columns(spec: str) -> dict[str, str]:
    """``"ai=tpos,bi=tneg"`` -> ``{"ai": "tpos", "bi": "tneg"}`` (metafor argument = column)."""
    mapping: dict[str, str] = {}
    for item in spec.split(","):
        if not item.strip():
            continue
        target, equals, source = item.partition("=")
        target, source = target.strip(), source.strip()
        if not equals or not target or not source:
            raise InvalidValueError(
                f"--columns entry {item.strip()!r} is not argument=column; write e.g. "
                "--columns ai=tpos,bi=tneg,ci=cpos,di=cneg"
            )
        if target.lower() in mapping:
            raise InvalidValueError(f"--columns names {target!r} twice; give each argument once")
        mapping[target.lower()] = source
    return mapping


def map_columns(table: MetaTable, mapping: dict[str, str] | str) -> MetaTable:
    """``table`` with metafor arguments (ai, n1i, yi, study or slab, ...) read from other columns.

    mapping: metafor argument -> column of the file, or its ``"ai=tpos,bi=tneg"`` form. Each
    target must be an escalc argument tmslab reads and each column must be in the file.
    """
    if isinstance(mapping, str):
        mapping = parse_columns(mapping)
    name = Path(table.path).name
    present = ", ".join(table.header)
    resolved: dict[str, str] = {}
    used: dict[str, str] = {}
    for target, source in mapping.items():
        key = target.strip().lower()
        if key in UNSUPPORTED_ARGUMENTS:
            raise InvalidValueError(
                f"--columns {target}={source}: {key} is metafor's argument for "
                f"{UNSUPPORTED_ARGUMENTS[key]}, which tmslab does not compute; {UNSUPPORTED_HINT}"
            )
        if key not in ESCALC_COLUMNS:
            raise InvalidValueError(
                f"--columns {target}={source}: {target!r} is not an argument tmslab reads; "
                f"use {', '.join(ESCALC_COLUMNS)}"
            )
        header = _header_name(table, source)
        if header is None:
            raise SpecFileError(
                f"--columns {target}={source}: {name} has no column {source!r} "
                f"(columns present: {present})"
            )
        column = ESCALC_COLUMNS[key]
        if column in resolved or header in used:
            other = used.get(header, column)
            raise InvalidValueError(
                f"--columns {target}={source}: column {header!r} is already given for {other}; "
                "give each argument its own column"
            )
        resolved[column] = header
        used[header] = key
    return replace(table, columns={**table.columns, **resolved})


def _number(table: MetaTable, i: int, column: str) -> float:
    text = table.rows[i][column]
    if text.lower() in MISSING:
        what = "is empty" if not text else f"is missing ({text})"
        raise InvalidValueError(f"{table.where(i, column)} {what}; fill it in or remove the study")
    try:
        if "_" in text:  # float() would read "1_000" as 1000
            raise ValueError(text)
        value = float(text)
    except ValueError:
        hint = (
            " (a decimal comma, as R's write.csv2 writes; write the file with write.csv)"
            if re.fullmatch(r"[-+]?\d*,\d+", text)
            else ""
        )
        raise InvalidValueError(
            f"{table.where(i, column)}: {text!r} is not a number{hint}"
        ) from None
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
        f"{_column_hint(table, measure)}"
    )


#: column names of metafor's own data sets -> the --columns that reads them
_KNOWN_LAYOUTS = {
    ("tpos", "tneg", "cpos", "cneg"): "ai=tpos,bi=tneg,ci=cpos,di=cneg",  # dat.bcg
}


def _column_hint(table: MetaTable, measure: Measure) -> str:
    """What to do when the needed columns are missing: a --columns for a known layout, or
    the note that the file holds arguments of measures tmslab does not compute."""
    if measure.name in ("RR", "OR"):
        for names, columns in _KNOWN_LAYOUTS.items():
            if all(_header_name(table, n) for n in names):
                return f"; for metafor's layout give --columns {columns}"
    others = [h for h in table.header if h.strip().lower() in UNSUPPORTED_ARGUMENTS]
    if others:
        return (
            f"; columns {', '.join(others)} are metafor arguments of measures tmslab does not "
            f"compute ({UNSUPPORTED_HINT})"
        )
    return "; name the file's columns with --columns, e.g. ai=tpos"


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
        return mean_difference(*args)
    return standardized_mean_difference(*args, correction=correction)


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
            what = "is empty" if not cell else f"is missing ({cell})"
            raise InvalidValueError(
                f"{table.where(i, column)} {what}; fill it in or remove the study"
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
    if smd_correction not in SMD_CORRECTIONS:
        raise InvalidValueError(
            f"SMD correction {smd_correction!r} is not known; use exact (metafor) or revman (RevMan 5)"
        )
    cols = _resolve_columns(table, spec)
    if spec.name in ("RR", "OR"):
        cells = _two_by_two(table, cols)
        if spec.name == "RR":
            yi, vi = log_risk_ratio(*cells)
        else:
            yi, vi = log_odds_ratio(*cells)
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
    columns: dict[str, str] | str | None = None,
) -> MetaData:
    """Read ``path`` (:func:`read_table`) and compute the effect sizes for ``measure``.

    columns: metafor argument -> file column (or ``"ai=tpos,bi=tneg"``), see
    :func:`map_columns`; the rest as in :func:`effect_data`.
    """
    get_measure(measure)  # a bad measure name is reported before the file is read
    table = read_table(path)
    if columns:
        table = map_columns(table, columns)
    return effect_data(table, measure, smd_correction=smd_correction, mods=mods)
