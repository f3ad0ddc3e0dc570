"""Ion-channel kinetics of the membranes tmslab simulates: Hodgkin-Huxley and MRG nodes.

Both are written in the units their papers use, millivolts and milliseconds, and compiled with
Numba so the batched solver can call them per compartment. The NEURON side runs the very same
equations: the built-in ``hh`` mechanism (with ``usetable_hh = 0``) and
``src/tmslab/data/neuron/tmslab_mrg.mod``; keep the three in step.

Gates follow dx/dt = (x_inf(v) - x) / tau_x(v) and are advanced with NEURON's ``cnexp`` rule,
x(t + dt) = x_inf + (x - x_inf) exp(-dt / tau_x), at the new membrane potential.

Hodgkin & Huxley (1952), as in NEURON's hh.mod: Q10 = 3 relative to 6.3 degC,
    alpha_m = 0.1 vtrap(-(v + 40), 10)     beta_m = 4 exp(-(v + 65) / 18)
    alpha_h = 0.07 exp(-(v + 65) / 20)     beta_h = 1 / (exp(-(v + 35) / 10) + 1)
    alpha_n = 0.01 vtrap(-(v + 55), 10)    beta_n = 0.125 exp(-(v + 65) / 80)
with vtrap(x, y) = x / (exp(x / y) - 1). Currents: gna m^3 h (v - ena), gk n^4 (v - ek),
gl (v - el).

McIntyre, Richardson & Grill (2002), nodal membrane: Q10 = 2.2 (Na activation gates) and 2.9
(Na inactivation) relative to 20 degC, 3.0 (slow K) relative to 36 degC. Currents:
gnap mp^3 (v - ena), gna m^3 h (v - ena), gk s (v - ek), gl (v - el).

Exponentials are clamped as NEURON's ``hoc_Exp`` does: exp(x) = 0 for x < -700 and exp(700) for
x > 700, so both solvers agree even at absurd potentials.
"""

from __future__ import annotations

import math

import numpy as np

from tmslab.neuron._jit import jit

HH = 1  # channel-set codes shared with the batched solver
MRG = 2
PASSIVE = 0
GATES = {PASSIVE: 0, HH: 3, MRG: 4}  # number of gating variables per channel set


@jit(inline="always")
def _exp(x: float) -> float:
    if x < -700.0:
        return 0.0
    if x > 700.0:
        return math.exp(700.0)
    return math.exp(x)


@jit(inline="always")
def _xexp(y: float) -> float:
    """y / (exp(y) - 1), with its limit 1 - y/2 near y = 0."""
    if abs(y) < 1e-6:
        return 1.0 - y / 2.0
    return y / (_exp(y) - 1.0)


@jit()
def hh_gate(v: float, gate: int, celsius: float) -> tuple[float, float]:
    """Steady state and time constant of an HH gate.

    Parameters
    ----------
    v : float, mV
        Membrane potential.
    gate : int
        0 = m, 1 = h, 2 = n.
    celsius : float, degC
        Temperature.

    Returns
    -------
    x_inf : float, dimensionless
        Steady state.
    tau : float, ms
        Time constant.
    """
    q10 = 3.0 ** ((celsius - 6.3) / 10.0)
    if gate == 0:
        a = 0.1 * 10.0 * _xexp(-(v + 40.0) / 10.0)
        b = 4.0 * _exp(-(v + 65.0) / 18.0)
    elif gate == 1:
        a = 0.07 * _exp(-(v + 65.0) / 20.0)
        b = 1.0 / (_exp(-(v + 35.0) / 10.0) + 1.0)
    else:
        a = 0.01 * 10.0 * _xexp(-(v + 55.0) / 10.0)
        b = 0.125 * _exp(-(v + 65.0) / 80.0)
    total = a + b
    return a / total, 1.0 / (q10 * total)


@jit()
def mrg_gate(v: float, gate: int, celsius: float) -> tuple[float, float]:
    """Steady state and time constant of an MRG gate.

    Parameters
    ----------
    v : float, mV
        Membrane potential.
    gate : int
        0 = mp, 1 = m, 2 = h, 3 = s.
    celsius : float, degC
        Temperature.

    Returns
    -------
    x_inf : float, dimensionless
        Steady state.
    tau : float, ms
        Time constant.
    """
    if gate == 0:
        q = 2.2 ** ((celsius - 20.0) / 10.0)
        a = q * 0.01 * 10.2 * _xexp(-(v + 27.0) / 10.2)
        b = q * 0.00025 * 10.0 * _xexp((v + 34.0) / 10.0)
    elif gate == 1:
        q = 2.2 ** ((celsius - 20.0) / 10.0)
        a = q * 1.86 * 10.3 * _xexp(-(v + 21.4) / 10.3)
        b = q * 0.086 * 9.16 * _xexp((v + 25.7) / 9.16)
    elif gate == 2:
        q = 2.9 ** ((celsius - 20.0) / 10.0)
        a = q * 0.062 * 11.0 * _xexp((v + 114.0) / 11.0)
        b = q * 2.3 / (1.0 + _exp(-(v + 31.8) / 13.4))
    else:
        q = 3.0 ** ((celsius - 36.0) / 10.0)
        a = q * 0.3 / (_exp(-(v + 80.0 - 27.0) / 5.0) + 1.0)
        b = q * 0.03 / (_exp(-(v + 80.0 + 10.0) / 1.0) + 1.0)
    total = a + b
    return a / total, 1.0 / total


