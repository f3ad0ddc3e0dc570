"""How commands print: JSON for machines, Rich tables for people, figures saved atomically.

On a terminal, tables are Rich tables and long work shows a progress bar. Anywhere else (a pipe, a
file, a CI log, a test) nothing is wrapped to a guessed width: tables become one tab-separated
line per row and progress becomes one line per stage on stderr.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tmslab.errors import InvalidValueError
from tmslab.provenance import atomic_write, dumps

FIGURE_FORMATS = ("png", "svg", "pdf")


def _plain(cell: Any) -> str:
    """A cell or title as one line of plain text (markup applied, newlines and tabs removed)."""
    if isinstance(cell, Text):
        text = cell.plain
    elif isinstance(cell, str):
        text = Text.from_markup(cell).plain
    else:  # another renderable: render it without a width limit
        capture = Console(width=10_000, color_system=None, file=None)
        with capture.capture() as captured:
            capture.print(cell, soft_wrap=True)
        text = captured.get()
    return " ".join(text.replace("\t", " ").split("\n")).strip()


def plain_table(table: Table) -> str:
    """A Rich table as text: its title, then the header and each row, tab-separated, one a line."""
    lines = []
    if table.title:
        lines.append(_plain(table.title))
    columns = [list(column.cells) for column in table.columns]
    if table.show_header and any(str(column.header) for column in table.columns):
        lines.append("\t".join(_plain(column.header) for column in table.columns))
    lines.extend("\t".join(_plain(cell) for cell in row) for row in zip(*columns, strict=True))
    if table.caption:
        lines.append(_plain(table.caption))
    return "\n".join(lines)


class TmslabConsole(Console):
    """A Rich console that, off a terminal, prints tables as plain lines and wraps nothing."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if self.is_terminal:
            super().print(*objects, **kwargs)
            return
        kwargs.setdefault("soft_wrap", True)  # a line stays a line, however long
        for obj in objects:
            if isinstance(obj, Table):
                # Written directly: Rich would expand the tabs into spaces.
                self.file.write(plain_table(obj) + "\n")
                self.file.flush()
            else:
                super().print(obj, **kwargs)


console = TmslabConsole()
err_console = TmslabConsole(stderr=True)


