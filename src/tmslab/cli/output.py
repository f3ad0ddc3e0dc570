"""What the commands print with: :mod:`tmslab.report.terminal`, the output-path checks
(:mod:`tmslab.outputs`) and the figure writer (:mod:`tmslab.viz.files`), re-exported."""

# ruff: noqa: F401, F403 (a module of re-exports)
from __future__ import annotations

from typing import Any

from tmslab.outputs import FIGURE_FORMATS, FIGURE_SUFFIXES, check_figure_path, check_out
from tmslab.report.terminal import *


def save_figure(fig: Any, path: Any) -> Any:
    """Save a matplotlib figure atomically (:func:`tmslab.viz.files.save_figure`)."""
    from tmslab.viz.files import save_figure  # on use: not every command needs matplotlib

    return save_figure(fig, path)
