"""The field in the cell layer of a dish, plate well or slice, and its free-space ratio.

The "free-space estimate" is the primary field -dA/dt alone at the same points: what one gets
ignoring the dish's walls (the surface charges they carry). Coil placement: the coil (its face
at z = 0 in the coil frame, z into the target) is turned face-down over the dish, its face
``distance_m`` above the medium's free surface (z = medium height), its centre over the chosen
well's axis (the dish centre by default).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tmslab import budgets
from tmslab.errors import InvalidValueError, check_positive

CELL_LAYER_HEIGHT_M = 0.2e-3  # default height of the cell layer above the dish bottom
LAYER_MARGIN = 0.03  # keep evaluation points this fraction of the radius inside the wall


def pose_above(
    top_z_m: float,
    distance_m: float,
    handle_angle_deg: float = 0.0,
    centre_xy_m=(0.0, 0.0),
) -> np.ndarray:
    """4x4 coil -> conductor pose: coil face-down, face at z = top + distance, over centre_xy.

    handle_angle_deg rotates the coil about the vertical axis; at 0 the handle (coil +y) points
    along the conductor's -y.
    """
    from tmslab.geometry import check_pose

    if not distance_m >= 0:
        raise InvalidValueError(f"coil distance = {distance_m!r} m must be >= 0")
    a = np.deg2rad(handle_angle_deg)
    rotate = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    flip = np.diag([1.0, -1.0, -1.0])  # coil z (into the target) points down
    pose = np.eye(4)
    pose[:3, :3] = rotate @ flip
    pose[:3, 3] = [centre_xy_m[0], centre_xy_m[1], top_z_m + distance_m]
    return check_pose(pose)


def cell_layer_points(
    radius_m: float, z_m: float, spacing_m: float, centre_xy_m=(0.0, 0.0)
) -> np.ndarray:
    """(N, 3) grid points (m) on a disc of radius (1 - margin) * radius at height z."""
    r = radius_m * (1 - LAYER_MARGIN)
    n = max(int(np.ceil(r / spacing_m)), 2)
    axis = np.linspace(-r, r, 2 * n + 1)
    gx, gy = np.meshgrid(axis, axis)
    inside = gx**2 + gy**2 <= r * r
    return np.c_[
        gx[inside] + centre_xy_m[0], gy[inside] + centre_xy_m[1], np.full(inside.sum(), z_m)
    ]


@dataclass(frozen=True, eq=False)
class DishField:
    """E in a dish's cell layer and the free-space (primary-only) estimate at the same points.

    points: (N, 3) m; efield, free_space: (N, 3) V/m at ``didt_a_per_s``.
    mean/median/max: of |E|, V/m; ratio_*: total over free-space statistic.
    coil: the placed coil; distance_m: gap between the coil face and the medium surface.
    """

    conductor_name: str
    coil_name: str
    distance_m: float
    handle_angle_deg: float
    didt_a_per_s: float
    cell_layer_z_m: float
    points: np.ndarray
    efield: np.ndarray
    free_space: np.ndarray
    coil: Any = field(repr=False, default=None)
    solution: Any = field(repr=False, default=None)

    @staticmethod
    def _stats(e: np.ndarray) -> dict[str, float]:
        m = np.linalg.norm(e, axis=1)
        return {"mean": float(m.mean()), "median": float(np.median(m)), "max": float(m.max())}

    @property
    def stats(self) -> dict[str, float]:
        return self._stats(self.efield)

    @property
    def free_space_stats(self) -> dict[str, float]:
        return self._stats(self.free_space)

    @property
    def mean(self) -> float:
        return self.stats["mean"]

    @property
    def median(self) -> float:
        return self.stats["median"]

    @property
    def max(self) -> float:
        return self.stats["max"]

    @property
    def ratio(self) -> dict[str, float]:
        """Total over free-space |E| statistic (mean, median, max); < 1: the walls reduce it."""
        free = self.free_space_stats
        return {k: v / free[k] if free[k] > 0 else float("nan") for k, v in self.stats.items()}

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary in SI units (V/m, m, A/s)."""
        return {
            "conductor": self.conductor_name,
            "coil": self.coil_name,
            "distance_m": self.distance_m,
            "handle_angle_deg": self.handle_angle_deg,
            "didt_a_per_s": self.didt_a_per_s,
            "cell_layer_z_m": self.cell_layer_z_m,
            "n_points": len(self.points),
            "efield_v_per_m": self.stats,
            "free_space_v_per_m": self.free_space_stats,
            "ratio_to_free_space": self.ratio,
            "triangles": self.solution.conductor.n_triangles if self.solution else None,
            "gmres_iterations": self.solution.iterations if self.solution else None,
        }


