"""A command's ``--help`` laid out as Typer's Rich help, without Typer or Rich (instant help).

Plain text boxes: the usage line, the help text, then panels of ``name  text`` rows; box
characters fall back to ASCII when the terminal's encoding lacks them.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Sequence

Rows = Sequence[tuple[str, str]]


def terminal_width() -> int:
    """``$COLUMNS``, else the terminal's width on a terminal, else 80 (at least 40)."""
    columns = os.environ.get("COLUMNS", "")
    tty = sys.stdout.isatty()
    width = int(columns) if columns.isdigit() else shutil.get_terminal_size().columns if tty else 80
    return max(width, 40)


def help_text(usage: str, text: str, panels: Sequence[tuple[str, Rows, int]], width: int) -> str:
    """The help page: ``usage``, ``text``, then each ``(title, rows, gap)`` panel, ``width`` wide.

    ``gap`` is the space between a row's name column and its wrapped text.
    """
    width = max(width, 40)
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "╭─╮│╰╯".encode(encoding)
        tl, h, tr, v, bl, br = "╭─╮│╰╯"
    except (UnicodeEncodeError, LookupError):
        tl, h, tr, v, bl, br = "+-+|++"

    def panel(title: str, rows: Rows, gap: int) -> list[str]:
        inner = width - 4
        key_width = max(len(k) for k, _ in rows) + gap
        lines = [f"{tl}{h} {title} " + h * (width - len(title) - 5) + tr]
        for key, row_text in rows:
            wrapped = textwrap.wrap(row_text, inner - key_width, break_on_hyphens=False) or [""]
            for i, part in enumerate(wrapped):
                left = key if i == 0 else ""
                lines.append(f"{v} {left:<{key_width}}{part:<{inner - key_width}} {v}")
        lines.append(bl + h * (width - 2) + br)
        return lines

    blank = " " * width
    out = [
        blank,
        f" {usage:<{width - 1}}",
        blank,
        *(f" {line:<{width - 1}}" for line in textwrap.wrap(text, width - 2)),
        blank,
        *(line for title, rows, gap in panels for line in panel(title, rows, gap)),
    ]
    return "\n".join(out) + "\n\n"
