"""What both solvers share: the time grid, the result of a batch of runs, the solver interface.

Time grid
---------
A run starts at rest at t = 0; the pulse starts one step later (``ONSET_STEPS``), lasts
``len(drive.e)`` samples and is followed by the model's response window. The solvers take
backward-Euler steps of ``drive.dt_s`` (NEURON's default fixed step, ``secondorder = 0``), with the
extracellular potential of each step taken at its middle, (e_k + e_{k+1}) / 2 (NEURON's
continuous ``Vector.play`` is evaluated at t + dt/2). Spike times are measured from the pulse
onset, by linear interpolation of the upward crossing of ``v_spike_v``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from tmslab.errors import InvalidValueError

ONSET_STEPS = 1
SOLVERS = ("neuron", "batched")


@dataclass(frozen=True)
class TimeGrid:
    """n_steps steps of dt_s seconds; the pulse starts at step ``onset_steps``."""

    dt_s: float
    n_steps: int
    onset_steps: int = ONSET_STEPS

    @property
    def t_s(self) -> np.ndarray:
        """Sample times from the pulse onset; (n_steps + 1,) array, seconds."""
        return (np.arange(self.n_steps + 1) - self.onset_steps) * self.dt_s

    @property
    def t_stop_s(self) -> float:
        return self.n_steps * self.dt_s


def time_grid(model, drive) -> TimeGrid:
    """The grid of a run of ``model`` with ``drive``: pulse plus the model's response window."""
    steps = ONSET_STEPS + len(drive.e) + math.ceil(model.response_window_s / drive.dt_s - 1e-9)
    return TimeGrid(drive.dt_s, steps)


def midpoint_drive(drive, grid: TimeGrid) -> np.ndarray:
    """Drive value of each step, (e_k + e_{k+1}) / 2; (n_steps,) array."""
    samples = drive.samples(grid.n_steps, grid.onset_steps)
    return 0.5 * (samples[:-1] + samples[1:])


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Outcome of B runs.

    fired: (B,) bool array, a spike reached a recording site.
    spike_time_s: (B,) array, seconds from the pulse onset to the first such spike (NaN if none).
    initiation_node: (B,) int array, cable node that first crossed v_spike (-1 if none or not
        tracked).
    t_s: (K,) array, seconds from the onset, when traces were kept (else empty).
    traces_v: (B, R, K) array, volts, membrane potential at the recording sites (else empty).
    """

    fired: np.ndarray
    spike_time_s: np.ndarray
    initiation_node: np.ndarray
    t_s: np.ndarray
    traces_v: np.ndarray


class Solver(Protocol):
    """Runs one cell model with many extracellular-potential profiles and amplitudes."""

    name: str

    def simulate(
        self,
        profiles_v: np.ndarray,
        amplitudes: np.ndarray,
        stop_on_spike: bool = True,
        keep_traces: bool = False,
    ) -> SimulationResult:
        """profiles_v: (B, M) array, volts per unit amplitude; amplitudes: (B,) array."""
        ...


def check_batch(
    profiles_v: np.ndarray, amplitudes: np.ndarray, n_nodes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Validate a batch: (B, M) profiles (V) and (B,) amplitudes; returns float arrays."""
    profiles = np.atleast_2d(np.asarray(profiles_v, dtype=float))
    amps = np.atleast_1d(np.asarray(amplitudes, dtype=float))
    if profiles.shape[1] != n_nodes:
        raise InvalidValueError(
            f"the potential profile has {profiles.shape[1]} values per run but the cell has "
            f"{n_nodes} nodes; give one value per node of model.cable"
        )
    if amps.shape != (len(profiles),):
        raise InvalidValueError(
            f"{len(amps)} amplitudes for {len(profiles)} profiles; give one amplitude per profile"
        )
    if not (np.all(np.isfinite(profiles)) and np.all(np.isfinite(amps))):
        raise InvalidValueError("profiles and amplitudes must be finite")
    return profiles, amps


def get_solver(name: str, model, drive, **options) -> Solver:
    """The solver ``name`` ("neuron" or "batched") for ``model`` and ``drive``."""
    key = str(name).strip().lower()
    if key == "neuron":
        from tmslab.neuron.nrn import NeuronSolver

        return NeuronSolver(model, drive, **options)
    if key == "batched":
        from tmslab.neuron.batched import BatchedSolver

        return BatchedSolver(model, drive, **options)
    from tmslab.errors import UnknownNameError

    raise UnknownNameError("solver", str(name), SOLVERS)
