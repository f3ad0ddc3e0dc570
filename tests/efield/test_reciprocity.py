"""Reciprocity (E at a target = - sum m . B of a unit current dipole there) against the direct
sphere field, for many poses (Helmholtz reciprocity; Gomez et al. 2020,
doi:10.1016/j.brs.2019.09.015; B by Sarvas 1987, doi:10.1088/0031-9155/32/1/004)."""

import numpy as np
import pytest

from tmslab.coils import get_coil
from tmslab.coils.placement import pose_on_sphere
from tmslab.efield.kernels import sphere_efield
from tmslab.efield.reciprocity import sarvas_bfield, target_field_over_poses
from tmslab.errors import InvalidValueError

RADIUS = 0.085


def _poses(n=12, seed=0):
    rng = np.random.default_rng(seed)
    poses = []
    for _ in range(n):
        theta, phi = np.radians(rng.uniform(0, 40)), np.radians(rng.uniform(0, 360))
        direction = (np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta))
        poses.append(
            pose_on_sphere(
                RADIUS,
                direction,
                handle_angle_deg=rng.uniform(0, 360),
                distance_m=rng.uniform(0, 0.01),
            )
        )
    return np.array(poses)


def test_reciprocity_matches_the_direct_field():
    coil = get_coil("magstim-70mm-fig8")
    target = np.array([0.012, -0.008, 0.066])
    poses = _poses()
    recip = target_field_over_poses(coil, poses, target)
    direct = np.array(
        [
            sphere_efield(
                target[None],
                coil.transformed(p).dipole_positions,
                coil.transformed(p).dipole_moments,
            )[0]
            for p in poses
        ]
    )
    np.testing.assert_allclose(recip, direct, rtol=1e-9, atol=1e-9 * np.abs(direct).max())


def test_sarvas_refuses_points_inside():
    with pytest.raises(InvalidValueError, match="farther"):
        sarvas_bfield([0, 0, 0.07], [1, 0, 0], [[0, 0, 0.05]])


# --- many angles at once: the auxiliary polar grid ------------------------------------------------
def _turned(base, angles_deg):
    from tmslab.geometry import turned_about_z

    return np.array([b @ turned_about_z(np.deg2rad(a)) for b in base for a in angles_deg])


@pytest.mark.parametrize("name", ["magstim-70mm-fig8", "rodent-round-25-50mm"])
def test_auxiliary_grid_matches_the_exact_coil_over_all_angles(name):
    """The polar auxiliary grid (spacing from the coil-target distance) against the exact
    dipoles, 72 angles: below 1e-3 of the peak for a human and a rat coil."""
    from tmslab.efield.reciprocity import auxiliary_coil_for, field_over_angles, sphere_bfield

    coil = get_coil(name)
    radius = RADIUS if name.startswith("magstim") else 0.0103
    target = np.array([0.1, -0.05, 0.78]) * radius
    base = np.array(
        [pose_on_sphere(radius, d, distance_m=0.002) for d in [(0, 0, 1), (0.1, 0.2, 1)]]
    )
    aux = auxiliary_coil_for(coil, 72, base[0], target)
    e = field_over_angles(sphere_bfield(target), coil, base, 72, aux=aux)
    exact = target_field_over_poses(coil, _turned(base, np.arange(72) * 5.0), target)
    exact = exact.reshape(e.shape)
    err = np.linalg.norm(e - exact, axis=2).max() / np.linalg.norm(exact, axis=2).max()
    assert err < 1e-3


def test_handle_angle_is_a_turn_about_the_coil_axis():
    """field_over_angles relies on pose(angle) = pose(0) @ Rz(angle)."""
    from tmslab.geometry import turned_about_z

    d = (0.2, -0.1, 1.0)
    p0 = pose_on_sphere(RADIUS, d, distance_m=0.004)
    p30 = pose_on_sphere(RADIUS, d, distance_m=0.004, handle_angle_deg=30)
    np.testing.assert_allclose(p0 @ turned_about_z(np.deg2rad(30)), p30, atol=1e-12)


# --- a BEM conductor: the adjoint ----------------------------------------------------------------
@pytest.fixture(scope="module")
def sphere_bem():
    from tmslab.conductors.library import sphere_conductor
    from tmslab.efield.bem.solve import BemOperator

    return BemOperator.build(sphere_conductor(RADIUS, edge_m=0.012))


