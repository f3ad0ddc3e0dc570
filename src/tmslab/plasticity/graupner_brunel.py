"""Graupner & Brunel 2012 calcium-based synapse: exact calcium, analytic transition probabilities.

Model (PNAS 109:3991-3996, doi 10.1073/pnas.1109359109)::

    c(t) = sum_pre C_pre exp(-(t - t_pre - D)/tau_ca) + sum_post C_post exp(-(t - t_post)/tau_ca)
    tau drho/dt = -rho(1-rho)(rho*-rho) + gamma_p (1-rho) H[c-theta_p] - gamma_d rho H[c-theta_d]
                  + sigma sqrt(tau) sqrt(H[c-theta_p] + H[c-theta_d]) eta(t)

Calcium is a sum of decaying exponentials, so the time it spends above each threshold is computed
exactly, event by event (no time step). The efficacy follows the paper's analytic treatment,
as in the authors' reference code (github.com/mgraupe/CalciumBasedPlasticityModel,
synapticChange.py): during stimulation the cubic term is neglected, rho is an Ornstein-Uhlenbeck
process driven by the mean rates Gamma_d,p = gamma_d,p alpha_d,p (alpha: fraction of time above
threshold), and the probabilities that a synapse starting DOWN ends above rho* (U) or one
starting UP ends below it (D) are error functions. The synaptic strength of a population with a
fraction beta initially DOWN and UP/DOWN ratio b changes by::

    [beta (1-U) + (1-beta) D + b (beta U + (1-beta)(1-D))] / (beta + (1-beta) b)

Only the total times above threshold, T_d and T_p, enter (Gamma T / tau = gamma T_above / tau),
so the result depends on the calcium pattern, not on pauses between trains.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy.special import erfc

from tmslab.plasticity.inputs import SpikeTrains
from tmslab.plasticity.params import GraupnerBrunelParameters

QUIET, DEPRESSION, BOTH = (
    0,
    1,
    2,
)  # calcium below theta_d, between, above theta_p (theta_p > theta_d)


def calcium_events(
    trains: SpikeTrains, p: GraupnerBrunelParameters
) -> tuple[np.ndarray, np.ndarray]:
    """Calcium jumps: times (E,) s, ascending, and amplitudes (E,) dimensionless.

    Presynaptic transients arrive ``p.delay_s`` after the presynaptic spike.
    """
    times = np.concatenate([trains.pre_s + p.delay_s, trains.post_s])
    amplitudes = np.concatenate(
        [np.full(trains.pre_s.size, p.c_pre), np.full(trains.post_s.size, p.c_post)]
    )
    order = np.argsort(times, kind="stable")
    return times[order], amplitudes[order]


@njit(cache=True)
def _calcium_after_events(times, amplitudes, tau):
    """Calcium just after each event: (E,) array."""
    n = times.size
    c = np.empty(n)
    level = 0.0
    for i in range(n):
        if i > 0:
            level *= np.exp(-(times[i] - times[i - 1]) / tau)
        level += amplitudes[i]
        c[i] = level
    return c


@njit(cache=True)
def _time_above(c_after, times, tau, theta):
    """Time (s) calcium spends above ``theta`` after each event until the next: (E,) array."""
    n = times.size
    out = np.zeros(n)
    for i in range(n):
        if c_after[i] > theta:
            above = tau * np.log(c_after[i] / theta)
            if i + 1 < n:
                above = min(above, times[i + 1] - times[i])
            out[i] = above
    return out


def time_above_per_event(
    trains: SpikeTrains, p: GraupnerBrunelParameters
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Event times (E,) s and the time (E,) s above theta_d and theta_p after each event."""
    times, amplitudes = calcium_events(trains, p)
    c = _calcium_after_events(times, amplitudes, p.tau_ca_s)
    return (
        times,
        _time_above(c, times, p.tau_ca_s, p.theta_d),
        _time_above(c, times, p.tau_ca_s, p.theta_p),
    )


def time_above_thresholds(trains: SpikeTrains, p: GraupnerBrunelParameters) -> tuple[float, float]:
    """Total time (s) calcium spends above theta_d and above theta_p: (T_d, T_p)."""
    _, above_d, above_p = time_above_per_event(trains, p)
    return float(above_d.sum()), float(above_p.sum())


