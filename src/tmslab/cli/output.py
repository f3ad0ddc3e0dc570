"""What the commands print with: :mod:`tmslab.report.terminal`, the output-path checks
(:mod:`tmslab.outputs`) and the figure writer (:mod:`tmslab.viz.files`), re-exported."""

# ruff: noqa: F401, F403 (a module of re-exports)
from __future__ import annotations

from tmslab.outputs import FIGURE_FORMATS, FIGURE_SUFFIXES, check_figure_path, check_out
from tmslab.report.terminal import *
from tmslab.viz.files import save_figure  # matplotlib is imported only when a figure is saved
