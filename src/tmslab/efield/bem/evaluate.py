"""E-field of the surface charges (and the total field) at points: FMM plus exact near parts."""

from __future__ import annotations

import numpy as np

from tmslab.efield.bem.fmm import DEFAULT_EPS, coulomb_field
from tmslab.efield.bem.nearfield import near_corrections, near_pairs
from tmslab.efield.bem.operator import NEAR_FACTOR
from tmslab.errors import InvalidValueError
from tmslab.units import MM_PER_M

# Points nearer a boundary than this fraction of the mean edge length are refused: the field
# jumps across a charged surface, so a point on it has no single value (and the integrals blow up).
SURFACE_CLEARANCE = 1e-6


def check_clearance(conductor, points: np.ndarray, indptr, indices) -> None:
    """Raise if a point lies on a boundary (within the clearance of a near triangle).

    Parameters
    ----------
    conductor : Conductor
        The conductor.
    points : (N, 3) ndarray, m
        Field points.
    indptr : (N + 1,) ndarray of int
        CSR row pointers of the near triangles of each point.
    indices : (P,) ndarray of int
        Near triangle indices.

    Raises
    ------
    InvalidValueError
        Naming the point (mm) and its distance.
    """
    from tmslab.conductors.quality import point_triangle_distance

    if not len(indices):
        return
    rows = np.repeat(np.arange(len(points)), np.diff(indptr))
    distance = point_triangle_distance(points[rows], conductor.corners[indices])
    limit = SURFACE_CLEARANCE * conductor.mean_edge_m()
    bad = distance < limit
    if np.any(bad):
        k = int(np.flatnonzero(bad)[0])
        where = np.round(points[rows[k]] * MM_PER_M, 4).tolist()
        raise InvalidValueError(
            f"point {where} mm (row {rows[k] + 1}) is {distance[k]:.3g} m from a boundary of the "
            f"conductor (closer than {limit:.3g} m: on it); the field jumps across a boundary, "
            "so move the point inside a compartment"
        )


def check_field_points(conductor, points: np.ndarray, near_factor: float = NEAR_FACTOR) -> None:
    """Raise unless every point is off the boundaries and inside the conductor.

    Cheap (a k-d tree and the near triangles): run it before solving. A point on a boundary is
    named as such (rather than as "outside", which a winding number may say for it).

    Parameters
    ----------
    conductor : Conductor
        The conductor.
    points : (N, 3) ndarray, m
        Field points.
    near_factor : float, dimensionless
        Near-triangle radius in triangle sizes.

    Raises
    ------
    InvalidValueError
        For a point on a boundary or outside.
    """
    from tmslab.conductors.quality import check_points_inside

    p = np.ascontiguousarray(points, dtype=float).reshape(-1, 3)
    if len(p):
        indptr, indices = near_pairs(p, conductor.centroids, conductor.sizes, near_factor)
        check_clearance(conductor, p, indptr, indices)
        check_points_inside(conductor, p)


def charge_field(
    conductor,
    density: np.ndarray,
    points: np.ndarray,
    near_factor: float = NEAR_FACTOR,
    eps: float = DEFAULT_EPS,
) -> np.ndarray:
    """Field of the piecewise-constant surface charge at points: -grad phi, the secondary field.

    Parameters
    ----------
    conductor : Conductor
        Conductor with T triangles.
    density : (T,) ndarray, V/m
        Charge density / eps0.
    points : (N, 3) ndarray, m
        Field points, off the surfaces.
    near_factor : float, dimensionless
        Near-triangle radius in triangle sizes (exact integrals inside it).
    eps : float, dimensionless
        FMM relative precision.

    Returns
    -------
    (N, 3) ndarray, V/m
        Secondary E.

    Raises
    ------
    InvalidValueError
        For a point nearer a boundary than ``SURFACE_CLEARANCE`` mean edge lengths (naming the
        point and its distance), instead of returning an undefined value.
    """
    p = np.ascontiguousarray(points, dtype=float)
    if len(p) == 0:
        return np.zeros((0, 3))
    indptr, indices = near_pairs(p, conductor.centroids, conductor.sizes, near_factor)
    check_clearance(conductor, p, indptr, indices)
    e = coulomb_field(conductor.centroids, density * conductor.areas, p, eps=eps)
    if len(indices):
        values = near_corrections(
            p,
            indptr,
            indices,
            conductor.corners,
            conductor.centroids,
            conductor.normals,
            conductor.areas,
        )
        rows = np.repeat(np.arange(len(p)), np.diff(indptr))
        weighted = values * density[indices][:, None]
        for k in range(3):
            e[:, k] += np.bincount(rows, weights=weighted[:, k], minlength=len(p))
    return e