class StageProgress:
    """Progress of a long command: a Rich bar on a terminal, else lines on stderr.

    ``stage(index, title)`` starts stage ``index`` (0-based) of ``total``; ``update(completed=k,
    total=n, description=...)`` works as for a Rich task. Off a terminal each stage writes
    ``[i/n] title (t s)`` and counted work writes ``description k/n (t s)`` at every step up to
    20 steps, else at every tenth (a log of a 10 000-task sweep stays short).
    """

    def __init__(
        self,
        description: str,
        total: float | None = None,
        *,
        disable: bool = False,
        columns: tuple[Any, ...] = (),
    ) -> None:
        self._disable = disable
        self._columns = columns
        self._bar: Any = None
        self._description, self._total, self._completed = description, total, 0.0
        self._start = time.monotonic()
        self._printed: tuple[str, int] | None = None

    def __enter__(self) -> StageProgress:
        if not self._disable and err_console.is_terminal:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            columns = self._columns or (
                TextColumn("{task.description}"),
                BarColumn(),
                TimeElapsedColumn(),
            )
            self._bar = Progress(*columns, console=err_console, transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task(self._description, total=self._total)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def stage(self, index: int, title: str) -> None:
        """Stage ``index`` (0-based) of ``total`` begins."""
        self._completed, self._description = index, title
        if self._bar is not None:
            self._bar.update(self._task, completed=index, description=title)
        elif not self._disable:
            count = f"[{index + 1}/{int(self._total)}] " if self._total else ""
            self._line(f"{count}{title}")

    def update(
        self,
        *,
        completed: float | None = None,
        total: float | None = None,
        description: str | None = None,
    ) -> None:
        """As ``rich.progress.Progress.update`` for the one task."""
        if completed is not None:
            self._completed = completed
        if total is not None:
            self._total = total
        if description is not None:
            self._description = description
        if self._bar is not None:
            self._bar.update(self._task, completed=completed, total=total, description=description)
            return
        if self._disable or completed is None:
            return
        done, n = int(self._completed), self._total
        step = done if not n or n <= 20 else int(10 * done // n)
        if (self._description, step) != self._printed:
            self._printed = (self._description, step)
            self._line(
                f"{self._description} {done}/{int(n)}" if n else f"{self._description} {done}"
            )

    def finish(self) -> None:
        """All stages done: the bar fills; off a terminal one closing ``done (t s)`` line."""
        self._completed = self._total
        if self._bar is not None:
            self._bar.update(self._task, completed=self._total)
        elif not self._disable:
            self._line("done")

    def _line(self, text: str) -> None:
        sys.stderr.write(f"{text} ({time.monotonic() - self._start:.1f} s)\n")
        sys.stderr.flush()


def print_json(value: Any) -> None:
    """Plain JSON on stdout (no colour, no wrapping), for ``--json``."""
    print(dumps(value))


def key_value_table(title: str, rows: list[tuple[str, Any]]) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        table.add_row(key, fmt(value))
    return table


def fmt(value: Any) -> str:
    """A short human form of a figure."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def check_figure_path(path: str | Path | None, option: str = "--out") -> None:
    """Before the work: ``path`` (if given) is a .png/.svg/.pdf file that can be written."""
    check_out(path, FIGURE_SUFFIXES, option)


def save_figure(fig: Any, path: str | Path) -> Path:
    """Save a matplotlib figure atomically in the format its suffix names (png, svg, pdf)."""
    import matplotlib.pyplot as plt

    path = Path(path)
    fmt_name = path.suffix.lstrip(".").lower()
    if fmt_name not in FIGURE_FORMATS:
        plt.close(fig)
        raise InvalidValueError(
            f"cannot save a figure as {path.name!r}; use a file ending in {', '.join('.' + f for f in FIGURE_FORMATS)}"
        )
    try:
        atomic_write(path, lambda tmp: fig.savefig(tmp, format=fmt_name, dpi=150))
    finally:
        plt.close(fig)
    return path


FIGURE_SUFFIXES = tuple("." + f for f in FIGURE_FORMATS)


def _either(suffixes: tuple[str, ...]) -> str:
    return " or ".join([", ".join(suffixes[:-1]), suffixes[-1]] if len(suffixes) > 1 else suffixes)


def check_out(
    path: str | Path | None, suffixes: tuple[str, ...] | None, option: str = "--out"
) -> Path | None:
    """Refuse an output path before any work: an unknown extension, then whatever
    :mod:`tmslab.outputs` finds (a file or folder in the way, no permission to write).
    ``suffixes``: known extensions (with the dot), or None for a folder. Missing folders are fine
    (they are made on writing). Returns the path."""
    from tmslab.outputs import check_output_dir, check_output_file

    if path is None:
        return None
    path = Path(path)
    if suffixes is None:
        return check_output_dir(path, option)
    if path.suffix.lower() not in suffixes:
        if suffixes == FIGURE_SUFFIXES:
            raise InvalidValueError(
                f"cannot save a figure as {path.name!r}; use a file ending in {_either(suffixes)}"
            )
        raise InvalidValueError(
            f"{option} {str(path)!r}: unknown output type; use a file ending in {_either(suffixes)}"
        )
    return check_output_file(path, None, option)


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    styles: dict[str, dict[str, Any]] | None = None,
    **style: Any,
) -> None:
    """Print a table: ``style`` for every column, ``styles[name]`` on top for column ``name``.

    Text cells are shown as they are (no Rich markup), other cells through :func:`fmt`.
    """
    from rich.markup import escape

    table = Table(title=title, title_justify="left")
    for name in columns:
        table.add_column(name, **{**style, **(styles or {}).get(name, {})})
    for row in rows:
        table.add_row(*(escape(cell if isinstance(cell, str) else fmt(cell)) for cell in row))
    console.print(table)


def print_rows(title: str, rows: Iterable[tuple[str, Any]]) -> None:
    """Print a :func:`key_value_table`."""
    console.print(key_value_table(title, rows))
