"""The resting state of a cell: the membrane potential of every compartment before the pulse.

A cell whose membranes all take their leak reversal from the cell's ``v_rest`` rests there
uniformly (:func:`tmslab.neuron.membranes.leak_reversal`). A membrane may instead keep the leak
reversal its source gives (``Membrane.e_leak_v``: Aberra et al.'s e_pas = -75 mV on soma,
dendrites, axon and myelin); its natural rest then differs from its neighbours' (the axon's
persistent K current holds it near -80.9 mV, the passive dendrites sit at -75 mV), current flows
between them at rest, and the cell settles into a steady state that varies along it.

That steady state is what Aberra et al. start from (``nrn/ssprocinit.hoc``: implicit steps of
1e9 ms) and it moves thresholds: the nodes of their L5 pyramidal cell rest at -73.0 to -71.0 mV
(-76.8 to -76.2 mV without the channels held at rest), 8-10 mV above the axon membrane's own
rest, and thresholds fall by about 6 % per 2 mV (docs/validation-neurons.md). :func:`resting_potentials` finds it by Newton's method on the same
compartments and conductances the solvers use, with every gate at its steady state: the ionic
current of each compartment plus the axial currents to its neighbours vanish. Both solvers start
from it (gates at their steady state at each compartment's potential). A model's held channels
(Ih, Im, Ca, SK: :mod:`tmslab.neuron.held`) add their steady-state current here; the solvers
then see them as a conductance frozen at this rest (:func:`node_membranes`).
"""

from __future__ import annotations

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.neuron._jit import jit
from tmslab.neuron.held import held_current, held_leak
from tmslab.neuron.kinetics import CTX_AXON, CTX_SOMA, HH, MAX_GATES, gate_state
from tmslab.neuron.membranes import leak_reversal_in_cell
from tmslab.units import MICROSIEMENS_PER_S, MV, MV_PER_V, NA_PER_A, NF_PER_F

# Newton on the whole cell: converged when no compartment moves by more than this (mV); a step
# is cut to MAX_STEP_MV so that a poor start cannot jump over the rest into the Na window.
TOLERANCE_MV = 1e-6
MAX_STEP_MV = 5.0
MAX_ITERATIONS = 60
DV_MV = 1e-4  # central difference for dI/dV


@jit()
def _gate_row(kind: int, v: float, celsius: float, out: np.ndarray) -> None:
    for g in range(out.shape[0]):
        out[g] = 0.0
    n = 0
    if kind == HH:
        n = 3
    elif kind == CTX_AXON or kind == CTX_SOMA:  # noqa: PLR1714 (plain compares for Numba)
        n = 9
    elif kind > 0:
        n = 4
    for g in range(n):
        out[g] = gate_state(kind, v, g, celsius)[0]


@jit()
def _ionic(kind, v, x, gl, gna, gk, gnap, gkp, gkt, el, ena, ek):
    """Ionic current (nA for uS and mV) of one compartment with gates ``x``, as the batched
    solver's kernel sums it."""
    i_leak = gl * (v - el)
    if kind <= 0:
        return i_leak
    if kind == HH:
        a_na = gna * x[0] ** 3 * x[1]
        a_k = gk * x[2] ** 4
    elif kind == CTX_AXON or kind == CTX_SOMA:  # noqa: PLR1714 (plain compares for Numba)
        a_na = gna * x[0] ** 3 * x[1] + gnap * x[2] ** 3 * x[3]
        a_k = gkp * x[4] ** 2 * x[5] + gkt * x[6] ** 4 * x[7] + gk * x[8]
    else:  # MRG
        a_na = gna * x[1] ** 3 * x[2] + gnap * x[0] ** 3
        a_k = gk * x[3]
    return i_leak + a_na * (v - ena) + a_k * (v - ek)


