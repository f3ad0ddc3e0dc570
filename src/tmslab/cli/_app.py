"""The Typer application behind ``tmslab``; each command group's module is imported when used.

The root group knows the groups by name (the table of :mod:`tmslab.cli`, handed to
:func:`make_app`) and imports a group's module only when a command line names it, so
``tmslab protocol list`` does not pay for the E-field or the meta-analysis engine.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from importlib import import_module
from typing import Any

import typer
from typer.core import TyperGroup

from tmslab import __version__
from tmslab.cli.params import _label_command_class, _relabel, use_click_type_labels
from tmslab.errors import TmslabError


def load_group(name: str) -> Any:
    """The click command of group (or command) ``name``, with click's help labels."""
    # Group NAME is the Typer app `app` of tmslab.cli.NAME; `run` is a plain function.
    obj = getattr(import_module(f"tmslab.cli.{name}"), "run" if name == "run" else "app")
    if isinstance(obj, typer.Typer):
        command = typer.main.get_group(obj)
    else:  # a plain function: a one-command Typer gives its click command
        single = typer.Typer(add_completion=False)
        single.command(name)(obj)
        command = typer.main.get_command(single)
    command.name = name
    return use_click_type_labels(command)


class _TmslabGroup(TyperGroup):
    """The root group: lists every group by name, loads one when it is asked for.

    ``commands`` (what walkers of the tree read: the help tests, documentation) loads them all;
    click itself goes through ``list_commands`` / ``get_command`` and loads only what runs.
    """

    names: tuple[str, ...] = ()  # the groups, in help order (set by make_app)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, _label_command_class)  # the groups get theirs as they load

    @property
    def commands(self) -> dict[str, Any]:
        for name in self.names:
            self.get_command(None, name)  # type: ignore[arg-type]
        return self._loaded

    @commands.setter
    def commands(self, value: dict[str, Any]) -> None:
        self._loaded = dict(value or {})

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.names, *(n for n in self._loaded if n not in self.names)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self._loaded and cmd_name in self.names:
            self._loaded[cmd_name] = load_group(cmd_name)
        return self._loaded.get(cmd_name)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tmslab {__version__}")
        raise typer.Exit()


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


def make_app(groups: Iterable[str], help: str) -> typer.Typer:
    """The root Typer application over the command groups ``groups`` (names, in help order)."""
    cls = type("_TmslabGroup", (_TmslabGroup,), {"names": tuple(groups)})
    app = typer.Typer(
        cls=cls,
        name="tmslab",
        help=help,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(_root)
    return app


def _fail(message: str) -> int:
    sys.stderr.write(f"error: {' '.join(message.split())}\n")
    return 2


def invoke(app: typer.Typer, args: Sequence[str]) -> int:
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
