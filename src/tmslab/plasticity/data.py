"""Read the plasticity models' parameter files into :mod:`tmslab.plasticity.params` (SI units).

The Graupner-Brunel sets come from ``tmslab/data/graupner_brunel_2012_parameters.csv`` (numbers)
and ``tmslab/data/plasticity/graupner_brunel_2012_sets.toml`` (descriptions, aliases, sources);
the other models from ``tmslab/data/plasticity/*.toml``. Files give values in the units their
source uses, named with the unit; this module converts them to SI once.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources
from typing import Any

from tmslab.errors import SpecFileError
from tmslab.io.toml import parse_toml_text
from tmslab.plasticity.params import (
    BCMParameters,
    GraupnerBrunelParameters,
    HuangTBSParameters,
    ShouvalParameters,
)
from tmslab.sources import Source
from tmslab.units import MMOL_PER_L, MS, MV, UMOL_PER_L

GB_CSV = "data/graupner_brunel_2012_parameters.csv"
GB_SETS = "data/plasticity/graupner_brunel_2012_sets.toml"
SHOUVAL = "data/plasticity/shouval_2002.toml"
BCM = "data/plasticity/bcm.toml"
HUANG = "data/plasticity/huang_2011_tbs.toml"


def _text(path: str) -> str:
    try:
        return resources.files("tmslab").joinpath(path).read_text(encoding="utf-8")
    except OSError as error:  # pragma: no cover - a broken installation
        raise SpecFileError(f"cannot read tmslab's {path}: {error}") from None


def _toml(path: str) -> dict[str, Any]:
    return parse_toml_text(_text(path), path)


def _source(table: dict[str, Any]) -> Source:
    return Source(**table["source"])


@lru_cache(maxsize=1)
def graupner_brunel_sets() -> dict[str, GraupnerBrunelParameters]:
    """All published Graupner-Brunel sets by name (CSV order)."""
    meta = _toml(GB_SETS)
    rows = list(csv.DictReader(io.StringIO(_text(GB_CSV))))
    sets = {}
    for row in rows:
        name = row.pop("set")
        info = meta.get(name)
        if info is None:  # pragma: no cover - data files out of step
            raise SpecFileError(f"{GB_SETS} has no entry for the set {name!r} of {GB_CSV}")
        values = {key: float(value) for key, value in row.items()}
        sets[name] = GraupnerBrunelParameters(
            name=name, source=_source(info), description=info["description"], **values
        )
    return sets


@lru_cache(maxsize=1)
def graupner_brunel_aliases() -> dict[str, str]:
    """Alias -> set name (e.g. ``DPDprime`` -> ``DPD'``, ``sjostrom`` -> ``cortical-slices``)."""
    meta = _toml(GB_SETS)
    return {alias: name for name, info in meta.items() for alias in info.get("aliases", [])}


@lru_cache(maxsize=1)
def shouval_sets() -> dict[str, ShouvalParameters]:
    """Shouval, Bear & Cooper 2002 sets by name, converted to SI."""
    tables = _toml(SHOUVAL)["set"]
    sets = {}
    for name, own in tables.items():
        base = tables[own["inherit"]] if "inherit" in own else {}
        t = {**base, **own}
        sets[name] = ShouvalParameters(
            name=name,
            source=_source(t),
            description=t["description"],
            tau_ca_s=t["tau_ca_ms"] * MS,
            # uM/(ms mV) -> (mol/m^3)/(s V)
            g_nmda=t["g_nmda_umol_per_l_per_ms_per_mv"] * UMOL_PER_L / (MS * MV),
            p0=t["p0"],
            i_fast=t["i_fast"],
            i_slow=t["i_slow"],
            tau_fast_s=t["tau_fast_ms"] * MS,
            tau_slow_s=t["tau_slow_ms"] * MS,
            v_reversal_v=t["v_reversal_mv"] * MV,
            mg_mol_per_m3=t["mg_mmol_per_l"] * MMOL_PER_L,
            mg_half_mol_per_m3=t["mg_half_mmol_per_l"] * MMOL_PER_L,
            k_mg_per_v=t["k_mg_per_mv"] / MV,
            alpha1_mol_per_m3=t["alpha1_umol_per_l"] * UMOL_PER_L,
            alpha2_mol_per_m3=t["alpha2_umol_per_l"] * UMOL_PER_L,
            beta1_m3_per_mol=t["beta1_per_umol_per_l"] / UMOL_PER_L,
            beta2_m3_per_mol=t["beta2_per_umol_per_l"] / UMOL_PER_L,
            p1=t["p1_s_umol3_per_l3"] * UMOL_PER_L ** t["p3"],
            p2=t["p2_umol3_per_l3"] * UMOL_PER_L ** t["p3"],
            p3=t["p3"],
            p4_s=t["p4_s"],
            v_rest_v=t["v_rest_mv"] * MV,
            epsp_amplitude_v=t["epsp_amplitude_mv"] * MV,
            epsp_tau_decay_s=t["epsp_tau_decay_ms"] * MS,
            epsp_tau_rise_s=t["epsp_tau_rise_ms"] * MS,
            bpap_amplitude_v=t["bpap_amplitude_mv"] * MV,
            bpap_fraction_fast=t["bpap_fraction_fast"],
            bpap_tau_fast_s=t["bpap_tau_fast_ms"] * MS,
            bpap_tau_slow_s=t["bpap_tau_slow_ms"] * MS,
            bpap_delay_s=t["bpap_delay_ms"] * MS,
            w_initial=t["w_initial"],
        )
    return sets


@lru_cache(maxsize=1)
def bcm_sets() -> dict[str, BCMParameters]:
    """BCM sets by name (SI)."""
    sets = {}
    for name, t in _toml(BCM)["set"].items():
        sets[name] = BCMParameters(
            name=name,
            source=_source(t),
            description=t["description"],
            tau_rate_s=t["tau_rate_s"],
            background_rate_hz=t["background_rate_hz"],
            crossover_hz=t["crossover_hz"],
            tau_theta_s=t["tau_theta_s"],
            eta=t["eta_per_s_per_hz3"],
            w_min=t["w_min"],
            w_max=t["w_max"],
        )
    return sets


@lru_cache(maxsize=1)
def huang_sets() -> dict[str, HuangTBSParameters]:
    """Huang et al. 2011 theta-burst sets by name (original and revised)."""
    data = _toml(HUANG)
    course = data["time_course"]
    sets = {}
    for name, t in data["set"].items():
        values = {k: v for k, v in t.items() if k not in ("description", "source")}
        values["increment_lag"] = int(values["increment_lag"])
        sets[name] = HuangTBSParameters(
            name=name, source=_source(t), description=t["description"], **values, **course
        )
    return sets
