"""E-field of the surface charges (and the total field) at points: FMM plus exact near parts."""

from __future__ import annotations

import numpy as np

from tmslab.efield.bem.fmm import DEFAULT_EPS, coulomb_field
from tmslab.efield.bem.nearfield import near_corrections, near_pairs
from tmslab.efield.bem.operator import NEAR_FACTOR


def charge_field(
    conductor,
    density: np.ndarray,
    points: np.ndarray,
    near_factor: float = NEAR_FACTOR,
    eps: float = DEFAULT_EPS,
) -> np.ndarray:
    """Field of the piecewise-constant surface charge at points, V/m.

    conductor: :class:`~tmslab.conductors.surfaces.Conductor` with T triangles.
    density: (T,) charge density / eps0, V/m. points: (N, 3) m, off the surfaces.
    Returns (N, 3) V/m: -grad phi, the secondary field.
    """
    p = np.ascontiguousarray(points, dtype=float)
    if len(p) == 0:
        return np.zeros((0, 3))
    e = coulomb_field(conductor.centroids, density * conductor.areas, p, eps=eps)
    indptr, indices = near_pairs(p, conductor.centroids, conductor.sizes, near_factor)
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
