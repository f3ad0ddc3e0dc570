"""Figures of the plasticity layer (matplotlib object API; each function returns a Figure)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np

from tmslab.plasticity.curves import Curve
from tmslab.plasticity.prediction import Prediction
from tmslab.units import MS_PER_S


def _figure(width: float = 6.4, height: float = 4.0):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def plot_trajectory(prediction: Prediction):
    """The model's trajectory over the protocol (time in s), with the verdict and threshold."""
    fig, ax = _figure()
    t = prediction.t_s - prediction.t_s[0]
    scale, unit = (60.0, "min") if t[-1] > 600 else (1.0, "s")
    ax.plot(t / scale, prediction.trajectory, lw=1.5, color="tab:purple")
    if prediction.relative_weight is not None:
        ax.axhline(1.0, color="0.5", ls="--", lw=1)
        ax.axhspan(1 - prediction.threshold, 1 + prediction.threshold, color="0.9", zorder=0)
    else:
        ax.axhline(0.0, color="0.5", ls="--", lw=1)
    ax.set_xlabel(f"time from the first pulse ({unit})")
    ax.set_ylabel(textwrap.fill(prediction.trajectory_label, 38), fontsize=9)
    final = f"{prediction.relative_weight:.3g}" if prediction.relative_weight is not None else "n/a"
    ax.set_title(
        f"{prediction.model} | {prediction.protocol}\nfinal {final}: {prediction.verdict} "
        f"(threshold {prediction.threshold:.0%})",
        fontsize=10,
    )
    return fig


def plot_curves(curves: Sequence[Curve], title: str = ""):
    """Relative weight against the curves' parameter (log axis for frequency), one line each."""
    fig, ax = _figure()
    for curve in curves:
        x = curve.x * MS_PER_S if curve.x_label.startswith("dt") else curve.x
        ax.plot(x, curve.relative_weight, marker="o", ms=3, lw=1.5, label=curve.model)
    first = curves[0]
    if first.x_label.startswith("frequency"):
        ax.set_xscale("log")
        ax.set_xlabel("stimulation frequency (Hz)")
    else:
        ax.set_xlabel("dt = t_post - t_pre (ms)")
        ax.axvline(0.0, color="0.5", ls="--", lw=1)
    ax.axhline(1.0, color="0.5", ls="--", lw=1)
    ax.axhspan(1 - first.threshold, 1 + first.threshold, color="0.9", zorder=0)
    ax.set_ylabel("relative synaptic strength (final / initial)")
    ax.set_title(title or first.description, fontsize=10)
    if len(curves) > 1 or np.isfinite(first.relative_weight).any():
        ax.legend(fontsize=8, frameon=False)
    return fig
