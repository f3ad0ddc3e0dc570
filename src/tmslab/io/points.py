"""Points and per-point vectors as text: the CSV files the field and neuron commands read and write.

A points file is CSV with the header ``x,y,z`` (metres) and one point a line. A vectors file
(E at a neuron's nodes) is ``.npy`` or CSV with an optional header line.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from tmslab.errors import InvalidValueError, SpecFileError
from tmslab.provenance import atomic_write_text


def read_points(path: str | Path) -> np.ndarray:
    """Read a points CSV: the header ``x,y,z`` then rows of three numbers.

    Returns
    -------
    points : (N, 3) ndarray, m
        N >= 1; blank lines are skipped, columns after the third are ignored.
    """
    path = Path(path)
    try:
        lines = path.read_bytes().decode("utf-8").splitlines()
    except OSError as error:
        raise SpecFileError(f"cannot read points file {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise SpecFileError(
            f"points file {path} is not a text file; give a CSV with the header x,y,z (metres)"
        ) from None
    if not lines or [c.strip().lower() for c in lines[0].split(",")][:3] != ["x", "y", "z"]:
        raise SpecFileError(f"{path}: the first line must be the header x,y,z (metres, head frame)")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split(",")
        try:
            rows.append([float(c) for c in cells[:3]])
        except ValueError:
            raise SpecFileError(
                f"{path} line {number}: {line.strip()!r} is not three numbers"
            ) from None
        if len(cells) < 3:
            raise SpecFileError(f"{path} line {number}: expected x,y,z, got {len(cells)} value(s)")
    if not rows:
        raise SpecFileError(f"{path}: no points after the header")
    return np.array(rows)


def format_rows(header: str, rows: np.ndarray, spec: str = ".10g") -> str:
    """CSV text: ``header`` then one line per row of ``rows`` (2-D), each number as ``spec``."""
    body = [",".join(format(float(v), spec) for v in row) for row in np.asarray(rows)]
    return "\n".join([header, *body]) + "\n"


def write_points(path: str | Path, points: np.ndarray, header: str = "x_m,y_m,z_m") -> Path:
    """Write points (N, 3), m, as CSV with ``header`` (9 significant digits); returns the path."""
    return atomic_write_text(Path(path), format_rows(header, points, ".9g"))


def read_vectors(path: str | Path, n: int) -> np.ndarray:
    """Read ``n`` vectors (E in V/m at a model's nodes) from ``.npy`` or CSV (optional header).

    Returns
    -------
    values : (n, 3) ndarray
        As written; any other shape raises InvalidValueError naming both shapes.
    """
    path = Path(path)
    try:
        if path.suffix.lower() == ".npy":
            values = np.load(path)
        else:
            skip = 1 if _has_header(path) else 0
            with warnings.catch_warnings():
                # an empty file is refused below in one line, not with NumPy's warning too
                warnings.simplefilter("ignore", UserWarning)
                values = np.loadtxt(path, delimiter=",", ndmin=2, comments="#", skiprows=skip)
    except FileNotFoundError:
        raise SpecFileError(f"field file {path} not found") from None
    except (OSError, ValueError) as error:
        raise SpecFileError(
            f"cannot read field file {path}: {' '.join(str(error).split())[:120]}"
        ) from None
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        raise SpecFileError(
            f"field file {path} holds no values; give ({n}, 3) values of E in V/m at the "
            "positions of 'tmslab neuron nodes'"
        )
    if values.shape != (n, 3):
        raise InvalidValueError(
            f"the field array in {path.name} has shape {values.shape} but the morphology has "
            f"{n} nodes; give ({n}, 3) values of E in V/m at the positions of "
            "'tmslab neuron nodes'"
        )
    return values


def _has_header(path: Path) -> bool:
    # A first line with letters other than an exponent's e is a header.
    with path.open(encoding="utf-8", errors="replace") as handle:
        first = handle.readline()
    return any(c.isalpha() for c in first.replace("e", "").replace("E", ""))
