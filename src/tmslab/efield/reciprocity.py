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

from dataclasses import dataclass

import numba as nb
import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.units import MU0_OVER_4PI

__all__ = ["PlacementScan", "sarvas_bfield", "scan_sphere_placements", "target_field_over_poses"]


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


@dataclass(frozen=True, eq=False)
class PlacementScan:
    """E at a target over coil positions on a sphere's scalp and handle angles.

    Attributes
    ----------
    directions : (P, 3) ndarray, dimensionless
        Unit vectors from the centre to each coil position.
    angles_deg : (A,) ndarray, degrees
        Handle angles (:func:`tmslab.coils.placement.pose_on_sphere` convention).
    efield : (P, A, 3) ndarray, V/m per A/s
        E at the target for each position and angle.
    score : (P, A) ndarray, V/m per A/s
        What the goal maximises: |E|, or E along the goal's direction.
    best : tuple of int
        (position, angle) indices of the maximum.
    pose : (4, 4) ndarray, m
        The best pose.
    """

    directions: np.ndarray
    angles_deg: np.ndarray
    efield: np.ndarray
    score: np.ndarray
    best: tuple[int, int]
    pose: np.ndarray


def scan_sphere_placements(
    coil,
    scalp_radius_m: float,
    target_m,
    goal="magnitude",
    radius_m: float = 0.02,
    step_m: float = 0.002,
    angle_step_deg: float = 5.0,
    distance_m: float = 0.0,
) -> PlacementScan:
    """Search coil positions within ``radius_m`` of the target's projection and all handle angles.

    Parameters
    ----------
    coil : Coil
        The coil in its own frame.
    scalp_radius_m : float, m
        The spherical head's scalp radius.
    target_m : (3,) array_like, m
        The target inside the sphere.
    goal : str or (3,) array_like
        ``"magnitude"`` (|E|) or a unit vector d (E . d, e.g. across a sulcus).
    radius_m, step_m : float, m
        Extent and spacing of the square grid of positions on the tangent plane at the target's
        projection (projected back onto the sphere; those within ``radius_m`` kept).
    angle_step_deg : float, degrees
        Handle angle spacing over 360 degrees.
    distance_m : float, m
        Gap between scalp and coil.

    Returns
    -------
    PlacementScan
        The map and the best pose, per unit dI/dt.
    """
    from tmslab.coils.placement import pose_on_sphere

    target = np.asarray(target_m, dtype=float)
    u = target / np.linalg.norm(target)
    helper = np.array([1.0, 0.0, 0.0]) if abs(u[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = np.cross(u, helper)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(u, e1)
    s = np.arange(-radius_m, radius_m + step_m / 2, step_m)
    a, b = np.meshgrid(s, s, indexing="ij")
    keep = np.hypot(a, b).ravel() <= radius_m + 1e-12
    flat = u * scalp_radius_m + a.ravel()[keep, None] * e1 + b.ravel()[keep, None] * e2
    directions = flat / np.linalg.norm(flat, axis=1, keepdims=True)
    angles = np.arange(0.0, 360.0, angle_step_deg)
    poses = np.array(
        [
            pose_on_sphere(scalp_radius_m, d, distance_m=distance_m, handle_angle_deg=t)
            for d in directions
            for t in angles
        ]
    )
    e = target_field_over_poses(coil, poses, target).reshape(len(directions), len(angles), 3)
    if isinstance(goal, str):
        if goal != "magnitude":
            raise InvalidValueError(f"goal {goal!r}: give 'magnitude' or a direction vector")
        score = np.linalg.norm(e, axis=2)
    else:
        d = np.asarray(goal, dtype=float)
        score = e @ (d / np.linalg.norm(d))
    best = np.unravel_index(int(np.argmax(score)), score.shape)
    pose = poses[best[0] * len(angles) + best[1]]
    return PlacementScan(directions, angles, e, score, (int(best[0]), int(best[1])), pose)
