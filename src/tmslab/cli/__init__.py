"""The ``tmslab`` command: a thin Typer layer over the Python API.

``main(argv)`` runs a command and returns its exit code (0 ok, 2 user error), so tests call it
directly. A user error prints one line, ``error: ...``, on stderr and nothing else.

Importing this module is cheap (no Typer, NumPy or pydantic): ``tmslab --version`` and
``tmslab --help`` are answered from the table below, and a command group's module is imported
only when that group runs (:mod:`tmslab.cli._app`). ``tmslab.cli.app``, the whole Typer
application, is built on first access.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from tmslab import __version__

__all__ = ["GROUPS", "HELP", "OPTIONS", "main", "root_help", "run"]

HELP = "tmslab: an in-silico laboratory for transcranial magnetic stimulation."

# One group a line, in the order the help lists them: name (also its module in tmslab.cli) and
# its one-line help, which repeats the group's own (tests/cli/test_lazy_cli.py keeps them equal).
_GROUP_HELP = """
run         Run a scenario and write results.nc, results.json, provenance.json and report.html into OUT.
protocol    TMS protocols: pulse patterns, their figures, exports and safety checks.
stimulator  Stimulators: pulse waveforms (RLC model), measured dI/dt, dose units.
coil        Coil models: presets, custom windings and SimNIBS .ccd/.tcd files.
field       Induced E-field: analytic sphere heads, metrics, maps and cross-species translation.
optimise    Where to put the coil: placement on a head, and the rodent set-up that best reproduces a human field.
neuron      Cable models in the induced field: thresholds, strength-duration, orientation maps.
plasticity  Calcium-based plasticity models: LTP/LTD predictions for protocols and pairings.
evidence    The curated evidence base of the reviewed studies and the mechanism graph.
meta        Meta-analysis: effect sizes, fixed and random effects, heterogeneity, bias tests.
sweep       Parameter sweeps: vary scenario fields, run on Dask, resume, show and plot. `tmslab sweep SPEC.toml --out STORE` runs a sweep (short for `tmslab sweep run`).
"""
# name -> (its module in tmslab.cli, its attribute: a Typer app or `run`'s function, help).
GROUPS: dict[str, tuple[str, str, str]] = {
    name: (name, "run" if name == "run" else "app", text)
    for name, text in (line.split(maxsplit=1) for line in _GROUP_HELP.strip().splitlines())
}
OPTIONS = (
    ("--version", "Print tmslab's version and exit."),
    ("--help", "Show this message and exit."),
)


def root_help(width: int | None = None) -> str:
    """The root ``--help`` text, laid out as Typer's Rich help, from :data:`GROUPS` alone."""
    from tmslab.report.help_text import help_text, terminal_width

    commands = [(name, text) for name, (_, _, text) in GROUPS.items()]
    panels = [("Options", OPTIONS, 10), ("Commands", commands, 2)]
    usage = "Usage: tmslab [OPTIONS] COMMAND [ARGS]..."
    return help_text(usage, HELP, panels, terminal_width() if width is None else width)


def __getattr__(name: str) -> Any:
    if name == "app":  # the Typer application, built (without its groups) on first use
        from tmslab.cli._app import make_app

        globals()["app"] = make_app(GROUPS, HELP)
        return globals()["app"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tmslab`` with ``argv`` (default: sys.argv[1:]) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    # Answered without Typer: the two calls a person makes to see what the tool is.
    if args == ["--version"]:
        sys.stdout.write(f"tmslab {__version__}\n")
        return 0
    if args == ["--help"]:
        sys.stdout.write(root_help())
        return 0
    from tmslab.cli._app import invoke

    return invoke(__getattr__("app"), args)


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
