"""Ion-channel kinetics of the membranes tmslab simulates: Hodgkin-Huxley, MRG nodes and the
cortical axon of Aberra et al. 2018.

All are written in the units their papers use, millivolts and milliseconds, and compiled with
Numba so the batched solver can call them per compartment. The NEURON side runs the very same
equations: the built-in ``hh`` mechanism (with ``usetable_hh = 0``),
``src/tmslab/data/neuron/tmslab_mrg.mod`` and ``tmslab_ctxaxon.mod``; keep them in step.

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

Cortical axon (``CTX_AXON``): the unmyelinated-axon channels of Aberra, Peterchev & Grill 2018
(J Neural Eng 15:066023, doi 10.1088/1741-2552/aadbb1), which are the axon-initial-segment set
of the Blue Brain / Hay et al. 2011 layer-5 cell (PLoS Comput Biol 7:e1002107, doi
10.1371/journal.pcbi.1002107) without its calcium channels. Aberra et al. made the rates of the
first four follow the temperature, phi = 2.3 ** ((celsius - 21) / 10) (Q10 2.3 from 21 degC;
Hay et al. fixed it at 34 degC); the Kv3.1 rates have no temperature factor in either.
Gates in this order (v in mV, rates per ms, tau in ms):
    0, 1  NaTa_t, transient Na, m^3 h (Colbert & Pan 2002, Nat Neurosci 5:533):
          alpha_m = 0.182 (v + 38) / (1 - exp(-(v + 38) / 6))
          beta_m  = 0.124 (-v - 38) / (1 - exp((v + 38) / 6))
          alpha_h = -0.015 (v + 66) / (1 - exp((v + 66) / 6))
          beta_h  = -0.015 (-v - 66) / (1 - exp(-(v + 66) / 6))
          x_inf = alpha / (alpha + beta), tau = 1 / ((alpha + beta) phi)
    2, 3  Nap_Et2, persistent Na, m^3 h (Magistretti & Alonso 1999, J Gen Physiol 114:491):
          m_inf = 1 / (1 + exp(-(v + 52.6) / 4.6)), tau_m = 6 / ((alpha_m + beta_m) phi) with
          NaTa_t's alpha_m, beta_m; h_inf = 1 / (1 + exp((v + 48.8) / 10)),
          alpha_h = -2.88e-6 (v + 17) / (1 - exp((v + 17) / 4.63)),
          beta_h = 6.94e-6 (v + 64.4) / (1 - exp(-(v + 64.4) / 2.63)), tau_h = 1 / ((a + b) phi)
    4, 5  K_Pst, persistent K, m^2 h (Korngreen & Sakmann 2000, J Physiol 525:621), with
          u = v + 10: m_inf = 1 / (1 + exp(-(u + 1) / 12)),
          tau_m = (1.25 + 175.03 exp(0.026 u)) / phi for u < -50, else
          (1.25 + 13 exp(-0.026 u)) / phi; h_inf = 1 / (1 + exp((u + 54) / 11)),
          tau_h = (360 + (1010 + 24 (u + 55)) exp(-((u + 75) / 48)^2)) / phi
    6, 7  K_Tst, transient K, m^4 h (Korngreen & Sakmann 2000), with u = v + 10:
          m_inf = 1 / (1 + exp(-u / 19)), tau_m = (0.34 + 0.92 exp(-((u + 71) / 59)^2)) / phi,
          h_inf = 1 / (1 + exp((u + 66) / 10)), tau_h = (8 + 49 exp(-((u + 73) / 23)^2)) / phi
    8     SKv3_1, Kv3.1, m (Rettig et al. 1992, EMBO J 11:2473):
          m_inf = 1 / (1 + exp(-(v - 18.7) / 9.7)), tau_m = 4 / (1 + exp(-(v + 46.56) / 44.14))
Cortical soma (``CTX_SOMA``): the same set with NaTs2_t (Hay et al. 2011's somatic transient Na)
for NaTa_t: NaTa_t's gates evaluated at v - 6 mV; ``tmslab_ctxaxon.mod`` with ``vshna = 6``.
Currents: gna m^3 h (v - ena) + gnap m^3 h (v - ena) + gkp m^2 h (v - ek) + gkt m^4 h (v - ek)
+ gk m (v - ek) + gl (v - el). The published files avoid 0/0 at v = -38, -66, -17 and -64.4 mV
by moving v by 1e-4 mV; here the removable singularities take their limits (same values to 1e-5).

Exponentials are clamped as NEURON's ``hoc_Exp`` does: exp(x) = 0 for x < -700 and exp(700) for
x > 700, so both solvers agree even at absurd potentials.
"""

