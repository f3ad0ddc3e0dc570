"""Channels held at their resting state: Ih, Im, the calcium channels and SK (issue 17).

The Blue Brain cells of Aberra et al. 2020 carry, besides the Na and K channels tmslab's solvers
integrate, Ih, Im, Ca_HVA, Ca_LVAst, Ca and SK_E2 with CaDynamics_E2 on the soma, the dendrites
and the initial segment. Within a TMS response window these change nothing measurable when the
cell starts from the same rest (NEURON with the cells' own .mod files, tools/bluebrain_left_out.py:
the same thresholds). What they do change is the rest itself: Ih depolarises the dendrites, and
the five types' thresholds fall by 1-14 % (docs/validation-neurons.md).

So tmslab keeps them as the cell holds them at rest: :func:`held_current` is their steady-state
current (every gate at its steady state, [Ca]i at the steady state of CaDynamics_E2 with E_Ca
from Nernst, as NEURON computes it when a mechanism writes cai), which
:func:`tmslab.neuron.rest.resting_potentials` includes; :func:`held_leak` is the same current
with the gates frozen at that rest, a conductance and reversal per compartment that both solvers
add to the leak. Their gating during the pulse is not simulated, and each model that has them
says so.

Kinetics from the Blue Brain .mod files (Hay et al. 2011, PLoS Comput Biol 7:e1002107,
doi 10.1371/journal.pcbi.1002107; Markram et al. 2015, Cell 163:456,
doi 10.1016/j.cell.2015.09.029), written here from their equations:

* Ih: m, alpha = 6.43e-3 (v + 154.9) / (exp((v + 154.9) / 11.9) - 1), beta = 0.193 exp(v / 33.1),
  E_h = -45 mV;
* Im: m, alpha = 3.3e-3 exp(0.1 (v + 35)), beta = 3.3e-3 exp(-0.1 (v + 35)), E_K;
* Ca_HVA and Ca: m^2 h, alpha_m = 0.055 (-27 - v) / (exp((-27 - v) / 3.8) - 1),
  beta_m = 0.94 exp((-75 - v) / 17), alpha_h = 4.57e-4 exp((-13 - v) / 50),
  beta_h = 6.5e-3 / (exp((-v - 15) / 28) + 1), E_Ca;
* Ca_LVAst: m^2 h, m_inf = 1 / (1 + exp(-(v + 40) / 6)), h_inf = 1 / (1 + exp((v + 90) / 6.4)),
  E_Ca;
* SK_E2: z_inf = 1 / (1 + (4.3e-4 mM / [Ca]i)^4.8), E_K;
* CaDynamics_E2: d[Ca]i/dt = -1e4 gamma i_Ca / (2 F depth) - ([Ca]i - minCai) / decay (mM, ms,
  mA/cm^2, um).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.constants import R, physical_constants, zero_Celsius

from tmslab.units import MA_PER_CM2_PER_A_PER_M2, MV, MV_PER_V

FARADAY = physical_constants["Faraday constant"][0]  # C/mol
MECHANISMS = ("Ih", "Im", "Ca_HVA", "Ca_LVAst", "Ca", "SK_E2")
E_H_V = -45.0 * MV  # Ih.mod ehcn
CA_OUT_MM = 2.0  # NEURON's cao0_ca_ion
# .mod defaults (S/cm^2 in the files) where a list inserts a channel without setting it
DEFAULT_DENSITY_S_PER_M2 = {
    "Ih": 0.1,
    "Im": 0.1,
    "Ca_HVA": 0.1,
    "Ca_LVAst": 0.1,
    "Ca": 0.1,
    "SK_E2": 0.01,
}
# CaDynamics_E2.mod defaults: gamma, decay (ms), depth (um), minCai (mM)
CA_DYNAMICS_DEFAULTS = {"gamma": 0.05, "decay": 80.0, "depth": 0.1, "minCai": 1e-4}
# CaDynamics_E2.mod's 10000: mA/cm^2 / (C/mol * um) -> mM/ms
CA_FLUX_MM_PER_MS = 1e4
_CAI_ITERATIONS = 80  # bisection on log [Ca]i: 2^-80 of the bracket


@dataclass(frozen=True, eq=False)
class HeldChannels:
    """Densities of the held channels at every node of a cable.

    Attributes
    ----------
    density_s_per_m2 : (6, M) ndarray, S/m^2
        Maximal conductance of each of :data:`MECHANISMS` per node (0: absent).
    gamma : (M,) ndarray, dimensionless
        CaDynamics_E2's free fraction (0: no calcium dynamics at that node).
    decay_ms : (M,) ndarray, ms
        Its removal time constant.
    depth_um : (M,) ndarray, um
        Its shell depth.
    min_cai_mm : (M,) ndarray, mM
        Its floor [Ca]i.
    """

    density_s_per_m2: np.ndarray
    gamma: np.ndarray
    decay_ms: np.ndarray
    depth_um: np.ndarray
    min_cai_mm: np.ndarray

    @property
    def n_nodes(self) -> int:
        return self.gamma.shape[0]

    def present(self) -> list[str]:
        """Names of the mechanisms some node has."""
        return [m for m, g in zip(MECHANISMS, self.density_s_per_m2, strict=True) if np.any(g)]


def _gates_ih(v):
    u = v + 154.9
    u = np.where(u == 0.0, 1e-4, u)  # Ih.mod's guard at the removable singularity
    a = 6.43e-3 * u / np.expm1(u / 11.9)
    b = 0.193 * np.exp(v / 33.1)
    return a / (a + b)


def _gates_im(v):
    return 1.0 / (1.0 + np.exp(-0.2 * (v + 35.0)))  # alpha / (alpha + beta)


def _gates_hva(v):
    u = -27.0 - v
    u = np.where(u == 0.0, -1e-4, u)
    am = 0.055 * u / np.expm1(u / 3.8)
    bm = 0.94 * np.exp((-75.0 - v) / 17.0)
    ah = 4.57e-4 * np.exp((-13.0 - v) / 50.0)
    bh = 6.5e-3 / (np.exp((-v - 15.0) / 28.0) + 1.0)
    m = am / (am + bm)
    return m * m * ah / (ah + bh)


def _gates_lva(v):
    m = 1.0 / (1.0 + np.exp(-(v + 40.0) / 6.0))
    return m * m / (1.0 + np.exp((v + 90.0) / 6.4))


def _nernst_ca_mv(cai_mm, celsius: float):
    return (R * (celsius + zero_Celsius) / (2.0 * FARADAY)) * np.log(CA_OUT_MM / cai_mm) * MV_PER_V


def steady_calcium_mm(held: HeldChannels, g_ca_s_per_m2, v_mv, celsius: float) -> np.ndarray:
    """[Ca]i where CaDynamics_E2 balances the calcium current, per node.

    Parameters
    ----------
    held : HeldChannels
        The channels.
    g_ca_s_per_m2 : (M,) ndarray, S/m^2
        Open calcium conductance (gates at steady state).
    v_mv : (M,) ndarray, mV
        Membrane potential.
    celsius : float, degC
        Temperature (Nernst).

    Returns
    -------
    (M,) ndarray, mM
        Steady [Ca]i (minCai where there are no calcium dynamics).
    """
    # d[Ca]/dt = -k i_Ca - ([Ca] - minCai) / decay with i_Ca in mA/cm^2
    k = (
        CA_FLUX_MM_PER_MS
        * held.gamma
        / (2.0 * FARADAY * np.where(held.depth_um > 0, held.depth_um, 1.0))
    )
    kd = k * held.decay_ms * (MV * MA_PER_CM2_PER_A_PER_M2)  # S/m^2 * mV -> mA/cm^2
    lo = np.log(np.maximum(held.min_cai_mm, 1e-12))
    hi = np.full_like(lo, np.log(CA_OUT_MM))
    for _ in range(_CAI_ITERATIONS):  # f(c) = c - minCai + kd g (v - E_Ca(c)) rises with c
        mid = 0.5 * (lo + hi)
        c = np.exp(mid)
        f = c - held.min_cai_mm + kd * g_ca_s_per_m2 * (v_mv - _nernst_ca_mv(c, celsius))
        up = f > 0
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    return np.where(held.gamma > 0, np.exp(0.5 * (lo + hi)), held.min_cai_mm)


def open_conductances(
    held: HeldChannels, v_mv, ek_mv, celsius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Open conductance and reversal of each held channel at steady state.

    Parameters
    ----------
    held : HeldChannels
        The channels.
    v_mv : (M,) ndarray, mV
        Membrane potential per node.
    ek_mv : (M,) ndarray, mV
        K reversal per node (Im, SK_E2).
    celsius : float, degC
        Temperature.

    Returns
    -------
    g : (6, M) ndarray, S/m^2
        Open conductance of each of :data:`MECHANISMS`.
    e : (6, M) ndarray, mV
        Its reversal potential.
    """
    v = np.asarray(v_mv, dtype=float)
    d = held.density_s_per_m2
    hva, lva = _gates_hva(v), _gates_lva(v)
    g_ca = d[2] * hva + d[3] * lva + d[4] * hva
    cai = steady_calcium_mm(held, g_ca, v, celsius)
    e_ca = _nernst_ca_mv(cai, celsius)
    z = 1.0 / (1.0 + (4.3e-4 / np.maximum(cai, 1e-7)) ** 4.8)
    g = np.stack(
        [d[0] * _gates_ih(v), d[1] * _gates_im(v), d[2] * hva, d[3] * lva, d[4] * hva, d[5] * z]
    )
    e_h = np.full_like(v, E_H_V * MV_PER_V)
    e = np.stack([e_h, ek_mv, e_ca, e_ca, e_ca, ek_mv])
    return g, e


