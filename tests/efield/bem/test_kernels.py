"""Near-field integrals, the multipole sum's normalisation and the discrete curvature."""

from __future__ import annotations

import numpy as np
import pytest

from tmslab.conductors.meshing import icosphere
from tmslab.conductors.surfaces import Conductor, TriangleSurface
from tmslab.efield.bem.curvature import mean_curvature, self_potential
from tmslab.efield.bem.fmm import coulomb_field
from tmslab.efield.bem.nearfield import triangle_integral

CORNERS = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.2, 0.9, 0.0]])
NORMAL = np.array([0.0, 0.0, 1.0])


def quadrature(point, m=600):
    """Midpoint rule on a fine grid of the reference triangle: int_T (r - r')/|r - r'|^3."""
    u, v = np.meshgrid((np.arange(m) + 0.5) / m, (np.arange(m) + 0.5) / m)
    keep = (u + v < 1).ravel()
    u, v = u.ravel()[keep], v.ravel()[keep]
    r = CORNERS[0] + u[:, None] * (CORNERS[1] - CORNERS[0]) + v[:, None] * (CORNERS[2] - CORNERS[0])
    area = 0.5 * np.linalg.norm(np.cross(CORNERS[1] - CORNERS[0], CORNERS[2] - CORNERS[0]))
    d = point - r
    return (d / np.linalg.norm(d, axis=1)[:, None] ** 3).sum(axis=0) * area / len(u)


@pytest.mark.parametrize(
    "point", [[0.3, 0.3, 0.5], [2.0, 1.0, -0.7], [-0.5, 0.2, 0.1], [1.5, 0.0, 0.0], [0.3, 0.3, -2]]
)
def test_exact_triangle_field_matches_quadrature(point):
    exact = triangle_integral(*point, CORNERS, *NORMAL)
    assert exact == pytest.approx(quadrature(np.array(point)), rel=3e-3, abs=2e-3)


def test_triangle_field_far_away_is_a_point_charge():
    point = np.array([30.0, -20.0, 40.0])
    d = point - CORNERS.mean(axis=0)
    area = 0.5 * np.linalg.norm(np.cross(CORNERS[1] - CORNERS[0], CORNERS[2] - CORNERS[0]))
    assert triangle_integral(*point, CORNERS, *NORMAL) == pytest.approx(
        area * d / np.linalg.norm(d) ** 3, rel=1e-3
    )


def test_normal_jump_is_two_pi():
    above = triangle_integral(0.4, 0.3, 1e-9, CORNERS, *NORMAL)
    below = triangle_integral(0.4, 0.3, -1e-9, CORNERS, *NORMAL)
    assert above[2] - below[2] == pytest.approx(4 * np.pi, rel=1e-6)


def test_multipole_sum_matches_direct_sum():
    rng = np.random.default_rng(3)
    sources = rng.uniform(-1, 1, (3000, 3))
    charges = rng.normal(size=3000)
    targets = rng.uniform(-1, 1, (400, 3)) * 1.5
    fast = coulomb_field(sources, charges, targets)
    d = targets[:, None, :] - sources[None, :, :]
    direct = np.einsum("ij,ijk->ik", charges / np.linalg.norm(d, axis=2) ** 3, d) / (4 * np.pi)
    assert np.abs(fast - direct).max() < 1e-5 * np.abs(direct).max()


def test_discrete_mean_curvature_of_a_sphere():
    v, t = icosphere(0.05, 4)
    c = Conductor((TriangleSurface("s", v, t, 1.0),))
    h = mean_curvature(t, v, c.normals, c.areas)
    assert np.mean(h) * 0.05 == pytest.approx(1.0, abs=0.01)


def test_self_potential_of_a_triangle():
    u, v = np.meshgrid((np.arange(800) + 0.5) / 800, (np.arange(800) + 0.5) / 800)
    keep = (u + v < 1).ravel()
    r = (
        CORNERS[0]
        + u.ravel()[keep, None] * (CORNERS[1] - CORNERS[0])
        + v.ravel()[keep, None] * (CORNERS[2] - CORNERS[0])
    )
    area = 0.5 * np.linalg.norm(np.cross(CORNERS[1] - CORNERS[0], CORNERS[2] - CORNERS[0]))
    reference = (1 / np.linalg.norm(r - CORNERS.mean(axis=0), axis=1)).mean() * area
    assert self_potential(CORNERS[None])[0] == pytest.approx(reference, rel=2e-3)