def test_transposed_operator_is_the_transpose(sphere_bem):
    from tmslab.efield.bem.adjoint import transpose_matvec

    op = sphere_bem.operator
    rng = np.random.default_rng(0)
    cols = rng.choice(op.n, 40, replace=False)
    x = rng.standard_normal(op.n)
    at_x = transpose_matvec(op, x)
    many = transpose_matvec(op, np.stack([x, 2 * x + 1]))  # M vectors in one FMM call
    np.testing.assert_allclose(
        many, [at_x, transpose_matvec(op, 2 * x + 1)], atol=1e-9 * np.abs(at_x).max()
    )
    for j in cols:  # (A^T x)_j = x . A e_j
        e = np.zeros(op.n)
        e[j] = 1.0
        assert abs(x @ op.matvec(e) - at_x[j]) < 1e-4 * np.abs(at_x).max()


def test_adjoint_equals_a_direct_bem_solve_and_sarvas(sphere_bem):
    """E at a target for a placed coil: the adjoint's current elements give the direct solve
    without its gradient subtraction to the GMRES tolerance; their B field, the dipole's and the
    closed-form gradient terms give the default direct solve (with the subtraction) to 1e-4, and
    the field of Sarvas's closed form to the mesh's discretisation error."""
    from tmslab.efield.bem.adjoint import target_current_elements
    from tmslab.efield.kernels import dipole_vector_potential
    from tmslab.efield.reciprocity import BemReciprocity

    coil = get_coil("magstim-70mm-fig8")
    placed = coil.transformed(pose_on_sphere(RADIUS, (0.3, 0.2, 1), distance_m=0.004))
    r0 = np.array([0.01, 0.005, 0.065])
    centroids, v, _ = target_current_elements(sphere_bem, r0)
    primary = lambda x: -dipole_vector_potential(x, placed.dipole_positions, placed.dipole_moments)  # noqa: E731
    adjoint = primary(r0[None])[0] + np.einsum("dij,ij->d", v, primary(centroids))
    direct = sphere_bem.solve(placed, subtract_gradient=False).efield(r0[None])[0]
    np.testing.assert_allclose(adjoint, direct, rtol=0, atol=1e-4 * np.linalg.norm(direct))
    rec = BemReciprocity.build(sphere_bem, r0, placed.dipole_positions, step_m=0.003)
    b = rec.exact_bfield(placed.dipole_positions)
    via_b = -np.einsum("ij,dij->d", placed.dipole_moments, b)
    # with the closed-form gradient terms, the default (gradient-subtracting) direct solve
    default = sphere_bem.solve(placed).efield(r0[None])[0]
    np.testing.assert_allclose(via_b, default, rtol=0, atol=1e-4 * np.linalg.norm(default))
    assert np.linalg.norm(default - direct) > 3e-3 * np.linalg.norm(direct)  # they do differ
    sarvas = np.array([sarvas_bfield(r0, np.eye(3)[d], placed.dipole_positions) for d in range(3)])
    # the continuum: the 12 mm mesh's discretisation error, about 1 %
    via_sarvas = -np.einsum("ij,dij->d", placed.dipole_moments, sarvas)
    assert np.linalg.norm(via_b - via_sarvas) < 0.02 * np.linalg.norm(via_sarvas)
    # the gridded volume-current part (trilinear, 3 mm) against the exact sum, here with the
    # elements on the scalp 4 mm below the coil (a head's brain surface is farther)
    via_grid = -np.einsum("ij,dij->d", placed.dipole_moments, rec.bfield(placed.dipole_positions))
    assert np.linalg.norm(via_grid - via_b) < 2e-3 * np.linalg.norm(via_b)


def test_gridded_reciprocal_field_refuses_points_outside_its_grid(sphere_bem):
    from tmslab.efield.reciprocity import BemReciprocity

    corners = np.array([[-0.02, -0.02, 0.09], [0.02, 0.02, 0.1]])
    rec = BemReciprocity.build(sphere_bem, [0.0, 0.0, 0.06], corners, step_m=0.005)
    assert rec.bfield(corners).shape == (3, 2, 3)
    with pytest.raises(InvalidValueError, match="outside the grid"):
        rec.bfield([[0.0, 0.0, 0.13]])