def held_current(held: HeldChannels, v_mv, ek_mv, celsius: float) -> np.ndarray:
    """Steady-state current density of the held channels, outward positive.

    Parameters
    ----------
    held : HeldChannels
        The channels.
    v_mv : (M,) ndarray, mV
        Membrane potential per node.
    ek_mv : (M,) ndarray, mV
        K reversal per node.
    celsius : float, degC
        Temperature.

    Returns
    -------
    (M,) ndarray, A/m^2
        Current density (S/m^2 * V).
    """
    g, e = held_leak(held, v_mv, ek_mv, celsius)  # the same sum, written as G (v - E)
    return g * (np.asarray(v_mv) - e) * MV


def held_leak(held: HeldChannels, rest_mv, ek_mv, celsius: float) -> tuple[np.ndarray, np.ndarray]:
    """The held channels frozen at rest: one conductance and reversal per node.

    Parameters
    ----------
    held : HeldChannels
        The channels.
    rest_mv : (M,) ndarray, mV
        Resting potential per node.
    ek_mv : (M,) ndarray, mV
        K reversal per node.
    celsius : float, degC
        Temperature.

    Returns
    -------
    g : (M,) ndarray, S/m^2
        Total open conductance.
    e : (M,) ndarray, mV
        Its reversal (the rest where g = 0).
    """
    g, e = open_conductances(held, rest_mv, ek_mv, celsius)
    total = np.sum(g, axis=0)
    weighted = np.sum(g * e, axis=0)
    return total, np.where(total > 0, weighted / np.where(total > 0, total, 1.0), rest_mv)


__all__ = [
    "MECHANISMS",
    "HeldChannels",
    "held_current",
    "held_leak",
    "open_conductances",
    "steady_calcium_mm",
]
