"""What the commands print with: :mod:`tmslab.report.terminal`, the output-path checks
(:mod:`tmslab.outputs`) and the figure writer (:mod:`tmslab.viz.files`), re-exported; a result
record as JSON or a table, the ``wrote PATH`` lines."""

# ruff: noqa: F401, F403 (a module of re-exports)
from __future__ import annotations

from typing import Any

from tmslab.outputs import FIGURE_FORMATS, FIGURE_SUFFIXES, check_figure_path, check_out
from tmslab.report.terminal import *
from tmslab.report.terminal import print_json, print_rows, print_wrote
from tmslab.viz.files import save_figure  # matplotlib is imported only when a figure is saved


def print_result(result: Any, title: str, json: bool) -> None:
    """A result record: its ``to_dict()`` as JSON, else its ``rows()`` as a table titled ``title``."""
    if json:
        return print_json(result.to_dict())
    print_rows(title, result.rows())


def print_written(*paths: Any) -> None:
    """``wrote PATH`` for each output file or folder asked for (None: not asked for)."""
    for path in paths:
        if path is not None:
            print_wrote(path)
