"""Figures of a coil-placement search (:class:`tmslab.efield.optimise.PlacementOptimum`)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from tmslab.units import A_PER_US, MM_PER_M

__all__ = ["plot_placement"]


def plot_placement(result) -> Figure:
    """The search as two panels: the best score at each position, and the score over angles.

    Left: each scalp position searched, on the tangent plane at the target's projection
    (the coil's x axis at handle 0 and anterior, mm), coloured by the goal's best value over handle angles, with the
    handle direction of that best angle drawn as a short line; the best pose is ringed. Right:
    the goal's value against the handle angle at the best position and at the target's
    projection.

    Parameters
    ----------
    result : PlacementOptimum
        The search.

    Returns
    -------
    Figure
        The figure (V/m per A/us).
    """
    xy = result.plane_coordinates() * MM_PER_M
    score = np.where(np.isfinite(result.score), result.score, np.nan) * A_PER_US
    best_over_angles = np.nanmax(score, axis=1)
    best_angle = result.angles_deg[np.nanargmax(np.nan_to_num(score, nan=-np.inf), axis=1)]
    fig = Figure(figsize=(10, 4.4), layout="constrained")
    ax, ax2 = fig.subplots(1, 2, width_ratios=[1.1, 1])
    sc = ax.scatter(xy[:, 0], xy[:, 1], c=best_over_angles, s=18, cmap="viridis", marker="s")
    # handle direction at angle a: posterior turned by a, clockwise seen from outside, i.e.
    # towards the subject's right for a = 90 over the vertex (the placement convention)
    a = np.deg2rad(best_angle)
    step = max(float(np.median(np.diff(np.unique(np.round(xy[:, 0], 3))))), 1.0) * 1.2
    hx, hy = -np.sin(a), -np.cos(a)
    every = slice(None, None, max(1, len(xy) // 150))
    ax.quiver(
        xy[every, 0], xy[every, 1], hx[every], hy[every], angles="xy", scale_units="xy",
        scale=1 / step, width=0.004, headwidth=0, headlength=0, headaxislength=0, color="k",
    )  # fmt: skip
    i, k = result.best
    ax.plot(*xy[i], "o", mfc="none", mec="r", ms=14, mew=2, label="best pose")
    ax.plot(0, 0, "+", color="k", ms=12, label="target's projection")
    ax.set_aspect("equal")
    # the coil's x axis at handle angle 0: the subject's right over the vertex, superior over
    # the side of the head; anterior is the handle's reference (posterior) reversed
    ax.set_xlabel("coil x at handle 0 deg (mm; right over the vertex)")
    ax.set_ylabel("anterior, on the scalp (mm)")
    label = {"normal": "E_n", "focal": "objective", "direction": "E . d"}.get(result.goal, "|E|")
    fig.colorbar(sc, ax=ax, label=f"best {label} at target (V/m per A/us)")
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title(f"{result.coil_name} on {result.head_name}: handle lines at the best angle")
    ax2.plot(result.angles_deg, score[i], "-", color="C3", label="best position")
    ax2.plot(result.angles_deg, score[0], "--", color="C0", label="over the target")
    ax2.axvline(result.angles_deg[k], color="C3", lw=0.8, ls=":")
    if result.e_direct is not None and result.avoid_m is None:  # the direct value of the same
        ax2.plot(
            result.angles_deg[k], result.score_of(result.e_direct) * A_PER_US, "k*", ms=10,
            label="direct solve",
        )  # fmt: skip
    ax2.set_xlabel("handle angle from posterior (deg)")
    ax2.set_ylabel(f"{label} at target (V/m per A/us)")
    ax2.set_xlim(0, 360)
    ax2.legend(fontsize=8)
    ax2.set_title(f"best: {result.angles_deg[k]:g} deg")
    return fig
