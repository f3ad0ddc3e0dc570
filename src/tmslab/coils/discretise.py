"""From windings to magnetic dipoles.

A closed current loop has the same field, everywhere off the loop's spanning surface, as a
uniform sheet of magnetic dipoles spanning it (moment per area = current x unit normal). The
sheet is integrated numerically: each dipole is a quadrature node carrying the moment of its
area element. The field converges as the nodes get finer than their distance to the field
point (``tests/coils`` shows it against the exact winding integrals).
"""

from __future__ import annotations

import numpy as np

from tmslab import budgets
from tmslab.errors import InvalidValueError


def _check_count(name: str, value: int, minimum: int) -> int:
    if int(value) != value or value < minimum:
        raise InvalidValueError(f"{name} = {value!r} is not allowed; give an integer >= {minimum}")
    return int(value)


def concentric_turn_dipoles(
    radii: np.ndarray,
    center: np.ndarray,
    *,
    sign: float = 1.0,
    n_radial: int = 4,
    n_angular: int = 24,
    radial_spacing_m: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Dipoles for concentric circular turns in the plane z = ``center[2]``.

    The moment density at radius rho is the number of turns enclosing rho; splitting the disk at the
    turn radii keeps the quadrature exact for that step function. Angular nodes are uniform
    (spectrally accurate for the periodic integrand).

    Parameters
    ----------
    radii : (N,) ndarray, m
        Turn radii, any order.
    center : (3,) ndarray, m
        Centre of the turns.
    sign : float, dimensionless
        +1 for current counter-clockwise seen from +z (moments along +z), -1 for clockwise.
    n_radial : int
        Gauss-Legendre nodes per annulus between neighbouring radii, at least; more in wide annuli
        (the central disk) so that nodes are no further apart than ``radial_spacing_m``.
    n_angular : int
        Nodes around.
    radial_spacing_m : float or None, m
        Largest radial node spacing; None: the smaller of 3 mm and a fifth of the largest radius.

    Returns
    -------
    positions : (K, 3) ndarray, m
        Dipole positions, ``K >= N * n_radial * n_angular``.
    moments : (K, 3) ndarray, m^2
        Dipole moments per ampere (A m^2 / A).
    """
    n_radial = _check_count("n_radial", n_radial, 1)
    n_angular = _check_count("n_angular", n_angular, 3)
    budgets.check(budgets.coil_dipoles(len(radii) * n_radial * n_angular, hint="n_angular"))
    edges = np.concatenate([[0.0], np.sort(np.asarray(radii, float))])
    spacing = radial_spacing_m or min(3e-3, edges[-1] / 5)
    phi = (np.arange(n_angular) + 0.5) * 2 * np.pi / n_angular
    positions, areas = [], []
    for index in range(len(edges) - 1):
        inner, outer = edges[index], edges[index + 1]
        enclosing = len(edges) - 1 - index  # turns with radius >= outer edge of this annulus
        nodes, weights = np.polynomial.legendre.leggauss(
            max(n_radial, int(np.ceil((outer - inner) / spacing)))
        )
        rho = 0.5 * (outer - inner) * nodes + 0.5 * (outer + inner)
        w_rho = 0.5 * (outer - inner) * weights * rho * (2 * np.pi / n_angular) * enclosing
        rr, pp = np.meshgrid(rho, phi, indexing="ij")
        ww = np.broadcast_to(w_rho[:, None], rr.shape)
        positions.append(
            np.stack([rr.ravel() * np.cos(pp.ravel()), rr.ravel() * np.sin(pp.ravel())], axis=1)
        )
        areas.append(ww.ravel())
    xy = np.concatenate(positions)
    area = np.concatenate(areas)
    center = np.asarray(center, float)
    pos = np.column_stack([xy[:, 0] + center[0], xy[:, 1] + center[1], np.full(len(xy), center[2])])
    moments = np.zeros_like(pos)
    moments[:, 2] = sign * area
    return pos, moments


def polyline_dipoles(polyline: np.ndarray, subdivisions: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Dipoles for one closed polyline of any shape (planar or not).

    The loop is spanned by a fan of triangles from its centroid; each triangle is split into
    ``subdivisions**2`` similar triangles, each a dipole at its centroid with moment equal to its
    vector area.

    Parameters
    ----------
    polyline : (M, 3) ndarray, m
        Vertices, current in vertex order, the last vertex joining the first.
    subdivisions : int
        Splits per triangle edge.

    Returns
    -------
    positions : (K, 3) ndarray, m
        Dipole positions.
    moments : (K, 3) ndarray, m^2
        Dipole moments per ampere (A m^2 / A).
    """
    subdivisions = _check_count("subdivisions", subdivisions, 1)
    vertices = np.asarray(polyline, float)
    if vertices.ndim != 2 or vertices.shape[1] != 3 or len(vertices) < 3:
        raise InvalidValueError(
            f"a winding needs at least 3 vertices as an (M, 3) array; got shape {vertices.shape}"
        )
    apex = vertices.mean(axis=0)
    a = np.broadcast_to(apex, vertices.shape)
    b = vertices
    c = np.roll(vertices, -1, axis=0)
    n = subdivisions
    positions, moments = [], []
    # Barycentric grid of the n^2 sub-triangles: upward (i, j), (i+1, j), (i, j+1) and
    # downward (i+1, j), (i+1, j+1)... written as centroids in barycentric coordinates.
    for i in range(n):
        for j in range(n - i):
            for down in (False, True):
                if down and i + j >= n - 1:
                    continue
                if not down:
                    u = (3 * i + 1) / (3 * n)
                    v = (3 * j + 1) / (3 * n)
                else:
                    u = (3 * i + 2) / (3 * n)
                    v = (3 * j + 2) / (3 * n)
                positions.append(a + u * (b - a) + v * (c - a))
                moments.append(0.5 * np.cross(b - a, c - a) / (n * n))
    return np.concatenate(positions), np.concatenate(moments)
