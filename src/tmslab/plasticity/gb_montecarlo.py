"""Monte Carlo of the full stochastic Graupner-Brunel synapse, to check the analytic treatment.

Integrates, synapse by synapse, the full equation with its cubic (bistable) term and the noise
(Euler-Maruyama while calcium is above theta_d, fourth-order Runge-Kutta for the noise-free
relaxation below it), on the exact calcium segments of
:func:`tmslab.plasticity.graupner_brunel.activity_segments`. A synapse counts as switched when it
ends on the other side of rho*, as in the authors' simulation code (stdp_noisy.cpp of
github.com/mgraupe/CalciumBasedPlasticityModel).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from tmslab.errors import InvalidValueError
from tmslab.plasticity.graupner_brunel import (
    BOTH,
    DEPRESSION,
    activity_segments,
    strength_change,
)
from tmslab.plasticity.inputs import SpikeTrains, check_count
from tmslab.plasticity.params import GraupnerBrunelParameters


@dataclass(frozen=True)
class MonteCarloResult:
    """Switching probabilities from ``n_synapses`` simulated synapses per initial state.

    up, down: fraction of DOWN synapses that ended UP, of UP synapses that ended DOWN.
    relative_strength: the paper's strength formula with these fractions.
    standard_error: its binomial standard error.
    """

    up: float
    down: float
    relative_strength: float
    standard_error: float
    n_synapses: int


@njit(cache=True)
def _drift(rho, gp_on, gd_on, gamma_p, gamma_d, rho_star, tau):
    return (
        -rho * (1.0 - rho) * (rho_star - rho)
        + gamma_p * gp_on * (1.0 - rho)
        - gamma_d * gd_on * rho
    ) / tau


@njit(cache=True)
def _simulate(
    durations, levels, rho0, n, gamma_p, gamma_d, sigma, rho_star, tau, dt, quiet_dt, seed
):
    np.random.seed(seed)
    final = np.empty(n)
    for k in range(n):
        rho = rho0
        for j in range(durations.size):
            length = durations[j]
            level = levels[j]
            if level == 0:  # noise-free relaxation: RK4
                steps = max(1, int(np.ceil(length / quiet_dt)))
                h = length / steps
                for _ in range(steps):
                    k1 = _drift(rho, 0.0, 0.0, gamma_p, gamma_d, rho_star, tau)
                    k2 = _drift(rho + 0.5 * h * k1, 0.0, 0.0, gamma_p, gamma_d, rho_star, tau)
                    k3 = _drift(rho + 0.5 * h * k2, 0.0, 0.0, gamma_p, gamma_d, rho_star, tau)
                    k4 = _drift(rho + h * k3, 0.0, 0.0, gamma_p, gamma_d, rho_star, tau)
                    rho += h * (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0
            else:
                gp_on = 1.0 if level == 2 else 0.0
                steps = max(1, int(np.ceil(length / dt)))
                h = length / steps
                noise = sigma * np.sqrt((1.0 + gp_on) / tau) * np.sqrt(h)
                for _ in range(steps):
                    rho += h * _drift(rho, gp_on, 1.0, gamma_p, gamma_d, rho_star, tau)
                    rho += noise * np.random.standard_normal()
        final[k] = rho
    return final


def simulate(
    trains: SpikeTrains,
    p: GraupnerBrunelParameters,
    n_synapses: int = 1000,
    dt_s: float = 1e-4,
    seed: int = 0,
) -> MonteCarloResult:
    """Simulate ``n_synapses`` synapses starting DOWN (rho = 0) and as many starting UP (rho = 1).

    dt_s: Euler-Maruyama step while calcium is above theta_d, s.
    """
    n = check_count("n_synapses", n_synapses)
    if not 0 < dt_s <= 1e-3:
        raise InvalidValueError(f"dt_s = {dt_s!r} s; use a step in (0, 1e-3] s")
    durations, levels = activity_segments(trains, p)
    assert BOTH == 2 and DEPRESSION == 1  # the kernel's level codes
    args = (p.gamma_p, p.gamma_d, p.sigma, p.rho_star, p.tau_s, dt_s, 0.01)
    from_down = _simulate(durations, levels, 0.0, n, *args, seed)
    from_up = _simulate(durations, levels, 1.0, n, *args, seed + 1)
    up = float(np.mean(from_down > p.rho_star))
    down = float(np.mean(from_up <= p.rho_star))
    strength = float(strength_change(np.asarray(up), np.asarray(down), p.beta, p.b))
    # the strength is linear in U and D: propagate their binomial variances
    se = (
        (p.b - 1.0)
        * np.sqrt((p.beta**2 * up * (1 - up) + (1 - p.beta) ** 2 * down * (1 - down)) / n)
        / (p.beta + (1 - p.beta) * p.b)
    )
    return MonteCarloResult(up, down, strength, float(se), n)
