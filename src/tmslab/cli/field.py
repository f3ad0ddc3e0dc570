"""``tmslab field``: induced E-field: analytic sphere heads, metrics, maps and cross-species translation."""

from __future__ import annotations

import typer

app = typer.Typer(help="Induced E-field: analytic sphere heads, metrics, maps and cross-species translation.", no_args_is_help=True)
