"""Closed-form fields used as independent references: filamentary windings and circular loops.

These are exact for their geometry (straight segments, a perfect circle), so they check the
dipole discretisation of :mod:`tmslab.coils` and give the magnetic field at the coil itself
(where a dipole sheet is singular). All per ampere of coil current.
"""

from __future__ import annotations

import numpy as np

# The winding integrals live with the coils (which need B); re-exported here for old callers.
from tmslab.coils.biot_savart import winding_magnetic_field, winding_vector_potential
from tmslab.units import MU0_OVER_4PI

__all__ = [
    "circular_loop_vector_potential",
    "winding_magnetic_field",
    "winding_vector_potential",
]


def circular_loop_vector_potential(points: np.ndarray, radius: float) -> np.ndarray:
    """Vector potential of a circular loop of ``radius`` (m) centred at the origin in the
    z = 0 plane, current counter-clockwise seen from +z, T m per ampere.

    A_phi = mu0/(pi k) sqrt(a/rho) [(1 - k^2/2) K(k) - E(k)], k^2 = 4 a rho/((a + rho)^2 + z^2)
    (Jackson, Classical Electrodynamics, 3rd ed., eq. 5.37). points: (N, 3) m, off the wire.
    Returns (N, 3).
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
