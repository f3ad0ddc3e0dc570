"""Shouval, Bear & Cooper 2002 unified calcium model, integrated in Numba.

Model (PNAS 99:10831-10836, doi 10.1073/pnas.152343099; parameters in
``tmslab/data/plasticity/shouval_2002.toml``)::

    d[Ca]/dt = I_NMDA - [Ca]/tau_ca,   I_NMDA = g (f + s) B(V) (V - V_r)
    B(V) = 1 / (1 + exp(-k_mg V) [Mg] / mg_half)
    dW/dt = eta([Ca]) (Omega([Ca]) - W)

Each presynaptic spike opens a fraction p0 of the closed NMDA receptors (fast and slow
components f, s); V is the resting potential plus EPSPs (difference of exponentials) and
back-propagating action potentials (fast spike plus after-depolarisation, arriving
``bpap_delay_s`` after the postsynaptic spike), or a clamped value.

Integration: receptor gating, EPSP and BPAP are exact exponentials between events; calcium and
the weight use exponential integrators with the driving terms at the step midpoint. Steps are
``dt_s`` (0.1 ms) within ``fine_window_s`` (50 ms) of an event, then grow with the time since
it (``growth`` x that time) up to ``coarse_dt_s`` (5 ms); steps never cross an event. Halving
every step changes the results by < 1 % (tests/plasticity).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from tmslab.errors import InvalidValueError
from tmslab.plasticity.inputs import SpikeTrains
from tmslab.plasticity.params import ShouvalParameters

PRE, POST = 0, 1
TAIL_S = 2.0  # simulated time after the last event: calcium back to rest (10 x tau_slow)


@dataclass(frozen=True, eq=False)
class ShouvalRun:
    """One simulation.

    t_s: (K,) sample times, s. w: (K,) weight W (dimensionless, rest Omega(0) ~ 0.25).
    ca_peak_mol_per_m3: highest calcium reached, mol/m^3.
    relative_weight: W at the end over W at the start.
    """

    t_s: np.ndarray
    w: np.ndarray
    ca_peak_mol_per_m3: float

    @property
    def relative_weight(self) -> float:
        return float(self.w[-1] / self.w[0])


def _vector(p: ShouvalParameters) -> np.ndarray:
    epsp_norm = _epsp_peak(p.epsp_tau_decay_s, p.epsp_tau_rise_s)
    return np.array(
        [
            p.tau_ca_s,  # 0
            p.g_nmda,
            p.p0,
            p.i_fast,
            p.i_slow,
            p.tau_fast_s,  # 5
            p.tau_slow_s,
            p.v_reversal_v,
            p.mg_mol_per_m3 / p.mg_half_mol_per_m3,
            p.k_mg_per_v,
            p.alpha1_mol_per_m3,  # 10
            p.alpha2_mol_per_m3,
            p.beta1_m3_per_mol,
            p.beta2_m3_per_mol,
            p.p1,
            p.p2,  # 15
            p.p3,
            p.p4_s,
            p.v_rest_v,
            p.epsp_amplitude_v / epsp_norm,
            p.epsp_tau_decay_s,  # 20
            p.epsp_tau_rise_s,
            p.bpap_amplitude_v * p.bpap_fraction_fast,
            p.bpap_amplitude_v * (1.0 - p.bpap_fraction_fast),
            p.bpap_tau_fast_s,
            p.bpap_tau_slow_s,  # 25
        ]
    )


def _epsp_peak(tau_decay: float, tau_rise: float) -> float:
    """Peak of exp(-t/tau_decay) - exp(-t/tau_rise) (0.6968 for 50 ms / 5 ms, Shouval 2002 SI)."""
    t_peak = np.log(tau_decay / tau_rise) * tau_decay * tau_rise / (tau_decay - tau_rise)
    return float(np.exp(-t_peak / tau_decay) - np.exp(-t_peak / tau_rise))


@njit(cache=True)
def omega(ca, a1, a2, b1, b2):
    """Omega([Ca]) of Shouval 2002: 0.25 at rest, ~0 between alpha1 and alpha2, ~1 above alpha2."""
    return 0.25 + 1.0 / (1.0 + np.exp(-b2 * (ca - a2))) - 0.25 / (1.0 + np.exp(-b1 * (ca - a1)))


@njit(cache=True)
def learning_rate(ca, p1, p2, p3, p4):
    """eta([Ca]) = 1 / (p1 / (p2 + Ca^p3) + p4), 1/s."""
    return 1.0 / (p1 / (p2 + max(ca, 0.0) ** p3) + p4)


@njit(cache=True)
def _run(ev_t, ev_kind, t_end, v_clamp, q, w0, dt, coarse_dt, fine_window, growth, max_records):
    tau_ca = q[0]
    g = q[1]
    p0 = q[2]
    i_f = q[3]
    i_s = q[4]
    tau_f = q[5]
    tau_s = q[6]
    v_r = q[7]
    mg = q[8]
    k_mg = q[9]
    clamped = not np.isnan(v_clamp)
    f = 0.0
    s = 0.0
    e1 = 0.0
    e2 = 0.0
    bf = 0.0
    bs = 0.0
    ca = 0.0
    w = w0
    ca_peak = 0.0
    n_ev = ev_t.size
    t = ev_t[0]
    j = 0
    last_event = t
    rec_every = max(1, n_ev // max_records)
    rec_t = np.empty(n_ev // rec_every + 3)
    rec_w = np.empty(n_ev // rec_every + 3)
    n_rec = 0
    rec_t[0] = t
    rec_w[0] = w
    n_rec = 1
    # decay factors over a full fine step and its half (most steps are exactly dt)
    full = np.empty(7)
    halfd = np.empty(7)
    taus = np.array([tau_f, tau_s, q[20], q[21], q[24], q[25], tau_ca])
    for m in range(7):
        full[m] = np.exp(-dt / taus[m])
        halfd[m] = np.exp(-0.5 * dt / taus[m])
    dec = np.empty(7)
    hdec = np.empty(7)
    while True:
        # apply all events at this time
        while j < n_ev and ev_t[j] <= t:
            if ev_kind[j] == 0:
                new = p0 * (1.0 - f - s)
                f += i_f * new
                s += i_s * new
                e1 += q[19]
                e2 += q[19]
            else:
                bf += q[22]
                bs += q[23]
            last_event = ev_t[j]
            if j % rec_every == 0:
                rec_t[n_rec] = t
                rec_w[n_rec] = w
                n_rec += 1
            j += 1
        if t >= t_end:
            break
        since = t - last_event
        h = dt if since < fine_window else min(coarse_dt, max(dt, growth * since))
        stop = ev_t[j] if j < n_ev else t_end
        if t + h > stop:
            h = stop - t
        if h <= 0.0:
            h = dt
        if h == dt:
            for m in range(7):
                dec[m] = full[m]
                hdec[m] = halfd[m]
        else:
            for m in range(7):
                dec[m] = np.exp(-h / taus[m])
                hdec[m] = np.exp(-0.5 * h / taus[m])
        fm = f * hdec[0]
        sm = s * hdec[1]
        if clamped:
            vm = v_clamp
        else:
            vm = q[18] + e1 * hdec[2] - e2 * hdec[3] + bf * hdec[4] + bs * hdec[5]
        block = 1.0 / (1.0 + np.exp(-k_mg * vm) * mg)
        influx = g * (fm + sm) * block * (vm - v_r)
        ca_new = ca * dec[6] + influx * tau_ca * (1.0 - dec[6])
        ca_mid = 0.5 * (ca + ca_new)
        target = omega(ca_mid, q[10], q[11], q[12], q[13])
        rate = learning_rate(ca_mid, q[14], q[15], q[16], q[17])
        w = target + (w - target) * np.exp(-rate * h)
        ca = ca_new
        ca_peak = max(ca_peak, ca)
        f *= dec[0]
        s *= dec[1]
        e1 *= dec[2]
        e2 *= dec[3]
        bf *= dec[4]
        bs *= dec[5]
        t += h
    rec_t[n_rec] = t
    rec_w[n_rec] = w
    n_rec += 1
    return rec_t[:n_rec], rec_w[:n_rec], ca_peak


def simulate(
    trains: SpikeTrains,
    p: ShouvalParameters,
    v_clamp_v: float | None = None,
    w_initial: float | None = None,
    dt_s: float = 1e-4,
    coarse_dt_s: float = 0.005,
    fine_window_s: float = 0.05,
    growth: float = 0.1,
    tail_s: float = TAIL_S,
    max_records: int = 2000,
) -> ShouvalRun:
    """Integrate the model over ``trains`` and ``tail_s`` (s) after the last spike.

    trains: pre_s (N,) and post_s (M,) spike times, s. dt_s, coarse_dt_s, fine_window_s, growth:
    the step control (module docstring). v_clamp_v: clamp the postsynaptic potential at this value, V (None: resting potential plus
    EPSPs and BPAPs). w_initial: starting weight (default Omega(0) = ``p.w_initial``).
    """
    if not 0 < dt_s <= 1e-3:
        raise InvalidValueError(f"dt_s = {dt_s!r} s; use a step in (0, 1e-3] s")
    pre = trains.pre_s
    post = trains.post_s + p.bpap_delay_s
    times = np.concatenate([pre, post])
    kinds = np.concatenate([np.full(pre.size, PRE), np.full(post.size, POST)]).astype(np.int64)
    order = np.argsort(times, kind="stable")
    times, kinds = times[order], kinds[order]
    clamp = np.nan if v_clamp_v is None else float(v_clamp_v)
    w0 = p.w_initial if w_initial is None else float(w_initial)
    t, w, ca_peak = _run(
        times,
        kinds,
        float(times[-1] + tail_s),
        clamp,
        _vector(p),
        w0,
        dt_s,
        coarse_dt_s,
        fine_window_s,
        growth,
        max_records,
    )
    return ShouvalRun(t, w, float(ca_peak))
