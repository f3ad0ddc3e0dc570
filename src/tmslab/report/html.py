"""Render a scenario's results into one self-contained HTML page (Jinja template, inline PNGs)."""

from __future__ import annotations

import base64
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from tmslab import __version__, viz
from tmslab.viz.files import close_figure, png_bytes
from tmslab.wording import human_text


def figure_to_data_uri(fig: Any) -> str:
    """A matplotlib figure as a ``data:image/png;base64,...`` URI (the figure is closed)."""
    try:
        png = png_bytes(fig, dpi=110)
    finally:
        close_figure(fig)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_report(result: Any, provenance: dict[str, Any]) -> str:
    """HTML of a :class:`tmslab.scenario.ScenarioResult`: one block per stage, figures inline.

    Each section's :class:`~tmslab.scenario.FigureSpec` is drawn here, by :func:`tmslab.viz.draw`.
    """
    env = Environment(
        loader=PackageLoader("tmslab", "report/templates"), autoescape=select_autoescape(["html"])
    )
    sections = []
    for key, section in result.sections.items():
        figures = [
            (human_text(spec.caption), figure_to_data_uri(viz.draw(spec)))
            for spec in section.figures
        ]
        sections.append(
            {
                "key": key,
                "title": human_text(section.title),
                "rows": [(human_text(str(k)), human_text(str(v))) for k, v in section.rows],
                "figures": figures,
                "notes": [human_text(note) for note in section.notes],
            }
        )
    spec = result.scenario.spec
    return env.get_template("report.html").render(
        name=spec.name,
        description=human_text(spec.description or ""),
        sections=sections,
        version=__version__,
        provenance=provenance,
    )
