"""Figures written to files: atomically, in the format the file name gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tmslab.errors import InvalidValueError
from tmslab.outputs import FIGURE_FORMATS, FIGURE_SUFFIXES
from tmslab.provenance import atomic_write


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
    import matplotlib.pyplot as plt

    path = Path(path)
    fmt_name = path.suffix.lstrip(".").lower()
    try:
        if fmt_name not in FIGURE_FORMATS:
            raise InvalidValueError(
                f"cannot save a figure as {path.name!r}; "
                f"use a file ending in {', '.join(FIGURE_SUFFIXES)}"
            )
        atomic_write(path, lambda tmp: fig.savefig(tmp, format=fmt_name, dpi=dpi))
    finally:
        plt.close(fig)
    return path