def transition_probabilities(
    t_d: np.ndarray | float, t_p: np.ndarray | float, p: GraupnerBrunelParameters
) -> tuple[np.ndarray, np.ndarray]:
    """UP and DOWN transition probabilities after times (s) ``t_d``, ``t_p`` above threshold.

    t_d, t_p: arrays of the same shape (any), seconds. Returns (U, D) of that shape: U the
    probability that a synapse starting at rho = 0 ends above rho*, D that one starting at
    rho = 1 ends below it (Graupner & Brunel 2012, Eqs. 3-5 of the SI; synapticChange.py).
    """
    t_d = np.asarray(t_d, dtype=float)
    t_p = np.asarray(t_p, dtype=float)
    rate = p.gamma_d * t_d + p.gamma_p * t_p  # Gamma T, s
    active = rate > 0
    safe = np.where(active, rate, 1.0)
    rho_bar = p.gamma_p * t_p / safe
    sigma_rho2 = p.sigma**2 * (t_d + t_p) / safe  # the paper's sigma_rho^2
    decay = np.exp(-safe / p.tau_s)  # exp(-T / tau_eff)
    spread = np.sqrt(sigma_rho2 * -np.expm1(-2.0 * safe / p.tau_s))
    spread = np.where(spread > 0, spread, 1.0)  # no activity: no transition (masked below)
    mean_from_down = rho_bar * (1.0 - decay)
    mean_from_up = rho_bar + (1.0 - rho_bar) * decay
    up = 0.5 * erfc((p.rho_star - mean_from_down) / spread)
    down = 0.5 * erfc((mean_from_up - p.rho_star) / spread)
    return np.where(active, up, 0.0), np.where(active, down, 0.0)


def population_strength(down_fraction: np.ndarray | float, b: float) -> np.ndarray:
    """Mean strength (in units of the DOWN strength) with ``down_fraction`` of synapses DOWN."""
    down = np.asarray(down_fraction, dtype=float)
    return down + (1.0 - down) * b


def down_fraction_after(
    down_fraction: np.ndarray | float, up: np.ndarray, down: np.ndarray
) -> np.ndarray:
    """Fraction of synapses DOWN after a protocol with transition probabilities ``up``, ``down``."""
    beta = np.asarray(down_fraction, dtype=float)
    return beta * (1.0 - up) + (1.0 - beta) * down


def strength_change(up: np.ndarray, down: np.ndarray, beta: float, b: float) -> np.ndarray:
    """Relative synaptic strength after/before (the paper's formula), same shape as ``up``."""
    return population_strength(down_fraction_after(beta, up, down), b) / population_strength(
        beta, b
    )


def relative_strength(
    trains: SpikeTrains, p: GraupnerBrunelParameters, down_fraction: float | None = None
) -> float:
    """Final / initial synaptic strength after ``trains`` (analytic, as the paper).

    down_fraction: fraction of synapses DOWN before the protocol (default ``p.beta``).
    """
    beta = p.beta if down_fraction is None else down_fraction
    up, down = transition_probabilities(*time_above_thresholds(trains, p), p)
    return float(strength_change(up, down, beta, p.b))


def trajectory(
    trains: SpikeTrains,
    p: GraupnerBrunelParameters,
    down_fraction: float | None = None,
    max_points: int = 2000,
    start_s: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Relative strength had the protocol stopped after each calcium event.

    start_s: count only calcium events from this time on, s (default: all); earlier events
    still shape the calcium. Returns times (K,) s and relative strengths (K,),
    K <= max_points + 1: the first point the start (strength 1), the last the end.
    """
    beta = p.beta if down_fraction is None else down_fraction
    times, above_d, above_p = time_above_per_event(trains, p)
    if start_s is not None:
        keep = times >= start_s
        times, above_d, above_p = times[keep], above_d[keep], above_p[keep]
    t_d = np.cumsum(above_d)
    t_p = np.cumsum(above_p)
    # the time above threshold after an event accrues until the next event
    stamps = times + above_d
    pick = np.unique(np.linspace(0, times.size - 1, min(times.size, max_points)).astype(int))
    pick = np.union1d(pick, [times.size - 1])
    up, down = transition_probabilities(t_d[pick], t_p[pick], p)
    values = strength_change(up, down, beta, p.b)
    return np.concatenate([[times[0]], stamps[pick]]), np.concatenate([[1.0], values])


def activity_segments(
    trains: SpikeTrains, p: GraupnerBrunelParameters
) -> tuple[np.ndarray, np.ndarray]:
    """The protocol cut where calcium crosses a threshold: durations (K,) s and levels (K,).

    Level QUIET (c < theta_d), DEPRESSION (theta_d <= c < theta_p) or BOTH (c >= theta_p); the
    last segment ends when calcium falls below theta_d after the last event. Used by the
    Monte Carlo simulation of the full stochastic model.
    """
    times, above_d, above_p = time_above_per_event(trains, p)
    gaps = np.append(np.diff(times), np.inf)
    durations, levels = [], []
    for gap, t_d, t_p in zip(gaps, above_d, above_p, strict=True):
        for length, level in ((t_p, BOTH), (t_d - t_p, DEPRESSION), (gap - t_d, QUIET)):
            if length > 0 and np.isfinite(length):
                durations.append(length)
                levels.append(level)
    return np.asarray(durations, dtype=float), np.asarray(levels, dtype=np.int64)
