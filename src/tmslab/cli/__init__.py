"""The ``tmslab`` command: a thin Typer layer over the Python API.

``main(argv)`` runs a command and returns its exit code (0 ok, 2 user error), so tests call it
directly. A user error prints one line, ``error: ...``, on stderr and nothing else.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer
from typer.core import TyperGroup

from tmslab import __version__
from tmslab.cli import coil as coil_commands
from tmslab.cli import evidence as evidence_commands
from tmslab.cli import field as field_commands
from tmslab.cli import meta as meta_commands
from tmslab.cli import neuron as neuron_commands
from tmslab.cli import plasticity as plasticity_commands
from tmslab.cli import protocol as protocol_commands
from tmslab.cli import run as run_commands
from tmslab.cli import stimulator as stimulator_commands
from tmslab.cli import sweep as sweep_commands
from tmslab.cli.params import use_click_type_labels
from tmslab.errors import TmslabError


class _TmslabGroup(TyperGroup):
    """The root group: built with its whole tree, which then shows click's help labels."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        use_click_type_labels(self)


app = typer.Typer(
    cls=_TmslabGroup,
    name="tmslab",
    help="tmslab: an in-silico laboratory for transcranial magnetic stimulation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tmslab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="Print tmslab's version and exit.",
    ),
) -> None:
    """tmslab: protocols, waveforms, dose and safety; fields, neurons and plasticity to come."""


app.add_typer(protocol_commands.app, name="protocol")
app.add_typer(stimulator_commands.app, name="stimulator")
app.add_typer(coil_commands.app, name="coil")
app.add_typer(field_commands.app, name="field")
app.add_typer(neuron_commands.app, name="neuron")
app.add_typer(plasticity_commands.app, name="plasticity")
app.add_typer(evidence_commands.app, name="evidence")
app.add_typer(meta_commands.app, name="meta")
app.command("run")(run_commands.run)
app.add_typer(sweep_commands.app, name="sweep")


def _fail(message: str) -> int:
    sys.stderr.write(f"error: {' '.join(message.split())}\n")
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tmslab`` with ``argv`` (default: sys.argv[1:]) and return the exit code."""
    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = command.main(args=args, prog_name="tmslab", standalone_mode=False)
    except TmslabError as error:
        return _fail(str(error))
    except typer.Exit as error:
        return int(error.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        return _fail("interrupted")
    except OSError as error:
        # The last resort for the file system (permissions, a full disk, a file where a folder
        # should be): one line naming the path and the reason, never a traceback.
        from tmslab.outputs import os_error_message

        return _fail(os_error_message(error))
    except Exception as error:
        # Usage errors (bad option, missing argument) come from Typer's click layer; they carry
        # exit code 2 and a message. Recognised by shape, as Typer now vendors click privately.
        if getattr(error, "exit_code", None) == 2 and hasattr(error, "format_message"):
            ctx = getattr(error, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            return _fail(error.format_message() + hint)
        raise
    return int(result or 0)


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
