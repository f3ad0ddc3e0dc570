"""Figure of the reviewed studies nearest a scenario: distance, effect, species, frequency."""

from __future__ import annotations

from matplotlib.figure import Figure

from tmslab.viz.evidence import EFFECT_COLOURS


def plot_closest_studies(studies: list[dict], query: dict) -> Figure:
    """Horizontal bars: each study's distance to the query (octaves + penalties), coloured by the
    reported effect and labelled with species, frequency and reported intensity.

    studies: dicts with distance, reference, species, frequency_hz, intensity_reported, effect.
    query: the scenario's frequency_hz, pattern, species and preparation.
    """
    n = max(len(studies), 1)
    fig = Figure(figsize=(8.5, 0.55 * n + 1.4), layout="constrained")
    ax = fig.add_subplot()
    for i, study in enumerate(studies):
        colour = EFFECT_COLOURS.get(study["effect"], "#999999")
        ax.barh(i, max(study["distance"], 0.02), color=colour)
        freq = study["frequency_hz"]
        hz = f"{freq:g} Hz" if freq is not None else "frequency not reported"
        label = (
            f"{study['reference']}: {study['species'] or 'species not reported'}, {hz}, "
            f"{study['intensity_reported'] or 'intensity n/a'} ({study['effect']})"
        )
        ax.text(0.02, i, "  " + label, va="center", fontsize=8)
    ax.set_yticks([])
    ax.invert_yaxis()
    ax.set_xlabel("distance to the scenario (octaves of frequency + penalties)")
    ax.set_xlim(0, max([s["distance"] for s in studies] + [1.0]) * 1.6 + 0.5)
    # Species and preparation once each ("human", not "human, human"; "in vivo", not "in_vivo").
    who = dict.fromkeys([query["species"] or "any species", query["preparation"].replace("_", " ")])
    ax.set_title(
        f"Nearest studies to {query['pattern'] or ''} {query['frequency_hz']:g} Hz, {', '.join(who)}"
    )
    from matplotlib.patches import Patch

    handles = [
        Patch(color=c, label=effect)
        for effect, c in EFFECT_COLOURS.items()
        if any(s["effect"] == effect for s in studies)
    ]
    if handles:
        ax.legend(handles=handles, loc="lower right", fontsize=8)
    return fig