from __future__ import annotations

import math

import numpy as np

from tmslab.neuron._jit import jit

HH = 1  # channel-set codes shared with the batched solver
MRG = 2
CTX_AXON = 3
CTX_SOMA = 4
PASSIVE = 0
GATES = {
    PASSIVE: 0,
    HH: 3,
    MRG: 4,
    CTX_AXON: 9,
    CTX_SOMA: 9,
}  # number of gating variables per channel set
MAX_GATES = max(GATES.values())


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
def ctx_axon_gate(v: float, gate: int, celsius: float) -> tuple[float, float]:
    """Steady state and time constant of a gate of the cortical axon (Aberra et al. 2018).

    Parameters
    ----------
    v : float, mV
        Membrane potential.
    gate : int
        0, 1 = NaTa_t m, h; 2, 3 = Nap_Et2 m, h; 4, 5 = K_Pst m, h; 6, 7 = K_Tst m, h;
        8 = SKv3_1 m (see the module docstring for the equations).
    celsius : float, degC
        Temperature.

    Returns
    -------
    x_inf : float, dimensionless
        Steady state.
    tau : float, ms
        Time constant.
    """
    phi = 2.3 ** ((celsius - 21.0) / 10.0)
    if gate == 8:  # Kv3.1: no temperature factor (Hay et al. 2011, Aberra et al. 2018)
        return (
            1.0 / (1.0 + _exp((v - 18.7) / -9.7)),
            0.2 * 20.0 / (1.0 + _exp((v + 46.56) / -44.14)),
        )
    if gate <= 2:  # NaTa_t m and h, and the activation rates Nap_Et2's m borrows
        if gate == 1:
            a = 0.015 * 6.0 * _xexp((v + 66.0) / 6.0)
            b = 0.015 * 6.0 * _xexp(-(v + 66.0) / 6.0)
            return a / (a + b), 1.0 / ((a + b) * phi)
        a = 0.182 * 6.0 * _xexp(-(v + 38.0) / 6.0)
        b = 0.124 * 6.0 * _xexp((v + 38.0) / 6.0)
        if gate == 0:
            return a / (a + b), 1.0 / ((a + b) * phi)
        return 1.0 / (1.0 + _exp((v + 52.6) / -4.6)), 6.0 / ((a + b) * phi)
    if gate == 3:
        a = 2.88e-6 * 4.63 * _xexp((v + 17.0) / 4.63)
        b = 6.94e-6 * 2.63 * _xexp(-(v + 64.4) / 2.63)
        return 1.0 / (1.0 + _exp((v + 48.8) / 10.0)), 1.0 / ((a + b) * phi)
    u = v + 10.0  # the K_Pst and K_Tst equations are written for a 10 mV shift
    if gate == 4:
        if u < -50.0:
            tau = 1.25 + 175.03 * _exp(0.026 * u)
        else:
            tau = 1.25 + 13.0 * _exp(-0.026 * u)
        return 1.0 / (1.0 + _exp(-(u + 1.0) / 12.0)), tau / phi
    if gate == 5:
        tau = 360.0 + (1010.0 + 24.0 * (u + 55.0)) * _exp(-(((u + 75.0) / 48.0) ** 2))
        return 1.0 / (1.0 + _exp((u + 54.0) / 11.0)), tau / phi
    if gate == 6:
        tau = 0.34 + 0.92 * _exp(-(((u + 71.0) / 59.0) ** 2))
        return 1.0 / (1.0 + _exp(-u / 19.0)), tau / phi
    tau = 8.0 + 49.0 * _exp(-(((u + 73.0) / 23.0) ** 2))
    return 1.0 / (1.0 + _exp((u + 66.0) / 10.0)), tau / phi


NATS2_SHIFT_MV = 6.0  # NaTs2_t = NaTa_t with both gates at v - 6 mV (Hay et al. 2011)


