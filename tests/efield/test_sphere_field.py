"""The analytic sphere E-field: physics checks against closed forms and independent codes.

References: Heller & van Hulsteyn 1992 (Biophys J 63:129-138, doi:10.1016/S0006-3495(92)81834-X)
and Sarvas 1987 (Phys Med Biol 32:11-22, doi:10.1088/0031-9155/32/1/004) for the sphere
formula; Jackson, Classical Electrodynamics 3rd ed. eq. 5.37 for the circular loop.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmslab.coils import get_coil, pose_on_sphere, round_coil
from tmslab.coils.discretise import concentric_turn_dipoles
from tmslab.conductors.sphere import get_head
from tmslab.efield.analytic import (
    circular_loop_vector_potential,
    winding_magnetic_field,
    winding_vector_potential,
)
from tmslab.efield.kernels import dipole_vector_potential, sphere_efield, sphere_efield_numpy
from tmslab.efield.sphere import primary_efield
from tmslab.efield.sphere import sphere_efield as checked_sphere_efield

HEAD = get_head("human")


def ball(n: int, radius: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1)[:, None]
    return d * (radius * rng.random(n) ** (1 / 3))[:, None]


def relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.linalg.norm(a - b, axis=-1)) / np.max(np.linalg.norm(b, axis=-1)))


vectors = st.tuples(*[st.floats(-1, 1, allow_nan=False)] * 3).filter(
    lambda v: np.linalg.norm(v) > 0.1
)


@settings(max_examples=40, deadline=None)
@given(position=vectors, moment=vectors, seed=st.integers(0, 1000))
def test_sphere_field_has_no_radial_component(position, moment, seed):
    pos = np.array(position) / np.linalg.norm(position) * 0.09  # dipole 9 cm from centre
    points = ball(50, 0.085, seed)
    e = sphere_efield(points, pos[None], np.array(moment)[None] * 1e-3)
    radial = np.abs(np.sum(e * points, axis=1)) / np.linalg.norm(points, axis=1)
    assert np.all(radial <= 1e-12 * np.linalg.norm(e, axis=1).max())


def test_radial_dipole_gives_exactly_the_primary_field():
    # A radial dipole's primary field is tangential to every sphere: no surface charge.
    pos = np.array([[0.0, 0.0, 0.095]])
    mom = np.array([[0.0, 0.0, 2e-3]])
    points = ball(300, 0.085)
    total = sphere_efield(points, pos, mom)
    primary = -dipole_vector_potential(points, pos, mom)
    assert relative(total, primary) < 1e-12


def test_secondary_field_is_curl_free_and_total_matches_faraday():
    # E_total - E_primary = -grad(phi): its curl vanishes (central differences, h = 10 um).
    pos = np.array([[0.01, -0.02, 0.092]])
    mom = np.array([[1e-3, 0.5e-3, 0.2e-3]])

    def secondary(p):
        return sphere_efield(p, pos, mom) + dipole_vector_potential(p, pos, mom)

    h = 1e-5
    for point in ([0.01, 0.02, 0.05], [-0.03, 0.0, 0.04], [0.0, 0.01, -0.02]):
        jac = np.zeros((3, 3))
        for j in range(3):
            step = np.zeros((1, 3))
            step[0, j] = h
            jac[:, j] = (secondary(np.array([point]) + step) - secondary(np.array([point]) - step))[
                0
            ] / (2 * h)
        curl = np.array([jac[2, 1] - jac[1, 2], jac[0, 2] - jac[2, 0], jac[1, 0] - jac[0, 1]])
        assert np.linalg.norm(curl) < 1e-6 * np.abs(jac).max()
        assert np.abs(jac).max() > 0  # the secondary field is not trivially zero


def test_dipole_field_matches_closed_form_of_a_small_loop():
    # A 0.5 mm current loop far away is a dipole of moment pi a^2: the exact segment integral
    # of the loop (an independent code path) matches the dipole formula to O((a/r)^2).
    a = 0.5e-3
    phi = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    loop = np.column_stack([a * np.cos(phi), a * np.sin(phi), np.full_like(phi, 0.1)])
    points = ball(100, 0.07, seed=3)
    exact = winding_vector_potential(points, [loop])
    dipole = dipole_vector_potential(
        points, np.array([[0, 0, 0.1]]), np.array([[0, 0, np.pi * a * a]])
    )
    assert relative(dipole, exact) < 1e-3


def test_numba_kernel_agrees_with_numpy_reference():
    coil = get_coil("rodent-fig8-25mm").transformed(pose_on_sphere(0.02))
    points = ball(777, 0.02, seed=4)  # not a multiple of the block size
    fast = sphere_efield(points, coil.dipole_positions, coil.dipole_moments)
    slow = sphere_efield_numpy(points, coil.dipole_positions, coil.dipole_moments)
    assert relative(fast, slow) < 1e-10


def test_round_coil_on_the_axis_gives_the_primary_field():
    # Exact for a truly axisymmetric coil; the 24-fold ring of dipoles leaves ~1e-9.
    coil = get_coil("magstim-70mm-round").transformed(
        pose_on_sphere(HEAD.scalp_radius_m, distance_m=0.002)
    )
    points = ball(400, HEAD.brain_radius_m, seed=5)
    assert relative(checked_sphere_efield(coil, points, HEAD), primary_efield(coil, points)) < 1e-8


def test_figure8_total_field_differs_from_primary():
    # The tangential figure-8 field does charge the surface: the total is smaller than the
    # primary at the cortex under the centre (a check that the secondary field is applied).
    coil = get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(HEAD.scalp_radius_m))
    point = np.array([[0.0, 0.0, HEAD.brain_radius_m]])
    total = np.linalg.norm(checked_sphere_efield(coil, point, HEAD))
    primary = np.linalg.norm(primary_efield(coil, point))
    assert 0.5 < total / primary < 0.99


@settings(max_examples=20, deadline=None)
@given(
    didt=st.floats(1e3, 1e9),
    scale=st.floats(0.1, 10),
    seed=st.integers(0, 100),
)
def test_linearity_in_didt_and_superposition(didt, scale, seed):
    a = round_coil(0.02, 0.04, 3, n_radial=2, n_angular=12).transformed(pose_on_sphere(0.085))
    b = get_coil("rodent-fig8-25mm").transformed(pose_on_sphere(0.085, direction=(0.3, 0.1, 1)))
    points = ball(40, 0.07, seed)
    ea = checked_sphere_efield(a, points, HEAD, didt)
    assert relative(checked_sphere_efield(a, points, HEAD, didt * scale), ea * scale) < 1e-12
    both = sphere_efield(
        points,
        np.vstack([a.dipole_positions, b.dipole_positions]),
        np.vstack([a.dipole_moments, b.dipole_moments]),
    )
    separate = sphere_efield(points, a.dipole_positions, a.dipole_moments) + sphere_efield(
        points, b.dipole_positions, b.dipole_moments
    )
    assert relative(both, separate) < 1e-12


def test_discretised_round_loop_matches_elliptic_integral_potential():
    radius = 0.03
    pos, mom = concentric_turn_dipoles([radius], [0, 0, 0])  # the presets' defaults
    # Points at least 1.5 cm from the loop's plane, as brain points are from a coil's windings.
    rng = np.random.default_rng(6)
    points = np.column_stack(
        [
            rng.uniform(-0.06, 0.06, 200),
            rng.uniform(-0.06, 0.06, 200),
            rng.uniform(0.015, 0.08, 200),
        ]
    )
    exact = circular_loop_vector_potential(points, radius)
    approx = dipole_vector_potential(points, pos, mom)
    error = np.linalg.norm(approx - exact, axis=1) / np.linalg.norm(exact, axis=1)
    assert error.max() < 1e-3


def test_preset_discretisation_converges():
    # Gomez et al. 2020 (doi:10.1016/j.brs.2020.05.016) found >= 200 dipoles necessary; the
    # field at brain points converges as the quadrature is refined, and the preset's default is
    # within 1e-4 of a 4x finer model.
    points = ball(300, HEAD.brain_radius_m, seed=7)
    pose = pose_on_sphere(HEAD.scalp_radius_m)
    finest = get_coil("magstim-70mm-fig8", n_radial=8, n_angular=48).transformed(pose)
    ref = checked_sphere_efield(finest, points, HEAD)
    errors = []
    for n_radial, n_angular in ((1, 12), (2, 16), (3, 20), (4, 24)):
        coil = get_coil("magstim-70mm-fig8", n_radial=n_radial, n_angular=n_angular).transformed(
            pose
        )
        errors.append(relative(checked_sphere_efield(coil, points, HEAD), ref))
    assert all(later < earlier for earlier, later in itertools.pairwise(errors))
    default = get_coil("magstim-70mm-fig8")
    assert default.n_dipoles >= 200
    assert relative(checked_sphere_efield(default.transformed(pose), points, HEAD), ref) < 1e-4


def test_dipoles_agree_with_the_exact_winding_integral():
    # Independent path: -A from the filament segments of the same windings.
    coil = get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(HEAD.scalp_radius_m))
    points = ball(300, HEAD.brain_radius_m, seed=8)
    segments = -winding_vector_potential(points, coil.windings, coil.winding_currents)
    assert relative(primary_efield(coil, points), segments) < 2e-3


def test_biot_savart_at_loop_centre():
    # B at the centre of a circular loop is mu0 I / (2 R); the 96-gon is within 0.05 %.
    coil = round_coil(0.0399, 0.0401, 1)
    expected = 4e-7 * np.pi / (2 * 0.02)
    assert coil.tesla_per_ampere == pytest.approx(expected, rel=5e-4)
    b = winding_magnetic_field(np.array([[0.0, 0.0, 0.0]]), coil.windings)[0]
    assert b[2] > 0  # counter-clockwise seen from +z gives +z field
