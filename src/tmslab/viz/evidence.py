"""Figures of the evidence base: the evidence map and the mechanism graph (no computation here).

Both return a matplotlib :class:`~matplotlib.figure.Figure` built with the object API (no
pyplot state); the caller saves it (``tmslab.viz.files.save_figure``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tmslab.evidence.mapdata import NO_NUMBER_CATEGORIES, PANELS, map_points

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import pandas as pd
    from matplotlib.figure import Figure

EFFECT_COLOURS = {
    "positive": "#1a9850",
    "negative": "#d73027",
    "mixed": "#fdae61",
    "no_change": "#4575b4",
    "unclear": "#999999",
}
PREPARATION_MARKERS = {"in_vivo": "o", "slice": "s", "culture": "^", "human": "D", None: "X"}
KIND_COLOURS = {
    "protocol": "#fee08b",
    "gene": "#abd9e9",
    "molecule": "#e0f3f8",
    "pathway": "#fdae61",
    "cell": "#d9ef8b",
    "process": "#f0f0f0",
    "outcome": "#f4a582",
}
JITTER_DECADES = 0.035  # horizontal spread of coincident points, decades of frequency
MAX_SPREAD_DECADES = 0.3  # widest spread of one group of coincident points
NO_FREQUENCY_X = 0.25  # where arms without a numeric frequency are drawn (a labelled column), Hz
X_LIMITS = (0.14, 700.0)
NODE_SIZE = 700  # points^2, mechanism graph nodes


def _spread(x: np.ndarray, keys: list[tuple]) -> np.ndarray:
    """Spread points sharing a key symmetrically around x on a log axis (x > 0)."""
    out = np.array(x, dtype=float)
    groups: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    for members in groups.values():
        m = len(members)
        step = JITTER_DECADES if m < 2 else min(JITTER_DECADES, MAX_SPREAD_DECADES / (m - 1))
        for k, i in enumerate(members):
            out[i] = x[i] * 10 ** (step * (k - (m - 1) / 2))
    return out


def evidence_map_figure(frame: pd.DataFrame) -> Figure:
    """Frequency x intensity of every arm, one panel per intensity unit.

    Intensities in different units are not comparable, so they get separate panels: peak field
    in tesla (T and mT converted, log axis), % motor threshold, % maximum stimulator output,
    and arms with no numeric intensity (device maximum, the review's low/high class, none).
    Colour: the arm's effect; marker: preparation; open markers: a frequency the review leaves
    between candidates (each candidate drawn); arms without a numeric frequency sit in the grey
    "none" column on the left. frame: rows of ``load_evidence()``.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    points = map_points(frame)
    fig = Figure(figsize=(12, 8.5), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for ax, (panel, title, ylabel) in zip(axes, PANELS, strict=True):
        sub = points[points["panel"] == panel]
        raw_x = np.nan_to_num(sub["frequency_hz"].to_numpy(float), nan=NO_FREQUENCY_X)
        keys = list(zip(raw_x, sub["y"], strict=True))
        x = _spread(raw_x, keys) if len(sub) else np.array([])
        for (effect, preparation, ambiguous), group in sub.groupby(
            ["effect", "preparation", "ambiguous_frequency"], dropna=False, sort=False
        ):
            index = [sub.index.get_loc(i) for i in group.index]
            colour = EFFECT_COLOURS[effect]
            prep = None if not isinstance(preparation, str) else preparation
            ax.scatter(
                x[index],
                group["y"],
                marker=PREPARATION_MARKERS[prep],
                s=46,
                facecolors="none" if ambiguous else colour,
                edgecolors=colour if ambiguous else "black",
                linewidths=1.2 if ambiguous else 0.5,
                alpha=0.9,
                zorder=3,
            )
        ax.set_xscale("log")
        ax.axvspan(NO_FREQUENCY_X / 1.6, NO_FREQUENCY_X * 1.6, color="#eeeeee", zorder=0)
        ax.set_xlim(*X_LIMITS)
        ax.set_xticks([NO_FREQUENCY_X, 1, 10, 100], ["none", "1", "10", "100"])
        ax.set_title(f"{title} ({len(sub)} points)", fontsize=10, loc="left")
        ax.set_xlabel("frequency (Hz; theta burst: intra-burst)")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.25)
        if panel == "field":
            ax.set_yscale("log")
        if panel == "none":
            ax.set_yticks(range(len(NO_NUMBER_CATEGORIES)), NO_NUMBER_CATEGORIES, fontsize=8)
            ax.set_ylim(-0.6, len(NO_NUMBER_CATEGORIES) - 0.4)
    effect_handles = [
        Line2D([], [], marker="o", ls="", color=c, markeredgecolor="black", label=e)
        for e, c in EFFECT_COLOURS.items()
    ]
    prep_handles = [
        Line2D([], [], marker=m, ls="", color="grey", label=p or "not stated")
        for p, m in PREPARATION_MARKERS.items()
    ]
    ambiguous = Line2D(
        [], [], marker="o", ls="", markerfacecolor="none", color="grey", label="frequency ambiguous"
    )
    fig.legend(
        handles=[*effect_handles, *prep_handles, ambiguous],
        loc="outside right center",
        fontsize=8,
        title="effect / preparation",
    )
    no_frequency = int(points["frequency_hz"].isna().sum())
    fig.suptitle(
        f"Evidence map: {len(frame)} arms of {frame['id'].nunique()} studies "
        f"({no_frequency} without a numeric frequency, in the 'none' column)",
        fontsize=11,
    )
    return fig


def layered_positions(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Node positions: x = topological generation (left to right), y spread within it.

    graph must be acyclic; otherwise a spring layout (seed 0) is returned.
    """
    import networkx as nx

    if not nx.is_directed_acyclic_graph(graph):
        return {k: tuple(v) for k, v in nx.spring_layout(graph, seed=0).items()}
    positions = {}
    for x, generation in enumerate(nx.topological_generations(graph)):
        members = sorted(generation, key=lambda n: (graph.nodes[n]["kind"], n.lower()))
        m = len(members)
        for k, node in enumerate(members):
            positions[node] = (float(x), (m - 1) / 2 - k)
    return positions


def mechanism_graph_figure(graph: nx.DiGraph) -> Figure:
    """The mechanism graph, layered from protocols (left) to outcomes (right).

    Edges: green activation (+1), red inhibition (-1), dashed where the reviews disagree;
    node colour: kind (protocol, gene, molecule, pathway, cell, process, outcome).
    """
    import networkx as nx
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    positions = layered_positions(graph)
    height = (
        max(len(g) for g in nx.topological_generations(graph))
        if nx.is_directed_acyclic_graph(graph)
        else 20
    )
    fig = Figure(figsize=(22, max(8.0, 0.42 * height)), layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    colours = [KIND_COLOURS[graph.nodes[n]["kind"]] for n in graph.nodes]
    nx.draw_networkx_nodes(
        graph,
        positions,
        ax=ax,
        node_color=colours,
        node_size=NODE_SIZE,
        edgecolors="#555555",
        linewidths=0.6,
    )
    for sign, colour in ((1, "#1a9850"), (-1, "#d73027")):
        for contested, style in ((False, "solid"), (True, "dashed")):
            edges = [
                (a, b)
                for a, b, d in graph.edges(data=True)
                if d["sign"] == sign and bool(d["contrary"]) == contested
            ]
            if edges:
                nx.draw_networkx_edges(
                    graph,
                    positions,
                    edgelist=edges,
                    ax=ax,
                    edge_color=colour,
                    style=style,
                    width=0.9,
                    arrowsize=9,
                    node_size=NODE_SIZE,
                    connectionstyle="arc3,rad=0.06",
                    arrowstyle="-|>" if sign > 0 else "-[",
                )
    nx.draw_networkx_labels(graph, positions, ax=ax, font_size=6.5)
    handles = [
        Line2D([], [], color="#1a9850", label="activates / raises (+1)"),
        Line2D([], [], color="#d73027", label="inhibits / lowers (-1)"),
        Line2D([], [], color="grey", ls="--", label="contrary evidence exists"),
    ] + [
        Line2D([], [], marker="o", ls="", markersize=9, markerfacecolor=c, color="#555555", label=k)
        for k, c in KIND_COLOURS.items()
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=True)
    ax.set_title(
        f"Mechanism graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} signed edges "
        "(Krasilnikova et al. 2024; antidepressant review)",
        fontsize=11,
        loc="left",
    )
    return fig
