"""Coil poses on the scalp of a realistic head: at a 10-05 label, an MNI coordinate or a point.

The pose is SimNIBS's ``matsimnibs`` (4 x 4, metres here): columns x, y, z and the centre, where
y is the handle direction, z points into the head along the inward local scalp normal and
x = y cross z. The scalp normal is the area-weighted mean of the scalp triangles' normals within
``normal_radius_m`` of the scalp point (the template's scalp triangles have edges of about 6 mm;
averaging over 8 mm smooths their facets).

Handle convention (the same as :func:`tmslab.coils.placement.pose_on_sphere`): at 0 degrees the
handle points posterior, along the head's -y projected on the tangent plane; a positive angle
rotates it right-handedly about the coil z axis (into the head), which is clockwise seen from
outside the head. At the vertex, +90 degrees points the handle to the subject's left. The
standard M1 placement, handle 45 degrees posterior-lateral from the midline (current induced
posterior-to-anterior across the central sulcus), is ``handle_angle_deg=45`` over the left
hemisphere (C3) and ``-45`` over the right (C4). Alternatively ``handle_towards`` names a 10-05
label the handle points to (projected on the tangent plane).
"""

from __future__ import annotations

import numpy as np

from tmslab.conductors.head._mesh import closest_points, triangle_normals
from tmslab.conductors.head.template import HeadModel
from tmslab.conductors.surfaces import Conductor
from tmslab.errors import InvalidValueError
from tmslab.geometry import check_pose, disc_points
from tmslab.units import MM

__all__ = [
    "NORMAL_RADIUS_M",
    "SCALP_TOLERANCE_M",
    "handle_angle_for",
    "place_coil",
    "pose_at",
    "pose_at_scalp_point",
    "project_to_scalp",
    "scalp_grid_poses",
    "scalp_normal",
    "scalp_point",
    "write_matsimnibs",
]

NORMAL_RADIUS_M = 8 * MM
# A point given "on the scalp" may lie this far off the mesh (digitised points, other templates).
SCALP_TOLERANCE_M = 10 * MM


def _scalp_arrays(head: HeadModel):
    s = head.scalp
    return s.vertices, s.triangles


def _as_point(point_m, name: str) -> np.ndarray:
    p = np.asarray(point_m, dtype=float)
    if p.shape != (3,) or not np.all(np.isfinite(p)):
        raise InvalidValueError(f"{name} must be 3 finite coordinates in metres; got {point_m!r}")
    if np.abs(p).max() > 1.0:
        raise InvalidValueError(
            f"{name} = {p.tolist()} is more than 1 m from the origin; give metres, not mm"
        )
    return p


def scalp_point(head: HeadModel, position) -> np.ndarray:
    """The scalp point of a 10-05 label, or the nearest scalp point to a point near the scalp.

    Parameters
    ----------
    head : HeadModel
        The head.
    position : str or (3,) array_like, m
        A 10-05 label (``"F3"``) or a point within :data:`SCALP_TOLERANCE_M` of the scalp.

    Returns
    -------
    (3,) ndarray, m
        A point on the scalp mesh.

    Raises
    ------
    UnknownPositionError
        For an unknown label (close matches listed).
    InvalidValueError
        If the point is farther than :data:`SCALP_TOLERANCE_M` from the scalp.
    """
    if isinstance(position, str):
        return head.position(position)
    p = _as_point(position, "scalp point")
    vertices, triangles = _scalp_arrays(head)
    near, _, dist = closest_points(p[None], vertices, triangles)
    if dist[0] > SCALP_TOLERANCE_M:
        raise InvalidValueError(
            f"the point {np.round(p / MM, 1).tolist()} mm is {dist[0] / MM:.0f} mm from the "
            f"scalp (more than {SCALP_TOLERANCE_M / MM:g} mm); give a scalp point, or use "
            "project_to_scalp for a point inside the head"
        )
    return near[0]


def project_to_scalp(head: HeadModel, point_m) -> np.ndarray:
    """The scalp point nearest to a point inside the head (e.g. an MNI cortical target).

    Parameters
    ----------
    head : HeadModel
        The head.
    point_m : (3,) array_like, m
        A point inside the scalp, in the head's frame (MNI).

    Returns
    -------
    (3,) ndarray, m
        The nearest point on the scalp mesh.

    Raises
    ------
    InvalidValueError
        If the point lies outside the scalp by more than :data:`SCALP_TOLERANCE_M`.
    """
    from tmslab.conductors.quality import inside_mask

    p = _as_point(point_m, "MNI point")
    vertices, triangles = _scalp_arrays(head)
    near, _, dist = closest_points(p[None], vertices, triangles)
    inside = inside_mask(Conductor((head.scalp.triangle_surface(1.0),)), p[None])
    if not inside[0] and dist[0] > SCALP_TOLERANCE_M:
        raise InvalidValueError(
            f"the point {np.round(p / MM, 1).tolist()} mm lies {dist[0] / MM:.0f} mm outside "
            "the scalp; give an MNI coordinate inside the head (in metres)"
        )
    return near[0]


