"""What the commands print with: :mod:`tmslab.report.terminal` and the output-path checks."""

from __future__ import annotations

from typing import Any

from tmslab.outputs import FIGURE_FORMATS, FIGURE_SUFFIXES, check_figure_path, check_out
from tmslab.report.terminal import (
    StageProgress,
    TmslabConsole,
    console,
    err_console,
    fmt,
    key_value_table,
    plain_table,
    print_json,
    print_listing,
    print_rows,
    print_table,
    print_wrote,
    task_progress,
)

__all__ = [  # the names the commands import from here
    "FIGURE_FORMATS",
    "FIGURE_SUFFIXES",
    "StageProgress",
    "TmslabConsole",
    "check_figure_path",
    "check_out",
    "console",
    "err_console",
    "fmt",
    "key_value_table",
    "plain_table",
    "print_json",
    "print_listing",
    "print_rows",
    "print_table",
    "print_wrote",
    "save_figure",
    "task_progress",
]


def save_figure(fig: Any, path: Any) -> Any:
    """Save a matplotlib figure atomically (:func:`tmslab.viz.files.save_figure`)."""
    from tmslab.viz.files import save_figure  # on use: not every command needs matplotlib

    return save_figure(fig, path)
