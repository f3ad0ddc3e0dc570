"""The evidence layer: curated studies from the reviews, the mechanism graph and meta-analysis.

Importing this package is cheap: pandas, pydantic and networkx load on first use.

Evidence base (one record per study the reviews tabulate or describe with parameters):

* ``load_evidence()`` -> pandas DataFrame, one row per stimulation arm;
* ``query(species=..., frequency_hz=..., direction=..., preparation=..., disease_model=...,
  mechanism=...)`` -> the matching rows;
* ``closest_studies(frequency_hz, species, preparation, n=5, pattern=None)`` -> nearest arms
  with a ``distance`` column (octaves of frequency plus species/preparation/pattern penalties);
* ``estimate_study_field(arm)`` -> E_max estimate (V/m) of a rodent arm from its tesla and
  coil size, through the field layer (None when it reports too little);
* ``load_studies()`` / ``get_study(id)`` -> the validated :class:`~tmslab.evidence.schema.Study`
  records.

Mechanism graph: ``mechanism_graph()`` -> networkx DiGraph with signed edges;
``find_paths(graph, source, target)`` -> :class:`~tmslab.evidence.graph.MechanismPath` list.

The meta-analysis engine lives in :mod:`tmslab.evidence.meta` (imported on its own).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "closest_studies",
    "estimate_study_field",
    "find_paths",
    "get_study",
    "load_evidence",
    "load_outcomes",
    "load_studies",
    "mechanism_graph",
    "query",
]

_LAZY = {
    "load_evidence": ("tmslab.evidence.table", "load_evidence"),
    "load_outcomes": ("tmslab.evidence.table", "load_outcomes"),
    "query": ("tmslab.evidence.table", "query"),
    "closest_studies": ("tmslab.evidence.nearest", "closest_studies"),
    "estimate_study_field": ("tmslab.evidence.field_estimate", "estimate_study_field"),
    "find_paths": ("tmslab.evidence.graph", "find_paths"),
    "mechanism_graph": ("tmslab.evidence.graph", "load_graph"),
}


def load_studies() -> tuple[Any, ...]:
    """The validated Study records of the shipped evidence base, in data-file order."""
    from tmslab.evidence.store import load_base

    return load_base().studies


def get_study(study_id: str) -> Any:
    """One Study record by id ("cambiaghi2021"); UnknownNameError lists the ids."""
    from tmslab.evidence.store import load_base

    return load_base().get(study_id)


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'tmslab.evidence' has no attribute {name!r}") from None
    return getattr(importlib.import_module(module_name), attribute)
