"""Coil pose files: SimNIBS's ``matsimnibs`` 4x4 coil -> head transform, as text or .mat.

Columns 1-3 are the coil's x, y, z axes in head coordinates (z into the head, y along the
handle), column 4 the coil centre. SimNIBS writes the centre in mm; tmslab works in metres, so
files carry a unit (:func:`read_pose`, :func:`write_pose`).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np

from tmslab.errors import InvalidValueError, SpecFileError
from tmslab.geometry import check_pose
from tmslab.units import MM

POSE_UNITS_M = {"m": 1.0, "mm": MM}  # length of each pose unit, m
MAX_POSE_TRANSLATION_M = 1.0  # a coil centre farther than this from the origin is a unit slip
_UNIT_COMMENT = re.compile(r"#.*\bunit\s*[:=]\s*(mm|m)\b", re.IGNORECASE)


def check_pose_unit(unit: str | None, option: str = "--pose-unit") -> str | None:
    """``unit`` lower-cased if it is ``mm`` or ``m`` (or None); raise otherwise.

    Parameters
    ----------
    unit : str or None
        Pose translation unit.
    option : str
        Option named in the error message.

    Returns
    -------
    str or None
        ``"mm"``, ``"m"`` or None.

    Raises
    ------
    InvalidValueError
        For any other unit.
    """
    if unit is None:
        return None
    text = str(unit).strip().lower()
    if text not in POSE_UNITS_M:
        raise InvalidValueError(f"{option} {unit!r}: give mm or m")
    return text


def _unit_error(path, translation, unit: str, option: str) -> SpecFileError:
    other = "mm" if unit == "m" else "m"
    size = float(np.linalg.norm(translation))
    return SpecFileError(
        f"pose file {path}: the coil centre is {size:.4g} {unit} from the origin, implausible "
        f"in {unit}; is the pose in {other}? pass {option} {other}"
    )


def _finish(path, rotation, translation_m, unit, option) -> np.ndarray:
    matrix = np.eye(4)
    matrix[:3, :3] = rotation
    matrix[:3, 3] = translation_m
    if np.linalg.norm(translation_m) > MAX_POSE_TRANSLATION_M:
        raise _unit_error(path, np.asarray(translation_m) / POSE_UNITS_M[unit], unit, option)
    return matrix


def _find_matsimnibs(value, found: list) -> None:
    """Collect every 4x4 ``matsimnibs`` field in a loadmat result (nested SimNIBS structs)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.startswith("__"):
                continue
            if key == "matsimnibs":
                array = np.asarray(item)
                if array.dtype != object and array.size == 16:
                    found.append(array.astype(float).reshape(4, 4))
                    continue
            _find_matsimnibs(item, found)
    elif isinstance(value, np.ndarray) and value.dtype.names:
        for record in value.ravel():
            _find_matsimnibs({name: record[name] for name in value.dtype.names}, found)
    elif isinstance(value, np.ndarray) and value.dtype == object:
        for item in value.ravel():
            _find_matsimnibs(item, found)


def _read_mat(path: Path, unit: str, option: str) -> np.ndarray:
    from scipy.io import loadmat

    try:
        data = loadmat(path)
    except Exception as error:  # scipy raises several types for files that are not MAT-files
        raise SpecFileError(
            f"cannot read pose file {path} as a MATLAB .mat file: {error}"
        ) from None
    found: list[np.ndarray] = []
    _find_matsimnibs(data, found)
    if len(found) != 1:
        names = [k for k in data if not k.startswith("__")]
        what = "no 4x4 matsimnibs" if not found else f"{len(found)} matsimnibs matrices"
        raise SpecFileError(
            f"pose file {path} holds {what} (variables: {', '.join(names) or 'none'}); save one "
            "4x4 coil pose as the variable matsimnibs"
        )
    matrix = found[0]
    if not np.all(np.isfinite(matrix)):
        raise SpecFileError(f"pose file {path}: the matsimnibs matrix has non-finite values")
    try:
        check_pose(np.r_[np.c_[matrix[:3, :3], np.zeros(3)], [[0, 0, 0, 1]]])
    except InvalidValueError as error:
        raise SpecFileError(f"pose file {path}: {error}") from None
    if not np.allclose(matrix[3], [0, 0, 0, 1], atol=1e-6):
        raise SpecFileError(f"pose file {path}: the last row must be 0 0 0 1; got {matrix[3]}")
    # Divide (correctly rounded) rather than multiply by MM.
    translation = matrix[:3, 3] / (1.0 / POSE_UNITS_M[unit])
    return _finish(path, matrix[:3, :3], translation, unit, option)


def _default_unit(text: str) -> str:
    declared = _UNIT_COMMENT.search(text)
    if declared:
        return declared.group(1).lower()
    return "mm" if "matsimnibs" in text.lower() else "m"


