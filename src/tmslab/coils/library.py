"""Named coil presets (``data/coils.toml``) and coils from files.

``load_coil(name_or_path)`` takes a preset name, a SimNIBS ``.ccd`` or ``.tcd`` file, or a TOML
file with the same fields as a preset (``kind = "round" | "figure-8" | "spiral"``, diameters in
mm).
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

from tmslab import budgets
from tmslab.coils.builders import figure8_coil, round_coil, spiral_coil
from tmslab.coils.coil import Coil
from tmslab.errors import InvalidValueError, SpecFileError, UnknownNameError
from tmslab.sources import Source
from tmslab.units import MM

_BUILDERS = {"round": round_coil, "figure-8": figure8_coil, "spiral": spiral_coil}
_FIELDS = {
    "label",
    "kind",
    "inner_diameter_mm",
    "outer_diameter_mm",
    "turns",
    "wing_separation_mm",
    "face_gap_mm",
    "winding_height_mm",
    "layers",
    "citation",
    "doi",
    "assumptions",
    "n_radial",
    "n_angular",
}


@cache
def _presets() -> dict[str, dict[str, Any]]:
    from tmslab.io.toml import read_data_toml

    return read_data_toml("data/coils.toml", "schema_version")


def list_coils() -> tuple[str, ...]:
    """Names of the coil presets."""
    return tuple(_presets())


def coil_from_mapping(name: str, spec: dict[str, Any], where: str = "coil") -> Coil:
    """Build a coil from preset-style fields (diameters and gaps in mm).

    Parameters
    ----------
    name : str
        Coil name.
    spec : dict
        Preset fields: ``type`` and its geometry (``inner_diameter_mm``, ...), as in coils.toml.
    where : str
        What to call the mapping in error messages.

    Returns
    -------
    Coil
        The coil in its own frame.

    Raises
    ------
    InvalidValueError
        If a field is missing or out of range, or the coil would have too many dipoles.
    """
    unknown = set(spec) - _FIELDS
    if unknown:
        raise InvalidValueError(
            f"{where}: unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_FIELDS))}"
        )
    kind = spec.get("kind")
    if kind not in _BUILDERS:
        raise InvalidValueError(f"{where}: kind = {kind!r}; give one of {', '.join(_BUILDERS)}")
    for key in ("inner_diameter_mm", "outer_diameter_mm", "turns"):
        if key not in spec:
            raise InvalidValueError(f"{where}: missing {key}")

    def mm(key: str, default: float = 0.0) -> float:
        value = spec.get(key, default)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise InvalidValueError(f"{where}: {key} = {value!r} is not a number")
        if not math.isfinite(value) or value < 0:
            raise InvalidValueError(
                f"{where}: {key} = {value!r} is not allowed; give a size >= 0 mm"
            )
        return float(value) * MM

    def count(key: str, default: int, minimum: int = 1) -> int:
        value = spec.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise InvalidValueError(
                f"{where}: {key} = {value!r} is not allowed; give an integer >= {minimum}"
            )
        return value

    # The dipole count is known before any array is made: refuse an oversized coil now.
    turns = spec["turns"]
    if isinstance(turns, bool) or not isinstance(turns, int | float) or not 0 < turns < math.inf:
        raise InvalidValueError(f"{where}: turns = {turns!r} is not allowed; give a number > 0")
    n_dipoles = (
        math.ceil(turns)
        * count("n_radial", 4)
        * count("n_angular", 24)
        * (1 if kind == "spiral" else count("layers", 1))
        * (2 if kind == "figure-8" else 1)
    )
    budgets.check(budgets.coil_dipoles(n_dipoles, hint="turns, layers, n_radial or n_angular"))

    source = (
        Source(spec.get("citation", ""), spec.get("doi", ""), "") if spec.get("citation") else None
    )
    info: dict[str, Any] = {
        "name": name,
        "label": spec.get("label", name),
        "source": source,
        "assumptions": tuple(spec.get("assumptions", ())),
    }
    args = (mm("inner_diameter_mm"), mm("outer_diameter_mm"), spec["turns"])
    if kind == "spiral":
        return spiral_coil(*args, face_gap_m=mm("face_gap_mm"), **info)
    kwargs: dict[str, Any] = {
        "face_gap_m": mm("face_gap_mm"),
        "winding_height_m": mm("winding_height_mm"),
        "n_layers": spec.get("layers", 1),
        "n_radial": spec.get("n_radial", 4),
        "n_angular": spec.get("n_angular", 24),
    }
    if kind == "figure-8" and "wing_separation_mm" in spec:
        kwargs["wing_separation_m"] = mm("wing_separation_mm")
    return _BUILDERS[kind](*args, **kwargs, **info)


def get_coil(name: str, **resolution: int) -> Coil:
    """A coil preset by name.

    Parameters
    ----------
    name : str
        Preset name (see :func:`list_coils`).
    **resolution : int
        Optional ``n_radial``/``n_angular`` quadrature overrides.

    Returns
    -------
    Coil
        The preset coil.

    Raises
    ------
    UnknownNameError
        If there is no such preset.
    """
    presets = _presets()
    key = name.strip().lower()
    if key not in presets:
        raise UnknownNameError("coil", name, presets)
    return coil_from_mapping(key, {**presets[key], **resolution}, where=f"coil {key!r}")


COIL_FILE_SUFFIXES = (".ccd", ".tcd", ".toml")


def load_coil(name_or_path: str | Path) -> Coil:
    """A coil from a preset name, a SimNIBS ``.ccd``/``.tcd`` file or a TOML coil description.

    Parameters
    ----------
    name_or_path : str or Path
        Preset name or file path.

    Returns
    -------
    Coil
        The coil in its own frame.

    Raises
    ------
    SpecFileError
        If the file is of another kind or malformed.
    UnknownNameError
        If the name is neither a preset nor an existing file.
    """
    text = str(name_or_path)
    path = Path(text)
    suffix = path.suffix.lower()
    if suffix == ".ccd":
        from tmslab.coils.ccd import read_ccd

        return read_ccd(path)
    if suffix == ".tcd":
        from tmslab.coils.tcd import read_tcd

        return read_tcd(path)
    if suffix == ".toml":
        from tmslab.io.toml import read_toml

        spec = read_toml(path, "coil file")
        return coil_from_mapping(spec.pop("name", path.stem), spec, where=str(path))
    if path.is_file():
        raise SpecFileError(
            f"{path} is not a .ccd, .tcd or coil .toml file; give one of those or a coil preset "
            "name (tmslab coil list)"
        )
    return get_coil(text)


def coil_file_didt(name_or_path: str | Path) -> tuple[float, str] | None:
    """Peak dI/dt at 100 % MSO stated by a coil file, and where it comes from.

    ``.ccd``: the header's ``dIdtmax``; ``.tcd``: the stimulator's ``maxdIdt``. Reads only what it
    needs (no dipole sheet).

    Parameters
    ----------
    name_or_path : str or Path
        Preset name or coil file.

    Returns
    -------
    tuple of (float, str) or None, A/s
        dI/dt in A/s and a description of its origin; None for presets, TOML coils and files that
        do not state it.
    """
    path = Path(str(name_or_path))
    suffix = path.suffix.lower()
    if suffix == ".ccd":
        from tmslab.coils.ccd import parse_header

        try:
            with path.open(encoding="utf-8") as handle:
                first = handle.readline().rstrip("\r\n")
        except (OSError, UnicodeDecodeError):
            return None
        header = parse_header(first, f"{path} line 1")
        value = header.didt_max_a_per_s
        where = f"dIdtmax in the header of {path.name}"
        stimulator = header.stimulator
    elif suffix == ".tcd":
        from tmslab.coils.tcd import read_tcd_file

        tcd = read_tcd_file(path)
        used = sorted({e.stimulator for e in tcd.elements})
        if len(used) != 1:
            return None
        value = tcd.stimulators[used[0]].didt_max_a_per_s
        where = f"maxdIdt of the stimulator in {path.name}"
        stimulator = tcd.stimulators[used[0]].name
    else:
        return None
    if value is None:
        return None
    return value, f"{where}{f' ({stimulator})' if stimulator else ''}"
