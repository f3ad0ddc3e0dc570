"""tmslab: an in-silico laboratory for transcranial magnetic stimulation.

Protocol -> coil -> conductor -> E-field -> neurons -> plasticity, side by side with the
evidence. Importing tmslab is cheap: the layers load when first used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = [
    "Protocol",
    "TmslabError",
    "__version__",
    "get_protocol",
    "list_protocols",
    "load_scenario",
    "protocols",
    "run_scenario",
]

_LAZY = {
    "TmslabError": ("tmslab.errors", "TmslabError"),
    "Protocol": ("tmslab.protocols.protocol", "Protocol"),
    "get_protocol": ("tmslab.protocols.library", "get_protocol"),
    "list_protocols": ("tmslab.protocols.library", "list_protocols"),
    "protocols": ("tmslab.protocols", None),
    "load_scenario": ("tmslab.scenario", "load_scenario"),
    "run_scenario": ("tmslab.stages", "run_scenario"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'tmslab' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    return module if attribute is None else getattr(module, attribute)
