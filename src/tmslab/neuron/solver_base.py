"""What both solvers share: the time grid, the result of a batch of runs, the solver interface.

Both solvers (:mod:`tmslab.neuron.batched`, :mod:`tmslab.neuron.nrn`) import this module and
:mod:`tmslab.neuron.simulation` picks between them, so neither imports the other (no circle).

Time grid
---------
A run starts at rest at t = 0; the pulse starts one step later (``ONSET_STEPS``), lasts
``len(drive.e)`` samples and is followed by the model's response window. The solvers take
backward-Euler steps of ``drive.dt_s`` (NEURON's default fixed step, ``secondorder = 0``), with the
extracellular potential of each step taken at its middle, (e_k + e_{k+1}) / 2 (NEURON's
continuous ``Vector.play`` is evaluated at t + dt/2). Spike times are measured from the pulse
onset, by linear interpolation of the upward crossing of ``v_spike_v``.

Response window
---------------
Spikes are detected at the model's recording sites, so a run must last long enough for a spike
started anywhere on the cell to get there. The window is the model's ``response_window_s`` or,
when longer, the conduction time from the farthest excitable compartment to the nearest
recording site plus ``CONDUCTION_MARGIN_S`` (:func:`conduction_time_s`). Without this a
centimetre-long HH axon has no threshold at all (issue 21: 6 ms is not enough for 15 mm at
under 1 m/s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from tmslab.errors import InvalidValueError

ONSET_STEPS = 1
SOLVERS = ("neuron", "batched")

# Slowest plausible conduction of an excitable (HH or MRG-type) compartment: half the velocity
# Hodgkin & Huxley 1952 computed for the squid giant axon (18.8 m/s, 476 um, 18.5 degC; J Physiol
# 117:500-544, p. 532), scaled with sqrt(diameter) (cable theory) and with the rates' Q10 of 3
# (velocity goes with the square root of the rates, so 3 ** (dT / 20)). Passive stretches
# (dendrites, myelinated internodes) are crossed electrotonically and count as no delay.
HH_VELOCITY_M_PER_S = 18.8
HH_DIAMETER_M = 476e-6
HH_CELSIUS = 18.5
VELOCITY_Q10 = 3.0
SLOWEST_FRACTION = 0.5
CONDUCTION_MARGIN_S = 1e-3  # spike initiation latency near threshold


@dataclass(frozen=True)
class TimeGrid:
    """``n_steps`` steps of ``dt_s``; the pulse starts at step ``onset_steps``.

    Attributes
    ----------
    dt_s : float, s
        Step.
    n_steps : int
        Number of steps.
    onset_steps : int
        Step at which the pulse starts.
    """

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


def slowest_velocity_m_per_s(diameter_m: np.ndarray, celsius: float) -> np.ndarray:
    """Slowest plausible conduction velocity of excitable compartments (see HH_VELOCITY_M_PER_S).

    Parameters
    ----------
    diameter_m : (N,) ndarray, m
        Compartment diameters.
    celsius : float, degC
        Temperature.

    Returns
    -------
    (N,) ndarray, m/s
        Velocities.
    """
    d = np.asarray(diameter_m, dtype=float)
    temperature = VELOCITY_Q10 ** ((celsius - HH_CELSIUS) / 20.0)
    return SLOWEST_FRACTION * HH_VELOCITY_M_PER_S * np.sqrt(d / HH_DIAMETER_M) * temperature


def conduction_time_s(model) -> float:
    """Longest time a spike started at any excitable compartment may need to reach a recording site.

    At the slowest plausible velocity; 0 if no compartment is farther than the recording sites
    themselves.

    Parameters
    ----------
    model : CellModel
        The cell.

    Returns
    -------
    float, s
        Conduction time.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    cable = model.cable
    parent = cable.parent
    n = cable.n_nodes
    child = np.nonzero(parent >= 0)[0]
    if child.size == 0:
        return 0.0
    up = parent[child]
    excitable = np.array(
        [i >= 0 and cable.membranes[i].channels != "passive" for i in cable.membrane_index]
    )
    # an edge conducts like whichever of its two nodes is an excitable compartment
    own = excitable[child]
    node = np.where(own, child, up)
    active = own | excitable[up]
    length = np.linalg.norm(cable.position_m[child] - cable.position_m[up], axis=1)
    diameter = np.maximum(cable.diameter_m[node], 1e-9)
    seconds = np.where(active, length / slowest_velocity_m_per_s(diameter, model.celsius), 0.0)
    weights = seconds + 1e-15  # csgraph drops zero-weight edges
    graph = coo_matrix((weights, (child, up)), shape=(n, n)).tocsr()
    times = dijkstra(graph, directed=False, indices=model.record_nodes, min_only=True)
    reach = times[excitable]
    reach = reach[np.isfinite(reach)]
    return float(reach.max()) if reach.size else 0.0


