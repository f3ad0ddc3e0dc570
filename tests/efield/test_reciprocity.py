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


def test_scan_finds_the_brute_force_optimum():
    """A target 18 mm below the scalp, off the vertex; goal E along +x: the scan's optimum is
    the maximum of direct sphere solves over the same grid (one grid step at most)."""
    from tmslab.efield.reciprocity import scan_sphere_placements

    coil = get_coil("magstim-70mm-fig8")
    target = 0.067 * np.array([0.2, 0.1, 1.0]) / np.linalg.norm([0.2, 0.1, 1.0])
    goal = np.array([1.0, 0.0, 0.0])
    scan = scan_sphere_placements(
        coil, RADIUS, target, goal, radius_m=0.012, step_m=0.004, angle_step_deg=30
    )
    direct = np.empty(scan.score.shape)
    for i, d in enumerate(scan.directions):
        for j, angle in enumerate(scan.angles_deg):
            placed = coil.transformed(pose_on_sphere(RADIUS, d, handle_angle_deg=angle))
            e = sphere_efield(target[None], placed.dipole_positions, placed.dipole_moments)[0]
            direct[i, j] = e @ goal
    np.testing.assert_allclose(scan.score, direct, rtol=1e-9, atol=1e-9 * np.abs(direct).max())
    assert scan.best == np.unravel_index(int(np.argmax(direct)), direct.shape)
    # the optimum sits over the target: the best position is the grid point nearest to it
    over = int(np.argmax(scan.directions @ (target / np.linalg.norm(target))))
    assert np.linalg.norm(scan.directions[scan.best[0]] - scan.directions[over]) * RADIUS < 0.0045


def test_magnitude_over_an_on_axis_target_does_not_depend_on_the_angle():
    from tmslab.efield.reciprocity import scan_sphere_placements

    scan = scan_sphere_placements(
        get_coil("magstim-70mm-fig8"), RADIUS, [0, 0, 0.07], radius_m=0.0, angle_step_deg=45
    )
    np.testing.assert_allclose(scan.score[0], scan.score[0, 0], rtol=1e-9)
