"""Rate-based BCM rule with a sliding modification threshold (metaplasticity), in Numba.

Bienenstock, Cooper & Munro 1982 (doi 10.1523/JNEUROSCI.02-01-00032.1982) with the threshold of
Intrator & Cooper 1992 (theta follows <y^2>)::

    x(t): presynaptic rate read from the pulses (each adds 1/tau_rate, decays with tau_rate), Hz
    y    = w x + y_b                            postsynaptic rate, Hz
    dw/dt = eta x y (y - theta)
    tau_theta dtheta/dt = y^2 / y_0 - theta,    y_0 = y_b^2 / theta_0,  theta_0 = y_b + crossover

Rest (x = 0) is a fixed point with theta = theta_0; an unprimed synapse driven at the crossover
rate does not change; activity before a protocol raises theta and biases it towards LTD (priming).
The weight is kept in [w_min, w_max]. Parameters: ``tmslab/data/plasticity/bcm.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from tmslab.plasticity.params import BCMParameters

TAIL_S = 10.0  # simulated time after the last pulse: the rate trace has decayed (10 x tau_rate)


@dataclass(frozen=True, eq=False)
class BCMRun:
    """One simulation: t_s (K,) s, w (K,) weight, theta_hz (K,) threshold, Hz (units of y).

    relative_weight = w[-1] / w[0].
    """

    t_s: np.ndarray
    w: np.ndarray
    theta_hz: np.ndarray

    @property
    def relative_weight(self) -> float:
        return float(self.w[-1] / self.w[0])


def resting_threshold_hz(p: BCMParameters) -> float:
    """theta_0 = y_b + crossover, Hz."""
    return p.background_rate_hz + p.crossover_hz


@njit(cache=True)
def _rates(x, w, theta, eta, y_b, y0, tau_theta):
    y = w * x + y_b
    return eta * x * y * (y - theta), (y * y / y0 - theta) / tau_theta


@njit(cache=True)
def _run(pulses, t_end, w0, theta0, eta, y_b, y0, tau_rate, tau_theta, w_min, w_max, h_max, n_rec):
    n = pulses.size
    t = pulses[0]
    x = 0.0
    w = w0
    theta = theta0
    j = 0
    span = t_end - t
    rec_t = np.empty(n_rec + 2)
    rec_w = np.empty(n_rec + 2)
    rec_th = np.empty(n_rec + 2)
    rec_t[0] = t
    rec_w[0] = w
    rec_th[0] = theta
    k = 1
    next_rec = t + span / n_rec
    while True:
        while j < n and pulses[j] <= t:
            x += 1.0 / tau_rate
            j += 1
        if t >= t_end:
            break
        stop = pulses[j] if j < n else t_end
        h = min(h_max, stop - t)
        if h <= 0.0:
            h = h_max
        # RK4 on (w, theta); x(t) decays exactly
        xm = x * np.exp(-0.5 * h / tau_rate)
        xe = x * np.exp(-h / tau_rate)
        a1, b1 = _rates(x, w, theta, eta, y_b, y0, tau_theta)
        a2, b2 = _rates(xm, w + 0.5 * h * a1, theta + 0.5 * h * b1, eta, y_b, y0, tau_theta)
        a3, b3 = _rates(xm, w + 0.5 * h * a2, theta + 0.5 * h * b2, eta, y_b, y0, tau_theta)
        a4, b4 = _rates(xe, w + h * a3, theta + h * b3, eta, y_b, y0, tau_theta)
        w += h * (a1 + 2.0 * a2 + 2.0 * a3 + a4) / 6.0
        theta += h * (b1 + 2.0 * b2 + 2.0 * b3 + b4) / 6.0
        w = min(max(w, w_min), w_max)
        x = xe
        t += h
        if t >= next_rec and k < n_rec + 1:
            rec_t[k] = t
            rec_w[k] = w
            rec_th[k] = theta
            k += 1
            next_rec += span / n_rec
    rec_t[k] = t
    rec_w[k] = w
    rec_th[k] = theta
    return rec_t[: k + 1], rec_w[: k + 1], rec_th[: k + 1]


def simulate(
    pulses_s: np.ndarray,
    p: BCMParameters,
    w_initial: float = 1.0,
    theta_initial_hz: float | None = None,
    step_s: float = 0.01,
    tail_s: float = TAIL_S,
    max_records: int = 2000,
) -> BCMRun:
    """Integrate the rule over the pulse train (pulses_s: (N,) s, ascending) and ``tail_s`` after.

    theta_initial_hz: threshold at the start, Hz (default: the resting value theta_0).
    """
    theta0 = resting_threshold_hz(p)
    y0 = p.background_rate_hz**2 / theta0
    pulses = np.asarray(pulses_s, dtype=float)
    t, w, theta = _run(
        pulses,
        float(pulses[-1] + tail_s),
        float(w_initial),
        theta0 if theta_initial_hz is None else float(theta_initial_hz),
        p.eta,
        p.background_rate_hz,
        y0,
        p.tau_rate_s,
        p.tau_theta_s,
        p.w_min,
        p.w_max,
        step_s,
        max_records,
    )
    return BCMRun(t, w, theta)
