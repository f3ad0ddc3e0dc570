"""Controlled vocabularies of the evidence base: the words a record and a query may use.

Every categorical field of a study record (species, preparation, disease model, intensity unit,
stimulation pattern, direction of an effect, mechanism tag) takes one of the values below, so a
query can say exactly what it asks for and a typo is caught with the list of allowed words.
User input is normalised (case, spaces, hyphens, plurals) by :func:`normalise`.
"""

from __future__ import annotations

from collections.abc import Mapping

from tmslab.errors import UnknownNameError
from tmslab.units import MT

# What was stimulated. Cell lines and iPSC-derived cells take the species of their origin.
SPECIES: dict[str, str] = {
    "mouse": "Mus musculus",
    "rat": "Rattus norvegicus",
    "gerbil": "Meriones unguiculatus (Mongolian gerbil)",
    "human": "Homo sapiens (patients, or human cell lines and iPSC-derived cells)",
}
RODENTS = frozenset({"mouse", "rat", "gerbil"})

# How the tissue was stimulated (Chipchase et al. 2012 report the subjects; NIBS-BIDS the setup).
PREPARATIONS: dict[str, str] = {
    "in_vivo": "living animal",
    "slice": "acute brain slice",
    "culture": "cells or organotypic tissue in culture",
    "human": "human participants",
}

# Disease models and conditions as the reviews name them (abbreviations as in the reviews).
DISEASE_MODELS: dict[str, str] = {
    "none": "intact animals or untreated cells (no disease model)",
    "CUMS": "chronic unpredictable mild stress (depression model)",
    "CUS": "chronic unpredictable stress (depression model)",
    "OB": "olfactory bulbectomy (depression model)",
    "MCAO": "middle cerebral artery occlusion (focal ischaemic stroke)",
    "ischemic stroke": "focal cerebral ischaemia, model not named by the review",
    "global ischemia": "global cerebral ischaemia and reperfusion",
    "in vitro ischemia": "ischaemia modelled in culture",
    "ICH": "intracerebral haemorrhage (haemorrhagic stroke)",
    "SCI": "spinal cord injury",
    "AD": "Alzheimer's disease model (3xTg-AD)",
    "ephrin-A2/A5 KO": "ephrin-A2/A5 double knockout (abnormal visual topography)",
    "TRD": "treatment-resistant depression (patients)",
}

# Intensity units exactly as the reviews report them; only T and mT convert to SI.
INTENSITY_UNITS: dict[str, str] = {
    "%MSO": "percent of the maximum stimulator output",
    "%MT": "percent of the motor threshold (resting unless the report says otherwise)",
    "T": "peak magnetic flux density, tesla",
    "mT": "peak magnetic flux density, millitesla",
    "device maximum": "the stimulator's maximum output, no number given",
    "not specified": "no intensity given (see intensity_class for the review's low/high label)",
}
NUMERIC_INTENSITY_UNITS = frozenset({"%MSO", "%MT", "T", "mT"})
TESLA_PER_UNIT: dict[str, float] = {"T": 1.0, "mT": MT}

INTENSITY_CLASSES = ("low", "high")  # the review's "TMS type" column / wording
FREQUENCY_CLASSES = ("low", "high")  # "low-frequency" / "high-frequency" when no number is given

PATTERNS: dict[str, str] = {
    "rTMS": "repetitive pulses at a fixed rate (trains or continuous)",
    "iTBS": "intermittent theta burst (or an iTBS-like protocol)",
    "cTBS": "continuous theta burst (or a cTBS-like protocol)",
    "continuous": "continuous (sinusoidal or uninterrupted) magnetic field exposure",
}

DIRECTIONS = ("increase", "decrease", "no_change")
EFFECTS = ("positive", "negative", "mixed", "no_change", "unclear")

# Mechanism tags: what a study's findings bear on.
MECHANISMS: dict[str, str] = {
    "bdnf_trkb": "BDNF / TrkB (NTRK2) signalling",
    "erk": "MAPK / ERK1/2 (MAPK3/MAPK1) signalling",
    "pi3k_akt": "PI3K / Akt signalling",
    "apoptosis": "apoptosis and its regulators (Bcl-2, Bax, caspase-3, annexin A2)",
    "excitotoxicity": "glutamate excitotoxicity (GLT-1)",
    "mtorc1_s6": "mTORC1 / ribosomal protein S6",
    "nmda": "NMDA receptors",
    "l_vgcc": "L-type voltage-gated calcium channels",
    "calcineurin_gephyrin": "Ca2+/calcineurin-dependent gephyrin remodelling",
    "ampa": "AMPA receptor accumulation and clustering",
    "calcium_signalling": "intracellular Ca2+ signalling (STIM1, ORAI3, Ca2+ imaging)",
    "dendritic_spines": "dendritic spine density and turnover",
    "dendritic_growth": "dendritic and axonal growth, sprouting",
    "synaptic_proteins": "synaptic proteins (PSD95, synaptophysin, NR2B)",
    "synaptic_plasticity": "LTP/LTD-like synaptic plasticity",
    "inhibitory_synapses": "inhibitory (GABAergic, glycinergic) synapses",
    "circuit_reorganization": "reorganisation of abnormal neural circuits",
    "neurogenesis": "proliferation and differentiation of neural stem/progenitor cells",
    "nsc_migration": "migration of neural stem/progenitor cells",
    "microrna": "microRNAs (miR-25, miR-106b~25 cluster)",
    "astrocytes": "astrocytes",
    "microglia": "microglia",
    "oligodendrocytes": "oligodendrocytes and their precursors",
    "inflammation": "inflammatory cytokines and mediators",
    "nrf2": "Nrf2 (NFE2L2) signalling",
    "oxidative_stress": "oxidative stress and antioxidant defence",
    "endocannabinoid": "endocannabinoid system (CB1R, MAGL, DAGL, FAAH, 2-AG)",
    "sirt1_maoa": "Sirt1 / MAO-A signalling, monoamines",
    "hpa_axis": "hypothalamic-pituitary-adrenal axis",
    "metabolism": "metabolic profile (metabolomics, amino acids)",
    "neuronal_excitability": "neuronal excitability and activity",
    "behaviour": "behaviour and function (depressive-like behaviour, cognition, recovery)",
}


def _key(text: str) -> str:
    return " ".join(str(text).replace("_", " ").replace("-", " ").lower().split())


_PLURALS = {"mice": "mouse", "rats": "rat", "gerbils": "gerbil", "humans": "human"}


def normalise(kind: str, value: str, allowed: Mapping[str, str] | tuple[str, ...]) -> str:
    """The allowed spelling of ``value`` (case, spaces, hyphens, underscores and plurals ignored).

    kind: what the value is, for the message ("species", "preparation", ...).
    Raises UnknownNameError listing the allowed values when nothing matches.
    """
    if not isinstance(value, str):
        raise UnknownNameError(kind, str(value), allowed)
    wanted = _key(_PLURALS.get(value.strip().lower(), value))
    for name in allowed:
        if _key(name) == wanted:
            return name
    raise UnknownNameError(kind, value, allowed)
