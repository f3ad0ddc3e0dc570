"""Generic geometry shared by every layer: unit vectors and 4x4 rigid poses.

Core module (imports only :mod:`tmslab.errors`), so conductors and efield can check directions and
poses without importing :mod:`tmslab.coils`; :mod:`tmslab.coils.placement` re-exports the names.
"""

from __future__ import annotations

import numpy as np

from tmslab.errors import InvalidValueError

__all__ = ["check_pose", "identity_pose", "unit_vector"]


def identity_pose() -> np.ndarray:
    """The 4x4 identity: coil coordinates are taken as head coordinates."""
    return np.eye(4)


def check_pose(pose: np.ndarray, tolerance: float = 1e-6) -> np.ndarray:
    """Return ``pose`` as a float (4, 4) array if it is a rigid motion, else raise.

    The upper-left 3x3 block must be a rotation (orthonormal, determinant +1) and the last row
    (0, 0, 0, 1).

    Parameters
    ----------
    pose : (4, 4) ndarray, m
        Coil -> head transform, translation in metres.
    tolerance : float, dimensionless
        Allowed deviation from orthonormality and from the last row.

    Returns
    -------
    (4, 4) ndarray, m
        The pose as floats.

    Raises
    ------
    InvalidValueError
        If the matrix is not a rigid motion.
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


def directed_edges(triangles: np.ndarray) -> np.ndarray:
    """The edges of triangles as directed vertex pairs, (a, b), (b, c), (c, a) of each.

    Parameters
    ----------
    triangles : (T, 3) ndarray of int
        Vertex indices, counter-clockwise seen from outside.

    Returns
    -------
    (3T, 2) ndarray of int
        First every triangle's first edge, then the second ones, then the third.
    """
    tri = np.asarray(triangles)
    return np.concatenate([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]])


def unit_vector(direction, name: str = "direction") -> np.ndarray:
    """``direction`` as a unit vector.

    Parameters
    ----------
    direction : (3,) array_like, dimensionless
        Any non-zero length.
    name : str
        What to call it in the error message.

    Returns
    -------
    (3,) ndarray, dimensionless
        The normalised direction.

    Raises
    ------
    InvalidValueError
        If it is not three finite numbers or is zero.
    """
    d = np.asarray(direction, dtype=float).reshape(-1)
    if d.shape != (3,) or not np.all(np.isfinite(d)) or np.linalg.norm(d) == 0:
        raise InvalidValueError(f"{name} must be three numbers, not all zero; got {direction!r}")
    return d / np.linalg.norm(d)


def turned_about_z(angle_rad: float) -> np.ndarray:
    """(4, 4) ndarray: a right-handed turn by ``angle_rad`` about z (``pose @ turn`` turns a coil
    about its own axis, the handle-angle convention of the placement modules)."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    turn = np.eye(4)
    turn[:2, :2] = [[c, -s], [s, c]]
    return turn


def tangent_axes(normal) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors spanning the plane normal to ``normal``, with e1 x e2 = n.

    Parameters
    ----------
    normal : (3,) array_like, dimensionless
        The plane's normal (any length).

    Returns
    -------
    e1, e2 : (3,) ndarray, dimensionless
        In-plane axes (e1 = n x helper, helper the x axis unless n is close to it).
    """
    n = unit_vector(normal, "normal")
    helper = np.array([1.0, 0.0, 0.0]) if abs(n[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = np.cross(n, helper)
    e1 /= np.linalg.norm(e1)
    return e1, np.cross(n, e1)


def disc_points(centre, normal, radius_m: float, step_m: float) -> np.ndarray:
    """A square grid on the plane through ``centre`` normal to ``normal``, within a radius.

    Parameters
    ----------
    centre : (3,) array_like, m
        The grid's centre.
    normal : (3,) array_like, dimensionless
        The plane's normal.
    radius_m, step_m : float, m
        Radius of the disc kept and spacing of the grid.

    Returns
    -------
    (N, 3) ndarray, m
        The points, nearest to the centre first (the centre itself first).
    """
    e1, e2 = tangent_axes(normal)
    k = int(np.floor(radius_m / step_m + 1e-9))
    a, b = np.meshgrid(np.arange(-k, k + 1) * step_m, np.arange(-k, k + 1) * step_m)
    a, b = a.ravel(), b.ravel()
    keep = np.hypot(a, b) <= radius_m + 1e-12
    order = np.argsort(np.hypot(a[keep], b[keep]), kind="stable")
    return np.asarray(centre, dtype=float) + a[keep][order, None] * e1 + b[keep][order, None] * e2
