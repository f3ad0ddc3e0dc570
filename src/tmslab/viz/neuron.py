"""Figures of the neuron layer (matplotlib's object API; each function returns a Figure)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tmslab.units import MM_PER_M, MS_PER_S, MV_PER_V, US_PER_S


def _figure(width: float = 7.0, height: float = 4.5):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def plot_direction_map(directions: np.ndarray, thresholds_v_per_m: np.ndarray, title: str = ""):
    """Threshold (V/m) against field direction: azimuth and elevation of each unit vector.

    directions: (D, 3) unit vectors. thresholds_v_per_m: (D,) array (NaN: not activated).
    """
    d = np.asarray(directions, dtype=float)
    th = np.asarray(thresholds_v_per_m, dtype=float)
    azimuth = np.degrees(np.arctan2(d[:, 1], d[:, 0]))
    elevation = np.degrees(np.arcsin(np.clip(d[:, 2], -1, 1)))
    fig = _figure()
    ax = fig.add_subplot()
    ok = np.isfinite(th)
    if np.any(ok):
        from matplotlib.colors import LogNorm

        low, high = np.nanmin(th[ok]), np.nanmax(th[ok])
        norm = LogNorm(low, high) if high > low * 1.01 else None
        points = ax.scatter(azimuth[ok], elevation[ok], c=th[ok], cmap="viridis_r", norm=norm, s=18)
        fig.colorbar(points, ax=ax, label="threshold, peak E (V/m)")
    if np.any(~ok):
        ax.scatter(
            azimuth[~ok], elevation[~ok], marker="x", color="0.6", s=14, label="not activated"
        )
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_xlabel("azimuth of the field direction (deg, from +x towards +y)")
    ax.set_ylabel("elevation (deg, towards +z)")
    ax.set_title(title or "Threshold against field direction")
    return fig


def plot_sd_curve(sd, title: str = ""):
    """Strength-duration curve: thresholds (V/m) against pulse width (us), with the fit."""
    fig = _figure(6.0, 4.2)
    ax = fig.add_subplot()
    widths = np.asarray(sd.widths_s)
    ax.loglog(widths * US_PER_S, sd.thresholds_v_per_m, "o", label="thresholds")
    fine = np.geomspace(widths.min() * 0.8, widths.max() * 1.25, 200)
    ax.loglog(
        fine * US_PER_S,
        sd.fitted(fine),
        "-",
        label=f"fit: rheobase {sd.rheobase_v_per_m:.3g} V/m, tau {sd.tau_s * US_PER_S:.0f} us",
    )
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    ax.set_xticks(widths * US_PER_S)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(ScalarFormatter())
        axis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("pulse width (us)")
    ax.set_ylabel("threshold, peak E (V/m)")
    ax.set_title(title or "Strength-duration curve")
    ax.legend(fontsize=8)
    return fig


def plot_population(population, title: str = ""):
    """Placed cells on the plane of the two coordinates they spread most along: spike time
    (colour) or not fired (x)."""
    positions = np.asarray(population.positions_m, dtype=float)
    first, second = sorted(np.argsort(np.ptp(positions, axis=0))[::-1][:2])
    names = "xyz"
    fig = _figure(6.0, 5.0)
    ax = fig.add_subplot()
    fired = np.asarray(population.fired)
    u, v = positions[:, first] * MM_PER_M, positions[:, second] * MM_PER_M
    if np.any(fired):
        points = ax.scatter(
            u[fired], v[fired], c=population.spike_time_s[fired] * MS_PER_S, cmap="plasma", s=30
        )
        fig.colorbar(points, ax=ax, label="spike time after the pulse onset (ms)")
    if np.any(~fired):
        ax.scatter(u[~fired], v[~fired], marker="x", color="0.55", s=20, label="not fired")
        ax.legend(fontsize=8, loc="best")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel(f"{names[first]} (mm)")
    ax.set_ylabel(f"{names[second]} (mm)")
    ax.set_title(title or f"{int(np.sum(fired))} of {len(fired)} cells fire")
    return fig


def plot_traces(t_s: np.ndarray, traces_v: np.ndarray, labels: Sequence[str], title: str = ""):
    """Membrane potential (mV) against time (ms) at recording sites; traces_v: (R, K), volts."""
    fig = _figure(6.5, 4.0)
    ax = fig.add_subplot()
    for trace, label in zip(np.atleast_2d(traces_v), labels, strict=False):
        ax.plot(np.asarray(t_s) * MS_PER_S, trace * MV_PER_V, label=label)
    ax.set_xlabel("time after the pulse onset (ms)")
    ax.set_ylabel("membrane potential (mV)")
    ax.set_title(title or "Membrane potential")
    ax.legend(fontsize=8)
    return fig


def plot_thresholds_at_target(
    names: Sequence[str], thresholds_v_per_m, applied_v_per_m: float, title: str = ""
):
    """Bar chart: each model's threshold at the target (V/m) against the applied peak field."""
    fig = _figure(6.0, 4.5)
    ax = fig.add_subplot()
    values = np.asarray(thresholds_v_per_m, dtype=float)
    finite = values[np.isfinite(values)]
    floor = min([*finite, applied_v_per_m]) / 3  # log axis: thresholds span decades
    shown = np.where(np.isfinite(values), values, floor)
    colours = [
        "tab:green" if np.isfinite(v) and v <= applied_v_per_m else "tab:gray" for v in values
    ]
    ax.bar(list(names), shown, color=colours)
    ax.axhline(
        applied_v_per_m, color="tab:red", linestyle="--", label=f"applied {applied_v_per_m:.3g} V/m"
    )
    for k, v in enumerate(values):
        if not np.isfinite(v):
            ax.annotate("not reached", (k, floor), ha="center", va="bottom", fontsize=8)
    ax.set_yscale("log")
    ax.set_ylim(floor, max([*finite, applied_v_per_m]) * 3)
    ax.set_ylabel("threshold at the target (V/m)")  # short: it must fit the axis height
    ax.set_title(
        title or "Which cells fire at the target\n(green: threshold below the applied field)"
    )
    ax.legend(fontsize=8)
    return fig
