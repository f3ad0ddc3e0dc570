"""Reciprocity: the field at one target for many coil poses, each for the cost of a dot product.

The E-field that a coil's magnetic dipoles (positions p_k, moments m_k per ampere) induce at a
target r0 along a unit vector d, per unit dI/dt, equals minus the flux-like sum of the moments
against the magnetic field that a unit current dipole d at r0 makes at the dipoles:

    E(r0) . d = - sum_k m_k . B_d(p_k)

(Helmholtz reciprocity, as used by the auxiliary dipole method: Gomez et al. 2020, Brain Stimul
13:1, doi:10.1016/j.brs.2019.09.015). In a spherically symmetric conductor B_d has the closed
form of Sarvas (1987, Phys Med Biol 32:11, doi:10.1088/0031-9155/32/1/004), so the field at the
target for any pose costs one pass over the coil's dipoles, without solving for the field in
the head. Three current dipoles (x, y, z) give the vector E. The identity is checked against the
direct sphere field (:func:`tmslab.efield.kernels.sphere_efield`) to rounding in the tests.

Groundwork for issue 18 (placement optimisation): spheres only; the realistic head needs B of a
current dipole in the BEM conductor.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.units import MU0_OVER_4PI

__all__ = ["sarvas_bfield", "target_field_over_poses"]


@nb.njit(cache=True, fastmath=False)
def _sarvas(r0, q, points, out):  # pragma: no cover - compiled
    qx = q[1] * r0[2] - q[2] * r0[1]  # q x r0
    qy = q[2] * r0[0] - q[0] * r0[2]
    qz = q[0] * r0[1] - q[1] * r0[0]
    for i in range(points.shape[0]):
        rx, ry, rz = points[i, 0], points[i, 1], points[i, 2]
        ax, ay, az = rx - r0[0], ry - r0[1], rz - r0[2]
        a = np.sqrt(ax * ax + ay * ay + az * az)
        r = np.sqrt(rx * rx + ry * ry + rz * rz)
        adr = ax * rx + ay * ry + az * rz
        f = a * (r * a + r * r - (rx * r0[0] + ry * r0[1] + rz * r0[2]))
        cr = a * a / r + adr / a + 2.0 * a + 2.0 * r
        c0 = a + 2.0 * r + adr / a
        s = qx * rx + qy * ry + qz * rz
        inv = MU0_OVER_4PI / (f * f)
        out[i, 0] = (f * qx - s * (cr * rx - c0 * r0[0])) * inv
        out[i, 1] = (f * qy - s * (cr * ry - c0 * r0[1])) * inv
        out[i, 2] = (f * qz - s * (cr * rz - c0 * r0[2])) * inv


def sarvas_bfield(target_m, dipole, points_m) -> np.ndarray:
    """Magnetic field outside a spherical conductor of a current dipole inside it (Sarvas 1987).

    Parameters
    ----------
    target_m : (3,) array_like, m
        Current dipole position (inside the sphere, centred at the origin).
    dipole : (3,) array_like, A m
        Current dipole moment.
    points_m : (N, 3) array_like, m
        Field points outside the conductor.

    Returns
    -------
    (N, 3) ndarray, T
        B at the points (primary and volume currents; the radial profile of conductivity does
        not matter).
    """
    r0 = np.asarray(target_m, dtype=float)
    q = np.asarray(dipole, dtype=float)
    p = np.ascontiguousarray(points_m, dtype=float).reshape(-1, 3)
    if np.any(np.linalg.norm(p, axis=1) <= np.linalg.norm(r0)):
        raise InvalidValueError("field points must lie farther from the centre than the target")
    out = np.empty_like(p)
    _sarvas(r0, q, p, out)
    return out


@nb.njit(cache=True, parallel=True)
def _over_poses(rotations, translations, positions, moments, r0, out):  # pragma: no cover
    n_poses = rotations.shape[0]
    n = positions.shape[0]
    for k in nb.prange(n_poses):
        rot = rotations[k]
        t = translations[k]
        world = np.empty((n, 3))
        m = np.empty((n, 3))
        for i in range(n):
            for j in range(3):
                world[i, j] = (
                    rot[j, 0] * positions[i, 0]
                    + rot[j, 1] * positions[i, 1]
                    + rot[j, 2] * positions[i, 2]
                    + t[j]
                )
                m[i, j] = (
                    rot[j, 0] * moments[i, 0]
                    + rot[j, 1] * moments[i, 1]
                    + rot[j, 2] * moments[i, 2]
                )
        b = np.empty((n, 3))
        for axis in range(3):
            q = np.zeros(3)
            q[axis] = 1.0
            _sarvas(r0, q, world, b)
            total = 0.0
            for i in range(n):
                total += m[i, 0] * b[i, 0] + m[i, 1] * b[i, 1] + m[i, 2] * b[i, 2]
            out[k, axis] = -total


def target_field_over_poses(coil, poses, target_m) -> np.ndarray:
    """E at one target in a spherical head for each of many coil poses, per unit dI/dt.

    Parameters
    ----------
    coil : Coil
        The coil in its own frame (dipoles per ampere).
    poses : (P, 4, 4) array_like, m
        Coil -> head transforms (SimNIBS matsimnibs convention, metres).
    target_m : (3,) array_like, m
        The target, inside the sphere centred at the origin.

    Returns
    -------
    (P, 3) ndarray, V/m per A/s
        E at the target for each pose.
    """
    a = np.asarray(poses, dtype=float).reshape(-1, 4, 4)
    out = np.empty((len(a), 3))
    _over_poses(
        np.ascontiguousarray(a[:, :3, :3]),
        np.ascontiguousarray(a[:, :3, 3]),
        np.ascontiguousarray(coil.dipole_positions, dtype=float),
        np.ascontiguousarray(coil.dipole_moments, dtype=float),
        np.asarray(target_m, dtype=float),
        out,
    )
    return out
