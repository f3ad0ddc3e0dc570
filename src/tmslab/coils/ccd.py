"""SimNIBS ``.ccd`` dipole files, read and written as SimNIBS 4 reads them.

Grammar (``simnibs/simulation/tms_coil/tms_coil.py``, ``TmsCoil.from_ccd``):

- line 1: ``# free text; key=value; key=value; ...``. The first ``;``-field is free text (SimNIBS
  takes ``version X.Y`` from it); every later non-empty field must be exactly ``key=value``
  (SimNIBS splits on ``=`` and fails otherwise). Known keys: ``dIdtmax`` (A/us at 100 % MSO),
  ``x``, ``y``, ``z`` (grid limits ``lo,hi`` in mm), ``resolution`` (mm), ``stimulator``,
  ``brand``, ``coilname``; others (``dIdtstim``, ...) are kept as text.
- line 2: the dipole count (SimNIBS skips the line; tmslab checks it against the rows).
- then one dipole per line, ``x y z mx my mz``: positions in metres in the coil frame (z into
  the head, windings mostly at z <= 0), moments in A m^2 per ampere. Lines starting with ``#``
  (SimNIBS's files carry one after the count) and text after a ``#`` are comments, as in
  ``numpy.loadtxt``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tmslab.coils.coil import Coil
from tmslab.errors import SpecFileError
from tmslab.provenance import atomic_write_text
from tmslab.units import A_PER_US, MM

COMMENT = "# centers and weighted directions of the elements (magnetic dipoles)"
# Plausibility bounds: SimNIBS's 25 measured coils span 84-250 A/us (Drakaki et al. 2022).
_DIDT_RANGE_A_PER_US = (1.0, 2000.0)
_MAX_POSITION_M = 1.0


@dataclass(frozen=True)
class CcdHeader:
    """The parsed first line of a ``.ccd`` file.

    Attributes
    ----------
    description : str
        The free-text first field (without ``#``).
    version : str or None
        ``X.Y`` from the description, or None.
    fields : dict of str to str
        Every ``key=value`` as text, in file order.
    """

    description: str
    version: str | None = None
    fields: dict[str, str] = field(default_factory=dict)

    def text(self, key: str) -> str | None:
        """A text field, None when absent, empty or ``none`` (SimNIBS's missing value).

        Parameters
        ----------
        key : str
            Field name, e.g. ``"coilname"``.

        Returns
        -------
        str or None
            The field's text.
        """
        value = self.fields.get(key, "").strip()
        return None if value.lower() in ("", "none") else value

    @property
    def coilname(self) -> str | None:
        return self.text("coilname")

    @property
    def brand(self) -> str | None:
        return self.text("brand")

    @property
    def stimulator(self) -> str | None:
        return self.text("stimulator")

    @property
    def didt_max_a_per_s(self) -> float | None:
        """``dIdtmax`` converted from A/us to A/s (None when absent)."""
        value = self.text("dIdtmax")
        return None if value is None else float(value) * A_PER_US

    def limits_m(self) -> list[list[float]] | None:
        """Grid limits [[x0, x1], [y0, y1], [z0, z1]] in metres, when all three are given."""
        out = []
        for key in ("x", "y", "z"):
            value = self.text(key)
            if value is None:
                return None
            numbers = [float(v) * MM for v in value.split(",")]
            out.append(numbers if len(numbers) == 2 else [-abs(numbers[0]), abs(numbers[0])])
        return out

    def summary(self) -> dict[str, object]:
        """JSON-able: the names, dI/dt in SI, the format version and every raw field."""
        return {
            "coilname": self.coilname,
            "brand": self.brand,
            "stimulator": self.stimulator,
            "didt_max_a_per_s": self.didt_max_a_per_s,
            "version": self.version,
            "description": self.description,
            "fields": dict(self.fields),
        }


def parse_header(line: str, where: str = "line 1") -> CcdHeader:
    """Parse a ``.ccd`` first line.

    Parameters
    ----------
    line : str
        The first line of the file.
    where : str
        Location named in error messages.

    Returns
    -------
    CcdHeader
        Description, version and fields.

    Raises
    ------
    SpecFileError
        Where SimNIBS could not read the line.
    """
    if not line.startswith("#"):
        raise SpecFileError(
            f"{where}: a .ccd file starts with a '#' header line; got {line[:40]!r}"
        )
    parts = line.split(";")
    description = parts[0].lstrip("#").strip()
    match = re.search(r"version (\d+\.\d+)", description)
    fields: dict[str, str] = {}
    for part in parts[1:]:
        part = part.strip()
        if not part:
            continue
        if part.count("=") != 1:
            raise SpecFileError(
                f"{where}: header field {part[:40]!r} is not key=value (SimNIBS splits every "
                "field after the first ';' on '='); write it as key=value or move it into the "
                "first field"
            )
        key, value = (s.strip() for s in part.split("="))
        fields[key] = value
    header = CcdHeader(description, match.group(1) if match else None, fields)
    _check_header_numbers(header, where)
    return header


def _check_header_numbers(header: CcdHeader, where: str) -> None:
    try:
        didt = header.didt_max_a_per_s
    except ValueError:
        raise SpecFileError(
            f"{where}: dIdtmax={header.fields['dIdtmax']!r} is not a number (A/us)"
        ) from None
    if didt is not None:
        lo, hi = _DIDT_RANGE_A_PER_US
        value = didt / A_PER_US
        if not math.isfinite(value) or not lo <= value <= hi:
            hint = "; it looks like A/s" if math.isfinite(value) and value > hi else ""
            raise SpecFileError(
                f"{where}: dIdtmax={header.fields['dIdtmax']} is not a plausible peak dI/dt in "
                f"A/us (measured coils: 84-250 A/us){hint}; give it in A/us"
            )
    for key in ("x", "y", "z", "resolution"):
        value = header.text(key)
        if value is None:
            continue
        try:
            numbers = [float(v) for v in value.split(",")]
        except ValueError:
            raise SpecFileError(
                f"{where}: {key}={value!r} is not a comma-separated list of numbers (mm)"
            ) from None
        if not all(math.isfinite(v) for v in numbers):
            raise SpecFileError(f"{where}: {key}={value!r} holds a non-finite number")


def read_ccd(path: str | Path, name: str | None = None) -> Coil:
    """Read a ``.ccd`` file into a :class:`Coil` (dipoles only; no windings).

    The parsed header is kept: ``coil.parameters["ccd_header"]`` (see :meth:`CcdHeader.summary`)
    and the names and ``didt_max_a_per_s`` (A/s) beside it.

    Parameters
    ----------
    path : str or Path
        The ``.ccd`` file; positions in m, moments in A m^2 per A.
    name : str or None
        Coil name; None: the file stem.

    Returns
    -------
    Coil
        Dipoles in the coil frame.

    Raises
    ------
    SpecFileError
        One line with the line number, if the file is malformed or implausible.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SpecFileError(f"cannot read coil file {path}: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecFileError(f"{path} is not a text .ccd file (it holds binary data)") from None
    if "\x00" in text:
        raise SpecFileError(f"{path} is not a text .ccd file (it holds NUL bytes)")
    lines = re.split(r"\r\n|\r|\n", text)  # the line ends Python's text files know, no others
    if len(lines) < 2:
        raise SpecFileError(
            f"{path}: a .ccd file needs a '#' header line, the dipole count, then "
            "x y z mx my mz lines"
        )
    header = parse_header(lines[0], f"{path} line 1")
    try:
        count = int(lines[1].split()[0])
    except (ValueError, IndexError):
        raise SpecFileError(
            f"{path} line 2: expected the number of dipoles, got {lines[1].strip()[:40]!r}"
        ) from None
    if count < 1:
        raise SpecFileError(f"{path} line 2: the dipole count must be >= 1, got {count}")
    rows = []
    for number, line in enumerate(lines[2:], start=3):
        content = line.split("#", 1)[0]  # numpy.loadtxt's comment rule, as SimNIBS reads it
        if not content.strip():
            continue
        fields = content.split()
        if len(fields) != 6:
            raise SpecFileError(
                f"{path} line {number}: expected 6 numbers (x y z mx my mz), got {len(fields)}"
            )
        try:
            rows.append([float(v) for v in fields])
        except ValueError:
            raise SpecFileError(
                f"{path} line {number}: {content.strip()[:60]!r} holds a non-number"
            ) from None
    if len(rows) != count:
        raise SpecFileError(f"{path}: the header announces {count} dipoles but {len(rows)} follow")
    data = np.array(rows)
    if not np.all(np.isfinite(data)):
        bad = int(np.flatnonzero(~np.all(np.isfinite(data), axis=1))[0])
        raise SpecFileError(f"{path}: dipole {bad + 1} holds a non-finite value (nan or inf)")
    reach = float(np.abs(data[:, :3]).max())
    if reach > _MAX_POSITION_M:
        raise SpecFileError(
            f"{path}: dipoles reach {reach:g} m from the origin; .ccd positions are in metres "
            "(is the file in mm?)"
        )
    summary = header.summary()
    parameters = {
        "file": str(path),
        "format": f"SimNIBS .ccd{' version ' + header.version if header.version else ''}",
        "coilname": header.coilname,
        "brand": header.brand,
        "stimulator": header.stimulator,
        "didt_max_a_per_s": header.didt_max_a_per_s,
        "ccd_header": summary,
    }
    label = " ".join(v for v in (header.brand, header.coilname) if v) or header.description
    return Coil(
        name=name or path.stem,
        dipole_positions=data[:, :3],
        dipole_moments=data[:, 3:],
        reference_point=_reference(data[:, :3]),
        kind="file",
        label=f"{path.name} ({label})" if label else path.name,
        parameters={k: v for k, v in parameters.items() if v is not None},
    )


def _reference(positions: np.ndarray) -> np.ndarray:
    """Centre of the dipoles on the layer nearest the head (largest z)."""
    center = positions.mean(axis=0)
    return np.array([center[0], center[1], positions[:, 2].max()])


def _header_value(value: object) -> str:
    """Text SimNIBS's header parser returns unchanged: printable, no ; = , . or #."""
    # Non-ASCII digits ('²') pass str.isdigit but not int(), which SimNIBS then calls.
    text = "".join(
        c if c.isprintable() and (c.isascii() or not c.isdigit()) else "_" for c in str(value)
    )
    return re.sub(r"[;=,.#]+", "_", text).strip() or "unnamed"


def ccd_text(coil: Coil, header: str | None = None) -> str:
    """The ``.ccd`` text of a coil: SimNIBS's layout, repr-exact floats (m, A m^2 per A).

    The default header is ``# tmslab X.Y.Z; coilname=...`` plus ``brand``, ``stimulator`` and
    ``dIdtmax`` (A/us) when the coil carries them; every field after the first is key=value.

    Parameters
    ----------
    coil : Coil
        The coil whose dipoles are written.
    header : str or None
        First line to write instead of the default.

    Returns
    -------
    str
        The file's text.
    """
    if header is None:
        from tmslab import __version__

        params = coil.parameters
        fields = [f"# tmslab {__version__}"]
        fields.append(f"coilname={_header_value(params.get('coilname') or coil.name)}")
        fields.extend(
            f"{key}={_header_value(params[key])}"
            for key in ("brand", "stimulator")
            if params.get(key)
        )
        didt = params.get("didt_max_a_per_s")
        if didt:
            fields.append(f"dIdtmax={float(didt) / A_PER_US!r}")
        header = "; ".join(fields)
    else:
        parse_header(header.replace("\n", " "), "header")
    lines = [header.replace("\n", " "), str(coil.n_dipoles), COMMENT]
    if coil.source:
        lines.append("# source: " + re.sub(r"\s+", " ", coil.source.citation))
    data = np.hstack([coil.dipole_positions, coil.dipole_moments])
    lines.extend(" ".join(repr(float(v)) for v in row) for row in data)
    return "\n".join(lines) + "\n"


def write_ccd(coil: Coil, path: str | Path, header: str | None = None) -> Path:
    """Write a coil's dipoles to a ``.ccd`` file atomically.

    Positions and moments are written with ``repr`` (shortest round-trip), so reading the file back
    gives bit-identical arrays.

    Parameters
    ----------
    coil : Coil
        The coil whose dipoles are written.
    path : str or Path
        Output file.
    header : str or None
        First line; None: see :func:`ccd_text`.

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    atomic_write_text(path, ccd_text(coil, header))
    return path
