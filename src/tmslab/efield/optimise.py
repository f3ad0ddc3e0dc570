"""Where to put the coil: search positions and handle angles for the largest field at a target.

Every position on a scalp grid around the target's projection and every handle angle is scored
by reciprocity (:mod:`tmslab.efield.reciprocity`): in a realistic head the BEM's adjoint is
solved once per target (three solves, one per field direction) and each pose then costs a sum
over the coil's auxiliary dipoles; in a sphere the reciprocal field is Sarvas's closed form. The
best pose whose coil stays outside the scalp is then checked with a direct solve, and the
agreement is reported beside the number.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tmslab.efield.reciprocity import (
    BemReciprocity,
    auxiliary_coil_for,
    field_over_angles,
    sphere_bfield,
)
from tmslab.errors import InvalidValueError
from tmslab.units import A_PER_US

__all__ = ["AGREEMENT_LIMIT", "GOALS", "PlacementOptimum", "optimise_placement"]

GOALS = ("magnitude", "normal", "direction", "focal")
# Reciprocity and the direct solve differ by the auxiliary-grid error (~1e-3) and, in a BEM
# head, by the direct solve's gradient subtraction; more than this is flagged beside the number.
AGREEMENT_LIMIT = 0.01
GRID_STEP_M = 3e-3  # spacing of the reciprocal field's volume-current part (smooth outside)
RING_RADIUS_M, RING_COUNT = 0.02, 6  # the focal goal's default points to avoid
MAX_TRIES = 200  # best-scoring poses tried for one whose coil stays outside the scalp


@dataclass(frozen=True, eq=False)
class PlacementOptimum:
    """The scored poses and the best one.

    Attributes
    ----------
    head_name, coil_name : str
        What was searched.
    goal : str
        ``"magnitude"`` (|E| at the target), ``"normal"`` (E along the target's inward
        cortical normal, positive into the cortex as SimNIBS), ``"direction"`` (E along a
        given direction, e.g. across a sulcus) or ``"focal"`` (|E| at the target minus
        ``penalty`` times the largest |E| at the points to avoid).
    goal_vector : (3,) ndarray or None, dimensionless
        The unit vector the score projects E on (None for the magnitude).
    target_m : (3,) ndarray, m
        The target in the head's frame.
    target_normal : (3,) ndarray or None, dimensionless
        Outward cortical normal at the target (None for a sphere: radial).
    positions_m : (P, 3) ndarray, m
        Scalp points searched (the target's projection first).
    angles_deg : (A,) ndarray, degrees
        Handle angles (0 = handle posterior; the placement module's convention).
    efield : (P, A, 3) ndarray, V/m per A/s
        E at the target by reciprocity.
    score : (P, A) ndarray, V/m per A/s
        The goal's objective; poses refused (coil inside the scalp) are NaN.
    best : tuple of int
        (position, angle) of the best pose.
    pose : (4, 4) ndarray, m
        The best pose (coil -> head, matsimnibs convention in metres).
    e_direct : (3,) ndarray or None, V/m per A/s
        E at the target for the best pose by a direct solve.
    agreement : float or None, dimensionless
        ``|E_recip - E_direct| / |E_direct|`` at the best pose.
    timings_s : dict of str to float, s
        Wall time per step.
    notes : tuple of str
        Assumptions and flags.
    direct : object
        The direct solve's :class:`~tmslab.efield.head.CorticalField` (heads) or None.
    avoid_m : (K, 3) ndarray or None, m
        The focal goal's points to avoid.
    avoid_efield : (P, A, K, 3) ndarray or None, V/m per A/s
        E at those points for every pose.
    penalty : float, dimensionless
        The focal goal's weight.
    plane_axes : (2, 3) ndarray or None, dimensionless
        In-plane axes at the target's projection for maps: the coil x axis at handle angle 0
        (the subject's right over the vertex, superior over the side of the head) and the
        anterior direction on the scalp (minus the handle's at angle 0).
    """

    head_name: str
    coil_name: str
    goal: str
    goal_vector: np.ndarray | None
    target_m: np.ndarray
    target_normal: np.ndarray | None
    positions_m: np.ndarray
    angles_deg: np.ndarray
    efield: np.ndarray
    score: np.ndarray
    best: tuple[int, int]
    pose: np.ndarray
    e_direct: np.ndarray | None = None
    agreement: float | None = None
    timings_s: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    direct: Any = None
    plane_axes: np.ndarray | None = None
    avoid_m: np.ndarray | None = None
    avoid_efield: np.ndarray | None = None
    penalty: float = 0.0

    def plane_coordinates(self) -> np.ndarray:
        """(P, 2) ndarray, m: the positions on the plane of :attr:`plane_axes` (centre at 0)."""
        if self.plane_axes is None:
            raise InvalidValueError("no plane axes recorded for this search")
        return (self.positions_m - self.positions_m[0]) @ self.plane_axes.T

    @property
    def n_poses(self) -> int:
        return int(self.score.size)

    @property
    def best_score(self) -> float:
        """The goal's objective at the best pose by reciprocity, V/m per A/s."""
        return float(self.score[self.best])

    @property
    def best_target_value(self) -> float:
        """:meth:`score_of` the best pose's E by reciprocity, V/m per A/s."""
        return self.score_of(self.e_best)

    @property
    def best_angle_deg(self) -> float:
        return float(self.angles_deg[self.best[1]])

    @property
    def e_best(self) -> np.ndarray:
        """(3,) ndarray, V/m per A/s: E at the target at the best pose by reciprocity."""
        return self.efield[self.best]

    def score_of(self, e: np.ndarray) -> float:
        """The goal's value of a field vector at the target.

        Parameters
        ----------
        e : (3,) ndarray, V/m per A/s
            E at the target.

        Returns
        -------
        float, V/m per A/s
            |E| (goals magnitude and focal), or E along :attr:`goal_vector`.
        """
        return float(_score(np.asarray(e)[None], self.goal_vector)[0])

    def didt_for(self, e_goal_v_per_m: float) -> float:
        """The dI/dt at which the best pose's goal value reaches a field (the direct solve's
        value when there is one).

        Parameters
        ----------
        e_goal_v_per_m : float, V/m
            The field wanted at the target.

        Returns
        -------
        float, A/s
            The coil's dI/dt.
        """
        e = self.e_direct if self.e_direct is not None else self.e_best
        value = self.score_of(e)
        if not value > 0:
            raise InvalidValueError("the best pose gives no positive field at the target")
        return float(e_goal_v_per_m) / value


def _score(e: np.ndarray, vector: np.ndarray | None) -> np.ndarray:
    return np.linalg.norm(e, axis=-1) if vector is None else e @ vector


def _corners(aux, poses: np.ndarray) -> np.ndarray:
    """(8 P, 3) ndarray, m: corners of the box holding the auxiliary nodes at every pose."""
    r = aux.radii_m[-1]
    z = aux.heights_m
    local = np.array([[x, y, h] for x in (-r, r) for y in (-r, r) for h in (z.min(), z.max())])
    return (local[None] @ poses[:, :3, :3].transpose(0, 2, 1) + poses[:, None, :3, 3]).reshape(
        -1, 3
    )


def _sphere_grid(head, target: np.ndarray, radius_m, step_m, distance_m):
    from tmslab.coils.placement import pose_on_sphere
    from tmslab.geometry import disc_points

    u = target / np.linalg.norm(target)
    flat = disc_points(u * head.scalp_radius_m, u, radius_m, step_m)
    points = head.scalp_radius_m * flat / np.linalg.norm(flat, axis=1, keepdims=True)
    poses = np.array(
        [pose_on_sphere(head.scalp_radius_m, p, distance_m=distance_m) for p in points]
    )
    return points, poses


def optimise_placement(
    head,
    coil,
    target,
    *,
    goal: str = "magnitude",
    direction=None,
    avoid_m=None,
    penalty: float = 1.0,
    radius_m: float = 0.02,
    step_m: float = 0.002,
    angle_step_deg: float = 5.0,
    distance_m: float = 0.0,
    verify: bool = True,
    operator=None,
    progress: Callable[[int, int], None] | None = None,
) -> PlacementOptimum:
    """Search coil positions and handle angles for the largest field at a target.

    Parameters
    ----------
    head : HeadModel or SphereHead
        A realistic head (:func:`tmslab.conductors.head.load_head`) or a sphere.
    coil : Coil
        The coil in its own frame.
    target : CorticalTarget or (3,) array_like, m
        The target (a point inside a sphere, or a cortical target of the head).
    goal : str
        ``"magnitude"``, ``"normal"`` (realistic heads), ``"direction"`` or ``"focal"`` (see
        :class:`PlacementOptimum`).
    direction : (3,) array_like or None, dimensionless
        For ``goal="direction"``: the direction E should take at the target.
    avoid_m : (K, 3) array_like or None, m
        For ``goal="focal"``: where the field is penalised (head frame); default: 6 cortex
        points 20 mm around the target (:func:`tmslab.conductors.head.ring_points`).
    penalty : float, dimensionless
        For ``goal="focal"``: the weight of the largest |E| at those points.
    radius_m, step_m : float, m
        Search radius around the target's projection on the scalp and grid spacing.
    angle_step_deg : float, degrees
        Handle-angle step; must divide 360.
    distance_m : float, m
        Scalp to coil centre.
    verify : bool
        Check the best pose with a direct solve.
    operator : BemOperator or None
        The head's assembled BEM operator, if already built.
    progress : callable or None
        ``progress(done, total)``: positions scored so far, of all, after each batch.

    Returns
    -------
    PlacementOptimum
        Scores, the best pose and its check.

    Raises
    ------
    InvalidValueError
        For an unknown goal, an angle step that does not divide 360, a bad grid, or no pose
        with the coil outside the scalp.
    """
    from tmslab.conductors.sphere import SphereHead

    sphere = isinstance(head, SphereHead)
    vector = _goal_vector(goal, direction, target, sphere)
    if goal != "focal" and avoid_m is not None:
        raise InvalidValueError("points to avoid go with goal 'focal' (and only then)")
    if not (np.isfinite(penalty) and penalty >= 0):
        raise InvalidValueError(f"penalty {penalty!r} must be >= 0")
    n_angles = 360.0 / angle_step_deg if angle_step_deg > 0 else 0.0
    if not (n_angles >= 1 and abs(n_angles - round(n_angles)) < 1e-9):
        raise InvalidValueError(
            f"handle-angle step {angle_step_deg!r} deg must be > 0 and divide 360"
        )
    if not (np.isfinite(step_m) and step_m > 0):
        raise InvalidValueError(f"grid step = {step_m!r} m must be > 0")
    n_angles = round(n_angles)
    angles = np.arange(n_angles) * angle_step_deg
    timings: dict[str, float] = {}
    notes: list[str] = []
    if sphere:
        point = np.asarray(getattr(target, "point", target), dtype=float).reshape(3)
        if not np.linalg.norm(point) < head.scalp_radius_m:
            raise InvalidValueError("the target must lie inside the sphere")
        positions, base = _sphere_grid(head, point, radius_m, step_m, distance_m)
    else:
        from tmslab.conductors.head.placement import project_to_scalp, scalp_grid_poses

        point = np.asarray(target.point, dtype=float)
        positions, base = scalp_grid_poses(
            head, project_to_scalp(head, point), radius_m, step_m, distance_m=distance_m
        )
    avoid = None
    if goal == "focal":
        avoid = _avoid_points(head, target, point, avoid_m, sphere)
        notes.append(
            f"focal goal: |E| at the target minus {penalty:g} x the largest |E| at "
            f"{len(avoid)} points to avoid"
        )
    if not sphere:
        from tmslab.efield.bem.solve import BemOperator

        start = time.perf_counter()
        operator = operator or BemOperator.build(head.conductor())
        timings["operator"] = time.perf_counter() - start
    aux = auxiliary_coil_for(coil, n_angles, base[0], point)
    points = [point] if avoid is None else [point, *avoid]
    done = [0]
    total = len(base) * len(points)

    def advance(n: int) -> None:
        done[0] += n
        if progress is not None:
            progress(done[0], total)

    fields = []
    for p in points:
        start = time.perf_counter()
        if sphere:
            bfield = sphere_bfield(p)
        else:
            bfield = BemReciprocity.build(
                operator, p, _corners(aux, base), base[0, :3, :3], GRID_STEP_M
            ).bfield
        timings["adjoint"] = timings.get("adjoint", 0.0) + time.perf_counter() - start
        start = time.perf_counter()
        fields.append(field_over_angles(bfield, coil, base, n_angles, aux=aux, progress=advance))
        timings["scan"] = timings.get("scan", 0.0) + time.perf_counter() - start
    e = fields[0]
    avoid_e = None if avoid is None else np.stack(fields[1:], axis=2)  # (P, A, K, 3)
    score = _objective(e, vector, avoid_e, penalty)
    best, pose, refused = _best_outside(head, coil, base, angles, score, sphere)
    if refused:
        notes.append(
            f"{refused} better-scoring poses were refused: the coil would cut into the scalp"
        )
    result = dict(
        head_name=head.name,
        coil_name=coil.name,
        goal=goal,
        goal_vector=vector,
        target_m=point,
        target_normal=None if sphere else np.asarray(target.normal, dtype=float),
        positions_m=positions,
        angles_deg=angles,
        efield=e,
        score=score,
        best=best,
        pose=pose,
        timings_s=timings,
        plane_axes=np.array([base[0, :3, 0], -base[0, :3, 1]]),
        avoid_m=avoid,
        avoid_efield=avoid_e,
        penalty=float(penalty),
    )
    if not verify:
        return PlacementOptimum(**result, notes=tuple(notes))
    start = time.perf_counter()
    e_direct, direct = _direct_check(head, coil, pose, point, target, sphere, operator)
    timings["direct"] = time.perf_counter() - start
    agreement = float(np.linalg.norm(e[best] - e_direct) / np.linalg.norm(e_direct))
    if agreement > AGREEMENT_LIMIT:
        notes.append(
            f"reciprocity and the direct solve differ by {agreement:.1%} at the best pose "
            f"(more than {AGREEMENT_LIMIT:.0%}): trust the direct value, refine the mesh"
        )
    return PlacementOptimum(
        **result, e_direct=e_direct, agreement=agreement, notes=tuple(notes), direct=direct
    )


def _goal_vector(goal: str, direction, target, sphere: bool) -> np.ndarray | None:
    """The unit vector the goal projects E on (None: the magnitude), checked before any work."""
    if goal not in GOALS:
        raise InvalidValueError(f"goal {goal!r}: use one of {', '.join(GOALS)}")
    if (goal == "direction") != (direction is not None):
        raise InvalidValueError("give a direction with goal 'direction' (and only then)")
    if goal == "normal":
        if sphere:
            raise InvalidValueError(
                "goal 'normal' on a sphere: the normal (radial) field vanishes in a spherical "
                "head; use 'magnitude' or 'direction'"
            )
        return -np.asarray(target.normal, dtype=float)  # into the cortex, as SimNIBS
    if goal == "direction":
        from tmslab.geometry import unit_vector

        return unit_vector(direction, "goal direction")
    return None


def _avoid_points(head, target, point: np.ndarray, avoid_m, sphere: bool) -> np.ndarray:
    """(K, 3) m: the given points to avoid, or a ring of 6 at 20 mm around the target."""
    if avoid_m is not None:
        avoid = np.asarray(avoid_m, dtype=float).reshape(-1, 3)
        if not len(avoid) or not np.all(np.isfinite(avoid)):
            raise InvalidValueError("points to avoid: give finite (x, y, z) points")
        return avoid
    if sphere:  # the ring at the target's radius, 20 mm away
        from tmslab.geometry import tangent_axes

        u = point / np.linalg.norm(point)
        e1, e2 = tangent_axes(u)
        tilt = RING_RADIUS_M / np.linalg.norm(point)
        return np.array(
            [
                np.linalg.norm(point)
                * (np.cos(tilt) * u + np.sin(tilt) * (np.cos(a) * e1 + np.sin(a) * e2))
                for a in 2 * np.pi * np.arange(RING_COUNT) / RING_COUNT
            ]
        )
    from tmslab.conductors.head import ring_points

    return ring_points(head, target, RING_RADIUS_M, RING_COUNT)


def _objective(e, vector, avoid_e, penalty: float) -> np.ndarray:
    if avoid_e is None:
        return _score(e, vector)
    return np.linalg.norm(e, axis=-1) - penalty * np.linalg.norm(avoid_e, axis=-1).max(axis=-1)


def _direct_check(head, coil, pose, point, target, sphere: bool, operator):
    """(E at the target per unit dI/dt by a direct solve, the cortex field or None)."""
    placed = coil.transformed(pose)
    if sphere:
        from tmslab.efield.kernels import sphere_efield

        e = sphere_efield(point[None], placed.dipole_positions, placed.dipole_moments)[0]
        return e, None
    from tmslab.efield.head import cortical_field

    start = time.perf_counter()
    solution = operator.solve(placed, A_PER_US)
    vertices, _, _ = head.cortex("mid")
    field = cortical_field(
        head,
        solution.efield(vertices),
        coil_name=coil.name,
        pose=pose,
        didt_a_per_s=A_PER_US,
        target=target,
        solve_time_s=time.perf_counter() - start,
    )
    return solution.efield(point[None])[0] / A_PER_US, field


def _best_outside(head, coil, base, angles, score, sphere: bool):
    """The best-scoring pose whose coil stays outside the scalp, and how many were refused."""
    from tmslab.geometry import turned_about_z

    order = np.argsort(-np.nan_to_num(score, nan=-np.inf), axis=None)
    for tried, flat in enumerate(order[:MAX_TRIES]):
        i, a = np.unravel_index(int(flat), score.shape)
        pose = base[i] @ turned_about_z(np.deg2rad(angles[a]))
        if sphere or _outside(head, coil, pose):
            return (int(i), int(a)), pose, tried
        score[i, a] = np.nan
    raise InvalidValueError(
        f"none of the {MAX_TRIES} best poses keeps the coil outside the scalp; raise the coil "
        "(distance) or search a smaller radius"
    )


def _outside(head, coil, pose) -> bool:
    from tmslab.efield.head import check_coil_outside

    try:
        check_coil_outside(head, coil.transformed(pose))
    except InvalidValueError:
        return False
    return True
