"""Protocol timeline: the whole session, and a zoom on its first train."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tmslab.wording import counted

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from tmslab.protocols.protocol import Protocol


def _time_axis(seconds: float) -> tuple[float, str]:
    """A readable unit for a time span: (seconds per unit, unit label)."""
    if seconds >= 120:
        return 60.0, "min"
    if seconds >= 2:
        return 1.0, "s"
    return 1e-3, "ms"


def _readable_duration(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds:.6g} s ({seconds / 60:.1f} min)"
    return f"{seconds:.4g} s"


def _draw_pulses(ax, times_s: np.ndarray, scale: np.ndarray, unit: float) -> None:
    # One colour: trains show as the gaps between them (alternating colours read as two kinds).
    ax.vlines(times_s / unit, 0, scale, colors="tab:blue", linewidth=0.8)
    ax.set_ylim(0, max(1.05, float(scale.max()) * 1.05))
    ax.set_ylabel("relative\nintensity")


def plot_timeline(protocol: Protocol, ax=None, zoom: bool = True) -> Figure:
    """Draw a protocol's pulses over one session and, with ``zoom``, its first train.

    Returns the matplotlib Figure (the caller saves or shows it).
    """
    from matplotlib.figure import Figure

    times, scale, train = protocol.pulse_times_s, protocol.pulse_scale, protocol.train_index
    first_train = train == train[0]
    zoom = zoom and (protocol.n_trains > 1 or protocol.n_pulses > 20)
    if ax is None:
        rows = 2 if zoom else 1
        fig = Figure(figsize=(8, 1.9 * rows + 0.6))
        axes = fig.subplots(rows, 1, squeeze=False)[:, 0]
    else:
        fig, axes = ax.figure, [ax]
        zoom = False

    span = max(protocol.duration_s, 1e-3)
    unit, label = _time_axis(span)
    _draw_pulses(axes[0], times, scale, unit)
    axes[0].set_xlim(-0.02 * span / unit, 1.02 * span / unit)
    axes[0].set_xlabel(f"time ({label})")
    course = protocol.course
    extra = (
        f"; {counted(course.sessions_per_day, 'session')} a day for {counted(course.days, 'day')}"
        f" = {counted(protocol.total_pulses, 'pulse')}"
        if course.n_sessions > 1
        else ""
    )
    axes[0].set_title(
        f"{protocol.name}: {counted(protocol.n_pulses, 'pulse')}, "
        f"{counted(protocol.n_trains, 'train')}, "
        f"{_readable_duration(protocol.duration_s)}{extra}",
        fontsize=10,
    )
    if zoom:
        t_first = times[first_train]
        # Show the first train, but at most ~2 s so burst structure stays visible.
        end = min(t_first[-1], t_first[0] + 2.0)
        shown = first_train & (times <= end)
        zspan = max(end - t_first[0], 1e-3)
        zunit, zlabel = _time_axis(zspan)
        _draw_pulses(axes[1], times[shown], scale[shown], zunit)
        axes[1].set_xlim(-0.05 * zspan / zunit, 1.05 * zspan / zunit)
        axes[1].set_xlabel(
            f"time ({zlabel}), first train" + (" (first 2 s)" if end < t_first[-1] else "")
        )
    fig.tight_layout()
    return fig
