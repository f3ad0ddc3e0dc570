"""``tmslab evidence``: the curated evidence base of the reviewed studies and the mechanism graph."""

from __future__ import annotations

import typer

app = typer.Typer(help="The curated evidence base of the reviewed studies and the mechanism graph.", no_args_is_help=True)
