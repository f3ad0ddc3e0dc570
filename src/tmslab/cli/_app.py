"""The Typer application behind ``tmslab``; each command group's module is imported when used.

The root group knows the groups by name from :data:`tmslab.cli.GROUPS` and imports a group's
module (NumPy, pydantic, the models behind it) only when a command line names it, so
``tmslab protocol list`` does not pay for the E-field or the meta-analysis engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from typing import Any

import typer
from typer.core import TyperGroup

from tmslab import __version__
from tmslab.cli._groups import GROUPS, HELP, _fail
from tmslab.cli.params import _label_command_class, _relabel, use_click_type_labels
from tmslab.errors import TmslabError


def load_group(name: str) -> Any:
    """The click command of group (or command) ``name``, with click's help labels."""
    module, attribute, _ = GROUPS[name]
    obj = getattr(import_module(f"tmslab.cli.{module}"), attribute)
    if isinstance(obj, typer.Typer):
        command = typer.main.get_group(obj)
    else:  # a plain function: a one-command Typer gives its click command
        single = typer.Typer(add_completion=False)
        single.command(name)(obj)
        command = typer.main.get_command(single)
    command.name = name
    return use_click_type_labels(command)


class _TmslabGroup(TyperGroup):
    """The root group: lists every group from the table, loads one when it is asked for.

    ``commands`` (what walkers of the tree read: the help tests, documentation) loads them all;
    click itself goes through ``list_commands`` / ``get_command`` and loads only what runs.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, _label_command_class)  # the groups get theirs as they load

    @property
    def commands(self) -> dict[str, Any]:
        for name in GROUPS:
            self.get_command(None, name)  # type: ignore[arg-type]
        return self._loaded

    @commands.setter
    def commands(self, value: dict[str, Any]) -> None:
        self._loaded = dict(value or {})

    def list_commands(self, ctx: Any) -> list[str]:
        return [*GROUPS, *(n for n in self._loaded if n not in GROUPS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self._loaded and cmd_name in GROUPS:
            self._loaded[cmd_name] = load_group(cmd_name)
        return self._loaded.get(cmd_name)


app = typer.Typer(
    cls=_TmslabGroup,
    name="tmslab",
    help=HELP,
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


def invoke(args: Sequence[str]) -> int:
    """Run the command line ``args`` and return the exit code (see :func:`tmslab.cli.main`)."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=list(args), prog_name="tmslab", standalone_mode=False)
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
