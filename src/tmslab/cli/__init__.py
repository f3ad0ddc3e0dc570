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
from tmslab.cli._groups import GROUPS, HELP, OPTIONS, root_help

__all__ = ["GROUPS", "HELP", "OPTIONS", "main", "root_help", "run"]


def __getattr__(name: str) -> Any:
    if name == "app":  # the Typer application, built (without its groups) on first use
        from tmslab.cli._app import app

        return app
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

    return invoke(args)


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
