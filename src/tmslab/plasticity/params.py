"""Parameter sets of the plasticity models: frozen values in SI units, each with its source.

The numbers live in data files (``tmslab/data/graupner_brunel_2012_parameters.csv`` and
``tmslab/data/plasticity/*.toml``); :mod:`tmslab.plasticity.data` reads them into these classes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from tmslab.sources import Source


@dataclass(frozen=True)
class _Parameters:
    name: str
    source: Source
    description: str

    def values(self) -> dict[str, float]:
        """The numeric parameters (SI units, names carry them), for reports and JSON."""
        skip = {"name", "source", "description"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}


@dataclass(frozen=True)
class GraupnerBrunelParameters(_Parameters):
    """Graupner & Brunel 2012 calcium-based synapse.

    tau_ca_s: calcium decay time, s. c_pre, c_post: calcium jump of a pre/post spike
    (dimensionless). theta_d, theta_p: depression/potentiation thresholds. gamma_d, gamma_p:
    depression/potentiation rates (in units of 1/tau_s). sigma: noise amplitude. tau_s: time
    constant of the efficacy rho, s. delay_s: delay D of the presynaptic calcium transient, s.
    beta: fraction of synapses initially in the DOWN state. b: UP/DOWN strength ratio.
    rho_star: unstable fixed point separating DOWN and UP.
    """

    tau_ca_s: float
    c_pre: float
    c_post: float
    theta_d: float
    theta_p: float
    gamma_d: float
    gamma_p: float
    sigma: float
    tau_s: float
    delay_s: float
    beta: float
    b: float
    rho_star: float = 0.5


@dataclass(frozen=True)
class ShouvalParameters(_Parameters):
    """Shouval, Bear & Cooper 2002 unified calcium model, SI units.

    Concentrations in mol/m^3 (1 uM = 1e-3 mol/m^3); voltages in V; times in s.
    g_nmda: NMDA calcium conductance, mol m^-3 s^-1 V^-1 (negative). beta1, beta2: slopes of
    Omega, m^3/mol. p1: in s (mol/m^3)^p3; p2: in (mol/m^3)^p3 (eta = 1/(p1/(p2 + Ca^p3) + p4)).
    """

    tau_ca_s: float
    g_nmda: float
    p0: float
    i_fast: float
    i_slow: float
    tau_fast_s: float
    tau_slow_s: float
    v_reversal_v: float
    mg_mol_per_m3: float
    mg_half_mol_per_m3: float
    k_mg_per_v: float
    alpha1_mol_per_m3: float
    alpha2_mol_per_m3: float
    beta1_m3_per_mol: float
    beta2_m3_per_mol: float
    p1: float
    p2: float
    p3: float
    p4_s: float
    v_rest_v: float
    epsp_amplitude_v: float
    epsp_tau_decay_s: float
    epsp_tau_rise_s: float
    bpap_amplitude_v: float
    bpap_fraction_fast: float
    bpap_tau_fast_s: float
    bpap_tau_slow_s: float
    bpap_delay_s: float
    w_initial: float


@dataclass(frozen=True)
class BCMParameters(_Parameters):
    """Rate-based BCM rule with the Intrator-Cooper sliding threshold, SI units.

    tau_rate_s: time over which the pulse train is read as a presynaptic rate x(t), s.
    background_rate_hz: postsynaptic rate from other inputs, y_b. crossover_hz: stimulation rate
    at which LTD turns into LTP for an unprimed synapse (theta_0 = y_b + crossover). tau_theta_s:
    time constant of the sliding threshold, s. eta: learning rate, 1/(s Hz^3).
    """

    tau_rate_s: float
    background_rate_hz: float
    crossover_hz: float
    tau_theta_s: float
    eta: float
    w_min: float
    w_max: float


@dataclass(frozen=True)
class HuangTBSParameters(_Parameters):
    """Huang et al. 2011 theta-burst model (stages I-III), per burst and per second.

    c_burst: calcium added by one burst (1 after a tonic contraction, 3 when relaxed). k_per_s:
    calcium decay rate between bursts, 1/s. r_f, f_k, r_i, i_k: facilitation/inhibition gains and
    per-burst decays (divided by c_burst and c_burst^2 in the model). b_k_per_s: decay of F and I
    between trains, 1/s. increment_lag: 1 (corrected) or 2 (original script).
    """

    c_burst_contraction: float
    c_burst_relaxed: float
    k_per_s: float
    r_f: float
    f_k: float
    r_i: float
    i_k: float
    b_k_per_s: float
    increment_lag: int
    burst_duration_s: float
    hill_peak: float
    peak_bursts: float
    peak_max_s: float
    hill_onset_facilitation: float
    hill_onset_inhibition: float
    half_onset_facilitation: float
    half_onset_inhibition: float
    hill_decay_facilitation: float
    hill_decay_inhibition: float
    half_decay_facilitation: float
    half_decay_inhibition: float