def pose_file_unit(path: str | Path) -> str:
    """The unit :func:`read_pose` assumes for a file when none is given (``mm`` or ``m``).

    Parameters
    ----------
    path : str or Path
        Pose file.

    Returns
    -------
    str
        ``"mm"`` or ``"m"``.
    """
    path = Path(path)
    if path.suffix.lower() == ".mat":
        return "mm"
    try:
        return _default_unit(path.read_bytes().decode("utf-8", errors="replace"))
    except OSError:
        return "m"


def read_pose(path: str | Path, unit: str | None = None, option: str = "--pose-unit") -> np.ndarray:
    """Read a 4x4 coil -> head pose.

    Formats: text with 4 rows of 4 numbers (whitespace or commas; ``#`` comments), or a MATLAB
    ``.mat`` file holding one 4x4 ``matsimnibs`` (top level or inside a saved SimNIBS session). The
    layout is SimNIBS's ``matsimnibs``: columns 1-3 are the coil's x, y, z axes in head coordinates
    (z into the head, y along the handle), column 4 the centre of the coil face.

    Parameters
    ----------
    path : str or Path
        Pose file.
    unit : str or None
        ``"mm"`` or ``"m"``, the unit of the translation column. None: mm for ``.mat`` files, for
        text files whose comments mention ``matsimnibs`` (SimNIBS's unit) and the unit a
        ``# unit: mm`` comment names (as :func:`write_pose` writes); m for other text files.
    option : str
        Option named in error messages.

    Returns
    -------
    (4, 4) ndarray, m
        The pose, translation in metres.

    Raises
    ------
    SpecFileError
        If the file is malformed, not a rigid motion, or its centre is more than
        :data:`MAX_POSE_TRANSLATION_M` from the origin.
    """
    path = Path(path)
    unit = check_pose_unit(unit, option)
    if not path.is_file():
        raise SpecFileError(f"pose file {path} does not exist (or is not a file)")
    if path.suffix.lower() == ".mat":
        return _read_mat(path, unit or "mm", option)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise SpecFileError(f"cannot read pose file {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise SpecFileError(
            f"pose file {path} is not a text file; give 4 rows of 4 numbers or a .mat file"
        ) from None
    unit = unit or _default_unit(text)
    rows = [line.split("#", 1)[0].replace(",", " ").split() for line in text.splitlines()]
    rows = [r for r in rows if r]
    try:
        values = [[Decimal(v) for v in row] for row in rows]
        matrix = np.array([[float(v) for v in row] for row in values])
    except (InvalidOperation, ValueError):
        raise SpecFileError(
            f"pose file {path} must hold 4 rows of 4 numbers; found a non-number"
        ) from None
    if matrix.ndim != 2 or matrix.shape != (4, 4):
        raise SpecFileError(
            f"pose file {path} must hold 4 rows of 4 numbers; got {len(rows)} row(s) of "
            f"{', '.join(sorted({str(len(r)) for r in rows})) or 'no'} number(s)"
        )
    try:
        check_pose(matrix)
    except InvalidValueError as error:
        raise SpecFileError(f"pose file {path}: {error}") from None
    # Shift the decimal point exactly: a pose written in mm reads back bit for bit.
    shift = {"m": 0, "mm": -3}[unit]
    translation = [float(values[i][3].scaleb(shift)) for i in range(3)]
    return _finish(path, matrix[:3, :3], translation, unit, option)


def format_pose(pose: np.ndarray, unit: str = "mm") -> str:
    """The text of a pose file: SimNIBS's matsimnibs layout, translation in ``unit``.

    The numbers are written so that :func:`read_pose` gives back exactly ``pose``.

    Parameters
    ----------
    pose : (4, 4) ndarray, m
        Coil -> head transform, translation in metres.
    unit : str
        ``"mm"`` or ``"m"``, the unit written.

    Returns
    -------
    str
        The file's text.
    """
    p = check_pose(pose)
    unit = check_pose_unit(unit, "unit") or "mm"
    shift = {"m": 0, "mm": 3}[unit]
    rows = []
    for i in range(4):
        cells = [repr(float(v)) for v in p[i, :3]]
        t = Decimal(repr(float(p[i, 3]))).scaleb(shift) if i < 3 else Decimal(1)
        cells.append(_decimal_text(t))
        rows.append(" ".join(cells))
    header = [
        "# tmslab coil pose (SimNIBS matsimnibs layout): 4x4 coil -> head transform",
        "# columns: coil x, y, z axes (z into the head, y along the handle), coil centre",
        f"# unit: {unit}",
    ]
    return "\n".join(header + rows) + "\n"


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value != 0 else "0"
    return text if "." in text or "e" in text.lower() else text + ".0"


def write_pose(path: str | Path, pose: np.ndarray, unit: str = "mm") -> Path:
    """Write a pose as text (:func:`format_pose`).

    Parameters
    ----------
    path : str or Path
        Output file.
    pose : (4, 4) ndarray, m
        Coil -> head transform, translation in metres.
    unit : str
        ``"mm"`` or ``"m"``, the unit written.

    Returns
    -------
    Path
        The path written.
    """
    from tmslab.provenance import atomic_write_text

    text = format_pose(pose, unit)
    return atomic_write_text(Path(path), text)
