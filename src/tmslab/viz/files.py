"""Figures written to files: atomically, in the format the file name gives."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from tmslab.errors import InvalidValueError
from tmslab.outputs import FIGURE_FORMATS, FIGURE_SUFFIXES
from tmslab.provenance import atomic_write

# zlib level of the PNGs: 3 takes about half the time of PIL's default 6 for report figures ~6 %
# larger (the pixels are the same: PNG is lossless).
PNG_COMPRESS_LEVEL = 3


def png_bytes(fig: Any, dpi: float) -> bytes:
    """A matplotlib figure drawn once, as PNG, at ``dpi``: the pixels ``fig.savefig(format="png",
    dpi=dpi)`` gives.

    ``savefig`` draws a figure with a layout engine (constrained layout) twice: once to lay it
    out, once to render; drawing on the Agg canvas directly lays out and renders in one pass.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (not closed; its dpi is restored afterwards).
    dpi : float
        Resolution, dots per inch.

    Returns
    -------
    bytes
        The PNG file.
    """
    from matplotlib import rcParams
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    pil_kwargs = {"compress_level": PNG_COMPRESS_LEVEL}
    # What savefig would change besides the dpi (a user's matplotlibrc), or a GUI window's
    # canvas (savefig draws it on a separate Agg canvas): leave those to savefig.
    as_drawn = (
        rcParams["savefig.bbox"] is None
        and rcParams["savefig.facecolor"] == "auto"
        and rcParams["savefig.edgecolor"] == "auto"
        and not rcParams["savefig.transparent"]
    )
    if as_drawn and type(fig.canvas) is FigureCanvasBase:
        FigureCanvasAgg(fig)  # a bare Figure (no pyplot) has no drawing canvas yet
    if not as_drawn or type(fig.canvas) is not FigureCanvasAgg:
        fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs=pil_kwargs)
        return buffer.getvalue()
    canvas = fig.canvas
    before = fig.dpi
    fig.dpi = dpi
    try:
        canvas.print_png(buffer, pil_kwargs=pil_kwargs)
    finally:
        fig.dpi = before
    return buffer.getvalue()


def close_figure(fig: Any) -> None:
    """Forget ``fig`` in pyplot's list of open figures, if pyplot made it (a bare Figure is in no
    list: importing pyplot to close it would only pick a GUI backend for nothing)."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close(fig)


def save_figure(fig: Any, path: str | Path, dpi: int = 150) -> Path:
    """Save a matplotlib figure atomically as ``path`` and close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; closed afterwards, also when saving fails.
    path : path
        A file ending in .png, .svg or .pdf (the format).
    dpi : int
        Resolution of a PNG, dots per inch.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    fmt_name = path.suffix.lstrip(".").lower()
    try:
        if fmt_name not in FIGURE_FORMATS:
            raise InvalidValueError(
                f"cannot save a figure as {path.name!r}; "
                f"use a file ending in {', '.join(FIGURE_SUFFIXES)}"
            )
        if fmt_name == "png":
            atomic_write(path, lambda tmp: Path(tmp).write_bytes(png_bytes(fig, dpi)))
        else:
            atomic_write(path, lambda tmp: fig.savefig(tmp, format=fmt_name, dpi=dpi))
    finally:
        close_figure(fig)
    return path
