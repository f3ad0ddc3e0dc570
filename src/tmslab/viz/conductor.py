"""Figures of numerical (BEM) fields: the cell layer of a dish and charges on a surface.

Nothing here computes fields: each function draws arrays it is given (SI in, mm and V/m shown).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from tmslab.units import MM_PER_M


def plot_dish_layer(
    points: np.ndarray,
    efield: np.ndarray,
    free_space: np.ndarray,
    title: str = "",
    unit_scale: float = 1.0,
    unit: str = "V/m",
) -> Figure:
    """|E| in the cell layer (left) and the free-space estimate (right), same colour scale.

    points: (N, 3) m on a horizontal plane; efield, free_space: (N, 3) V/m;
    unit_scale: factor applied to V/m for display (e.g. 1e-6 for V/m per A/µs at 1 A/s).
    """
    fig = Figure(figsize=(10, 4.4), layout="constrained")
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    x, y = points[:, 0] * MM_PER_M, points[:, 1] * MM_PER_M
    total = np.linalg.norm(efield, axis=1) * unit_scale
    free = np.linalg.norm(free_space, axis=1) * unit_scale
    top = max(float(total.max()), float(free.max()))
    for ax, values, name in ((axes[0], total, "with the dish"), (axes[1], free, "free space")):
        image = ax.tricontourf(x, y, values, levels=np.linspace(0, top, 41), cmap="viridis")
        ax.set_aspect("equal")
        ax.set_xlabel("x (mm)")
        ax.set_title(f"|E| {name}: mean {values.mean():.3g}, max {values.max():.3g} {unit}")
    axes[0].set_ylabel("y (mm)")
    bar = fig.colorbar(image, ax=axes, label=f"|E| ({unit})", shrink=0.9)
    # Round ticks, not the 41 contour levels' edges (369.8, 323.6, ...).
    from matplotlib.ticker import MaxNLocator

    bar.set_ticks([t for t in MaxNLocator(6).tick_values(0, top) if 0 <= t <= top])
    if title:
        fig.suptitle(title)
    return fig


def plot_surface_values(
    corners: np.ndarray, values: np.ndarray, label: str = "", title: str = ""
) -> Figure:
    """Triangles coloured by a value per triangle (e.g. surface charge density, C/m^2).

    corners: (T, 3, 3) m; values: (T,). Shown in a 3D view, millimetres.
    """
    from matplotlib import colors
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection

    fig = Figure(figsize=(7, 6), layout="constrained")
    ax = fig.add_subplot(projection="3d")
    limit = float(np.abs(values).max()) or 1.0
    norm = colors.Normalize(-limit, limit)
    import matplotlib as mpl

    colormap = mpl.colormaps["coolwarm"]
    patches = Poly3DCollection(corners * MM_PER_M, facecolors=colormap(norm(values)), linewidths=0)
    ax.add_collection3d(patches)
    lo, hi = (
        corners.reshape(-1, 3).min(axis=0) * MM_PER_M,
        corners.reshape(-1, 3).max(axis=0) * MM_PER_M,
    )
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_zlim(lo[2], hi[2])
    ax.set_box_aspect(np.maximum(hi - lo, 1e-9))
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    ax.set_zlabel("z (mm)")
    mappable = mpl.cm.ScalarMappable(norm=norm, cmap=colormap)
    fig.colorbar(mappable, ax=ax, label=label, shrink=0.7)
    if title:
        ax.set_title(title)
    return fig
