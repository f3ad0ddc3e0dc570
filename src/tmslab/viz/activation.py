"""Figure of an activation map: |E| and the firing threshold of cells on a patch of a layer."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from tmslab.neuron.activation import has_boundary
from tmslab.units import MM_PER_M


def plot_activation_map(offset_m, threshold_ratio, field_v_per_m, label: str = "cells"):
    """Two panels over a square patch of a cell layer.

    offset_m: (n,) array, distance from the target along the patch's two axes, metres.
    threshold_ratio: (n, n) array, threshold as a multiple of the applied intensity (NaN: not
    reached); cells with a ratio <= 1 fire. field_v_per_m: (n, n) array, |E| at each cell, V/m.
    Where the ratio crosses 1 inside the patch a white contour separates the cells that fire
    (inside) from those that do not; the right panel's title says which case it is.
    """
    offset = np.asarray(offset_m, float) * MM_PER_M
    ratio = np.asarray(threshold_ratio, float)
    fig = Figure(figsize=(9.6, 4.4), layout="constrained")
    left, right = fig.subplots(1, 2)
    extent = (offset[0], offset[-1], offset[0], offset[-1])
    image = left.imshow(np.asarray(field_v_per_m).T, origin="lower", extent=extent, cmap="viridis")
    fig.colorbar(image, ax=left, label="|E| at the cell (V/m)")
    left.set_title("Applied field")
    shown = np.where(np.isfinite(ratio), ratio, np.nan)
    # Scale to at least 2 so a ratio of 1 (the firing boundary) sits mid-scale, not at an end.
    top = max(2.0, float(np.nanmax(shown))) if np.isfinite(shown).any() else 2.0
    image = right.imshow(shown.T, origin="lower", extent=extent, cmap="magma_r", vmin=0, vmax=top)
    fig.colorbar(image, ax=right, label="threshold / applied intensity")
    fired = float(np.mean(ratio <= 1)) * 100
    if has_boundary(ratio):
        # Cells never reaching threshold (NaN) count as far above 1, so the line encloses them out.
        filled = np.where(np.isfinite(ratio), ratio, 2 * top)
        right.contour(offset, offset, filled.T, levels=[1.0], colors="white", linewidths=1.5)
        right.set_title("Threshold (white: 1, cells inside fire)")
    else:
        right.set_title("Threshold (" + ("every cell fires)" if fired == 100 else "no cell fires)"))
    fig.suptitle(f"{label}: {fired:.3g} % fire")
    for ax in (left, right):
        ax.set_xlabel("offset along u (mm)")
        ax.set_ylabel("offset along w (mm)")
    return fig
