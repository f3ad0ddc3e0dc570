"""Put a coil where the field commands and stages want it: a pose file, ``identity``, or the
default position over a sphere head or any conductor.

A pose file's coil centre must lie on or near the conductor's outer surface
(:func:`tmslab.coils.placement.check_coil_gap`): anything else is nearly always a unit slip.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def place_coil(
    coil: str,
    pose: str | None,
    default_pose: Callable[[], np.ndarray],
    gap_m: Callable[[np.ndarray], float],
    surface: str,
    pose_unit: str | None = None,
):
    """Load coil ``coil`` and place it.

    Parameters
    ----------
    coil : preset name, .ccd/.tcd file or coil TOML file
    pose : ``"identity"``, a pose file (:func:`tmslab.io.pose.read_pose`) or None for the default
    default_pose : returns the (4, 4) coil -> conductor pose used when ``pose`` is None
    gap_m : signed distance, m, from the conductor surface to a coil centre (3,), m
    surface : the surface's name in messages ("head surface")
    pose_unit : ``"mm"`` or ``"m"`` for the pose file's translation (default: the file's)

    Returns
    -------
    Coil, placed in the conductor's frame
    """
    from tmslab.coils import identity_pose, load_coil
    from tmslab.coils.placement import check_coil_gap
    from tmslab.io.pose import check_pose_unit, pose_file_unit, read_pose

    unit = check_pose_unit(pose_unit)
    loaded = load_coil(coil)
    if pose == "identity":
        matrix = identity_pose()
    elif pose:
        matrix = read_pose(pose, unit)
        check_coil_gap(gap_m(matrix[:3, 3]), surface, unit or pose_file_unit(pose))
    else:
        matrix = default_pose()
    return loaded.transformed(matrix)


def coil_over_sphere(
    coil: str,
    head,
    pose: str | None = None,
    *,
    distance_m: float = 0.0,
    handle_angle_deg: float = 0.0,
    pose_unit: str | None = None,
):
    """Coil ``coil`` over a :class:`~tmslab.conductors.sphere.SphereHead`: a pose file,
    ``identity``, or (default) over the vertex, ``distance_m`` above the scalp."""
    from tmslab.coils.placement import pose_on_sphere

    radius = head.scalp_radius_m
    return place_coil(
        coil,
        pose,
        lambda: pose_on_sphere(radius, distance_m=distance_m, handle_angle_deg=handle_angle_deg),
        lambda centre: float(np.linalg.norm(centre)) - radius,
        "head surface",
        pose_unit,
    )


def coil_over_conductor(
    coil: str,
    conductor,
    pose: str | None = None,
    *,
    distance_m: float = 0.0,
    handle_angle_deg: float = 0.0,
    pose_unit: str | None = None,
):
    """Coil ``coil`` over a meshed conductor: a pose file, ``identity``, or (default) face-down
    over the top of the conductor (centred; dishes, plates and inserts: over the origin),
    ``distance_m`` above it."""
    from tmslab.conductors.quality import signed_surface_distance
    from tmslab.efield.bem import pose_above

    def above() -> np.ndarray:
        lo, hi = conductor.bounds()
        centre = (lo + hi) / 2
        if conductor.kind in ("dish", "plate", "insert"):
            centre = np.zeros(3)
        return pose_above(hi[2], distance_m, handle_angle_deg, centre[:2])

    return place_coil(
        coil,
        pose,
        above,
        lambda centre: float(signed_surface_distance(conductor, centre[None])[0]),
        "conductor surface",
        pose_unit,
    )