def dish_field(
    coil,
    dish_conductor,
    distance_m: float,
    handle_angle_deg: float = 0.0,
    didt_a_per_s: float = 1.0,
    n: int = 41,
    cell_layer_z_m: float | None = None,
    well: int | None = None,
    pose: np.ndarray | None = None,
) -> DishField:
    """Solve the dish and sample |E| in its cell layer.

    coil: an unplaced :class:`~tmslab.coils.coil.Coil` (coil frame); it is placed face-down
        over the dish (plate) centre and the cell layers of all wells are sampled, or, with
        ``well`` (index into ``geometry["well_centres_m"]``), over that well and only its layer.
    dish_conductor: from ``get_conductor("dish-35mm")`` etc. (kind dish, plate or insert).
    distance_m: gap between coil face and medium surface, m. handle_angle_deg: degrees.
    n: points across the layer's diameter (n x n grid clipped to the disc).
    cell_layer_z_m: height of the layer, m (default 0.2 mm, capped at a quarter of the medium;
        for inserts the middle of the slice).
    pose: (4, 4) coil -> dish pose, m, placing the coil instead of ``distance_m`` and
        ``handle_angle_deg`` (which are then only recorded).
    Returns a :class:`DishField` with fields at ``didt_a_per_s``.
    """
    from tmslab.efield.bem.solve import solve

    geometry = dish_conductor.geometry
    if dish_conductor.kind not in ("dish", "plate", "insert") or "medium_height_m" not in geometry:
        raise InvalidValueError(
            f"conductor {dish_conductor.name!r} is not a dish, plate or insert; use a vessel "
            "preset such as dish-35mm"
        )
    didt = check_positive("dI/dt", didt_a_per_s, "A/s")
    centres = geometry["well_centres_m"]
    if well is not None and not 0 <= well < len(centres):
        raise InvalidValueError(f"well index {well} is outside 0..{len(centres) - 1}")
    height = geometry["medium_height_m"]
    if cell_layer_z_m is None:
        z = geometry.get("cell_layer_z_m", min(CELL_LAYER_HEIGHT_M, height / 4))
    else:
        z = float(cell_layer_z_m)
    if not 0 < z < height:
        raise InvalidValueError(
            f"cell layer height {z * 1e3:g} mm is outside the medium (0 to {height * 1e3:g} mm)"
        )
    radius = geometry.get("slice_radius_m", geometry["radius_m"])
    over = (0.0, 0.0) if well is None else centres[well]
    if pose is None:
        pose = pose_above(height, distance_m, handle_angle_deg, over)
    layers = centres if well is None else [centres[well]]
    if isinstance(n, bool) or int(n) != n or n < 3:
        raise InvalidValueError(f"n = {n!r} grid points is not allowed; give an integer >= 3")
    # About pi/4 n^2 points per layer, each summed over dipoles (primary) and triangles.
    n_points = np.pi / 4 * float(n) ** 2 * len(layers)
    sources = coil.n_dipoles + dish_conductor.n_triangles
    budgets.check(budgets.point_field(n_points, sources, hint="the grid size (--n-points)"))
    placed = coil.transformed(pose)
    solution = solve(dish_conductor, placed, didt)
    spacing = 2 * radius / max(int(n) - 1, 2)
    points = np.concatenate([cell_layer_points(radius, z, spacing, c) for c in layers])
    free = solution.primary(points, check=False)
    total = free + solution.secondary(points, check=False)
    return DishField(
        dish_conductor.name,
        getattr(coil, "name", "coil"),
        float(distance_m),
        float(handle_angle_deg),
        didt,
        float(z),
        points,
        total,
        free,
        placed,
        solution,
    )
