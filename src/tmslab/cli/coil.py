"""``tmslab coil``: coil models: presets, custom windings and SimNIBS .ccd files."""

from __future__ import annotations

import typer

app = typer.Typer(help="Coil models: presets, custom windings and SimNIBS .ccd files.", no_args_is_help=True)