@jit()
def ctx_soma_gate(v: float, gate: int, celsius: float) -> tuple[float, float]:
    """Gates of the cortical soma set (``CTX_SOMA``): the cortical axon's with NaTs2_t for NaTa_t.

    Hay et al. 2011's somatic transient Na, NaTs2_t, has NaTa_t's equations with -32 and
    -60 mV for -38 and -66 mV: both gates at v - 6 mV, same rates and temperature factor
    (phi = 2.3 ** ((celsius - 21) / 10), as Aberra et al. 2018 set it). Nap_Et2's activation
    keeps the unshifted NaTa_t rates.

    Parameters
    ----------
    v : float, mV
        Membrane potential.
    gate : int
        As :func:`ctx_axon_gate`; 0, 1 are NaTs2_t m, h.
    celsius : float, degC
        Temperature.

    Returns
    -------
    x_inf : float, dimensionless
        Steady state.
    tau : float, ms
        Time constant.
    """
    if gate <= 1:
        return ctx_axon_gate(v - NATS2_SHIFT_MV, gate, celsius)
    return ctx_axon_gate(v, gate, celsius)


@jit()
def gate_state(kind: int, v: float, gate: int, celsius: float) -> tuple[float, float]:
    """Steady state and time constant of gate ``gate`` of channel set ``kind``.

    Parameters
    ----------
    kind : int
        HH, MRG or CTX_AXON.
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
    if kind == CTX_AXON:
        return ctx_axon_gate(v, gate, celsius)
    if kind == CTX_SOMA:
        return ctx_soma_gate(v, gate, celsius)
    return mrg_gate(v, gate, celsius)


def steady_gates(kind: int, v_mv: float, celsius: float) -> np.ndarray:
    """Steady-state gates of channel set ``kind``.

    Parameters
    ----------
    kind : int
        PASSIVE, HH, MRG or CTX_AXON.
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

    For CTX_AXON "K" is Kv3.1; its persistent and transient K are in :func:`slow_k_fractions`.

    Parameters
    ----------
    kind : int
        PASSIVE, HH, MRG or CTX_AXON.
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
    if kind in (CTX_AXON, CTX_SOMA):
        return gates[0] ** 3 * gates[1], gates[8], gates[2] ** 3 * gates[3]
    return 0.0, 0.0, 0.0


def slow_k_fractions(kind: int, gates: np.ndarray) -> tuple[float, float]:
    """Persistent (K_Pst, m^2 h) and transient (K_Tst, m^4 h) K open fractions of CTX_AXON.

    Parameters
    ----------
    kind : int
        Channel-set code.
    gates : (G,) ndarray, dimensionless
        Gate values.

    Returns
    -------
    tuple of float, dimensionless
        (K_Pst, K_Tst) open fractions; zeros for the other channel sets.
    """
    if kind in (CTX_AXON, CTX_SOMA):
        return gates[4] ** 2 * gates[5], gates[6] ** 4 * gates[7]
    return 0.0, 0.0


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
    g_kp: float = 0.0,
    g_kt: float = 0.0,
) -> float:
    """Leak reversal that makes ``v_rest_mv`` an exact resting potential of the membrane.

    With the gates at their steady state at v_rest the ionic currents then sum to zero, so a cell
    whose membranes all rest at the same potential starts in equilibrium (no drift before the
    pulse).

    Parameters
    ----------
    kind : int
        PASSIVE, HH, MRG or CTX_AXON.
    v_rest_mv : float, mV
        Resting potential.
    celsius : float, degC
        Temperature.
    g_na, g_k, g_nap, g_leak : float, S/m^2
        Conductance densities, in any one unit (they enter as ratios).
    e_na_mv, e_k_mv : float, mV
        Reversal potentials.
    g_kp, g_kt : float, S/m^2
        Persistent and transient K densities (CTX_AXON only), in the unit of ``g_leak``.

    Returns
    -------
    float, mV
        Leak reversal potential.
    """
    if kind == PASSIVE:
        return v_rest_mv
    gates = steady_gates(kind, v_rest_mv, celsius)
    fna, fk, fnap = open_fractions(kind, gates)
    fkp, fkt = slow_k_fractions(kind, gates)
    g_k_total = g_k * fk + g_kp * fkp + g_kt * fkt
    active = (g_na * fna + g_nap * fnap) * (v_rest_mv - e_na_mv) + g_k_total * (v_rest_mv - e_k_mv)
    return v_rest_mv + active / g_leak


@jit()
def cnexp_table(
    kind: int, n_gates: int, v_min: float, v_step: float, n: int, dt_ms: float, celsius: float
) -> np.ndarray:
    """Update coefficients (A, B) of each gate on a voltage grid, ``x_new = A x + B``.

    Parameters
    ----------
    kind : int
        HH, MRG or CTX_AXON.
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
