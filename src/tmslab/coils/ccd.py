"""SimNIBS ``.ccd`` dipole files.

Format: a header line, the number of dipoles, then one dipole per line, ``x y z mx my mz``:
positions in metres in the coil frame (z into the head), moments in A m^2 per ampere of coil
current. SimNIBS headers may carry ``key=value`` pairs after ``;`` (e.g. ``dIdtmax=...``); they
are kept as text.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tmslab.coils.coil import Coil
from tmslab.errors import SpecFileError
from tmslab.provenance import atomic_write_text


def read_ccd(path: str | Path, name: str | None = None) -> Coil:
    """Read a ``.ccd`` file into a :class:`Coil` (dipoles only; no windings).

    Raises SpecFileError (one line, with the line number) if the file is malformed.
    """
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except OSError as error:
        raise SpecFileError(f"cannot read coil file {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise SpecFileError(f"coil file {path} is not a text .ccd file") from None
    if len(lines) < 2:
        raise SpecFileError(
            f"{path}: a .ccd file needs a header line, the dipole count, then x y z mx my mz lines"
        )
    header = lines[0].strip()
    try:
        count = int(lines[1].split()[0])
    except (ValueError, IndexError):
        raise SpecFileError(
            f"{path} line 2: expected the number of dipoles, got {lines[1].strip()!r}"
        ) from None
    if count < 1:
        raise SpecFileError(f"{path} line 2: the dipole count must be >= 1, got {count}")
    rows = []
    for number, line in enumerate(lines[2:], start=3):
        if not line.strip():
            continue
        fields = line.replace(",", " ").split()
        if len(fields) != 6:
            raise SpecFileError(
                f"{path} line {number}: expected 6 numbers (x y z mx my mz), got {len(fields)}"
            )
        try:
            rows.append([float(v) for v in fields])
        except ValueError:
            raise SpecFileError(
                f"{path} line {number}: {line.strip()!r} holds a non-number"
            ) from None
    if len(rows) != count:
        raise SpecFileError(f"{path}: the header announces {count} dipoles but {len(rows)} follow")
    data = np.array(rows)
    if not np.all(np.isfinite(data)):
        raise SpecFileError(f"{path}: contains non-finite values (nan or inf)")
    return Coil(
        name=name or path.stem,
        dipole_positions=data[:, :3],
        dipole_moments=data[:, 3:],
        reference_point=_reference(data[:, :3]),
        kind="file",
        label=f"{path.name} ({header.lstrip('#').strip()})" if header else path.name,
        parameters={"file": str(path), "header": header},
    )


def _reference(positions: np.ndarray) -> np.ndarray:
    """Centre of the dipoles on the layer nearest the head (largest z)."""
    center = positions.mean(axis=0)
    return np.array([center[0], center[1], positions[:, 2].max()])


def ccd_text(coil: Coil, header: str | None = None) -> str:
    """The ``.ccd`` text of a coil (positions in m, moments in A m^2 per A, 10 significant digits)."""
    if header is None:
        from tmslab import __version__

        source = f"; source={coil.source.citation}" if coil.source else ""
        header = f"# {coil.name}; written by tmslab {__version__}{source}"
    lines = [header.replace("\n", " "), str(coil.n_dipoles)]
    data = np.hstack([coil.dipole_positions, coil.dipole_moments])
    lines.extend(" ".join(f"{v:.10e}" for v in row) for row in data)
    return "\n".join(lines) + "\n"


def write_ccd(coil: Coil, path: str | Path, header: str | None = None) -> Path:
    """Write a coil's dipoles to a ``.ccd`` file atomically; returns the path."""
    path = Path(path)
    atomic_write_text(path, ccd_text(coil, header))
    return path