def response_window_s(model) -> float:
    """Time after the pulse in which spikes are looked for.

    The model's own window or the conduction time to its recording sites plus a margin, whichever
    is longer.

    Parameters
    ----------
    model : CellModel
        The cell.

    Returns
    -------
    float, s
        The window.
    """
    return max(float(model.response_window_s), conduction_time_s(model) + CONDUCTION_MARGIN_S)


def time_grid(model, drive) -> TimeGrid:
    """The grid of a run of ``model`` with ``drive``: pulse plus the response window.

    Parameters
    ----------
    model : CellModel
        The cell.
    drive : Drive
        The pulse; its step is the grid step.

    Returns
    -------
    TimeGrid
        The grid.
    """
    window = response_window_s(model)
    steps = ONSET_STEPS + len(drive.e) + math.ceil(window / drive.dt_s - 1e-9)
    return TimeGrid(drive.dt_s, steps)


def midpoint_drive(drive, grid: TimeGrid) -> np.ndarray:
    """Drive value of each step, ``(e_k + e_{k+1}) / 2``.

    Parameters
    ----------
    drive : Drive
        The pulse.
    grid : TimeGrid
        The run's grid.

    Returns
    -------
    (n_steps,) ndarray, dimensionless
        Midpoint values.
    """
    samples = drive.samples(grid.n_steps, grid.onset_steps)
    return 0.5 * (samples[:-1] + samples[1:])


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Outcome of B runs.

    Attributes
    ----------
    fired : (B,) ndarray of bool
        A spike reached a recording site.
    spike_time_s : (B,) ndarray, s
        From the pulse onset to the first such spike (NaN if none).
    initiation_node : (B,) ndarray of int
        Cable node that first crossed v_spike (-1 if none or not tracked).
    t_s : (K,) ndarray, s
        Times from the onset, when traces were kept (else empty).
    traces_v : (B, R, K) ndarray, V
        Membrane potential at the recording sites, when kept (else empty).
    """

    fired: np.ndarray
    spike_time_s: np.ndarray
    initiation_node: np.ndarray
    t_s: np.ndarray
    traces_v: np.ndarray


class Solver(Protocol):
    """Runs one cell model with many extracellular-potential profiles and amplitudes.

    Attributes
    ----------
    name : str
        "batched" or "neuron".
    batch : int
        Runs it simulates at about the cost of one (the threshold search's lookahead).
    """

    name: str
    batch: int

    def simulate(
        self,
        profiles_v: np.ndarray,
        amplitudes: np.ndarray,
        stop_on_spike: bool = True,
        keep_traces: bool = False,
    ) -> SimulationResult:
        """Run B copies of the cell.

        Parameters
        ----------
        profiles_v : (B, M) ndarray, V
            Quasipotentials per unit amplitude.
        amplitudes : (B,) ndarray, V/m
            V/m for unit-direction uniform fields; a dimensionless scale otherwise.
        stop_on_spike : bool
            Stop a copy at its first spike (where the solver can).
        keep_traces : bool
            Keep the membrane potential at the recording sites.

        Returns
        -------
        SimulationResult
            Spikes and, with ``keep_traces``, traces.
        """
        ...


def check_batch(
    profiles_v: np.ndarray, amplitudes: np.ndarray, n_nodes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Validate a batch of profiles and amplitudes.

    Parameters
    ----------
    profiles_v : (B, M) ndarray, V
        Quasipotentials per unit amplitude.
    amplitudes : (B,) ndarray, V/m
        Amplitudes.
    n_nodes : int
        M, the model's node count.

    Returns
    -------
    profiles : (B, M) ndarray, V
        As floats.
    amplitudes : (B,) ndarray, V/m
        As floats.

    Raises
    ------
    InvalidValueError
        If the shapes disagree or a value is not finite.
    """
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
