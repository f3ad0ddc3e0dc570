TITLE tmslab_leftout: the Aberra et al. 2018 channels tmslab's cells leave out (NEURON only)

COMMENT
Written for tmslab from the published equations (Hay E et al. 2011, PLoS Comput Biol
7:e1002107, doi 10.1371/journal.pcbi.1002107, as Aberra et al. 2018, J Neural Eng 15:066023,
doi 10.1088/1741-2552/aadbb1, set their temperature factors), to measure in NEURON what the
channels tmslab's "aberra" membranes omit do to a threshold (tools/aberra_left_out.py). Not used
by tmslab's solvers.
  NaTs2_t  transient Na, m^3 h, phi = 2.3^((celsius - 21)/10)
  SKv3_1   Kv3.1, m, no temperature factor (apical dendrites)
  Ih       HCN, m, no temperature factor, reversal -45 mV
  Im       M current, m, phi
  Ca_HVA   m^2 h, no temperature factor
  Ca_LVAst m^2 h, phi, written for v + 10 mV
  SK_E2    z = 1 / (1 + (0.00043 mM / cai)^4.8), tau 1 ms
  CaDynamics_E2: cai' = -10000 ica gamma / (2 F depth) - (cai - minCai) / decay
Calcium is kept inside this mechanism: eca by Nernst from cai and cao = 2 mM. A constant
current icomp, fixed at INITIAL, cancels the mechanism's current at the starting potential, so
the cell keeps its rest (as tmslab's leak reversals do).
ENDCOMMENT

NEURON {
    SUFFIX tmslab_leftout
    NONSPECIFIC_CURRENT i
    RANGE gnats, gkv31, gih, gim, ghva, glva, gsk, gamma, decay, icomp, ena, ek, ehcn
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
    R = (k-mole) (joule/degC)
}

PARAMETER {
    gnats = 0 (mho/cm2)
    gkv31 = 0 (mho/cm2)
    gih = 0 (mho/cm2)
    gim = 0 (mho/cm2)
    ghva = 0 (mho/cm2)
    glva = 0 (mho/cm2)
    gsk = 0 (mho/cm2)
    gamma = 0.05
    decay = 80 (ms)
    depth = 0.1 (um)
    mincai = 1e-4 (mM)
    cao = 2 (mM)
    ena = 50 (mV)
    ek = -85 (mV)
    ehcn = -45 (mV)
    celsius (degC)
}

STATE { mn hn mkv mih mim mhva hhva mlva hlva z cai (mM) }

ASSIGNED {
    v (mV)
    i (mA/cm2)
    ica (mA/cm2)
    eca (mV)
    icomp (mA/cm2)
    inf[10]
    tau[10]
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    i = total(v) + icomp
}

FUNCTION total(vm (mV)) (mA/cm2) {
    eca = nernst()
    ica = (ghva * mhva * mhva * hhva + glva * mlva * mlva * hlva) * (vm - eca)
    total = gnats * mn * mn * mn * hn * (vm - ena) + (gkv31 * mkv + gim * mim + gsk * z) * (vm - ek) + gih * mih * (vm - ehcn) + ica
}

FUNCTION nernst() (mV) {
    nernst = (1000) * R * (celsius + 273.15) / (2 * FARADAY) * log(cao / cai)
}

INITIAL {
    cai = mincai
    rates(v)
    mn = inf[0]
    hn = inf[1]
    mkv = inf[2]
    mih = inf[3]
    mim = inf[4]
    mhva = inf[5]
    hhva = inf[6]
    mlva = inf[7]
    hlva = inf[8]
    z = 0
    icomp = 0
    : steady calcium and SK at the starting potential: a few fixed-point passes
    FROM k = 0 TO 50 {
        eca = nernst()
        ica = (ghva * mhva * mhva * hhva + glva * mlva * mlva * hlva) * (v - eca)
        cai = mincai - (10000) * ica * gamma / (2 * FARADAY * depth) * decay
        if (cai < 1e-7) { cai = 1e-7 }
        z = 1 / (1 + (0.00043 / cai)^4.8)
    }
    icomp = -total(v)
}

DERIVATIVE states {
    rates(v)
    mn' = (inf[0] - mn) / tau[0]
    hn' = (inf[1] - hn) / tau[1]
    mkv' = (inf[2] - mkv) / tau[2]
    mih' = (inf[3] - mih) / tau[3]
    mim' = (inf[4] - mim) / tau[4]
    mhva' = (inf[5] - mhva) / tau[5]
    hhva' = (inf[6] - hhva) / tau[6]
    mlva' = (inf[7] - mlva) / tau[7]
    hlva' = (inf[8] - hlva) / tau[8]
    z' = (zinf(cai) - z) / 1 (ms)
    cai' = -(10000) * ica * gamma / (2 * FARADAY * depth) - (cai - mincai) / decay
}

FUNCTION zinf(c (mM)) {
    if (c < 1e-7) { c = 1e-7 }
    zinf = 1 / (1 + (0.00043 / c)^4.8)
}

FUNCTION xexp(x) {
    : x / (exp(x) - 1), its limit 1 - x/2 near 0
    if (fabs(x) < 1e-6) {
        xexp = 1 - x / 2
    } else {
        xexp = x / (exp(x) - 1)
    }
}

PROCEDURE rates(vm (mV)) {
    LOCAL phi, a, b, u
    UNITSOFF
    phi = 2.3^((celsius - 21) / 10)
    : NaTs2_t
    a = 0.182 * 6 * xexp(-(vm + 32) / 6)
    b = 0.124 * 6 * xexp((vm + 32) / 6)
    inf[0] = a / (a + b)
    tau[0] = 1 / ((a + b) * phi)
    a = 0.015 * 6 * xexp((vm + 60) / 6)
    b = 0.015 * 6 * xexp(-(vm + 60) / 6)
    inf[1] = a / (a + b)
    tau[1] = 1 / ((a + b) * phi)
    : SKv3_1
    inf[2] = 1 / (1 + exp((vm - 18.7) / -9.7))
    tau[2] = 0.2 * 20 / (1 + exp((vm + 46.56) / -44.14))
    : Ih
    a = 0.001 * 6.43 * 11.9 * xexp((vm + 154.9) / 11.9)
    b = 0.001 * 193 * exp(vm / 33.1)
    inf[3] = a / (a + b)
    tau[3] = 1 / (a + b)
    : Im
    a = 3.3e-3 * exp(2.5 * 0.04 * (vm + 35))
    b = 3.3e-3 * exp(-2.5 * 0.04 * (vm + 35))
    inf[4] = a / (a + b)
    tau[4] = 1 / ((a + b) * phi)
    : Ca_HVA
    a = 0.055 * 3.8 * xexp((-27 - vm) / 3.8)
    b = 0.94 * exp((-75 - vm) / 17)
    inf[5] = a / (a + b)
    tau[5] = 1 / (a + b)
    a = 0.000457 * exp((-13 - vm) / 50)
    b = 0.0065 / (exp((-vm - 15) / 28) + 1)
    inf[6] = a / (a + b)
    tau[6] = 1 / (a + b)
    : Ca_LVAst
    u = vm + 10
    inf[7] = 1 / (1 + exp((u + 30) / -6))
    tau[7] = (5 + 20 / (1 + exp((u + 25) / 5))) / phi
    inf[8] = 1 / (1 + exp((u + 80) / 6.4))
    tau[8] = (20 + 50 / (1 + exp((u + 40) / 7))) / phi
    UNITSON
}