@jit()
def _steady_currents(v, kind, celsius, gl, gna, gk, gnap, gkp, gkt, el, ena, ek, current, slope):
    """Steady-state ionic current of every compartment at ``v`` (mV) and its slope dI/dV."""
    x = np.zeros(MAX_GATES)
    values = np.zeros(3)
    for i in range(v.shape[0]):
        k = kind[i]
        if k < 0:
            current[i] = 0.0
            slope[i] = 0.0
            continue
        for j in range(3):
            u = v[i] + (j - 1) * DV_MV
            _gate_row(k, u, celsius, x)
            values[j] = _ionic(
                k, u, x, gl[i], gna[i], gk[i], gnap[i], gkp[i], gkt[i], el[i], ena[i], ek[i]
            )
        current[i] = values[1]
        slope[i] = (values[2] - values[0]) / (2.0 * DV_MV)


@jit()
def steady_gate_rows(kind: np.ndarray, v_mv: np.ndarray, celsius: float) -> np.ndarray:
    """Steady-state gates of every compartment at its own potential.

    Parameters
    ----------
    kind : (M,) ndarray of int
        Channel-set code per node (-1: branch end, no membrane).
    v_mv : (M,) ndarray, mV
        Membrane potential per node.
    celsius : float, degC
        Temperature.

    Returns
    -------
    (M, 9) ndarray, dimensionless
        Gate values, in the order of :mod:`tmslab.neuron.kinetics` (unused slots 0).
    """
    out = np.zeros((v_mv.shape[0], MAX_GATES))
    for i in range(v_mv.shape[0]):
        if kind[i] > 0:
            _gate_row(kind[i], v_mv[i], celsius, out[i])
    return out


def node_membranes(model, held: bool = True) -> dict[str, np.ndarray]:
    """Per-node membrane parameters in the solvers' kernel units (uS, mV, nF).

    Parameters
    ----------
    model : CellModel
        The cell.
    held : bool
        Add the model's held channels (:mod:`tmslab.neuron.held`), frozen at the rest, to the
        leak (what the solvers integrate); False: the membranes alone.

    Returns
    -------
    dict of str to (M,) ndarray, kernel units (nF, uS, mV)
        ``kind`` (int, -1 at branch ends), ``cap`` (nF), ``gl``, ``gna``, ``gk``, ``gnap``,
        ``gkp``, ``gkt`` (uS) and ``el``, ``ena``, ``ek`` (mV).
    """
    cable = model.cable
    m_nodes = cable.n_nodes
    area = cable.area_m2
    out = {"kind": np.full(m_nodes, -1, dtype=np.int64)}
    for key in ("cap", "gl", "gna", "gk", "gnap", "gkp", "gkt", "el", "ena", "ek"):
        out[key] = np.zeros(m_nodes)
    for index, membrane in enumerate(cable.membranes):
        nodes = cable.membrane_index == index
        a = area[nodes] * MICROSIEMENS_PER_S  # S/m^2 * m^2 -> uS
        out["cap"][nodes] = membrane.cm_f_per_m2 * area[nodes] * NF_PER_F
        out["kind"][nodes] = membrane.kind
        out["gl"][nodes] = membrane.g_leak_s_per_m2 * a
        out["gna"][nodes] = membrane.g_na_s_per_m2 * a
        out["gk"][nodes] = membrane.g_k_s_per_m2 * a
        out["gnap"][nodes] = membrane.g_nap_s_per_m2 * a
        out["gkp"][nodes] = membrane.g_kp_s_per_m2 * a
        out["gkt"][nodes] = membrane.g_kt_s_per_m2 * a
        e_leak = leak_reversal_in_cell(membrane, model.v_rest_v, model.celsius)
        out["el"][nodes] = e_leak * MV_PER_V
        out["ena"][nodes] = membrane.e_na_v * MV_PER_V
        out["ek"][nodes] = membrane.e_k_v * MV_PER_V
    if held and getattr(model, "held", None) is not None:
        g, e = held_leak(model.held, model.rest_v * MV_PER_V, out["ek"], model.celsius)
        g_us = g * area * MICROSIEMENS_PER_S
        total = out["gl"] + g_us
        some = total > 0
        out["el"][some] = (out["gl"][some] * out["el"][some] + g_us[some] * e[some]) / total[some]
        out["gl"] = total
    return out


