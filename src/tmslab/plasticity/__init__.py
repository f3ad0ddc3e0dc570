"""Plasticity: from spike or pulse times to a predicted change of synaptic strength.

Published models, each with its parameter sets and sources (``tmslab plasticity list``):

- ``graupner-brunel[:SET]``: the calcium-based synapse of Graupner & Brunel 2012 (PNAS) with all
  its published sets (DP, DPD, DPD', P, D, D', hippocampal-slices, hippocampal-cultures,
  cortical-slices); calcium solved exactly between events, the noise treated with the paper's
  analytic transition probabilities (:mod:`~tmslab.plasticity.graupner_brunel`).
- ``shouval``: the unified NMDA-receptor calcium model of Shouval, Bear & Cooper 2002 (PNAS),
  integrated in Numba (:mod:`~tmslab.plasticity.shouval`).
- ``bcm``: a rate-based BCM rule with a sliding modification threshold, for metaplasticity
  (priming) (:mod:`~tmslab.plasticity.bcm`).
- ``huang-tbs[:SET]``: the theta-burst after-effect model of Huang et al. 2011 and its corrected
  version (:mod:`~tmslab.plasticity.tbs`).

Entry points: :func:`tmslab.plasticity.predict.predict_protocol`,
:func:`tmslab.plasticity.predict.predict_spikes`, :func:`tmslab.plasticity.registry.get_model`.
Importing this package is cheap; the models load when used.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Prediction",
    "frequency_response",
    "get_model",
    "list_models",
    "predict_pairing",
    "predict_protocol",
    "predict_spikes",
]

_LAZY = {
    "Prediction": ("tmslab.plasticity.prediction", "Prediction"),
    "frequency_response": ("tmslab.plasticity.curves", "frequency_response"),
    "get_model": ("tmslab.plasticity.registry", "get_model"),
    "list_models": ("tmslab.plasticity.registry", "list_models"),
    "predict_pairing": ("tmslab.plasticity.predict", "predict_pairing"),
    "predict_protocol": ("tmslab.plasticity.predict", "predict_protocol"),
    "predict_spikes": ("tmslab.plasticity.predict", "predict_spikes"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'tmslab.plasticity' has no attribute {name!r}") from None
    return getattr(importlib.import_module(module_name), attribute)
