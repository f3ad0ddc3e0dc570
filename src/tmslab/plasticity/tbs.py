"""Huang et al. 2011 theta-burst after-effect model (stages I-III), exact recursion per burst.

Huang, Rothwell, Chen, Lu & Chuang 2011, Clin Neurophysiol 122:1011-1018,
doi 10.1016/j.clinph.2010.08.016; parameters and the corrected version in
``tmslab/data/plasticity/huang_2011_tbs.toml``.

Stage I: each burst adds ``c`` to postsynaptic calcium, which decays with rate k between bursts:
``C_n = (C_{n-1} + c) exp(-k gap_n)`` (gap: burst period minus the 40 ms burst).
Stage II: per burst within a train ``F_n = (r_f (C_n - C_{n-lag}) + F_{n-1}) exp(-f_k/c)`` and
``I_n = (r_i/c^2 C_n + I_{n-1}) exp(-i_k/c^2)``; between trains F and I decay with rate b_k, and
each train's F and I add to what is left. Stage III: the after-effect is ``net = F - I`` at the
end, with a Hill-shaped rise to a peak at ``t_inh = 1800 s B^3.6/(130^3.6 + B^3.6)`` (inhibition;
facilitation peaks at t_inh / 5; B the number of bursts) and a Hill-shaped decay after it.

The model describes patterns of 3-pulse bursts only; other patterns raise InvalidValueError.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.plasticity.params import HuangTBSParameters
from tmslab.units import MS_PER_S

PULSES_PER_BURST = 3
MAX_INTRA_BURST_INTERVAL_S = 0.05  # pulses closer than this (>= 20 Hz) belong to one burst
MAX_BURST_PERIOD_S = 1.0  # bursts closer than this (onset to onset) belong to one train


@dataclass(frozen=True, eq=False)
class BurstPattern:
    """Bursts of a protocol grouped into trains.

    onsets_s: (B,) burst onsets, s. train: (B,) 0-based train of each burst.
    period_s: (B,) onset-to-onset time to the next burst of the same train (the train's median
        period for its last burst), s.
    """

    onsets_s: np.ndarray
    train: np.ndarray
    period_s: np.ndarray

    @property
    def n_bursts(self) -> int:
        return int(self.onsets_s.size)


@dataclass(frozen=True, eq=False)
class TBSRun:
    """Stages I-II per burst and the stage-III after-effect.

    t_s: (B,) burst onsets, s. calcium, facilitation, inhibition: (B,) model units after each
    burst. net: F - I at the end of stimulation (> 0 facilitation, < 0 inhibition).
    peak_time_s: time after stimulation of the after-effect peak, s. after_t_s, after_effect:
    (K,) the after-effect time course (s after the end, model units).
    """

    t_s: np.ndarray
    calcium: np.ndarray
    facilitation: np.ndarray
    inhibition: np.ndarray
    net: float
    peak_time_s: float
    peak_effect: float
    after_t_s: np.ndarray
    after_effect: np.ndarray

    @property
    def balance(self) -> float:
        """net / (F + I) at the end: the relative dominance of facilitation, in [-1, 1]."""
        total = self.facilitation[-1] + self.inhibition[-1]
        return float(self.net / total) if total > 0 else 0.0


def burst_pattern(pulses_s: np.ndarray, what: str = "the protocol") -> BurstPattern:
    """Group pulse times (N,) s into 3-pulse bursts and trains; InvalidValueError if not TBS."""
    pulses = np.asarray(pulses_s, dtype=float)
    if pulses.size == 0:
        raise InvalidValueError(f"{what} has no pulses")
    breaks = np.flatnonzero(np.diff(pulses) > MAX_INTRA_BURST_INTERVAL_S) + 1
    starts = np.concatenate([[0], breaks])
    sizes = np.diff(np.concatenate([starts, [pulses.size]]))
    if np.any(sizes != PULSES_PER_BURST):
        odd = int(sizes[np.argmax(sizes != PULSES_PER_BURST)])
        raise InvalidValueError(
            f"the theta-burst model (huang-tbs) needs bursts of {PULSES_PER_BURST} pulses "
            f"(<= {MAX_INTRA_BURST_INTERVAL_S * MS_PER_S:g} ms apart), but {what} has a burst of {odd}; "
            "use it for iTBS/cTBS-like protocols"
        )
    onsets = pulses[starts]
    gaps = np.diff(onsets)
    train = np.concatenate([[0], np.cumsum(gaps > MAX_BURST_PERIOD_S)])
    period = np.empty(onsets.size)
    for index in np.unique(train):
        members = np.flatnonzero(train == index)
        inside = np.diff(onsets[members])
        typical = float(np.median(inside)) if inside.size else 0.2
        period[members[:-1]] = inside
        period[members[-1]] = typical
    return BurstPattern(onsets, train, period)


def simulate(
    pulses_s: np.ndarray,
    p: HuangTBSParameters,
    contraction_before: bool = True,
    what: str = "the protocol",
    after_s: float = 3600.0,
) -> TBSRun:
    """Run stages I-III for a theta-burst pulse train (pulses_s: (N,) s, ascending).

    contraction_before: True models stimulation after a tonic contraction (calcium per burst
    ``c_burst_contraction``, as in Huang et al. 2005); False a relaxed muscle (``c_burst_relaxed``).
    after_s: length of the after-effect time course, s.
    """
    pattern = burst_pattern(pulses_s, what)
    c = p.c_burst_contraction if contraction_before else p.c_burst_relaxed
    f_decay = np.exp(-p.f_k / c)
    i_decay = np.exp(-p.i_k / c**2)
    r_i = p.r_i / c**2
    n = pattern.n_bursts
    calcium = np.empty(n)
    fac = np.empty(n)
    inh = np.empty(n)
    f_left = i_left = 0.0  # what previous trains left, decayed over the gaps
    for index in np.unique(pattern.train):
        members = np.flatnonzero(pattern.train == index)
        if index > 0:
            previous = np.flatnonzero(pattern.train == index - 1)[-1]
            gap = (
                pattern.onsets_s[members[0]]
                - pattern.onsets_s[previous]
                - pattern.period_s[previous]
            )
            f_left = fac[previous] * np.exp(-p.b_k_per_s * max(gap, 0.0))
            i_left = inh[previous] * np.exp(-p.b_k_per_s * max(gap, 0.0))
        history = [0.0, 0.0]  # C_{n-2}, C_{n-1} within the train
        level = f_train = i_train = 0.0
        for position, burst in enumerate(members):
            between = max(pattern.period_s[burst] - p.burst_duration_s, 0.0)
            level = (level + c) * np.exp(-p.k_per_s * between)
            if p.increment_lag == 2 and position == 0:
                f_train = level  # the original script: F_1 = C_1
            else:
                f_train = (p.r_f * (level - history[2 - p.increment_lag]) + f_train) * f_decay
            i_train = (r_i * level + i_train) * i_decay
            history = [history[1], level]
            calcium[burst] = level
            fac[burst] = f_left + f_train
            inh[burst] = i_left + i_train
    net = float(fac[-1] - inh[-1])
    # the original script takes the inhibitory time course when I >= F or without contraction
    inhibitory = bool(inh[-1] >= fac[-1]) or not contraction_before
    after_t = np.linspace(0.0, after_s, 721)
    peak, effect = _after_effect(after_t, net, n, inhibitory, p)
    _, at_peak = _after_effect(np.array([peak]), net, n, inhibitory, p)
    return TBSRun(
        pattern.onsets_s, calcium, fac, inh, net, peak, float(at_peak[0]), after_t, effect
    )


def _after_effect(
    t_s: np.ndarray, net: float, n_bursts: int, inhibitory: bool, p: HuangTBSParameters
) -> tuple[float, np.ndarray]:
    """Stage III: peak time (s) and the after-effect at times t_s (K,) s after stimulation."""
    h = p.hill_peak
    peak_inh = round(p.peak_max_s * n_bursts**h / (p.peak_bursts**h + n_bursts**h))
    if inhibitory:
        peak = float(peak_inh)
        h_on, h_off = p.hill_onset_inhibition, p.hill_decay_inhibition
        half_on, half_off = p.half_onset_inhibition * peak, p.half_decay_inhibition * peak
    else:
        peak = float(round(peak_inh / 5))
        h_on, h_off = p.hill_onset_facilitation, p.hill_decay_facilitation
        half_on, half_off = p.half_onset_facilitation * peak, p.half_decay_facilitation * peak
    t = np.asarray(t_s, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rise = net * t**h_on / (half_on**h_on + t**h_on)
        top = net * peak**h_on / (half_on**h_on + peak**h_on)
        fall = top * half_off**h_off / (half_off**h_off + (t - peak) ** h_off)
    effect = np.where(t <= peak, rise, fall)
    return peak, np.nan_to_num(effect)
