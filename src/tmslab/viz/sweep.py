"""Sweep figure: an output against a swept parameter, one line per hue value."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


def plot_sweep(series: Sequence[Any], x: str, y: str, title: str | None = None) -> Figure:
    """Lines with markers of ``y`` against ``x`` (labels are the dotted paths, whose names
    carry the unit). Categorical x values (strings) are placed evenly. Returns the Figure.

    series: values with ``x`` and ``y`` sequences and a ``label``, e.g.
    :class:`tmslab.sweeps.summary.Series` (viz takes them as given: it does not import sweeps).
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    categorical = any(isinstance(v, str) for s in series for v in s.x)
    categories: list[str] = []
    if categorical:
        for s in series:
            for v in s.x:
                if str(v) not in categories:
                    categories.append(str(v))
    for s in series:
        xs = [categories.index(str(v)) for v in s.x] if categorical else s.x
        ax.plot(xs, s.y, marker="o", label=s.label)
    if categorical:
        ax.set_xticks(range(len(categories)), categories)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if any(s.label for s in series):
        ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    if not series:
        ax.text(0.5, 0.5, "no finished tasks to show", ha="center", transform=ax.transAxes)
    ax.set_title(title or f"{y} against {x}", fontsize=10)
    fig.tight_layout()
    return fig
