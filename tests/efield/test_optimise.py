"""Placement search by reciprocity (Gomez et al. 2020, doi:10.1016/j.brs.2019.09.015).

In a sphere the optimum is known: a figure-8's field under its centre is tangential and its
magnitude does not depend on where on the sphere it sits, so the best position is over the
target's radial projection, and the best handle angle is the one that turns the field under the
centre onto the wanted direction. The reciprocity scores also equal direct (analytic) solves at
every pose of a coarse grid (brute force).
"""

import numpy as np
import pytest

from tmslab.coils import get_coil
from tmslab.coils.placement import pose_on_sphere
from tmslab.conductors.sphere import get_head
from tmslab.efield.kernels import sphere_efield
from tmslab.efield.optimise import optimise_placement
from tmslab.errors import InvalidValueError
from tmslab.geometry import turned_about_z

COIL = "magstim-70mm-fig8"


def _direct(coil, pose, target):
    placed = coil.transformed(pose)
    return sphere_efield(target[None], placed.dipole_positions, placed.dipole_moments)[0]


@pytest.fixture(scope="module")
def human():
    return get_head("human")


def test_direction_goal_finds_the_analytic_optimum(human):
    coil = get_coil(COIL)
    u = np.array([0.25, -0.1, 1.0]) / np.linalg.norm([0.25, -0.1, 1.0])
    target = 0.067 * u
    want = np.cross(u, [0.0, 1.0, 0.0])
    want /= np.linalg.norm(want)  # a tangential direction at the target
    result = optimise_placement(
        human, coil, target, goal="direction", direction=want,
        radius_m=0.01, step_m=0.002, angle_step_deg=5,
    )  # fmt: skip
    # position: over the radial projection (the grid's centre), to one step
    assert np.linalg.norm(result.positions_m[result.best[0]] - u * human.scalp_radius_m) < 0.0021
    # angle: the field under the centre at angle 0, turned onto the wanted direction
    base = pose_on_sphere(human.scalp_radius_m, u)
    e0 = _direct(coil, base, target)
    x, y = base[:3, 0], base[:3, 1]
    turn = np.degrees(np.arctan2(want @ y, want @ x) - np.arctan2(e0 @ y, e0 @ x)) % 360
    gap = abs((result.best_angle_deg - turn + 180) % 360 - 180)
    assert gap <= 5.0 + 1e-9
    assert result.agreement < 2e-3
    assert result.score_of(result.e_direct) == pytest.approx(result.best_score, rel=2e-3)


def test_scores_equal_brute_force_direct_solves(human):
    """Every pose of a coarse grid solved directly (analytic sphere): same scores to 1e-3 of
    the peak, same optimum."""
    coil = get_coil(COIL)
    target = 0.066 * np.array([0.2, 0.1, 1.0]) / np.linalg.norm([0.2, 0.1, 1.0])
    goal = np.array([1.0, 0.0, 0.0])
    result = optimise_placement(
        human, coil, target, goal="direction", direction=goal,
        radius_m=0.012, step_m=0.006, angle_step_deg=30, verify=False,
    )  # fmt: skip
    direct = np.empty(result.score.shape)
    for i, p in enumerate(result.positions_m):
        base = pose_on_sphere(human.scalp_radius_m, p)
        for j, a in enumerate(result.angles_deg):
            direct[i, j] = _direct(coil, base @ turned_about_z(np.deg2rad(a)), target) @ goal
    np.testing.assert_allclose(result.score, direct, rtol=0, atol=1e-3 * np.abs(direct).max())
    assert result.best == np.unravel_index(int(np.argmax(direct)), direct.shape)


