"""A population of cells placed in a field: which positions fire, when, and at what threshold.

Each of P copies of one cell model is rotated about its own origin and moved to its position;
the field callable of the field layer (``efield(points) -> E``, points (N, 3) in m, E (N, 3) in
V/m at the pulse peak) is evaluated at every node of every copy and turned into quasipotentials
by the line integral along each tree. All copies then run in one batch: E(t) = scale *
efield(r) * e(t), with ``scale`` the stimulus intensity relative to the field given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tmslab.errors import InvalidValueError, check_positive
from tmslab.neuron.coupling import FieldLike, field_at
from tmslab.neuron.simulation import get_solver
from tmslab.neuron.threshold import DEFAULT_REL_TOL, bisect_thresholds, placed_quasipotentials


@dataclass(frozen=True, eq=False)
class PopulationResult:
    """Activation of P placed cells.

    Attributes
    ----------
    positions_m : (P, 3) ndarray, m
        Cell origins.
    fired : (P,) ndarray of bool
        Which cells fired.
    spike_time_s : (P,) ndarray, s
        From the pulse onset (NaN where nothing fired).
    field_v_per_m : (P,) ndarray, V/m
        |E| at each cell's origin at the applied intensity.
    thresholds_scale : (P,) ndarray, dimensionless
        Threshold as a multiple of the field callable (NaN if not computed or not reached).
    scale : float, dimensionless
        The applied multiple.
    """

    positions_m: np.ndarray
    fired: np.ndarray
    spike_time_s: np.ndarray
    field_v_per_m: np.ndarray
    thresholds_scale: np.ndarray
    scale: float

    @property
    def fraction_fired(self) -> float:
        return float(np.mean(self.fired)) if len(self.fired) else 0.0

    def to_dict(self) -> dict:
        """The fields and ``fraction_fired`` as a dictionary (arrays as they are, SI units)."""
        return {
            "positions_m": self.positions_m,
            "fired": self.fired,
            "spike_time_s": self.spike_time_s,
            "field_v_per_m": self.field_v_per_m,
            "thresholds_scale": self.thresholds_scale,
            "scale": self.scale,
            "fraction_fired": self.fraction_fired,
        }


def _rotations(rotations, n: int) -> np.ndarray:
    if rotations is None:
        return np.broadcast_to(np.eye(3), (n, 3, 3))
    return np.asarray(rotations, dtype=float)


def population_activation(
    model,
    positions_m: np.ndarray,
    efield: FieldLike,
    drive,
    scale: float = 1.0,
    rotations: np.ndarray | None = None,
    thresholds: bool = False,
    solver: str = "batched",
    rel_tol: float = DEFAULT_REL_TOL,
    guess: float | None = None,
    **solver_options,
) -> PopulationResult:
    """Which of P cells placed at ``positions_m`` fire at ``scale`` x ``efield``.

    Parameters
    ----------
    model : CellModel
        The cell.
    positions_m : (P, 3) ndarray, m
        Cell origins.
    efield : callable or (M, 3) ndarray, V/m
        Field at unit scale (see :func:`tmslab.neuron.coupling.field_at`).
    drive : Drive
        The normalised pulse.
    scale : float, dimensionless
        Applied multiple of ``efield``.
    rotations : (P, 3, 3) or (3, 3) ndarray or None, dimensionless
        Cell rotations; None: cells in their model orientation.
    thresholds : bool
        Also bisect each cell's threshold (as a multiple of ``efield``).
    solver : str
        "batched" or "neuron".
    rel_tol : float, dimensionless
        Relative tolerance of the threshold bisection.
    guess : float or None, dimensionless
        First multiple tried by the bisection; None: ``scale``.
    **solver_options : Any
        Passed to the solver (e.g. ``threads``).

    Returns
    -------
    PopulationResult
        Activation of every cell.

    Raises
    ------
    InvalidValueError
        If the positions or rotations have the wrong shape.
    """
    scale = check_positive("scale", scale)
    positions = np.atleast_2d(np.asarray(positions_m, dtype=float))
    if positions.ndim != 2 or positions.shape[1] != 3 or len(positions) == 0:
        raise InvalidValueError(
            f"positions have shape {positions.shape}; give a (P, 3) array of cell positions, metres"
        )
    rots = _rotations(rotations, len(positions))
    profiles = placed_quasipotentials(model, efield, rots, positions)
    engine = get_solver(solver, model, drive, **solver_options)
    result = engine.simulate(profiles, np.full(len(positions), scale))
    if callable(efield):
        at_origin = np.linalg.norm(field_at(positions, efield), axis=1) * scale
    else:
        at_origin = np.full(len(positions), np.nan)
    found = np.full(len(positions), np.nan)
    if thresholds:

        def run(idx: np.ndarray, amps: np.ndarray):
            out = engine.simulate(profiles[idx], amps)
            return out.fired, out.spike_time_s, out.initiation_node

        found = bisect_thresholds(
            run, len(positions), guess or scale, rel_tol, batch=engine.batch
        ).thresholds
    return PopulationResult(positions, result.fired, result.spike_time_s, at_origin, found, scale)


def grid_positions(
    centre_m, half_width_m: float, n_per_side: int, normal=(0.0, 0.0, 1.0)
) -> np.ndarray:
    """n x n positions on a square centred on ``centre_m``, in the plane normal to ``normal``.

    For a cortical layer or a dish.

    Parameters
    ----------
    centre_m : (3,) array_like, m
        Centre of the square.
    half_width_m : float, m
        Half the side of the square.
    n_per_side : int
        Positions per side.
    normal : (3,) array_like, dimensionless
        Normal of the plane.

    Returns
    -------
    (n * n, 3) ndarray, m
        Positions.

    Raises
    ------
    InvalidValueError
        If ``n_per_side`` < 1.
    """
    from tmslab.geometry import tangent_axes

    n = int(n_per_side)
    if n < 1:
        raise InvalidValueError(f"n_per_side = {n_per_side!r}; it must be >= 1")
    half = check_positive("half_width_m", half_width_m, "m")
    u, w = tangent_axes(normal)
    s = np.linspace(-half, half, n) if n > 1 else np.zeros(1)
    a, b = np.meshgrid(s, s, indexing="ij")
    return np.asarray(centre_m, float) + a.reshape(-1, 1) * u + b.reshape(-1, 1) * w
