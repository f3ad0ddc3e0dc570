"""Placing a coil on a head: 4x4 rigid poses (coil frame -> head frame).

Coil frame (the same as SimNIBS's): metres, origin at the centre of the coil face (the side
that rests on the head), z-axis pointing into the head, y-axis along the handle (the handle
lies on the +y side; SimNIBS: "the coil y-axis is a prolongation of the handle"), windings at
z <= 0. Head frame of the spherical models: metres, the sphere centred at the origin.

A pose is SimNIBS's ``matsimnibs``: columns 1-3 are the coil's x, y, z axes in head coordinates,
column 4 the coil centre; SimNIBS writes the centre in mm, tmslab works in metres inside, so
files carry a unit (:func:`read_pose`, :func:`write_pose`, in :mod:`tmslab.io.pose`). A posed coil whose centre lies more
than :data:`MAX_COIL_GAP_M` from the conductor's surface, or inside it, is refused
(:func:`check_coil_gap`): that is nearly always a unit slip.
"""

from __future__ import annotations

import numpy as np

from tmslab.errors import InvalidValueError

# Moved down the layers; re-exported here, where they were public first.
from tmslab.geometry import check_pose, identity_pose, unit_vector
from tmslab.io.pose import (
    MAX_POSE_TRANSLATION_M,
    POSE_UNITS_M,
    check_pose_unit,
    format_pose,
    pose_file_unit,
    read_pose,
    write_pose,
)
from tmslab.units import MM_PER_M

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


MAX_COIL_GAP_M = 0.05  # coil centre more than 5 cm from the conductor surface: refused
COIL_INSIDE_TOLERANCE_M = 1e-3  # coil centre this far inside the surface is still accepted


def check_coil_gap(
    gap_m: float, surface: str, unit: str | None = None, option: str = "--pose-unit"
) -> None:
    """Raise if a posed coil's centre is implausibly far from, or inside, the conductor.

    Parameters
    ----------
    gap_m : float, m
        Signed distance from the conductor's outer surface to the coil centre (the pose's
        translation), negative inside.
    surface : str
        What the surface is called in the message ("head surface", "mesh surface").
    unit : str or None
        The pose's unit, to suggest the other one.
    option : str
        Option named in the message.

    Raises
    ------
    InvalidValueError
        If the centre is too far from or inside the surface.
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
    return f"{metres * MM_PER_M:.3g} mm"


def pose_on_sphere(
    scalp_radius_m: float,
    direction=(0.0, 0.0, 1.0),
    *,
    distance_m: float = 0.0,
    handle_angle_deg: float = 0.0,
) -> np.ndarray:
    """Pose that puts a coil tangent to a sphere over ``direction``.

    Parameters
    ----------
    scalp_radius_m : float, m
        Radius of the head sphere.
    direction : (3,) array_like, dimensionless
        From the centre towards the target (any length).
    distance_m : float, m
        Gap between scalp and coil face (>= 0).
    handle_angle_deg : float, degrees
        Rotation of the handle (coil y-axis) about the coil's z-axis from the reference direction:
        the head's -y projected on the tangent plane (the handle pointing backwards over the
        vertex; head +x if the direction is along y).

    Returns
    -------
    (4, 4) ndarray, m
        Coil -> head pose; the coil z-axis points to the centre.
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