@jit()
def gate_state(kind: int, v: float, gate: int, celsius: float) -> tuple[float, float]:
    """Steady state and time constant of gate ``gate`` of channel set ``kind`` (HH or MRG).

    Parameters
    ----------
    kind : int
        HH or MRG.
    v : float, mV
        Membrane potential.
    gate : int
        Gate index of that channel set.
    celsius : float, degC
        Temperature.

    Returns
    -------
    x_inf : float, dimensionless
        Steady state.
    tau_ms : float, ms
        Time constant.
    """
    if kind == HH:
        return hh_gate(v, gate, celsius)
    return mrg_gate(v, gate, celsius)


def steady_gates(kind: int, v_mv: float, celsius: float) -> np.ndarray:
    """Steady-state gates of channel set ``kind``.

    Parameters
    ----------
    kind : int
        PASSIVE, HH or MRG.
    v_mv : float, mV
        Membrane potential.
    celsius : float, degC
        Temperature.

    Returns
    -------
    (G,) ndarray, dimensionless
        Gate values (empty if passive).
    """
    return np.array([gate_state(kind, v_mv, g, celsius)[0] for g in range(GATES[kind])])


def open_fractions(kind: int, gates: np.ndarray) -> tuple[float, float, float]:
    """Fast Na, K and persistent Na open fractions from the gates of channel set ``kind``.

    Parameters
    ----------
    kind : int
        PASSIVE, HH or MRG.
    gates : (G,) ndarray, dimensionless
        Gate values.

    Returns
    -------
    tuple of float, dimensionless
        (fast Na, K, persistent Na) open fractions.
    """
    if kind == HH:
        m, h, n = gates
        return m**3 * h, n**4, 0.0
    if kind == MRG:
        mp, m, h, s = gates
        return m**3 * h, s, mp**3
    return 0.0, 0.0, 0.0


def leak_reversal_for_rest(
    kind: int,
    v_rest_mv: float,
    celsius: float,
    g_na: float,
    g_k: float,
    g_nap: float,
    g_leak: float,
    e_na_mv: float,
    e_k_mv: float,
) -> float:
    """Leak reversal that makes ``v_rest_mv`` an exact resting potential of the membrane.

    With the gates at their steady state at v_rest the ionic currents then sum to zero, so a cell
    whose membranes all rest at the same potential starts in equilibrium (no drift before the
    pulse).

    Parameters
    ----------
    kind : int
        PASSIVE, HH or MRG.
    v_rest_mv : float, mV
        Resting potential.
    celsius : float, degC
        Temperature.
    g_na, g_k, g_nap, g_leak : float, S/m^2
        Conductance densities, in any one unit (they enter as ratios).
    e_na_mv, e_k_mv : float, mV
        Reversal potentials.

    Returns
    -------
    float, mV
        Leak reversal potential.
    """
    if kind == PASSIVE:
        return v_rest_mv
    fna, fk, fnap = open_fractions(kind, steady_gates(kind, v_rest_mv, celsius))
    active = (g_na * fna + g_nap * fnap) * (v_rest_mv - e_na_mv) + g_k * fk * (v_rest_mv - e_k_mv)
    return v_rest_mv + active / g_leak


@jit()
def cnexp_table(
    kind: int, n_gates: int, v_min: float, v_step: float, n: int, dt_ms: float, celsius: float
) -> np.ndarray:
    """Update coefficients (A, B) of each gate on a voltage grid, ``x_new = A x + B``.

    Parameters
    ----------
    kind : int
        HH or MRG.
    n_gates : int
        Gates of that channel set.
    v_min : float, mV
        First grid voltage.
    v_step : float, mV
        Grid step.
    n : int
        Grid size.
    dt_ms : float, ms
        Solver step.
    celsius : float, degC
        Temperature.

    Returns
    -------
    (n_gates, 2, n) ndarray, dimensionless
        A = exp(-dt / tau), B = x_inf (1 - A), at ``v_min + k v_step``.
    """
    out = np.empty((n_gates, 2, n))
    for k in range(n):
        v = v_min + k * v_step
        for g in range(n_gates):
            inf, tau = gate_state(kind, v, g, celsius)
            a = _exp(-dt_ms / tau)
            out[g, 0, k] = a
            out[g, 1, k] = inf * (1.0 - a)
    return out
