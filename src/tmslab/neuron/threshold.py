"""Activation thresholds: bisection on the pulse amplitude, for one or many fields at once.

The search is the same for every solver and every run (so NEURON and the batched solver visit
the same amplitudes as long as they agree on firing): start at a guess, double (or halve)
until the run fires (or stops firing), then bisect until the bracket [lo, hi] is narrower than
``rel_tol`` * hi. The threshold reported is ``hi``, the lowest amplitude seen to fire, so it
lies within ``rel_tol`` above the true threshold (default 0.5 %). A run that does not fire at
``max_amplitude`` has no threshold (NaN), e.g. a straight axon in a field across it;
:func:`no_threshold_reason` says why in words (the highest amplitude tried and the response
window, which is long enough for a spike to reach a recording site: see
:mod:`tmslab.neuron.simulation`).

For a uniform field the amplitude is the peak field in V/m along a unit direction; for a field
callable it is a dimensionless scale of that field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tmslab import budgets
from tmslab.errors import InvalidValueError
from tmslab.neuron.coupling import (
    FieldLike,
    field_at,
    line_integral_quasipotential,
    uniform_quasipotential,
    unit_vector,
)
from tmslab.neuron.simulation import (
    CONDUCTION_MARGIN_S,
    conduction_time_s,
    get_solver,
    response_window_s,
)
from tmslab.units import MS_PER_S, US_PER_S

DEFAULT_REL_TOL = 0.005
MAX_AMPLITUDE = 1e5
FLOOR_FRACTION = 1e-6  # the search gives up below this fraction of the (smallest) guess


@dataclass(frozen=True, eq=False)
class ThresholdSearch:
    """Result of bisections for N runs.

    Attributes
    ----------
    thresholds : (N,) ndarray, V/m
        Lowest firing amplitude found (NaN: none up to max_amplitude); in the amplitude's unit
        (V/m, or a dimensionless scale).
    lower : (N,) ndarray, V/m
        Highest amplitude seen not to fire (0 if none), same unit.
    spike_time_s : (N,) ndarray, s
        Spike time at the threshold amplitude, from the onset.
    initiation_node : (N,) ndarray of int
        Cable node where the spike started at threshold (-1 if unknown).
    n_simulations : int
        Total number of runs simulated.
    """

    thresholds: np.ndarray
    lower: np.ndarray
    spike_time_s: np.ndarray
    initiation_node: np.ndarray
    n_simulations: int


def bisect_thresholds(
    run: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]],
    n: int,
    guess,
    rel_tol: float = DEFAULT_REL_TOL,
    max_amplitude: float = MAX_AMPLITUDE,
    min_amplitude: float | None = None,
    batch: int = 1,
    step: float = 2.0,
) -> ThresholdSearch:
    """Bisect the firing threshold of ``n`` runs at once.

    Parameters
    ----------
    run : callable
        ``run(indices, amplitudes)`` simulates the runs ``indices`` ((K,) int array, an index may
        repeat) at ``amplitudes`` ((K,) array) and returns (fired, spike_time_s,
        initiation_node), each (K,).
    n : int
        Number of runs.
    guess : float or (n,) array_like, V/m
        First amplitude tried, for all runs or per run (V/m or a dimensionless scale, as ``run``
        takes it).
    rel_tol : float, dimensionless
        Relative width of the final bracket.
    max_amplitude : float, V/m
        Highest amplitude tried.
    min_amplitude : float or None, V/m
        Lowest amplitude tried; None: the smallest guess times 1e-6.
    batch : int
        Simulations ``run`` does at about the cost of one (a batched solver on idle cores). When
        few runs are bisecting, each round then simulates the next levels of their bisection
        trees at once (every midpoint the next steps could visit) and follows the path the plain
        search would take: the same amplitudes decide, so the same thresholds, in fewer rounds.
    step : float, dimensionless
        Factor by which the amplitude moves until the threshold is bracketed. Below 2 (a good
        guess per run: a bracket of a few per cent, fewer bisection steps) it squares after each
        move that does not bracket (5 %, 10 %, 21 %, 46 %...), so a poor guess costs a few runs.

    Returns
    -------
    ThresholdSearch
        Thresholds in the unit of the amplitudes.
    """
    if not 0 < rel_tol < 1:
        raise InvalidValueError(f"rel_tol = {rel_tol!r}; it must be in (0, 1), e.g. 0.005")
    first = np.broadcast_to(np.asarray(guess, dtype=float), (n,))
    if not np.all(first > 0):
        raise InvalidValueError(f"guess = {guess!r}; it must be > 0")
    if not step > 1:
        raise InvalidValueError(f"step = {step!r}; it must be > 1")
    smallest = float(np.min(first)) if n else 1.0
    floor = min_amplitude if min_amplitude is not None else smallest * FLOOR_FRACTION
    lo = np.zeros(n)
    hi = np.full(n, np.inf)
    spike = np.full(n, np.nan)
    origin = np.full(n, -1, dtype=np.int64)
    amp = first.copy()
    factor = np.full(n, float(step))
    grow = step < 2.0
    active = np.ones(n, dtype=bool)
    count = 0
    while np.any(active):
        idx = np.nonzero(active)[0]
        bisecting = idx[(lo[idx] > 0) & np.isfinite(hi[idx])]
        levels = _lookahead(len(bisecting), batch)
        if levels > 1:
            count += _bisect_ahead(run, bisecting, levels, lo, hi, spike, origin, rel_tol)
            done = hi - lo <= rel_tol * hi
            active[bisecting[done[bisecting]]] = False
            amp[bisecting] = 0.5 * (lo[bisecting] + hi[bisecting])
            if len(bisecting) == len(idx):
                continue
            idx = np.setdiff1d(idx, bisecting)
        fired, t_spike, node = run(idx, amp[idx])
        count += len(idx)
        fired = np.asarray(fired, dtype=bool)
        hit, miss = idx[fired], idx[~fired]
        hi[hit] = amp[hit]
        spike[hit] = np.asarray(t_spike)[fired]
        origin[hit] = np.asarray(node)[fired]
        lo[miss] = amp[miss]
        # next amplitude of each run still searching
        unbounded = np.isinf(hi)
        no_floor = lo == 0
        nxt = np.where(unbounded, factor * lo, np.where(no_floor, hi / factor, 0.5 * (lo + hi)))
        if grow:  # not bracketed yet: the next move is larger
            factor[idx] = np.where((unbounded | no_floor)[idx], factor[idx] ** 2, factor[idx])
        done = (
            (~unbounded & ~no_floor & (hi - lo <= rel_tol * hi))
            | (unbounded & (nxt > max_amplitude))
            | (no_floor & ~unbounded & (nxt < floor))
        )
        amp[idx] = nxt[idx]
        active[idx] = ~done[idx]
    thresholds = np.where(np.isinf(hi), np.nan, hi)
    return ThresholdSearch(thresholds, lo, spike, origin, count)


MAX_LOOKAHEAD = 4  # 15 midpoints per run and round; deeper trees waste more than they save


def _lookahead(n_bisecting: int, batch: int) -> int:
    """Bisection levels per round: the deepest tree whose midpoints fit in ``batch``."""
    levels = 1
    while levels < MAX_LOOKAHEAD and n_bisecting * (2 ** (levels + 1) - 1) <= batch:
        levels += 1
    return levels if n_bisecting else 1


def _bisect_ahead(run, runs, levels, lo, hi, spike, origin, rel_tol) -> int:
    """``levels`` bisection steps of each of ``runs`` in one call of ``run``; returns its size.

    Updates lo, hi, spike and origin in place exactly as ``levels`` plain steps would (a run
    whose bracket closes on the way stops there).
    """
    nodes = []  # (run, path of outcomes so far, amplitude)
    for r in runs:
        stack = [((), lo[r], hi[r])]
        while stack:
            path, a, b = stack.pop()
            if len(path) == levels or b - a <= rel_tol * b:
                continue
            mid = 0.5 * (a + b)
            nodes.append((r, path, mid))
            stack.append(((*path, True), a, mid))
            stack.append(((*path, False), mid, b))
    which = np.array([r for r, _, _ in nodes], dtype=np.int64)
    amps = np.array([m for _, _, m in nodes])
    fired, t_spike, node = run(which, amps)
    outcome = {(r, path): k for k, (r, path, _) in enumerate(nodes)}
    for r in runs:
        path: tuple = ()
        while (r, path) in outcome:
            k = outcome[(r, path)]
            if fired[k]:
                hi[r], spike[r], origin[r] = amps[k], t_spike[k], node[k]
            else:
                lo[r] = amps[k]
            path = (*path, bool(fired[k]))
    return len(nodes)


def _runner(solver, profiles: np.ndarray):
    def run(idx: np.ndarray, amps: np.ndarray):
        result = solver.simulate(profiles[idx], amps)
        return result.fired, result.spike_time_s, result.initiation_node

    return run


@dataclass(frozen=True, eq=False)
class DirectionThresholds:
    """Thresholds of one cell in uniform fields along D directions.

    Attributes
    ----------
    directions : (D, 3) ndarray, dimensionless
        Unit vectors.
    thresholds_v_per_m : (D,) ndarray, V/m
        Peak field (NaN where nothing fired up to the search limit).
    spike_time_s : (D,) ndarray, s
        Spike time at threshold.
    initiation_node : (D,) ndarray of int
        Node where the spike started.
    n_simulations : int
        Runs simulated.
    solver : str
        Its name.
    rel_tol : float, dimensionless
        Relative tolerance of the bisection.
    lower_v_per_m : (D,) ndarray or None, V/m
        Highest field seen not to fire (where the threshold is NaN: the highest tried).
    """

    directions: np.ndarray
    thresholds_v_per_m: np.ndarray
    spike_time_s: np.ndarray
    initiation_node: np.ndarray
    n_simulations: int
    solver: str
    rel_tol: float
    lower_v_per_m: np.ndarray | None = None


def map_size(model, drive) -> tuple[int, int]:
    """Compartments and time steps of one simulation of ``model`` under ``drive``, for budgets.

    Parameters
    ----------
    model : CellModel
        The cell.
    drive : Drive
        The pulse.

    Returns
    -------
    tuple of int
        (compartments, time steps).
    """
    steps = len(getattr(drive, "e", ())) + int(2e-3 / drive.dt_s)  # the pulse and ~2 ms after
    return len(model.cable.position_m), steps


def direction_thresholds(
    model,
    drive,
    directions: np.ndarray,
    solver: str = "batched",
    rel_tol: float = DEFAULT_REL_TOL,
    guess=None,
    step: float = 2.0,
    **solver_options,
) -> DirectionThresholds:
    """Thresholds of ``model`` in a uniform field along each of ``directions``.

    With solver="neuron" the runs go one after another (a plain NEURON loop); with "batched" every
    direction still searching is simulated in one batch per bisection step.

    Parameters
    ----------
    model : CellModel
        The cell.
    drive : Drive
        The pulse.
    directions : (D, 3) ndarray, dimensionless
        Field directions.
    solver : str
        "batched" or "neuron".
    rel_tol : float, dimensionless
        Relative tolerance of the bisection.
    guess : float, (D,) array_like or None, V/m
        First field tried, for all directions or per direction; None: the model's
        ``threshold_guess_v_per_m``.
    step : float, dimensionless
        Factor of the bracketing moves (:func:`bisect_thresholds`; below 2 for good guesses).
    **solver_options : Any
        Passed to the solver.

    Returns
    -------
    DirectionThresholds
        Peak-field thresholds in V/m.
    """
    dirs = np.atleast_2d(np.asarray(directions, dtype=float))
    budgets.check(budgets.neuron_map(len(dirs), *map_size(model, drive), hint="the directions"))
    dirs = np.array([unit_vector(d) for d in dirs])
    profiles = uniform_quasipotential(model.cable.position_m, dirs)
    engine = get_solver(solver, model, drive, **solver_options)
    search = bisect_thresholds(
        _runner(engine, profiles),
        len(dirs),
        model.threshold_guess_v_per_m if guess is None else guess,
        rel_tol,
        batch=engine.batch,
        step=step,
    )
    return DirectionThresholds(
        dirs,
        search.thresholds,
        search.spike_time_s,
        search.initiation_node,
        search.n_simulations,
        engine.name,
        rel_tol,
        search.lower,
    )


def threshold(
    model,
    drive,
    direction=(1.0, 0.0, 0.0),
    solver: str = "neuron",
    rel_tol: float = DEFAULT_REL_TOL,
    **solver_options,
) -> DirectionThresholds:
    """Threshold (peak field) of ``model`` in a uniform field along ``direction``.

    Parameters
    ----------
    model : CellModel
        The cell.
    drive : Drive
        The pulse.
    direction : (3,) array_like, dimensionless
        Field direction.
    solver : str
        "neuron" or "batched".
    rel_tol : float, dimensionless
        Relative tolerance of the bisection.
    **solver_options : Any
        Passed to the solver.

    Returns
    -------
    DirectionThresholds
        One direction; threshold in V/m.
    """
    return direction_thresholds(
        model, drive, np.asarray(unit_vector(direction))[None], solver, rel_tol, **solver_options
    )


def no_threshold_reason(model, drive, highest_tried: float, unit: str = "V/m") -> str:
    """Why a threshold search found none, in one sentence.

    Names the highest amplitude tried and the response window of ``model`` with ``drive``.

    Parameters
    ----------
    model : CellModel
        The cell.
    drive : Drive
        The pulse.
    highest_tried : float, V/m
        Highest amplitude tried, in ``unit``.
    unit : str
        Unit of ``highest_tried`` in the sentence.

    Returns
    -------
    str
        The sentence.
    """
    window = response_window_s(model)
    conduction = conduction_time_s(model)
    pulse = len(drive.e) * drive.dt_s
    if conduction + CONDUCTION_MARGIN_S >= window:
        why = (
            f"long enough for a spike from any excitable compartment to conduct there at the "
            f"slowest plausible velocity ({conduction * MS_PER_S:.3g} ms) plus "
            f"{CONDUCTION_MARGIN_S * MS_PER_S:g} ms"
        )
    else:
        why = (
            f"the model's window, longer than the slowest conduction to a recording site "
            f"({conduction * MS_PER_S:.3g} ms)"
        )
    return (
        f"no spike up to {highest_tried:,.0f} {unit}: {model.name} did not fire at its "
        f"recording sites within {window * MS_PER_S:.3g} ms after the {pulse * US_PER_S:.4g} us pulse "
        f"({why}); the field does not depolarise an excitable part of the cell enough "
        "(e.g. a straight axon across the field), or the threshold lies above the search limit"
    )


def field_thresholds(
    model,
    drive,
    efield: FieldLike,
    rotations: np.ndarray,
    positions_m: np.ndarray,
    solver: str = "batched",
    rel_tol: float = DEFAULT_REL_TOL,
    guess: float = 1.0,
    **solver_options,
) -> ThresholdSearch:
    """Thresholds, as scales of a field callable, of ``model`` placed at P positions.

    Parameters
    ----------
    model : CellModel
        The cell.
    drive : Drive
        The pulse.
    efield : callable or (N, 3) ndarray, V/m
        (N, 3) points in m -> (N, 3) E at the pulse peak.
    rotations : (P, 3, 3) ndarray, dimensionless
        Rotation of each cell about its origin.
    positions_m : (P, 3) ndarray, m
        Cell origins.
    solver : str
        "batched" or "neuron".
    rel_tol : float, dimensionless
        Relative tolerance of the bisection.
    guess : float, dimensionless
        First scale tried.
    **solver_options : Any
        Passed to the solver.

    Returns
    -------
    ThresholdSearch
        Thresholds as dimensionless scales of ``efield``.
    """
    profiles = placed_quasipotentials(model, efield, rotations, positions_m)
    engine = get_solver(solver, model, drive, **solver_options)
    return bisect_thresholds(
        _runner(engine, profiles), len(profiles), guess, rel_tol, batch=engine.batch
    )


def placed_quasipotentials(
    model, efield: FieldLike, rotations: np.ndarray, positions_m: np.ndarray
) -> np.ndarray:
    """Quasipotentials of P placed copies of ``model`` in a field callable.

    Parameters
    ----------
    model : CellModel
        The cell.
    efield : callable or (N, 3) ndarray, V/m
        Field (see :func:`tmslab.neuron.coupling.field_at`).
    rotations : (P, 3, 3) ndarray, dimensionless
        Rotation of each cell about its origin.
    positions_m : (P, 3) ndarray, m
        Cell origins.

    Returns
    -------
    (P, M) ndarray, V
        Quasipotentials per unit scale.
    """
    from tmslab.neuron.morphology import check_rotation

    positions = np.atleast_2d(np.asarray(positions_m, dtype=float))
    if positions.shape[1:] != (3,):
        raise InvalidValueError(
            f"positions have shape {positions.shape}; give a (P, 3) array, metres"
        )
    rots = np.asarray(rotations, dtype=float)
    if rots.shape == (3, 3):
        rots = np.broadcast_to(rots, (len(positions), 3, 3))
    if rots.shape != (len(positions), 3, 3):
        raise InvalidValueError(
            f"rotations have shape {rots.shape}; give one (3, 3) rotation per position, "
            f"shape ({len(positions)}, 3, 3)"
        )
    for r in rots[: min(len(rots), 64)]:
        check_rotation(r)
    local = model.cable.position_m
    world = np.einsum("pij,mj->pmi", rots, local) + positions[:, None, :]
    if callable(efield):
        flat = world.reshape(-1, 3)
        values = field_at(flat, efield).reshape(world.shape)
    else:
        values = np.asarray(efield, dtype=float)
        if values.shape != world.shape:
            if values.shape == local.shape and len(positions) == 1:
                values = values[None]
            else:
                raise InvalidValueError(
                    f"the field array has shape {values.shape}; the placed cells need "
                    f"{world.shape} (E in V/m at every node of every cell)"
                )
    return line_integral_quasipotential(model.cable.parent, world, values)
