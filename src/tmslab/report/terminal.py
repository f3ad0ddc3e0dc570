"""Results on a terminal: JSON for machines, Rich tables for people, progress on stderr.

On a terminal, tables are Rich tables and long work shows a progress bar. Anywhere else (a pipe, a
file, a CI log, a test) nothing is wrapped to a guessed width: tables become one tab-separated
line per row and progress becomes one line per stage on stderr.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tmslab.provenance import dumps
from tmslab.wording import Listing
from tmslab.wording import short_form as fmt

__all__ = [
    "StageProgress",
    "TmslabConsole",
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
    "task_progress",
]


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
    lines = [_plain(table.title)] if table.title else []
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
            if isinstance(obj, Table):  # written directly: Rich would expand the tabs
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
        self._disable, self._columns, self._bar = disable, columns, None
        self._description, self._total, self._completed = description, total, 0.0
        self._start, self._printed = time.monotonic(), None

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
            self._line((f"[{index + 1}/{int(self._total)}] " if self._total else "") + title)

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
            self._line(f"{self._description} {done}" + (f"/{int(n)}" if n else ""))

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


def key_value_table(title: str, rows: Iterable[tuple[str, Any]]) -> Table:
    """A two-column table, ``key  value``, without a header."""
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        table.add_row(key, fmt(value))
    return table


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


def print_wrote(path: Any, what: str = "") -> None:
    """``wrote PATH`` (or ``wrote WHAT: PATH``), the line every command ends a file with."""
    console.print(f"wrote {what}: {path}" if what else f"wrote {path}", highlight=False)


def print_listing(listing: Listing, json: bool = False) -> None:
    """A :class:`~tmslab.wording.Listing`: its record as JSON, else its table (or its ``empty``)."""
    if json:
        return print_json(listing.record)
    if not listing.rows and listing.empty:
        return console.print(listing.empty)
    styles = {k: dict(v) for k, v in listing.styles.items()}
    print_table(listing.title, listing.columns, listing.rows, styles, **listing.style)


def task_progress(description: str, *, disable: bool = False) -> StageProgress:
    """A :class:`StageProgress` for counted tasks: bar, done/total, elapsed and remaining time."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    return StageProgress(description, disable=disable, columns=columns)