def scalp_normal(head: HeadModel, point_m, radius_m: float = NORMAL_RADIUS_M) -> np.ndarray:
    """The outward scalp normal at a scalp point, averaged over a disc.

    Parameters
    ----------
    head : HeadModel
        The head.
    point_m : (3,) array_like, m
        A point on (or near) the scalp.
    radius_m : float, m
        Triangles whose centroids lie within this distance are averaged (area-weighted).

    Returns
    -------
    (3,) ndarray, dimensionless
        Outward unit normal.
    """
    p = _as_point(point_m, "scalp point")
    if not radius_m >= 0:
        raise InvalidValueError(f"normal radius = {radius_m!r} m must be >= 0")
    vertices, triangles = _scalp_arrays(head)
    normals, areas = triangle_normals(vertices, triangles)
    centroids = vertices[triangles].mean(axis=1)
    near = np.linalg.norm(centroids - p, axis=1) <= radius_m
    _, nearest, _ = closest_points(p[None], vertices, triangles)
    near[nearest[0]] = True
    n = (normals[near] * areas[near, None]).sum(axis=0)
    return n / np.linalg.norm(n)


def _frame(z_axis: np.ndarray, reference: np.ndarray, angle_deg: float) -> np.ndarray:
    """Rotation with columns x, y, z: y = reference projected on the plane, turned by angle."""
    y0 = reference - (reference @ z_axis) * z_axis
    if np.linalg.norm(y0) < 1e-6:
        raise InvalidValueError(
            "the handle reference direction is along the coil axis; choose another handle"
        )
    y0 /= np.linalg.norm(y0)
    angle = np.deg2rad(angle_deg)
    x0 = np.cross(y0, z_axis)
    y_axis = np.cos(angle) * y0 - np.sin(angle) * x0  # right-handed about z
    x_axis = np.cross(y_axis, z_axis)
    return np.column_stack([x_axis, y_axis, z_axis])


def pose_at_scalp_point(
    head: HeadModel,
    point_m,
    *,
    handle_angle_deg: float = 0.0,
    handle_towards: str | None = None,
    distance_m: float = 0.0,
    normal_radius_m: float = NORMAL_RADIUS_M,
) -> np.ndarray:
    """A coil pose over a scalp point.

    Parameters
    ----------
    head : HeadModel
        The head.
    point_m : (3,) array_like, m
        A point on the scalp (see :func:`scalp_point`).
    handle_angle_deg : float, degrees
        Handle angle from posterior (module docstring); added to ``handle_towards`` if given.
    handle_towards : str or None
        A 10-05 label the handle points to (projected on the tangent plane).
    distance_m : float, m
        Gap from the scalp to the coil centre along the normal (>= 0).
    normal_radius_m : float, m
        Radius over which the scalp normal is averaged.

    Returns
    -------
    (4, 4) ndarray, m
        Coil -> head pose (matsimnibs convention, metres).

    Raises
    ------
    InvalidValueError
        For a negative distance, a non-finite angle or a degenerate handle direction.
    UnknownPositionError
        For an unknown ``handle_towards`` label.
    """
    p = _as_point(point_m, "scalp point")
    if not (np.isfinite(distance_m) and distance_m >= 0):
        raise InvalidValueError(f"coil distance = {distance_m!r} m must be >= 0")
    if not np.isfinite(handle_angle_deg):
        raise InvalidValueError(f"handle angle = {handle_angle_deg!r} deg must be finite")
    outward = scalp_normal(head, p, normal_radius_m)
    z_axis = -outward
    if handle_towards is not None:
        towards = head.position(handle_towards)
        reference = towards - p
        if np.linalg.norm(reference - (reference @ z_axis) * z_axis) < 1 * MM:
            raise InvalidValueError(
                f"the handle target {handle_towards!r} is at the coil position; choose another"
            )
    else:
        reference = np.array([0.0, -1.0, 0.0])
        if abs(reference @ z_axis) > 0.99:
            # over the back of the head "posterior" is the coil axis itself: no silent other
            # convention, the user names the direction
            raise InvalidValueError(
                "the scalp normal here points posterior, so a handle angle from posterior is "
                "undefined; give handle_towards=LABEL (another 10-05 position)"
            )
    pose = np.eye(4)
    pose[:3, :3] = _frame(z_axis, reference, handle_angle_deg)
    pose[:3, 3] = p + distance_m * outward
    return check_pose(pose)


