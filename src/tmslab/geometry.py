"""Geometry every layer shares: unit vectors and rigid 4x4 poses (metres)."""

from __future__ import annotations

import numpy as np

from tmslab.errors import InvalidValueError


def unit_vector(direction, name: str = "direction") -> np.ndarray:
    """``direction`` as a (3,) unit vector; raise if it is not three finite numbers or is zero."""
    d = np.asarray(direction, dtype=float).reshape(-1)
    if d.shape != (3,) or not np.all(np.isfinite(d)) or np.linalg.norm(d) == 0:
        raise InvalidValueError(f"{name} must be three numbers, not all zero; got {direction!r}")
    return d / np.linalg.norm(d)


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
