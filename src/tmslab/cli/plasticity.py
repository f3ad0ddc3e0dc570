"""``tmslab plasticity``: calcium-based plasticity models: LTP/LTD predictions for protocols and pairings."""

from __future__ import annotations

import typer

app = typer.Typer(help="Calcium-based plasticity models: LTP/LTD predictions for protocols and pairings.", no_args_is_help=True)
