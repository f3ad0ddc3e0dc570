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
    ``identity``, or (default) over the vertex, ``distance_m`` above the scalp.

    Parameters
    ----------
    coil : str
        Preset name, .ccd/.tcd file or coil TOML file.
    head : SphereHead
        The head; a pose file's coil centre must lie near its scalp.
    pose : str, optional
        ``"identity"``, a pose file (:func:`tmslab.io.pose.read_pose`) or None for the default.
    distance_m : float, m
        Scalp to coil face for the default pose.
    handle_angle_deg : float, degrees
        Handle rotation about the coil axis for the default pose.
    pose_unit : str, optional
        ``"mm"`` or ``"m"`` for the pose file's translation (default: the file's).

    Returns
    -------
    Coil
        Placed in the head's frame.
    """
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
    ``distance_m`` above it.

    Parameters
    ----------
    coil : str
        Preset name, .ccd/.tcd file or coil TOML file.
    conductor : Conductor
        The meshed conductor (:mod:`tmslab.conductors`); a pose file's coil centre must lie
        near its outer surface.
    pose : str, optional
        ``"identity"``, a pose file (:func:`tmslab.io.pose.read_pose`) or None for the default.
    distance_m : float, m
        Top of the conductor to coil face for the default pose.
    handle_angle_deg : float, degrees
        Handle rotation about the coil axis for the default pose.
    pose_unit : str, optional
        ``"mm"`` or ``"m"`` for the pose file's translation (default: the file's).

    Returns
    -------
    Coil
        Placed in the conductor's frame.
    """
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


def write_sphere_pose(
    path,
    head: str,
    direction: str,
    *,
    distance_m: float = 0.0,
    handle_angle_deg: float = 0.0,
    unit: str = "mm",
) -> tuple[np.ndarray, str, str]:
    """Write the pose of a coil over the sphere head ``head`` as a text pose file.

    Parameters
    ----------
    path : .txt, .csv or .dat file (SimNIBS matsimnibs layout, :func:`tmslab.io.pose.write_pose`)
    head : head preset or scalp radius (``"85mm"``)
    direction : ``"x,y,z"``, head-frame direction from the centre to the coil
    distance_m : scalp to coil face, m
    handle_angle_deg : handle rotation about the coil axis, degrees
    unit : translation unit written, ``"mm"`` or ``"m"``

    Returns
    -------
    centre : (3,) ndarray, the coil centre in ``unit``
    unit : the unit written
    name : the head's name
    """
    from pathlib import Path

    from tmslab.coils.placement import pose_on_sphere
    from tmslab.conductors.sphere import resolve_head
    from tmslab.errors import InvalidValueError
    from tmslab.io.pose import check_pose_unit, write_pose
    from tmslab.units import MM_PER_M

    unit = check_pose_unit(unit, "--unit")
    if Path(path).suffix.lower() == ".mat":
        raise InvalidValueError(f"--out {path}: pose files are text; use .txt (--pose reads both)")
    try:
        vector = [float(v) for v in direction.replace(";", ",").split(",")]
    except ValueError:
        vector = []
    if len(vector) != 3:
        raise InvalidValueError(f"--direction {direction!r}: give three numbers x,y,z")
    model = resolve_head(head)
    pose = pose_on_sphere(
        model.scalp_radius_m, vector, distance_m=distance_m, handle_angle_deg=handle_angle_deg
    )
    write_pose(path, pose, unit)
    return pose[:3, 3] * (MM_PER_M if unit == "mm" else 1.0), unit, model.name
