"""Placing a coil on a head: 4x4 rigid poses (coil frame -> head frame).

Coil frame (the same as SimNIBS's): metres, origin at the centre of the coil face (the side
that rests on the head), z-axis pointing into the head, y-axis along the handle (the handle
lies on the +y side; SimNIBS: "the coil y-axis is a prolongation of the handle"), windings at
z <= 0. Head frame of the spherical models: metres, the sphere centred at the origin.

A pose is SimNIBS's ``matsimnibs``: columns 1-3 are the coil's x, y, z axes in head coordinates,
column 4 the coil centre; SimNIBS writes the centre in mm, tmslab works in metres inside, so
files carry a unit (:func:`read_pose`, :func:`write_pose`). A posed coil whose centre lies more
than :data:`MAX_COIL_GAP_M` from the conductor's surface, or inside it, is refused
(:func:`check_coil_gap`): that is nearly always a unit slip.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np

from tmslab.errors import InvalidValueError, SpecFileError
from tmslab.geometry import check_pose, identity_pose, unit_vector

# check_pose, identity_pose and unit_vector live in tmslab.geometry (core); re-exported here.
__all__ = [
    "COIL_INSIDE_TOLERANCE_M",
    "MAX_COIL_GAP_M",
    "MAX_POSE_TRANSLATION_M",
    "POSE_UNITS_M",
    "check_coil_gap",
    "check_pose",
    "check_pose_unit",
    "format_pose",
    "identity_pose",
    "pose_file_unit",
    "pose_on_sphere",
    "read_pose",
    "unit_vector",
    "write_pose",
]


POSE_UNITS_M = {"m": 1.0, "mm": 1e-3}  # length of each pose unit, m
MAX_POSE_TRANSLATION_M = 1.0  # a coil centre farther than this from the origin is a unit slip
MAX_COIL_GAP_M = 0.05  # coil centre more than 5 cm from the conductor surface: refused
COIL_INSIDE_TOLERANCE_M = 1e-3  # coil centre this far inside the surface is still accepted
_UNIT_COMMENT = re.compile(r"#.*\bunit\s*[:=]\s*(mm|m)\b", re.IGNORECASE)


def check_pose_unit(unit: str | None, option: str = "--pose-unit") -> str | None:
    """``unit`` lower-cased if it is ``mm`` or ``m`` (or None); raise otherwise."""
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
    # Divide (correctly rounded) rather than multiply by 1e-3.
    translation = matrix[:3, 3] / (1.0 / POSE_UNITS_M[unit])
    return _finish(path, matrix[:3, :3], translation, unit, option)


def _default_unit(text: str) -> str:
    declared = _UNIT_COMMENT.search(text)
    if declared:
        return declared.group(1).lower()
    return "mm" if "matsimnibs" in text.lower() else "m"


def pose_file_unit(path: str | Path) -> str:
    """The unit :func:`read_pose` assumes for a file when none is given (``mm`` or ``m``)."""
    path = Path(path)
    if path.suffix.lower() == ".mat":
        return "mm"
    try:
        return _default_unit(path.read_bytes().decode("utf-8", errors="replace"))
    except OSError:
        return "m"


def read_pose(path: str | Path, unit: str | None = None, option: str = "--pose-unit") -> np.ndarray:
    """Read a 4x4 coil -> head pose; returns a (4, 4) array with the translation in metres.

    Formats: text with 4 rows of 4 numbers (whitespace or commas; ``#`` comments), or a MATLAB
    ``.mat`` file holding one 4x4 ``matsimnibs`` (top level or inside a saved SimNIBS session).
    The layout is SimNIBS's ``matsimnibs``: columns 1-3 are the coil's x, y, z axes in head
    coordinates (z into the head, y along the handle), column 4 the centre of the coil face.
    unit: ``"mm"`` or ``"m"``, the unit of the translation column. Default: mm for ``.mat``
    files, for text files whose comments mention ``matsimnibs`` (SimNIBS's unit) and the unit a
    ``# unit: mm`` comment names (as :func:`write_pose` writes); m for other text files. A
    centre more than :data:`MAX_POSE_TRANSLATION_M` from the origin is refused with a message
    naming ``option``.
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

    pose: (4, 4) coil -> head, translation in metres. The numbers are written so that
    :func:`read_pose` gives back exactly ``pose``.
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
    """Write a pose as text (:func:`format_pose`); returns the path."""
    from tmslab.provenance import atomic_write_text

    text = format_pose(pose, unit)
    return atomic_write_text(Path(path), text)


def check_coil_gap(
    gap_m: float, surface: str, unit: str | None = None, option: str = "--pose-unit"
) -> None:
    """Raise if a posed coil's centre is implausibly far from, or inside, the conductor.

    gap_m: signed distance, m, from the conductor's outer surface to the coil centre (the pose's
    translation), negative inside. surface: what the surface is called in the message
    ("head surface", "mesh surface"). unit: the pose's unit, to suggest the other one.
    """
    other = {"m": "mm", "mm": "m"}.get(unit or "", None)
    hint = f"; is the pose in {other}? pass {option} {other}" if other else ""
    if gap_m > MAX_COIL_GAP_M:
        raise InvalidValueError(
            f"the coil centre is {_length(gap_m)} from the {surface} (more than "
            f"{MAX_COIL_GAP_M * 100:g} cm){hint}"
        )
    if gap_m < -COIL_INSIDE_TOLERANCE_M:
        raise InvalidValueError(
            f"the coil centre is {_length(-gap_m)} inside the {surface}{hint}"
            + ("" if hint else "; check the pose's translation and the direction of its z column")
        )


def _length(metres: float) -> str:
    if metres >= 1:
        return f"{metres:.4g} m"
    if metres >= 0.01:
        return f"{metres * 100:.3g} cm"
    return f"{metres * 1e3:.3g} mm"


def pose_on_sphere(
    scalp_radius_m: float,
    direction=(0.0, 0.0, 1.0),
    *,
    distance_m: float = 0.0,
    handle_angle_deg: float = 0.0,
) -> np.ndarray:
    """Pose that puts a coil tangent to a sphere over ``direction``.

    scalp_radius_m: radius of the head sphere, m. direction: (3,) from the centre towards the
    target (any length). distance_m: gap between scalp and coil face, m (>= 0).
    handle_angle_deg: rotation of the handle (coil y-axis) about the coil's z-axis, degrees,
    from the reference direction: the head's -y projected on the tangent plane (the handle
    pointing backwards over the vertex; head +x if the direction is along y).
    Returns the 4x4 coil -> head pose; the coil z-axis points to the centre.
    """
    if not scalp_radius_m > 0:
        raise InvalidValueError(f"scalp radius = {scalp_radius_m!r} m must be > 0")
    if not distance_m >= 0:
        raise InvalidValueError(f"coil distance = {distance_m!r} m must be >= 0")
    u = unit_vector(direction)
    z_axis = -u
    reference = np.array([0.0, -1.0, 0.0])
    if abs(u @ reference) > 0.99:
        reference = np.array([1.0, 0.0, 0.0])
    y0 = reference - (reference @ u) * u
    y0 /= np.linalg.norm(y0)
    if not np.isfinite(handle_angle_deg):
        raise InvalidValueError(
            f"handle angle = {handle_angle_deg!r} deg is not allowed; give a finite angle"
        )
    angle = np.deg2rad(handle_angle_deg)
    # Rotate about the coil z-axis (right-handed).
    x0 = np.cross(y0, z_axis)
    y_axis = np.cos(angle) * y0 - np.sin(angle) * x0
    x_axis = np.cross(y_axis, z_axis)
    pose = np.eye(4)
    pose[:3, 0] = x_axis
    pose[:3, 1] = y_axis
    pose[:3, 2] = z_axis
    pose[:3, 3] = (scalp_radius_m + distance_m) * u
    return check_pose(pose)
