TITLE tmslab_ctxaxon: unmyelinated cortical axon of Aberra et al. 2018 (Hay et al. 2011 channels)

COMMENT
Written for tmslab from the published equations of the channels that
  Aberra AS, Peterchev AV, Grill WM (2018). Biophysically realistic neuron models for
  simulation of cortical stimulation. J Neural Eng 15:066023. doi:10.1088/1741-2552/aadbb1
put on the unmyelinated axon of their cortical cells: the axon-initial-segment set of
  Hay E, Hill S, Schuermann F, Markram H, Segev I (2011). PLoS Comput Biol 7:e1002107.
without its calcium channels:
  NaTa_t  transient Na, m^3 h   (Colbert & Pan 2002)
  Nap_Et2 persistent Na, m^3 h  (Magistretti & Alonso 1999)
  K_Pst   persistent K, m^2 h   (Korngreen & Sakmann 2000)
  K_Tst   transient K, m^4 h    (Korngreen & Sakmann 2000)
  SKv3_1  Kv3.1, m              (Rettig et al. 1992)
plus a leak. Rates of the first four scale with phi = 2.3^((celsius - 21)/10), as Aberra et al.
made them (Hay et al. fixed celsius at 34 degC in phi); Kv3.1 has no temperature factor.
Default densities (S/cm2) are Aberra et al.'s unmyelinated axon: gnabar 3.137968, gnapbar
0.006827, gkpbar 0.973538, gktbar 0.089259, gkbar 1.021945, gl 3e-5, el -75 mV; ena 50, ek -85 mV.
vshna (default 0) moves the transient Na gates along the voltage axis: Hay et al.'s somatic
NaTs2_t is NaTa_t with both gates at v - 6 mV (same rates and temperature factor), so vshna = 6
makes the transient Na NaTs2_t (tmslab's "ctx-soma" channel set, the soma of the Aberra cells).

The same equations are coded in tmslab.neuron.kinetics (ctx_axon_gate, the batched solver); keep
them in step. The removable singularities of the x/(1-exp(-x)) terms use the limit 1 - x/2 for
|x| < 1e-6 (the published files shift v by 1e-4 mV instead). All currents are nonspecific so the
reversal potentials are those set here.
ENDCOMMENT

NEURON {
    SUFFIX tmslab_ctxaxon
    NONSPECIFIC_CURRENT ina
    NONSPECIFIC_CURRENT inap
    NONSPECIFIC_CURRENT ikp
    NONSPECIFIC_CURRENT ikt
    NONSPECIFIC_CURRENT ik
    NONSPECIFIC_CURRENT il
    RANGE gnabar, gnapbar, gkpbar, gktbar, gkbar, gl, ena, ek, el, vshna
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    gnabar = 3.137968 (mho/cm2)
    gnapbar = 0.006827 (mho/cm2)
    gkpbar = 0.973538 (mho/cm2)
    gktbar = 0.089259 (mho/cm2)
    gkbar = 1.021945 (mho/cm2)
    gl = 3e-5 (mho/cm2)
    ena = 50.0 (mV)
    ek = -85.0 (mV)
    el = -75.0 (mV)
    vshna = 0 (mV)
    celsius (degC)
}

STATE { m h mp hp mkp hkp mkt hkt n }

ASSIGNED {
    v (mV)
    ina (mA/cm2)
    inap (mA/cm2)
    ikp (mA/cm2)
    ikt (mA/cm2)
    ik (mA/cm2)
    il (mA/cm2)
    m_inf h_inf mp_inf hp_inf mkp_inf hkp_inf mkt_inf hkt_inf n_inf
    tau_m (ms) tau_h (ms) tau_mp (ms) tau_hp (ms) tau_mkp (ms) tau_hkp (ms)
    tau_mkt (ms) tau_hkt (ms) tau_n (ms)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    ina = gnabar * m * m * m * h * (v - ena)
    inap = gnapbar * mp * mp * mp * hp * (v - ena)
    ikp = gkpbar * mkp * mkp * hkp * (v - ek)
    ikt = gktbar * mkt * mkt * mkt * mkt * hkt * (v - ek)
    ik = gkbar * n * (v - ek)
    il = gl * (v - el)
}

DERIVATIVE states {
    rates(v)
    m' = (m_inf - m) / tau_m
    h' = (h_inf - h) / tau_h
    mp' = (mp_inf - mp) / tau_mp
    hp' = (hp_inf - hp) / tau_hp
    mkp' = (mkp_inf - mkp) / tau_mkp
    hkp' = (hkp_inf - hkp) / tau_hkp
    mkt' = (mkt_inf - mkt) / tau_mkt
    hkt' = (hkt_inf - hkt) / tau_hkt
    n' = (n_inf - n) / tau_n
}

INITIAL {
    rates(v)
    m = m_inf
    h = h_inf
    mp = mp_inf
    hp = hp_inf
    mkp = mkp_inf
    hkp = hkp_inf
    mkt = mkt_inf
    hkt = hkt_inf
    n = n_inf
}

UNITSOFF

FUNCTION xexp(y) {
    : y / (exp(y) - 1), with its limit at y = 0
    if (fabs(y) < 1e-6) {
        xexp = 1 - y / 2
    } else {
        xexp = y / (exp(y) - 1)
    }
}

PROCEDURE rates(v(mV)) { LOCAL a, b, phi, u
    phi = 2.3 ^ ((celsius - 21) / 10)
    : Nap_Et2 activation: 6 x the time constant of NaTa_t's activation (unshifted)
    a = 0.182 * 6 * xexp(-(v + 38) / 6)
    b = 0.124 * 6 * xexp((v + 38) / 6)
    mp_inf = 1 / (1 + exp((v + 52.6) / -4.6))
    tau_mp = 6 / ((a + b) * phi)
    : NaTa_t activation, at v - vshna (vshna = 6 mV: NaTs2_t)
    a = 0.182 * 6 * xexp(-(v - vshna + 38) / 6)
    b = 0.124 * 6 * xexp((v - vshna + 38) / 6)
    m_inf = a / (a + b)
    tau_m = 1 / ((a + b) * phi)
    : NaTa_t inactivation
    a = 0.015 * 6 * xexp((v - vshna + 66) / 6)
    b = 0.015 * 6 * xexp(-(v - vshna + 66) / 6)
    h_inf = a / (a + b)
    tau_h = 1 / ((a + b) * phi)
    : Nap_Et2 inactivation
    a = 2.88e-6 * 4.63 * xexp((v + 17) / 4.63)
    b = 6.94e-6 * 2.63 * xexp(-(v + 64.4) / 2.63)
    hp_inf = 1 / (1 + exp((v + 48.8) / 10))
    tau_hp = 1 / ((a + b) * phi)
    : K_Pst and K_Tst are written for v shifted by +10 mV
    u = v + 10
    mkp_inf = 1 / (1 + exp(-(u + 1) / 12))
    if (u < -50) {
        tau_mkp = (1.25 + 175.03 * exp(0.026 * u)) / phi
    } else {
        tau_mkp = (1.25 + 13 * exp(-0.026 * u)) / phi
    }
    hkp_inf = 1 / (1 + exp((u + 54) / 11))
    tau_hkp = (360 + (1010 + 24 * (u + 55)) * exp(-((u + 75) / 48) ^ 2)) / phi
    mkt_inf = 1 / (1 + exp(-u / 19))
    tau_mkt = (0.34 + 0.92 * exp(-((u + 71) / 59) ^ 2)) / phi
    hkt_inf = 1 / (1 + exp((u + 66) / 10))
    tau_hkt = (8 + 49 * exp(-((u + 73) / 23) ^ 2)) / phi
    : Kv3.1 (no temperature factor)
    n_inf = 1 / (1 + exp((v - 18.7) / -9.7))
    tau_n = 4 / (1 + exp((v + 46.56) / -44.14))
}

UNITSON
