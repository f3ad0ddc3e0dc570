"""``tmslab meta``: meta-analysis: effect sizes, fixed and random effects, heterogeneity, bias tests."""

from __future__ import annotations

import typer

app = typer.Typer(help="Meta-analysis: effect sizes, fixed and random effects, heterogeneity, bias tests.", no_args_is_help=True)
