"""Figures of cells placed in the cortex (:class:`tmslab.neuron.cortex.CortexThresholdMap`).

Left: the cortex around the patch (mid surface, grey by |E| of the applied field), seen from the
side of :data:`tmslab.viz.cortex.VIEWS` that faces the patch best (the projection of
:func:`tmslab.viz.cortex.project_view`), with every cell's soma coloured by its threshold in % of
the applied intensity (a cross: no spike up to the search limit). Middle: the input-output curve,
the fraction of the cells activated against intensity. Right: the activation sites (the section
where the spike starts at threshold) and how many cells fire first there.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from tmslab.units import A_PER_US, MM_PER_M
from tmslab.viz.cortex import VIEWS, project_view

__all__ = ["best_view", "plot_cortex_threshold_map", "plot_io_curve"]


def best_view(normals: np.ndarray) -> str:
    """The view of :data:`tmslab.viz.cortex.VIEWS` facing surfaces with these normals best.

    Parameters
    ----------
    normals : (P, 3) ndarray, dimensionless
        Outward normals.

    Returns
    -------
    str
        ``"left"``, ``"right"`` or ``"top"``.
    """
    mean = np.asarray(normals, dtype=float).reshape(-1, 3).mean(axis=0)
    return max(VIEWS, key=lambda v: float(mean @ VIEWS[v][2]))


def _map_panel(ax, result, view: str):
    p = result.placement
    sx, sy, _ = VIEWS[view]
    if result.surface is not None:
        vertices, triangles, magnitude = result.surface
        polygons, order = project_view(vertices, triangles, view)
        values = magnitude[triangles[order]].mean(axis=1)
        top = float(np.nanmax(magnitude)) if np.any(np.isfinite(magnitude)) else 1.0
        surface = PolyCollection(
            polygons,
            array=np.nan_to_num(values, nan=0.0),
            cmap="Greys",
            norm=Normalize(0.0, 1.6 * max(top, 1e-30)),
            edgecolors="face",
            linewidths=0.3,
        )
        ax.add_collection(surface)
    soma = p.soma_m * MM_PER_M
    x, y = soma @ sx, soma @ sy
    ok = result.activated
    pct = result.threshold_pct
    image = ax.scatter(
        x[ok], y[ok], c=pct[ok], cmap="viridis_r", s=14, edgecolors="black", linewidths=0.3
    )
    if np.any(~ok):
        ax.plot(x[~ok], y[~ok], "x", color="0.4", ms=4, label="no spike")
    if result.surface is not None:
        v = result.surface[0] * MM_PER_M
        ax.set_xlim((v @ sx).min() - 1, (v @ sx).max() + 1)
        ax.set_ylim((v @ sy).min() - 1, (v @ sy).max() + 1)
    ax.set_aspect("equal")
    ax.set_xlabel(f"{view} view, mm")
    ax.set_title(
        f"{p.n_cells} cells, {p.layer} (depth {p.depth_fraction:g}); cortex grey by |E|", fontsize=9
    )
    return image


def plot_io_curve(ax, result, top: float | None = None, bottom: float = 0.0, **style) -> None:
    """Fraction of the cells activated against intensity (% of the applied) on ``ax``.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    result : CortexThresholdMap
        The map.
    top : float or None, dimensionless
        Highest intensity drawn, as a factor on the applied one (None: the map's own).
    bottom : float, dimensionless
        Lowest intensity drawn; above 0: a logarithmic intensity axis from there.
    **style : Any
        Passed to ``ax.plot`` (e.g. ``label``, ``color``).
    """
    if bottom > 0 and top is not None:
        scales, fraction = result.io_curve(np.geomspace(bottom, top, 300))
        ax.set_xscale("log")
    else:
        scales, fraction = result.io_curve(None if top is None else np.linspace(0.0, top, 300))
    ax.plot(100.0 * scales, 100.0 * fraction, **({"color": "C0"} | style))
    ax.axvline(100.0, color="0.5", ls="--", lw=0.8)
    applied = []
    if result.didt_a_per_s is not None:
        applied.append(f"{result.didt_a_per_s / A_PER_US:.3g} A/µs")
    if result.e_target_v_per_m is not None:
        applied.append(f"{result.e_target_v_per_m:.3g} V/m at target")
    shown = f" ({', '.join(applied)})" if applied else ""
    ax.set_xlabel(f"intensity, % of applied{shown}")
    ax.set_ylabel("cells activated, %")
    ax.set_ylim(-2, 102)
    ax.set_xlim(float(100.0 * scales[0]), float(100.0 * scales[-1]))
    ax.grid(alpha=0.3)
    ax.set_title("input-output curve", fontsize=9)


def _title(result) -> str:
    where = " on ".join(x for x in (result.coil, result.head) if x)
    return (
        f"{result.model}, {result.waveform}"
        + (f", {where}" if where else "")
        + (f"; cells around {result.target}" if result.target else "")
    )


def plot_cortex_threshold_map(result, title: str | None = None, subtitle: str = "") -> Figure:
    """Thresholds on the cortical patch, the input-output curve and the activation sites.

    Parameters
    ----------
    result : CortexThresholdMap or sequence of CortexThresholdMap
        From :func:`tmslab.neuron.cortex.cortex_threshold_map`; several cell types in one
        field: a map per type above, their input-output curves and sites together below.
    title : str or None
        Figure title; by default the model, waveform, coil, head and target.
    subtitle : str
        A second title line (e.g. the coil placement).

    Returns
    -------
    Figure
        Three panels (one type), or a map per type and two panels below (several).
    """
    results = list(result) if isinstance(result, list | tuple) else [result]
    n = len(results)
    if n == 1:
        fig = Figure(figsize=(14, 4.8), layout="constrained")
        axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.3, 1.0, 0.8]})
        maps, curve, bars = [axes[0]], axes[1], axes[2]
    else:
        fig = Figure(figsize=(max(10.0, 5.0 * n), 9.0), layout="constrained")
        grid = fig.add_gridspec(2, 2 * n)
        maps = [fig.add_subplot(grid[0, 2 * k : 2 * k + 2]) for k in range(n)]
        curve = fig.add_subplot(grid[1, :n])
        bars = fig.add_subplot(grid[1, n:])
    for ax, r in zip(maps, results, strict=True):
        image = _map_panel(ax, r, best_view(r.placement.normal))
        fig.colorbar(image, ax=ax, label="threshold, % of applied intensity", shrink=0.9)
        if n > 1:
            ax.set_title(f"{r.model}: {r.placement.n_cells} cells, {r.placement.layer}", fontsize=9)
    top = max((float(r.io_curve()[0][-1]) for r in results), default=1.0)
    fired = np.concatenate([r.threshold_scale[r.activated] for r in results])
    # types an order of magnitude apart share a logarithmic intensity axis
    wide = len(fired) > 0 and float(fired.max()) > 10.0 * float(fired.min())
    bottom = 0.5 * float(fired.min()) if wide else 0.0
    for k, r in enumerate(results):
        plot_io_curve(curve, r, top, bottom, color=f"C{k}", label=r.model)
    if n > 1:
        curve.legend(fontsize=8)
    names, counts, colours = [], [], []
    for k, r in enumerate(results):
        sites = r.site_counts()
        for site in sorted(sites, key=lambda key: -sites[key]):
            names.append(site if n == 1 else f"{r.model}: {site}")
            counts.append(sites[site])
            colours.append("C1" if n == 1 else f"C{k}")
    bars.barh(names, counts, color=colours, height=0.5)
    bars.set_ylim(max(len(names), 4) - 0.5, -0.5)  # thin bars however few sites, first on top
    bars.set_xlabel("cells")
    bars.set_title("where the spike starts (at threshold)", fontsize=9)
    if title is None:
        title = _title(results[0])
        if n > 1:
            title = title.replace(results[0].model, ", ".join(r.model for r in results), 1)
    # thresholds from a direction table are estimates: say so, with their checked error
    estimated = [
        (f"{r.model}: " if n > 1 else "") + f"thresholds {r.table_text()}"
        for r in results
        if getattr(r, "method", "simulate") == "table"
    ]
    lines = [title, subtitle, *estimated]
    fig.suptitle("\n".join(line for line in lines if line), fontsize=10)
    return fig
