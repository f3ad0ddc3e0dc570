"""Figure of an activation map: |E| and the firing threshold of cells on a patch of a layer."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def plot_activation_map(offset_m, threshold_ratio, field_v_per_m, label: str = "cells"):
    """Two panels over a square patch of a cell layer.

    offset_m: (n,) array, distance from the target along the patch's two axes, metres.
    threshold_ratio: (n, n) array, threshold as a multiple of the applied intensity (NaN: not
    reached); cells with a ratio <= 1 fire. field_v_per_m: (n, n) array, |E| at each cell, V/m.
    """
    offset = np.asarray(offset_m, float) * 1e3
    ratio = np.asarray(threshold_ratio, float)
    fig = Figure(figsize=(9.6, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    extent = (offset[0], offset[-1], offset[0], offset[-1])
    image = left.imshow(np.asarray(field_v_per_m).T, origin="lower", extent=extent, cmap="viridis")
    fig.colorbar(image, ax=left, label="|E| at the cell (V/m)")
    left.set_title("Applied field")
    shown = np.where(np.isfinite(ratio), ratio, np.nan)
    image = right.imshow(shown.T, origin="lower", extent=extent, cmap="magma_r", vmin=0)
    fig.colorbar(image, ax=right, label="threshold / applied intensity")
    if np.nanmin(shown) <= 1 <= np.nanmax(shown):
        right.contour(offset, offset, shown.T, levels=[1.0], colors="white", linewidths=1.5)
    fired = np.mean(ratio <= 1) * 100
    right.set_title(f"{label}: {fired:.3g} % fire")
    for ax in (left, right):
        ax.set_xlabel("offset along u (mm)")
        ax.set_ylabel("offset along w (mm)")
    return fig
