"""The neuron solvers: :func:`get_solver` picks one by name.

The time grid, :class:`SimulationResult`, the :class:`Solver` interface and the response window
live in :mod:`tmslab.neuron.solver_base` (both solvers import it; re-exported here, so
``tmslab.neuron.simulation.X`` keeps working). See that module for the time grid and the window.
"""

from __future__ import annotations

from tmslab.errors import UnknownNameError
from tmslab.neuron.solver_base import (
    CONDUCTION_MARGIN_S,
    HH_CELSIUS,
    HH_DIAMETER_M,
    HH_VELOCITY_M_PER_S,
    ONSET_STEPS,
    SLOWEST_FRACTION,
    SOLVERS,
    VELOCITY_Q10,
    SimulationResult,
    Solver,
    TimeGrid,
    check_batch,
    conduction_time_s,
    midpoint_drive,
    response_window_s,
    slowest_velocity_m_per_s,
    time_grid,
)

__all__ = [
    "CONDUCTION_MARGIN_S",
    "HH_CELSIUS",
    "HH_DIAMETER_M",
    "HH_VELOCITY_M_PER_S",
    "ONSET_STEPS",
    "SLOWEST_FRACTION",
    "SOLVERS",
    "VELOCITY_Q10",
    "SimulationResult",
    "Solver",
    "TimeGrid",
    "check_batch",
    "conduction_time_s",
    "get_solver",
    "midpoint_drive",
    "response_window_s",
    "slowest_velocity_m_per_s",
    "time_grid",
]


def get_solver(name: str, model, drive, **options) -> Solver:
    """The solver ``name`` ("neuron" or "batched") for ``model`` and ``drive``."""
    key = str(name).strip().lower()
    if key == "neuron":
        from tmslab.neuron.nrn import NeuronSolver

        return NeuronSolver(model, drive, **options)
    if key == "batched":
        from tmslab.neuron.batched import BatchedSolver

        return BatchedSolver(model, drive, **options)
    raise UnknownNameError("solver", str(name), SOLVERS)
