"""How commands print: JSON for machines, Rich tables for people, figures saved atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from tmslab.errors import InvalidValueError
from tmslab.provenance import atomic_write, dumps

FIGURE_FORMATS = ("png", "svg", "pdf")

console = Console()
err_console = Console(stderr=True)


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
