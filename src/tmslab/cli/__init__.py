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
    import os
    import shutil
    import textwrap

    if width is None:
        columns = os.environ.get("COLUMNS", "")
        tty = sys.stdout.isatty()
        width = (
            int(columns)
            if columns.isdigit()
            else (shutil.get_terminal_size().columns if tty else 80)
        )
    width = max(width, 40)
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "╭─╮│╰╯".encode(encoding)
        tl, h, tr, v, bl, br = "╭─╮│╰╯"
    except (UnicodeEncodeError, LookupError):
        tl, h, tr, v, bl, br = "+-+|++"

    def panel(title: str, rows: Sequence[tuple[str, str]], gap: int) -> list[str]:
        inner = width - 4
        key_width = max(len(k) for k, _ in rows) + gap
        lines = [f"{tl}{h} {title} " + h * (width - len(title) - 5) + tr]
        for key, text in rows:
            wrapped = textwrap.wrap(text, inner - key_width, break_on_hyphens=False) or [""]
            for i, part in enumerate(wrapped):
                left = key if i == 0 else ""
                lines.append(f"{v} {left:<{key_width}}{part:<{inner - key_width}} {v}")
        lines.append(bl + h * (width - 2) + br)
        return lines

    blank = " " * width
    out = [
        blank,
        f" {'Usage: tmslab [OPTIONS] COMMAND [ARGS]...':<{width - 1}}",
        blank,
        *(f" {line:<{width - 1}}" for line in textwrap.wrap(HELP, width - 2)),
        blank,
        *panel("Options", OPTIONS, 10),
        *panel("Commands", [(name, text) for name, (_, _, text) in GROUPS.items()], 2),
    ]
    return "\n".join(out) + "\n\n"


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
