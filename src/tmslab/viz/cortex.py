"""Figures of the E-field on the cortex (:class:`tmslab.efield.head.CorticalField`).

The surface is drawn as flat-coloured triangles projected onto the view plane, farthest first
(painter's algorithm), triangles facing away from the viewer left out. Each triangle takes the
mean of its three vertices' values; no shading, so a colour is a value on the colour bar.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from tmslab.units import A_PER_US, MM_PER_M

__all__ = ["VIEWS", "plot_cortical_field", "project_view"]

# view -> (screen x axis, screen y axis, direction from the scene towards the viewer), head frame
# (x right, y anterior, z superior). Lateral views put anterior towards the side it is on.
VIEWS = {
    "left": (np.array([0.0, -1.0, 0.0]), np.array([0.0, 0.0, 1.0]), np.array([-1.0, 0.0, 0.0])),
    "right": (np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0])),
    "top": (np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0])),
}


def project_view(
    vertices: np.ndarray, triangles: np.ndarray, view: str
) -> tuple[np.ndarray, np.ndarray]:
    """Triangles as seen in a view: 2-D polygons, farthest first, back faces dropped.

    Parameters
    ----------
    vertices : (N, 3) ndarray, m
        Vertices (head frame).
    triangles : (M, 3) ndarray of int
        Counter-clockwise seen from outside.
    view : str
        ``"left"``, ``"right"`` or ``"top"``.

    Returns
    -------
    polygons : (K, 3, 2) ndarray, mm
        Screen coordinates of the visible triangles, in drawing order.
    order : (K,) ndarray of int
        Their indices into ``triangles``.
    """
    sx, sy, towards = VIEWS[view]
    corners = vertices[triangles]
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    front = np.flatnonzero(normals @ towards > 0)
    depth = corners[front].mean(axis=1) @ towards
    order = front[np.argsort(depth)]  # nearest to the viewer drawn last
    c = corners[order] * MM_PER_M
    return np.stack([c @ sx, c @ sy], axis=-1), order


def _panel(ax, f, values, view, norm, cmap, mask):
    tri = f.triangles[mask[f.triangles].all(axis=1)]
    polygons, order = project_view(f.vertices, tri, view)
    colours = values[tri[order]].mean(axis=1)
    collection = PolyCollection(
        polygons, array=colours, cmap=cmap, norm=norm, edgecolors="face", linewidths=0.4
    )
    ax.add_collection(collection)
    sx, sy, _ = VIEWS[view]
    points = f.vertices[mask] * MM_PER_M
    ax.set_xlim((points @ sx).min() - 5, (points @ sx).max() + 5)
    ax.set_ylim((points @ sy).min() - 5, (points @ sy).max() + 5)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    marks = [(f.hotspot, "*", 16, "hot spot")]
    if f.target is not None:
        marks.append((f.vertices[f.target.index], "o", 9, "target"))
    for point, marker, size, label in marks:
        p = point * MM_PER_M
        ax.plot(p @ sx, p @ sy, marker, ms=size, mfc="white", mec="black", mew=1.2, label=label)
    return collection


def plot_cortical_field(f, title: str | None = None) -> Figure:
    """|E| (top row) and the normal component E_n (bottom row) on the mid-cortical surface.

    Left column: lateral view of the hemisphere holding the hot spot; right column: both
    hemispheres from above (anterior up). The hot spot (star) and the target (circle) are marked.

    Parameters
    ----------
    f : CorticalField
        The field (:func:`tmslab.efield.head.head_field`).
    title : str or None
        Figure title; by default the coil, head, placement and dI/dt.

    Returns
    -------
    Figure
        2 x 2 panels with a colour bar per row (V/m, or V/m per A/us at 1 A/us).
    """
    per = "V/m per A/µs" if f.didt_a_per_s == A_PER_US else "V/m"
    hemi = f.hotspot_hemisphere
    offsets = np.cumsum([0] + [n for _, n in f.hemispheres])
    names = [h for h, _ in f.hemispheres]
    k = names.index(hemi)
    in_hemi = np.zeros(len(f.vertices), bool)
    in_hemi[offsets[k] : offsets[k + 1]] = True
    everything = np.ones(len(f.vertices), bool)
    lateral = hemi if hemi in VIEWS else "left"

    fig = Figure(figsize=(10, 8), layout="constrained")
    axes = fig.subplots(2, 2)
    top = max(f.e_max_raw, 1e-30)
    en = f.normal_component
    bound = max(float(np.abs(en[f.cortex]).max()), 1e-30)
    rows = [
        (f.magnitude, Normalize(0.0, top), "viridis", f"|E| ({per})"),
        (en, Normalize(-bound, bound), "RdBu_r", f"E_n, + into cortex ({per})"),
    ]
    for row, (values, norm, cmap, label) in enumerate(rows):
        image = None
        for col, (view, mask) in enumerate(((lateral, in_hemi), ("top", everything))):
            ax = axes[row, col]
            image = _panel(ax, f, values, view, norm, cmap, mask)
            side = "lateral" if view != "top" else "top (anterior up, left on left)"
            ax.set_title(f"{label.split(' (')[0]}: {hemi if view != 'top' else 'both'}, {side}")
        fig.colorbar(image, ax=axes[row, :], label=label, shrink=0.85)
    axes[0, 0].legend(loc="lower left", fontsize=8, framealpha=0.8)
    if title is None:
        target = "" if f.target is None else f"; target {f.target.name}: {f.e_target:.3g}"
        title = (
            f"{f.coil_name} on {f.head_name}, |E| in {per}: max {f.e_max:.3g} (99.9th pct), "
            f"{f.e_max_raw:.3g} (largest){target}"
        )
    fig.suptitle(title, fontsize=10)
    return fig