def _held_currents(model, p: dict[str, np.ndarray], v_mv: np.ndarray):
    """Steady current (nA) of the held channels per node at ``v_mv`` and its slope (nA/mV)."""
    area_na = model.cable.area_m2 * NA_PER_A
    values = [
        held_current(model.held, v_mv + s * DV_MV, p["ek"], model.celsius) * area_na
        for s in (-1.0, 0.0, 1.0)
    ]
    return values[1], (values[2] - values[0]) / (2.0 * DV_MV)


def uniform_rest(model) -> bool:
    """True if every membrane takes its leak from ``v_rest`` (the cell rests at one potential).

    Parameters
    ----------
    model : CellModel
        The cell.

    Returns
    -------
    bool
        Whether :func:`resting_potentials` is ``v_rest`` everywhere.
    """
    if getattr(model, "held", None) is not None:
        return False
    return all(m.e_leak_v is None for m in model.cable.membranes)


def resting_potentials(model) -> np.ndarray:
    """The membrane potential of every node of ``model.cable`` at rest.

    Parameters
    ----------
    model : CellModel
        The cell.

    Returns
    -------
    (M,) ndarray, V
        ``v_rest_v`` everywhere if :func:`uniform_rest`; else the steady state (Newton's method
        from ``v_rest_v``, to 1e-6 mV).

    Raises
    ------
    InvalidValueError
        If the cell has no steady state near ``v_rest_v`` (Newton does not converge).
    """
    cable = model.cable
    if uniform_rest(model):
        return np.full(cable.n_nodes, model.v_rest_v)
    if model.held is not None and model.held.n_nodes != cable.n_nodes:
        raise InvalidValueError(
            f"{model.name}: held channels given for {model.held.n_nodes} nodes but the cable has "
            f"{cable.n_nodes}; likely cause: the morphology was changed after the model was built"
        )
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import splu

    p = node_membranes(model, held=False)
    child = np.arange(1, cable.n_nodes)
    parent = cable.parent[1:]
    g = cable.g_axial_s[1:] * MICROSIEMENS_PER_S
    rows = np.concatenate([child, parent, child, parent])
    cols = np.concatenate([child, parent, parent, child])
    laplacian = coo_matrix(
        (np.concatenate([g, g, -g, -g]), (rows, cols)), shape=(cable.n_nodes,) * 2
    ).tocsc()
    v = np.full(cable.n_nodes, model.v_rest_v * MV_PER_V)
    current, slope = np.empty_like(v), np.empty_like(v)
    args = [p[k] for k in ("gl", "gna", "gk", "gnap", "gkp", "gkt", "el", "ena", "ek")]
    diagonal = np.arange(cable.n_nodes)
    for _ in range(MAX_ITERATIONS):
        _steady_currents(v, p["kind"], model.celsius, *args, current, slope)
        if model.held is not None:
            extra, extra_slope = _held_currents(model, p, v)
            current += extra
            slope += extra_slope
        residual = current + laplacian @ v
        jacobian = laplacian + coo_matrix((slope, (diagonal, diagonal)), laplacian.shape).tocsc()
        step = splu(jacobian).solve(residual)
        step *= min(1.0, MAX_STEP_MV / max(np.max(np.abs(step)), 1e-300))
        v -= step
        if np.max(np.abs(step)) < TOLERANCE_MV:
            return v * MV
    raise InvalidValueError(
        f"{model.name}: no resting state near {model.v_rest_v * MV_PER_V:.2f} mV (Newton did not "
        f"converge in {MAX_ITERATIONS} steps); likely cause: a membrane whose leak reversal "
        "(e_leak_v) lies in its Na window, so the cell fires at rest"
    )


__all__ = ["node_membranes", "resting_potentials", "steady_gate_rows", "uniform_rest"]