def pose_at(
    head: HeadModel,
    position,
    *,
    handle_angle_deg: float = 0.0,
    handle_towards: str | None = None,
    distance_m: float = 0.0,
    normal_radius_m: float = NORMAL_RADIUS_M,
) -> np.ndarray:
    """A coil pose at a 10-05 label or a scalp point.

    Parameters
    ----------
    head : HeadModel
        The head.
    position : str or (3,) array_like, m
        A 10-05 label (``"C3"``) or a point near the scalp. For an MNI coordinate inside the
        head use ``pose_at(head, project_to_scalp(head, mni_m), ...)``.
    handle_angle_deg : float, degrees
        Handle angle from posterior (module docstring); added to ``handle_towards`` if given.
    handle_towards : str or None
        A 10-05 label the handle points to (projected on the tangent plane).
    distance_m : float, m
        Gap from the scalp to the coil centre along the normal (>= 0).
    normal_radius_m : float, m
        Radius over which the scalp normal is averaged.

    Returns
    -------
    (4, 4) ndarray, m
        Coil -> head pose (matsimnibs convention, metres).

    Examples
    --------
    The standard left-M1 placement, handle 45 degrees posterior-lateral, 4 mm above C3:

    >>> from tmslab.conductors.head import fsaverage_head, pose_at
    >>> pose = pose_at(fsaverage_head(), "C3", handle_angle_deg=45, distance_m=0.004)
    """
    point = scalp_point(head, position)
    return pose_at_scalp_point(
        head,
        point,
        handle_angle_deg=handle_angle_deg,
        handle_towards=handle_towards,
        distance_m=distance_m,
        normal_radius_m=normal_radius_m,
    )


def place_coil(
    head: HeadModel,
    position: str | None = None,
    position_mni_m=None,
    *,
    handle_angle_deg: float = 0.0,
    handle_towards: str | None = None,
    distance_m: float = 0.0,
) -> tuple[np.ndarray, str]:
    """A coil pose at a 10-05 label or over an MNI152 coordinate, and the placement in words.

    Parameters
    ----------
    head : HeadModel
        The head.
    position : str or None
        A 10-05 label (``"F3"``); or give ``position_mni_m``.
    position_mni_m : (3,) array_like, m, or None
        An MNI152 coordinate (as published), converted to the head's frame and projected onto
        the scalp.
    handle_angle_deg : float, degrees
        See :func:`pose_at`.
    handle_towards : str or None
        See :func:`pose_at`.
    distance_m : float, m
        Scalp to coil centre.

    Returns
    -------
    pose : (4, 4) ndarray, m
        Coil -> head (SimNIBS matsimnibs convention).
    placement : str
        E.g. ``"F3, handle 45 deg from posterior, 4 mm above the scalp"``.

    Raises
    ------
    InvalidValueError
        Neither or both of ``position`` and ``position_mni_m``.
    """
    if (position is None) == (position_mni_m is None):
        raise InvalidValueError(
            "give the coil position: either a 10-05 label or an MNI coordinate, not both"
        )
    kw = dict(
        handle_angle_deg=handle_angle_deg, handle_towards=handle_towards, distance_m=distance_m
    )
    if position is not None:
        pose, where = pose_at(head, position, **kw), str(position)
    else:
        mni = np.asarray(position_mni_m, dtype=float)
        point = project_to_scalp(head, head.from_mni152(mni))
        pose = pose_at_scalp_point(head, point, **kw)
        where = "MNI ({:g}, {:g}, {:g}) mm on the scalp".format(*np.round(mni / MM, 3))
    if handle_towards:
        handle = f"handle towards {handle_towards}" + (
            f" + {handle_angle_deg:g} deg" if handle_angle_deg else ""
        )
    else:
        handle = f"handle {handle_angle_deg:g} deg from posterior"
    return pose, f"{where}, {handle}, {distance_m / MM:g} mm above the scalp"


