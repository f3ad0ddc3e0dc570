"""Matplotlib figures. Nothing here computes: each function draws values it is given.

Every figure function is also reachable by name from this package (``tmslab.viz.plot_waveform``),
loaded when first asked for: a :class:`~tmslab.scenario.FigureSpec` names one, and the report
draws it with :func:`draw`.
"""

from __future__ import annotations

import importlib
from typing import Any

# figure function -> module of tmslab.viz that defines it
FIGURES = {
    "plot_timeline": "timeline",
    "plot_waveform": "waveform",
    "plot_field_overview": "field",
    "plot_sphere_field": "field",
    "plot_plane_magnitude": "field",
    "plot_plane_section": "field",
    "plot_dish_layer": "conductor",
    "plot_surface_values": "conductor",
    "plot_cortical_field": "cortex",
    "plot_cortex_threshold_map": "cortex_map",
    "plot_placement": "placement",
    "plot_activation_map": "activation",
    "plot_thresholds_at_target": "neuron",
    "plot_direction_map": "neuron",
    "plot_sd_curve": "neuron",
    "plot_population": "neuron",
    "plot_traces": "neuron",
    "plot_trajectory": "plasticity",
    "plot_curves": "plasticity",
    "plot_closest_studies": "evidence_match",
    "evidence_map_figure": "evidence",
    "mechanism_graph_figure": "evidence",
    "forest_plot": "meta",
    "funnel_plot": "meta",
    "leave_one_out_plot": "meta",
    "plot_sweep": "sweep",
    "plot_setup_search": "setup_search",
}

__all__ = ["FIGURES", "draw", *FIGURES.keys()]  # noqa: PLE0604 (the names are strings)


def __getattr__(name: str) -> Any:
    try:
        module = FIGURES[name]
    except KeyError:
        raise AttributeError(f"module 'tmslab.viz' has no attribute {name!r}") from None
    return getattr(importlib.import_module(f"tmslab.viz.{module}"), name)


def draw(spec) -> Any:
    """The matplotlib Figure a :class:`~tmslab.scenario.FigureSpec` describes:
    ``spec.plot`` (a name in :data:`FIGURES`) called with ``spec.data`` as keywords."""
    return __getattr__(spec.plot)(**spec.data)
