"""Stimulator pulse: coil current and the normalised induced E-field over time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tmslab.units import KA, US_PER_S

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from tmslab.protocols.waveform import Waveform


def plot_waveform(waveform: Waveform, title: str | None = None) -> Figure:
    """Two panels over the pulse (time in µs): coil current I(t) in kA, and the normalised
    E-field waveform dI/dt(t) / dI/dt(0). Returns the Figure."""
    from matplotlib.figure import Figure

    t_us = waveform.t_s * US_PER_S
    fig = Figure(figsize=(7, 4.2))
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(t_us, waveform.current_a / KA, color="tab:blue")
    top.set_ylabel("coil current (kA)")
    top.axhline(0, color="0.7", linewidth=0.6)
    bottom.plot(t_us, waveform.e_field, color="tab:red")
    bottom.axhline(0, color="0.7", linewidth=0.6)
    bottom.set_ylabel("E-field / E(0)")
    bottom.set_xlabel("time (µs)")
    top.set_title(
        title
        or f"{waveform.name or 'pulse'}: {waveform.shape}, {waveform.duration_s * US_PER_S:.0f} µs",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