def scalp_grid_poses(
    head: HeadModel,
    centre_m,
    radius_m: float,
    step_m: float,
    *,
    distance_m: float = 0.0,
    normal_radius_m: float = NORMAL_RADIUS_M,
) -> tuple[np.ndarray, np.ndarray]:
    """Coil poses (handle angle 0) on a grid of scalp points within a radius of a scalp point.

    The grid is square, ``step_m`` apart on the tangent plane at ``centre_m``; each grid point
    is moved to the nearest scalp point and those within ``radius_m`` (on the plane) are kept.
    Each pose is :func:`pose_at_scalp_point` at handle angle 0 (posterior).

    Parameters
    ----------
    head : HeadModel
        The head.
    centre_m : (3,) array_like, m
        A scalp point (e.g. :func:`project_to_scalp` of the target).
    radius_m, step_m : float, m
        Extent and spacing of the grid.
    distance_m : float, m
        Scalp to coil centre along the normal.
    normal_radius_m : float, m
        Radius over which the scalp normal is averaged.

    Returns
    -------
    points : (P, 3) ndarray, m
        The scalp points (the centre first).
    poses : (P, 4, 4) ndarray, m
        Coil -> head poses at handle angle 0.

    Raises
    ------
    InvalidValueError
        For a non-positive step or a negative radius or distance, a radius whose tangent-plane
        grid leaves the scalp by more than :data:`SCALP_TOLERANCE_M`, or a scalp normal along
        the posterior reference (the back of the head).
    """
    from scipy.spatial import cKDTree

    centre = scalp_point(head, centre_m)
    if not (np.isfinite(step_m) and step_m > 0):
        raise InvalidValueError(f"grid step = {step_m!r} m must be > 0")
    if not (np.isfinite(radius_m) and radius_m >= 0):
        raise InvalidValueError(f"search radius = {radius_m!r} m must be >= 0")
    if not (np.isfinite(distance_m) and distance_m >= 0):
        raise InvalidValueError(f"coil distance = {distance_m!r} m must be >= 0")
    flat = disc_points(centre, scalp_normal(head, centre, normal_radius_m), radius_m, step_m)
    vertices, triangles = _scalp_arrays(head)
    points, _, gap = closest_points(flat, vertices, triangles)
    if np.any(gap > SCALP_TOLERANCE_M):
        # a grid point this far off the scalp would snap to an unrelated part of it
        raise InvalidValueError(
            f"the search radius {radius_m / MM:g} mm is too large for the scalp's curvature "
            f"here (the grid leaves the scalp by {gap.max() / MM:.0f} mm); search within a "
            "smaller radius"
        )
    normals, areas = triangle_normals(vertices, triangles)
    centroids = vertices[triangles].mean(axis=1)
    tree = cKDTree(centroids)
    _, nearest, _ = closest_points(points, vertices, triangles)
    poses = np.empty((len(points), 4, 4))
    reference = np.array([0.0, -1.0, 0.0])
    for i, (p, groups) in enumerate(
        zip(points, tree.query_ball_point(points, normal_radius_m), strict=True)
    ):
        idx = np.union1d(np.asarray(groups, dtype=int), nearest[i : i + 1])
        outward = (normals[idx] * areas[idx, None]).sum(axis=0)
        outward /= np.linalg.norm(outward)
        if abs(reference @ outward) > 0.99:
            raise InvalidValueError(
                "the scalp normal points posterior inside the search area, so the handle "
                "angle from posterior is undefined there; search elsewhere"
            )
        poses[i] = np.eye(4)
        poses[i, :3, :3] = _frame(-outward, reference, 0.0)
        poses[i, :3, 3] = p + distance_m * outward
    return points, poses


def handle_angle_for(head: HeadModel, pose: np.ndarray) -> float:
    """The handle angle (degrees, this module's convention) of a pose.

    Parameters
    ----------
    head : HeadModel
        The head (unused but for symmetry with :func:`pose_at`).
    pose : (4, 4) ndarray, m
        Coil -> head pose.

    Returns
    -------
    float, degrees
        In (-180, 180].
    """
    p = check_pose(pose)
    z_axis, y_axis = p[:3, 2], p[:3, 1]
    reference = np.array([0.0, -1.0, 0.0])
    if abs(reference @ z_axis) > 0.99:
        reference = np.array([1.0, 0.0, 0.0])
    y0 = reference - (reference @ z_axis) * z_axis
    y0 /= np.linalg.norm(y0)
    x0 = np.cross(y0, z_axis)
    return float(np.rad2deg(np.arctan2(-(y_axis @ x0), y_axis @ y0)))


def write_matsimnibs(path, pose: np.ndarray, unit: str = "mm"):
    """Write a pose as text with tmslab's pose writer (SimNIBS matsimnibs, mm by default).

    Parameters
    ----------
    path : str or Path
        Output file.
    pose : (4, 4) ndarray, m
        Coil -> head pose.
    unit : str
        ``"mm"`` (SimNIBS) or ``"m"``.

    Returns
    -------
    Path
        The path written.
    """
    from tmslab.io.pose import write_pose

    return write_pose(path, pose, unit)
