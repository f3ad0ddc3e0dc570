"""``tmslab neuron``: cable models in the induced field: thresholds, strength-duration, orientation maps."""

from __future__ import annotations

import typer

app = typer.Typer(help="Cable models in the induced field: thresholds, strength-duration, orientation maps.", no_args_is_help=True)
