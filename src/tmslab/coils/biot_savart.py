"""Exact fields of filamentary windings: Biot-Savart B and the vector potential A.

Coils need B at their own reference point (where a dipole sheet is singular), so this lives with
the coils, below :mod:`tmslab.efield`; :mod:`tmslab.efield.analytic` re-exports both functions.
All per ampere of coil current.
"""

from __future__ import annotations

import numpy as np

from tmslab.units import MU0_OVER_4PI

__all__ = ["winding_magnetic_field", "winding_vector_potential"]


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
    """Vector potential of closed filamentary windings, T m per ampere.

    A straight segment from p1 to p2 contributes mu0/(4 pi) u ln((R1 + R2 + L)/(R1 + R2 - L)),
    exact.

    Parameters
    ----------
    points : (N, 3) ndarray, m
        Field points.
    polylines : sequence of (M, 3) ndarray, m
        Closed polylines, current flowing in vertex order (the last vertex joins the first).
    weights : (P,) array_like, A/A, optional
        Current of each polyline per ampere of coil current (default 1).

    Returns
    -------
    (N, 3) ndarray, T m/A
        The vector potential; the primary E-field per unit dI/dt is -A.
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
    """Magnetic flux density of closed filamentary windings (Biot-Savart), T per ampere.

    Each straight segment contributes, exactly,
    mu0/(4 pi) (r1 x r2)(|r1| + |r2|) / (|r1| |r2| (|r1| |r2| + r1.r2)) with r1, r2 the vectors
    from its ends to the point.

    Parameters
    ----------
    points : (N, 3) ndarray, m
        Field points, not on a wire.
    polylines : sequence of (M, 3) ndarray, m
        Closed polylines as in :func:`winding_vector_potential`.
    weights : (P,) array_like, A/A, optional
        Current of each polyline per ampere of coil current (default 1).

    Returns
    -------
    (N, 3) ndarray, T/A
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
