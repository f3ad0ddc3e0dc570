TITLE tmslab_mrg: nodal membrane of the MRG myelinated-axon model (fast Na, persistent Na, slow K, leak)

COMMENT
Written for tmslab from the equations published in
  McIntyre CC, Richardson AG, Grill WM (2002). Modeling the excitability of mammalian nerve
  fibers: influence of afterpotentials on the recovery cycle. J Neurophysiol 87:995-1006.
  doi:10.1152/jn.00353.2001
Densities (S/cm2): gnabar 3.0, gnapbar 0.01, gkbar 0.08, gl 0.007; ena 50 mV, ek -90 mV; rest
-80 mV. Rate constants in 1/ms at the temperature `celsius` through the paper's Q10 factors
(2.2 and 2.9 relative to 20 degC for the Na gates, 3.0 relative to 36 degC for slow K).

The same equations are coded in tmslab.neuron.kinetics (the batched solver); keep them in step.
The singular points of the x/(1-exp(-x)) terms use the limit 1 - x/2 for |x| < 1e-6.
ENDCOMMENT

NEURON {
    SUFFIX tmslab_mrg
    NONSPECIFIC_CURRENT ina
    NONSPECIFIC_CURRENT inap
    NONSPECIFIC_CURRENT ik
    NONSPECIFIC_CURRENT il
    RANGE gnabar, gnapbar, gkbar, gl, ena, ek, el
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    gnabar = 3.0 (mho/cm2)
    gnapbar = 0.01 (mho/cm2)
    gkbar = 0.08 (mho/cm2)
    gl = 0.007 (mho/cm2)
    ena = 50.0 (mV)
    ek = -90.0 (mV)
    el = -90.0 (mV)
    celsius (degC)
}

STATE { mp m h s }

ASSIGNED {
    v (mV)
    ina (mA/cm2)
    inap (mA/cm2)
    ik (mA/cm2)
    il (mA/cm2)
    mp_inf m_inf h_inf s_inf
    tau_mp (ms) tau_m (ms) tau_h (ms) tau_s (ms)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    inap = gnapbar * mp * mp * mp * (v - ena)
    ina = gnabar * m * m * m * h * (v - ena)
    ik = gkbar * s * (v - ek)
    il = gl * (v - el)
}

DERIVATIVE states {
    rates(v)
    mp' = (mp_inf - mp) / tau_mp
    m' = (m_inf - m) / tau_m
    h' = (h_inf - h) / tau_h
    s' = (s_inf - s) / tau_s
}

INITIAL {
    rates(v)
    mp = mp_inf
    m = m_inf
    h = h_inf
    s = s_inf
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

PROCEDURE rates(v(mV)) { LOCAL a, b, q1, q2, q3
    q1 = 2.2 ^ ((celsius - 20) / 10)
    q2 = 2.9 ^ ((celsius - 20) / 10)
    q3 = 3.0 ^ ((celsius - 36) / 10)
    : persistent Na activation
    a = q1 * 0.01 * 10.2 * xexp(-(v + 27) / 10.2)
    b = q1 * 0.00025 * 10 * xexp((v + 34) / 10)
    tau_mp = 1 / (a + b)
    mp_inf = a / (a + b)
    : fast Na activation
    a = q1 * 1.86 * 10.3 * xexp(-(v + 21.4) / 10.3)
    b = q1 * 0.086 * 9.16 * xexp((v + 25.7) / 9.16)
    tau_m = 1 / (a + b)
    m_inf = a / (a + b)
    : fast Na inactivation
    a = q2 * 0.062 * 11 * xexp((v + 114) / 11)
    b = q2 * 2.3 / (1 + exp(-(v + 31.8) / 13.4))
    tau_h = 1 / (a + b)
    h_inf = a / (a + b)
    : slow K activation (Traub convention, v shifted by +80 mV)
    a = q3 * 0.3 / (exp(-(v + 80 - 27) / 5) + 1)
    b = q3 * 0.03 / (exp(-(v + 80 + 10) / 1) + 1)
    tau_s = 1 / (a + b)
    s_inf = a / (a + b)
}

UNITSON
