"""Membrane and cytoplasm parameter sets, each with its source.

A :class:`Membrane` is what a stretch of cable is made of: specific capacitance, channel densities
and reversal potentials, and the axial resistivity of its cytoplasm. SI units throughout (F/m^2,
S/m^2, V, ohm m); NEURON's units are reached only in :mod:`tmslab.neuron.nrn`.

Resting potential
-----------------
A membrane without its own leak reversal (``e_leak_v`` None) rests at the cell's ``v_rest``: the
leak reversal of an active membrane is set by :func:`leak_reversal` so that its ionic currents
cancel there (for HH this moves el from -54.3 to -54.40 mV, for the MRG node from -90 to -90.20
mV), and passive membranes reverse at ``v_rest``. A cell made of such membranes starts in exact
equilibrium at one potential. A membrane with ``e_leak_v`` keeps the leak reversal its source
gives (Aberra et al.'s e_pas = -75 mV); a cell with one then rests where its currents balance,
which differs along the cell (the passive membranes pull toward -75 mV, the axon membrane alone
would rest at -80.86 mV), and both solvers start from that steady state
(:mod:`tmslab.neuron.rest`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tmslab.errors import InvalidValueError
from tmslab.neuron.kinetics import (
    CTX_AXON,
    CTX_SOMA,
    HH,
    MRG,
    PASSIVE,
    leak_reversal_for_rest,
)
from tmslab.sources import Source
from tmslab.units import MV, MV_PER_V, OHM_CM, S_PER_CM2, UF_PER_CM2

HH_1952 = Source(
    "Hodgkin AL, Huxley AF (1952). A quantitative description of membrane current and its "
    "application to conduction and excitation in nerve. J Physiol 117:500-544",
    "10.1113/jphysiol.1952.sp004764",
    "Squid giant-axon membrane as coded in NEURON's built-in hh mechanism: gNa 0.12, gK 0.036, "
    "gL 0.0003 S/cm^2, ENa 50, EK -77 mV, cm 1 uF/cm^2, Q10 3 from 6.3 degC; Ra 35.4 ohm cm "
    "(NEURON's default). el is set to -54.40 mV (HH: -54.3) so that -65 mV is an exact rest.",
)
MRG_2002 = Source(
    "McIntyre CC, Richardson AG, Grill WM (2002). Modeling the excitability of mammalian nerve "
    "fibers: influence of afterpotentials on the recovery cycle. J Neurophysiol 87:995-1006",
    "10.1152/jn.00353.2001",
    "Node of Ranvier: gNa 3.0, gNaP 0.01, gK(slow) 0.08, gL 0.007 S/cm^2, ENa 50, EK -90 mV, "
    "cm 2 uF/cm^2, rest -80 mV, 37 degC, axoplasmic resistivity 70 ohm cm; myelin 0.1 uF/cm^2 "
    "and 0.001 S/cm^2 per lamella membrane (two membranes per lamella), Table 1. el is set to "
    "-90.20 mV (MRG: -90) so that -80 mV is an exact rest.",
)
CHANNEL_SETS = {
    "passive": PASSIVE,
    "hh": HH,
    "mrg": MRG,
    "ctx-axon": CTX_AXON,
    "ctx-soma": CTX_SOMA,
}
SIMPLIFIED = Source(
    "tmslab simplification (assumption, not a published parameter set)",
    "",
    "",
)


@dataclass(frozen=True)
class Membrane:
    """Membrane and cytoplasm of a stretch of cable.

    Attributes
    ----------
    name : str
        Label, e.g. "mrg-node".
    channels : str
        "passive", "hh", "mrg", "ctx-axon" or "ctx-soma" (the kinetics of
        :mod:`tmslab.neuron.kinetics`; "ctx-soma" is "ctx-axon" with NaTs2_t for NaTa_t).
    cm_f_per_m2 : float, F/m^2
        Specific membrane capacitance (1 uF/cm^2 = 0.01 F/m^2).
    g_leak_s_per_m2 : float, S/m^2
        Leak conductance density.
    ra_ohm_m : float, ohm m
        Axial resistivity of the cytoplasm (100 ohm cm = 1 ohm m).
    source : Source
        Where the numbers come from.
    g_na_s_per_m2, g_k_s_per_m2, g_nap_s_per_m2 : float, S/m^2
        Fast Na, K and persistent Na conductance densities (for "ctx-axon": NaTa_t, Kv3.1 and
        Nap_Et2; for "ctx-soma" NaTs2_t, Kv3.1 and Nap_Et2).
    e_na_v, e_k_v : float, V
        Reversal potentials.
    g_kp_s_per_m2, g_kt_s_per_m2 : float, S/m^2
        Persistent (K_Pst) and transient (K_Tst) K densities; "ctx-axon" only.
    e_leak_v : float or None, V
        Leak reversal as the source gives it; None: chosen so that the cell's ``v_rest`` is an
        exact rest of this membrane (:func:`leak_reversal`).
    """

    name: str
    channels: str
    cm_f_per_m2: float
    g_leak_s_per_m2: float
    ra_ohm_m: float
    source: Source
    g_na_s_per_m2: float = 0.0
    g_k_s_per_m2: float = 0.0
    g_nap_s_per_m2: float = 0.0
    e_na_v: float = 0.0
    e_k_v: float = 0.0
    g_kp_s_per_m2: float = 0.0
    g_kt_s_per_m2: float = 0.0
    e_leak_v: float | None = None

    def __post_init__(self) -> None:
        if self.channels not in CHANNEL_SETS:
            raise InvalidValueError(
                f"membrane {self.name!r}: channels = {self.channels!r}; use "
                f"{', '.join(CHANNEL_SETS)}"
            )
        for key in ("cm_f_per_m2", "g_leak_s_per_m2", "ra_ohm_m"):
            if not getattr(self, key) > 0:
                raise InvalidValueError(f"membrane {self.name!r}: {key} must be > 0")

    @property
    def kind(self) -> int:
        """Channel-set code of :mod:`tmslab.neuron.kinetics` (PASSIVE, HH, MRG or CTX_AXON)."""
        return CHANNEL_SETS[self.channels]


def leak_reversal(membrane: Membrane, v_rest_v: float, celsius: float) -> float:
    """Leak reversal potential that makes ``v_rest_v`` the membrane's exact rest.

    Parameters
    ----------
    membrane : Membrane
        The membrane.
    v_rest_v : float, V
        Resting potential.
    celsius : float, degC
        Temperature.

    Returns
    -------
    float, V
        Leak reversal potential.
    """
    e_mv = leak_reversal_for_rest(
        membrane.kind,
        v_rest_v * MV_PER_V,
        celsius,
        membrane.g_na_s_per_m2,
        membrane.g_k_s_per_m2,
        membrane.g_nap_s_per_m2,
        membrane.g_leak_s_per_m2,
        membrane.e_na_v * MV_PER_V,
        membrane.e_k_v * MV_PER_V,
        membrane.g_kp_s_per_m2,
        membrane.g_kt_s_per_m2,
    )
    return e_mv * MV


def leak_reversal_in_cell(membrane: Membrane, v_rest_v: float, celsius: float) -> float:
    """The leak reversal a solver gives ``membrane``: its own ``e_leak_v``, else
    :func:`leak_reversal` for the cell's ``v_rest_v``.

    Parameters
    ----------
    membrane : Membrane
        The membrane.
    v_rest_v : float, V
        The cell's nominal resting potential.
    celsius : float, degC
        Temperature.

    Returns
    -------
    float, V
        Leak reversal potential.
    """
    if membrane.e_leak_v is not None:
        return membrane.e_leak_v
    return leak_reversal(membrane, v_rest_v, celsius)


HH_SQUID = Membrane(
    name="hh",
    channels="hh",
    cm_f_per_m2=1.0 * UF_PER_CM2,
    g_leak_s_per_m2=0.0003 * S_PER_CM2,
    g_na_s_per_m2=0.12 * S_PER_CM2,
    g_k_s_per_m2=0.036 * S_PER_CM2,
    e_na_v=0.050,
    e_k_v=-0.077,
    ra_ohm_m=35.4 * OHM_CM,
    source=HH_1952,
)

MRG_NODE = Membrane(
    name="mrg-node",
    channels="mrg",
    cm_f_per_m2=2.0 * UF_PER_CM2,
    g_leak_s_per_m2=0.007 * S_PER_CM2,
    g_na_s_per_m2=3.0 * S_PER_CM2,
    g_k_s_per_m2=0.08 * S_PER_CM2,
    g_nap_s_per_m2=0.01 * S_PER_CM2,
    e_na_v=0.050,
    e_k_v=-0.090,
    ra_ohm_m=70.0 * OHM_CM,
    source=MRG_2002,
)


MRG_INTERNODAL_AXOLEMMA_S_PER_M2 = 0.0001 * S_PER_CM2  # MRG 2002, Table 1 (STIN, FLUT)


def myelin(n_lamellae: int, ra_ohm_m: float = 70.0 * OHM_CM) -> Membrane:
    """Passive internode of a single-cable myelinated axon with ``n_lamellae`` myelin lamellae.

    Capacitance: the sheath's, each lamella adding two membranes of 0.1 uF/cm^2 in series, so
    cm = 0.1 / (2 n) uF/cm^2 referred to the axon surface (MRG 2002, Table 1). Leak: the
    internodal axolemma's 0.0001 S/cm^2 (MRG 2002, Table 1), which in MRG's double cable reaches
    the outside through the periaxonal space, plus the sheath's 0.001 / (2 n). Without that leak
    the MRG nodes have no stable rest: an isolated MRG node linearised at -80 mV has an eigenvalue
    of +4.5 per ms, and it needs about 0.015 S/cm^2 of extra leak to be stable, which a 500 um
    internode of axolemma provides. Simplification: one cable, the periaxonal space and paranodes
    lumped.

    Parameters
    ----------
    n_lamellae : int
        Number of myelin lamellae n.
    ra_ohm_m : float, ohm m
        Axial resistivity of the cytoplasm.

    Returns
    -------
    Membrane
        The internode membrane.
    """
    if isinstance(n_lamellae, bool) or int(n_lamellae) != n_lamellae or n_lamellae < 1:
        raise InvalidValueError(f"n_lamellae = {n_lamellae!r}; it must be an integer >= 1")
    n = int(n_lamellae)
    return Membrane(
        name=f"myelin-{n}",
        channels="passive",
        cm_f_per_m2=0.1 / (2 * n) * UF_PER_CM2,
        g_leak_s_per_m2=0.001 / (2 * n) * S_PER_CM2 + MRG_INTERNODAL_AXOLEMMA_S_PER_M2,
        ra_ohm_m=ra_ohm_m,
        source=replace(
            MRG_2002,
            note=f"Internode of {n} lamellae: capacitance of the sheath (0.1 uF/cm^2 per "
            "lamella membrane, two per lamella) and leak of the internodal axolemma "
            "(0.0001 S/cm^2), MRG 2002 Table 1; single cable, periaxonal space lumped "
            "(tmslab simplification).",
        ),
    )


AXON_UNMYELINATED = Membrane(
    name="axon-unmyelinated",
    channels="mrg",
    cm_f_per_m2=1.0 * UF_PER_CM2,
    g_leak_s_per_m2=0.003 * S_PER_CM2,
    g_na_s_per_m2=0.3 * S_PER_CM2,
    g_k_s_per_m2=0.008 * S_PER_CM2,
    g_nap_s_per_m2=0.001 * S_PER_CM2,
    e_na_v=0.050,
    e_k_v=-0.090,
    ra_ohm_m=70.0 * OHM_CM,
    source=Source(
        MRG_2002.citation,
        MRG_2002.doi,
        "Assumption (tmslab): soma and unmyelinated-axon membrane with the MRG nodal kinetics "
        "at one tenth of the nodal Na, NaP and K densities (0.3, 0.001, 0.008 S/cm^2), cm "
        "1 uF/cm^2 and a leak of 0.003 S/cm^2: with less than 0.002 S/cm^2 such a membrane has "
        "no stable rest (see myelin()); the leak reversal keeps the rest at -80 mV.",
    ),
)

PASSIVE_DENDRITE = Membrane(
    name="passive-dendrite",
    channels="passive",
    cm_f_per_m2=1.0 * UF_PER_CM2,
    g_leak_s_per_m2=1.0 / 30000.0 * S_PER_CM2,
    ra_ohm_m=100.0 * OHM_CM,
    source=Source(
        "Aberra AS, Peterchev AV, Grill WM (2018). Biophysically realistic neuron models for "
        "simulation of cortical stimulation. J Neural Eng 15:066023",
        "10.1088/1741-2552/aadbb1",
        "Assumption (tmslab): passive dendrite and soma with cm 1 uF/cm^2, Rm 30 kohm cm^2 and "
        "Ra 100 ohm cm, values of the order used for cortical neurons; reverses at the cell's rest.",
    ),
)


ABERRA_AXON_2018 = Source(
    "Aberra AS, Peterchev AV, Grill WM (2018). Biophysically realistic neuron models for "
    "simulation of cortical stimulation. J Neural Eng 15:066023; channels of Hay E, Hill S, "
    "Schuermann F, Markram H, Segev I (2011). PLoS Comput Biol 7:e1002107 "
    "(doi 10.1371/journal.pcbi.1002107)",
    "10.1088/1741-2552/aadbb1",
    "Unmyelinated axon of Aberra et al.'s L5 pyramidal cell (the axon-initial-segment channels "
    "of Hay et al.'s model without calcium): NaTa_t 3.137968, Nap_Et2 0.006827, K_Pst 0.973538, "
    "K_Tst 0.089259, Kv3.1 1.021945 S/cm^2, leak 3e-5 S/cm^2 reversing at -75 mV, ENa 50, "
    "EK -85 mV, cm 1 uF/cm^2, Ra 100 ohm cm, 37 degC, rates scaled by 2.3 ** ((T - 21) / 10) "
    "(as in NeMo-TMS's Aberra_L5_model.m, Shirinpour et al. 2021, doi "
    "10.1016/j.brs.2021.09.004). With the leak at -75 mV the membrane rests at -80.861 mV "
    "(the persistent K current pulls it below e_pas); tmslab rests it at -80.86 mV, which moves "
    "the leak reversal by 0.004 mV.",
)

CTX_AXON_UNMYELINATED = Membrane(
    name="ctx-axon",
    channels="ctx-axon",
    cm_f_per_m2=1.0 * UF_PER_CM2,
    g_leak_s_per_m2=3e-5 * S_PER_CM2,
    g_na_s_per_m2=3.137968 * S_PER_CM2,
    g_nap_s_per_m2=0.006827 * S_PER_CM2,
    g_kp_s_per_m2=0.973538 * S_PER_CM2,
    g_kt_s_per_m2=0.089259 * S_PER_CM2,
    g_k_s_per_m2=1.021945 * S_PER_CM2,
    e_na_v=0.050,
    e_k_v=-0.085,
    ra_ohm_m=100.0 * OHM_CM,
    source=ABERRA_AXON_2018,
)


# -- Aberra et al. 2018 cells (SWC files in the NeMo-TMS convention) --------------------------

ABERRA_CELL_2018 = Source(
    ABERRA_AXON_2018.citation,
    ABERRA_AXON_2018.doi,
    "Per section type as NeMo-TMS's Aberra_L5_model.m / Aberra_L23_model.m set them "
    "(Shirinpour et al. 2021, doi 10.1016/j.brs.2021.09.004): everywhere cm 1 uF/cm^2, "
    "Ra 100 ohm cm, leak 3e-5 S/cm^2 at -75 mV; unmyelinated axon, axon and nodes the Hay/BBP "
    "axon set (nodes with twice the NaTa_t density, 6.275936 S/cm^2); myelin passive, cm "
    "0.02 uF/cm^2, g 1/1.125e6 S/cm^2; dendrites cm 2 uF/cm^2.",
)

# Aberra's e_pas, kept as each membrane's own leak reversal: the cell then rests non-uniformly,
# between -75 mV and the axon membrane's own -80.86 mV, as theirs does (tmslab.neuron.rest).
ABERRA_E_PAS_V = -75.0 * MV
ABERRA_NODE = replace(
    CTX_AXON_UNMYELINATED,
    name="aberra-node",
    g_na_s_per_m2=2.0 * 3.137968 * S_PER_CM2,
    source=ABERRA_CELL_2018,
    e_leak_v=ABERRA_E_PAS_V,
)
ABERRA_UNMYELINATED = replace(
    CTX_AXON_UNMYELINATED, name="aberra-unmyelinated", e_leak_v=ABERRA_E_PAS_V
)
# Aberra's myelin: a passive sheath, without MRG's internodal leak (their nodes and
# unmyelinated axon rest stably on their own, unlike MRG's nodal membrane).
ABERRA_MYELIN = Membrane(
    name="aberra-myelin",
    channels="passive",
    cm_f_per_m2=0.02 * UF_PER_CM2,
    g_leak_s_per_m2=(1.0 / 1.125e6) * S_PER_CM2,
    ra_ohm_m=100.0 * OHM_CM,
    source=ABERRA_CELL_2018,
    e_leak_v=ABERRA_E_PAS_V,
)
# Soma: Aberra's soma carries NaTs2_t 0.983955 and Kv3.1 0.303472 S/cm^2, plus Ca_HVA, Ca_LVAst,
# SK_E2 and Ih: a plain `--membrane aberra` SWC leaves those out (their gating moves the L5 cell's
# threshold by < 0.5 % in NEURON, tools/aberra_left_out.py); the named cells hold them at their
# resting state (tmslab.neuron.held), which is where they matter.
ABERRA_SOMA = replace(
    CTX_AXON_UNMYELINATED,
    name="aberra-soma",
    channels="ctx-soma",
    g_na_s_per_m2=0.983955 * S_PER_CM2,
    g_nap_s_per_m2=0.0,
    g_kp_s_per_m2=0.0,
    g_kt_s_per_m2=0.0,
    g_k_s_per_m2=0.303472 * S_PER_CM2,
    source=ABERRA_CELL_2018,
    e_leak_v=ABERRA_E_PAS_V,
)
# Dendrites: passive, cm 2 uF/cm^2 (a plain `--membrane aberra` SWC leaves out Aberra's apical
# NaTs2_t, Kv3.1, Im and Ih and basal Ih; the named cells have them, data/neuron/nemo_tms).
ABERRA_DENDRITE = Membrane(
    name="aberra-dendrite",
    channels="passive",
    cm_f_per_m2=2.0 * UF_PER_CM2,
    g_leak_s_per_m2=3e-5 * S_PER_CM2,
    ra_ohm_m=100.0 * OHM_CM,
    source=ABERRA_CELL_2018,
    e_leak_v=ABERRA_E_PAS_V,
)