def test_magnitude_over_an_on_axis_target_is_the_same_at_every_angle(human):
    result = optimise_placement(
        human, get_coil(COIL), [0.0, 0.0, 0.07], radius_m=0.0, angle_step_deg=45
    )
    np.testing.assert_allclose(result.score[0], result.score[0, 0], rtol=1e-3)
    assert result.agreement < 2e-3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"goal": "sharpest"}, "goal 'sharpest'"),
        ({"avoid_m": [[0, 0.02, 0.06]]}, "points to avoid go with goal 'focal'"),
        ({"goal": "focal", "penalty": -1.0}, "penalty"),
        ({"goal": "normal"}, "normal (radial) field vanishes"),
        ({"goal": "direction"}, "give a direction"),
        ({"angle_step_deg": 7}, "divide 360"),
        ({"step_m": 0.0}, "grid step"),
    ],
)
def test_bad_options_are_refused(human, kwargs, message):
    with pytest.raises(InvalidValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        optimise_placement(human, get_coil(COIL), [0, 0, 0.07], **kwargs)


def test_focal_goal_scores_the_target_against_the_points_to_avoid(human):
    """Focal: |E| at the target minus the penalty times the largest |E| on a ring around it;
    every term equals the analytic field of the same pose."""
    coil = get_coil(COIL)
    target = 0.066 * np.array([0.2, 0.1, 1.0]) / np.linalg.norm([0.2, 0.1, 1.0])
    result = optimise_placement(
        human, coil, target, goal="focal", penalty=0.5, radius_m=0.006, step_m=0.006,
        angle_step_deg=45,
    )  # fmt: skip
    assert result.avoid_m.shape == (6, 3) and result.avoid_efield.shape == (5, 8, 6, 3)
    np.testing.assert_allclose(np.linalg.norm(result.avoid_m, axis=1), 0.066, rtol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(result.avoid_m - target, axis=1), 0.02, rtol=0.01)
    i, a = 2, 3
    pose = pose_on_sphere(human.scalp_radius_m, result.positions_m[i]) @ turned_about_z(
        np.deg2rad(result.angles_deg[a])
    )
    e_t = np.linalg.norm(_direct(coil, pose, target))
    e_avoid = max(np.linalg.norm(_direct(coil, pose, p)) for p in result.avoid_m)
    assert result.score[i, a] == pytest.approx(e_t - 0.5 * e_avoid, rel=2e-3)
    assert result.best_target_value == pytest.approx(np.linalg.norm(result.e_best))


@pytest.mark.slow
def test_template_head_reciprocity_agrees_with_a_direct_solve():
    """fsaverage, M1-hand: the best of a small search agrees with the direct BEM solve within
    1 % (the auxiliary grid's error and the direct solve's gradient subtraction)."""
    from tmslab.conductors.head import fsaverage_head, named_target

    head = fsaverage_head()
    target = named_target(head, "M1-hand")
    result = optimise_placement(
        head, get_coil(COIL), target, goal="normal", radius_m=0.004, step_m=0.002,
        angle_step_deg=10, distance_m=0.004,
    )  # fmt: skip
    assert result.agreement < 0.01
    assert result.direct is not None and result.direct.en_target > 0
    assert result.score_of(result.e_direct) == pytest.approx(result.best_score, rel=0.01)
    assert np.linalg.norm(result.positions_m[result.best[0]] - result.positions_m[0]) <= 0.0045


@pytest.fixture(scope="module")
def spheres_head():
    from tests.efield.test_head import sphere_model

    return sphere_model()


@pytest.mark.slow
def test_bem_head_scores_equal_brute_force_direct_solves(spheres_head):
    """A head of spheres solved by the BEM (1,280 facets): the reciprocity score of every pose
    of a coarse grid (5 positions x 8 angles) against a direct BEM solve of that pose. Same
    optimum; scores within 1 % of the best (the direct solve subtracts the coil's gradient part,
    the adjoint does not: their difference is the mesh's discretisation error)."""
    from tmslab.conductors.head import cortical_target
    from tmslab.conductors.head.placement import project_to_scalp, scalp_grid_poses
    from tmslab.efield.bem.solve import BemOperator

    head = spheres_head
    coil = get_coil(COIL)
    target = cortical_target(head, 0.06 * np.array([0.3, 0.1, 1.0]) / np.linalg.norm([0.3, 0.1, 1]))
    operator = BemOperator.build(head.conductor())
    result = optimise_placement(
        head, coil, target, radius_m=0.008, step_m=0.008, angle_step_deg=45, distance_m=0.004,
        operator=operator,
    )  # fmt: skip
    _, base = scalp_grid_poses(
        head, project_to_scalp(head, target.point), 0.008, 0.008, distance_m=0.004
    )
    direct = np.array(
        [
            [
                operator.solve(coil.transformed(b @ turned_about_z(np.deg2rad(a)))).efield(
                    target.point[None]
                )[0]
                for a in result.angles_deg
            ]
            for b in base
        ]
    )
    score = np.linalg.norm(direct, axis=2)
    assert result.score.shape == score.shape == (5, 8)
    np.testing.assert_allclose(result.score, score, rtol=0, atol=2e-3 * score.max())
    assert result.best == np.unravel_index(int(np.argmax(score)), score.shape)
    assert result.agreement < 0.01
    # spherical symmetry: the best position is over the target (the grid's centre)
    assert result.best[0] == 0


def test_a_search_radius_too_large_for_the_scalp_is_refused(spheres_head):
    """The tangent-plane grid would leave the 85 mm scalp sphere by more than 10 mm."""
    from tmslab.conductors.head.placement import scalp_grid_poses

    with pytest.raises(InvalidValueError, match="too large for the scalp's curvature"):
        scalp_grid_poses(spheres_head, [0.0, 0.0, 0.085], 0.06, 0.01)
    assert len(scalp_grid_poses(spheres_head, [0.0, 0.0, 0.085], 0.02, 0.01)[0]) == 13
