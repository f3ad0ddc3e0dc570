"""Closed-form fields used as independent references: filamentary windings and circular loops.

These are exact for their geometry (straight segments, a perfect circle), so they check the
dipole discretisation of :mod:`tmslab.coils` and give the magnetic field at the coil itself
(where a dipole sheet is singular). All per ampere of coil current.
"""

from __future__ import annotations

import numpy as np

from tmslab.efield.kernels import MU0_OVER_4PI


def _segments(polylines, weights=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start and end points (S, 3) of every segment of closed polylines (each (M, 3), m), and
    each segment's current (S,) in amperes per ampere of coil current."""
    starts = [np.asarray(line, float) for line in polylines]
    ends = [np.roll(line, -1, axis=0) for line in starts]
    if weights is None:
        weights = np.ones(len(starts))
    currents = [np.full(len(line), w, dtype=float) for line, w in zip(starts, weights, strict=True)]
    return np.concatenate(starts), np.concatenate(ends), np.concatenate(currents)


def winding_vector_potential(points: np.ndarray, polylines, weights=None) -> np.ndarray:
    """Vector potential of closed filamentary windings per ampere of coil current.

    A straight segment from p1 to p2 contributes, exactly,
    ``mu0/(4 pi) u ln((R1 + R2 + L)/(R1 + R2 - L))``. The primary E-field per unit dI/dt is -A.

    Parameters
    ----------
    points : (N, 3) ndarray, m
        Field points.
    polylines : sequence of (M, 3) ndarray, m
        Closed polylines, current in vertex order (the last vertex joins the first).
    weights : (P,) array_like or None, dimensionless
        Current of each polyline per ampere of coil current; None: 1 each.

    Returns
    -------
    (N, 3) ndarray, T m/A
        A per ampere (equivalently, minus the primary E in V/m per A/s).
    """
    p1, p2, current = _segments(polylines, weights)
    r = np.asarray(points, float)
    seg = p2 - p1
    length = np.linalg.norm(seg, axis=1)
    unit = seg / length[:, None] * current[:, None]
    out = np.zeros_like(r)
    for start in range(0, len(r), 2048):
        block = r[start : start + 2048, None, :]
        r1 = np.linalg.norm(block - p1, axis=2)
        r2 = np.linalg.norm(block - p2, axis=2)
        log_term = np.log((r1 + r2 + length) / (r1 + r2 - length))
        out[start : start + 2048] = log_term @ unit
    return MU0_OVER_4PI * out


def winding_magnetic_field(points: np.ndarray, polylines, weights=None) -> np.ndarray:
    """Magnetic flux density of closed filamentary windings (Biot-Savart) per ampere.

    Each straight segment contributes, exactly,
    ``mu0/(4 pi) (r1 x r2)(|r1| + |r2|) / (|r1| |r2| (|r1| |r2| + r1.r2))`` with r1, r2 the
    vectors from its ends to the point.

    Parameters
    ----------
    points : (N, 3) ndarray, m
        Field points, not on a wire.
    polylines : sequence of (M, 3) ndarray, m
        As in :func:`winding_vector_potential`.
    weights : (P,) array_like or None, dimensionless
        As in :func:`winding_vector_potential`.

    Returns
    -------
    (N, 3) ndarray, T/A
        B per ampere.
    """
    p1, p2, current = _segments(polylines, weights)
    r = np.asarray(points, float)
    out = np.zeros_like(r)
    for start in range(0, len(r), 2048):
        block = r[start : start + 2048, None, :]
        r1 = block - p1
        r2 = block - p2
        n1 = np.linalg.norm(r1, axis=2)
        n2 = np.linalg.norm(r2, axis=2)
        factor = current * (n1 + n2) / (n1 * n2 * (n1 * n2 + np.sum(r1 * r2, axis=2)))
        out[start : start + 2048] = np.sum(np.cross(r1, r2) * factor[..., None], axis=1)
    return MU0_OVER_4PI * out


def circular_loop_vector_potential(points: np.ndarray, radius: float) -> np.ndarray:
    """Vector potential of a circular loop centred at the origin in the z = 0 plane.

    Current counter-clockwise seen from +z.
    ``A_phi = mu0/(pi k) sqrt(a/rho) [(1 - k^2/2) K(k) - E(k)]``,
    ``k^2 = 4 a rho/((a + rho)^2 + z^2)`` (Jackson, Classical Electrodynamics, 3rd ed., eq. 5.37).

    Parameters
    ----------
    points : (N, 3) ndarray, m
        Field points, off the wire.
    radius : float, m
        Loop radius a.

    Returns
    -------
    (N, 3) ndarray, T m/A
        A per ampere.
    """
    from scipy.special import ellipe, ellipk

    r = np.asarray(points, float)
    rho = np.hypot(r[:, 0], r[:, 1])
    z = r[:, 2]
    m = 4 * radius * rho / ((radius + rho) ** 2 + z**2)
    k = np.sqrt(m)
    with np.errstate(invalid="ignore", divide="ignore"):
        a_phi = 4 * MU0_OVER_4PI / k * np.sqrt(radius / rho) * ((1 - m / 2) * ellipk(m) - ellipe(m))
        a_phi = np.where(rho > 0, a_phi, 0.0)
        cos_phi = np.where(rho > 0, r[:, 0] / rho, 1.0)
        sin_phi = np.where(rho > 0, r[:, 1] / rho, 0.0)
    return np.stack([-a_phi * sin_phi, a_phi * cos_phi, np.zeros_like(a_phi)], axis=1)
