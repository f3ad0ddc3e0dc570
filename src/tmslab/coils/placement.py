"""Placing a coil on a head: 4x4 rigid poses (coil frame -> head frame).

Coil frame: origin at the centre of the coil face, z into the head, y along the handle.
Head frame of the spherical models: metres, the sphere centred at the origin.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tmslab.errors import InvalidValueError, SpecFileError


def identity_pose() -> np.ndarray:
    """The 4x4 identity: coil coordinates are taken as head coordinates."""
    return np.eye(4)


def check_pose(pose: np.ndarray, tolerance: float = 1e-6) -> np.ndarray:
    """Return ``pose`` as a float (4, 4) array if it is a rigid motion, else raise.

    The upper-left 3x3 block must be a rotation (orthonormal, determinant +1) and the last row
    (0, 0, 0, 1); translations in metres.
    """
    p = np.asarray(pose, dtype=float)
    if p.shape != (4, 4):
        raise InvalidValueError(f"a pose must be a 4x4 matrix; got shape {p.shape}")
    if not np.all(np.isfinite(p)):
        raise InvalidValueError("the pose contains non-finite values (nan or inf)")
    rotation = p[:3, :3]
    if (
        not np.allclose(rotation @ rotation.T, np.eye(3), atol=tolerance)
        or np.linalg.det(rotation) < 0
    ):
        raise InvalidValueError(
            "the pose's 3x3 block is not a rotation (orthonormal with determinant +1); "
            "give a rigid coil-to-head transform"
        )
    if not np.allclose(p[3], [0, 0, 0, 1], atol=tolerance):
        raise InvalidValueError(f"the pose's last row must be 0 0 0 1; got {p[3].tolist()}")
    return p


def read_pose(path: str | Path) -> np.ndarray:
    """Read a 4x4 pose from a text file (4 rows of 4 numbers; translation in metres)."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise SpecFileError(f"cannot read pose file {path}: {error.strerror or error}") from None
    rows = [line.replace(",", " ").split() for line in text.splitlines()]
    rows = [r for r in rows if r and not r[0].startswith("#")]
    try:
        matrix = np.array([[float(v) for v in row] for row in rows])
    except ValueError:
        raise SpecFileError(
            f"pose file {path} must hold 4 rows of 4 numbers; found a non-number"
        ) from None
    if matrix.shape != (4, 4):
        raise SpecFileError(f"pose file {path} must hold 4 rows of 4 numbers; got {len(rows)} rows")
    try:
        return check_pose(matrix)
    except InvalidValueError as error:
        raise SpecFileError(f"pose file {path}: {error}") from None


def unit_vector(direction, name: str = "direction") -> np.ndarray:
    """``direction`` as a (3,) unit vector; raise if it is not three finite numbers or is zero."""
    d = np.asarray(direction, dtype=float).reshape(-1)
    if d.shape != (3,) or not np.all(np.isfinite(d)) or np.linalg.norm(d) == 0:
        raise InvalidValueError(f"{name} must be three numbers, not all zero; got {direction!r}")
    return d / np.linalg.norm(d)


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
