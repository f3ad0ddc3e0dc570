"""Typer glue shared by the commands: quantity options, the repeated options and option groups,
click's help labels.

``quantity_option(1.0, "--didt", unit="A/s", help=...)`` is a ``typer.Option`` that accepts
``1e8``, ``1e8A/s``, ``100A/us`` or ``100 A/µs`` and hands the command a float in ``unit``
(parsing and the plausibility rule: :mod:`tmslab.units`).
"""

from __future__ import annotations

import builtins
import inspect
import re
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from tmslab.errors import InvalidValueError
from tmslab.outputs import check_out
from tmslab.units import dimension_of, implausible_warning, parse_intensity
from tmslab.units import parse_quantity as _parse_quantity


def _warn(warning: str | None) -> None:
    if warning:
        sys.stderr.write(f"warning: {warning}\n")


def quantity_option(default: Any, *decls: str, unit: str, help: str, **kwargs: Any) -> Any:
    """A ``typer.Option`` for a quantity in ``unit`` (``default`` in ``unit``; ``...`` required)."""

    def parse(value: Any) -> float:
        if not isinstance(value, str):  # the declared default, already in ``unit``
            return float(value)
        try:
            number = _parse_quantity(value, unit)
        except InvalidValueError as error:  # printed as "Invalid value for '--didt': ..."
            raise typer.BadParameter(str(error)) from None
        _warn(implausible_warning(decls[0], value, unit))
        return number

    help = f"{help} Units: {', '.join(dimension_of(unit).units)} (bare number: {unit})."
    return typer.Option(default, *decls, parser=parse, metavar="QUANTITY", help=help, **kwargs)


def intensity_value(option: str, text: str, dose_unit: str) -> float:
    """``--intensity`` text in the SI unit of ``dose_unit`` (:func:`tmslab.units.parse_intensity`)."""
    value, warning = parse_intensity(option, text, dose_unit)
    _warn(warning)
    return value


# The options many commands repeat, declared once.
Json = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
Figure = Annotated[Path, typer.Option("--out", "-o", help="Figure file (.png, .svg or .pdf).")]
MaybeFigure = Annotated[
    Path | None, typer.Option("--out", "-o", help="Also draw a figure (.png, .svg or .pdf).")
]
Plot = Annotated[Path | None, typer.Option("--plot", help="Also draw a figure (.png, .svg, .pdf).")]
ProtocolName = Annotated[str, typer.Option("--protocol", help="A protocol name or TOML file.")]
Opt = typer.Option
HANDLE_ANGLE = Opt(0.0, "--handle-angle", help="Handle rotation about the coil axis, degrees.")
# The coil and the cortical target on a realistic head (field head, optimise placement).
COIL = Opt(..., "--coil", help="Coil preset name, .ccd file or coil TOML file.")
HEAD_MODEL = Opt("fsaverage", "--head", help="fsaverage (the template) or a SimNIBS head mesh MESH.msh (charm, mm; MNI coordinates need its m2m folder's toMNI/MNI2conform_12DOF.txt).")  # fmt: skip
HEAD_DISTANCE = quantity_option(0.0, "--distance-mm", unit="mm", help="Gap between the scalp and the coil centre.")  # fmt: skip
TARGET = Opt(None, "--target", help="Named cortical target: M1-hand or DLPFC-Fox2012.")
TARGET_MNI = Opt(None, "--target-mni", metavar="X,Y,Z", help="Cortical target at this MNI152 coordinate, mm (converted to the head's frame).")  # fmt: skip
TARGET_LABEL = Opt(None, "--target-label", help="Cortical target under this 10-05 position.")

# --- option groups: options several commands share, declared once, resolved into one value ---


def inject(out: tuple[str, ...] = (), **groups: Callable) -> Callable:
    """Decorate a command whose parameter ``NAME`` receives ``groups[NAME](**its options)``.

    A group's parameters (Typer options) stand in the command line where ``NAME`` stands in the
    command's signature; the group turns their values into the one value the command receives
    (the cell of the neuron commands, the head-mode request of ``neuron map``). Groups run in
    the order given. ``out``: suffixes the command's ``--out`` must have, checked before any
    group runs (a bad output path fails before any work).
    """

    def decorate(func: Callable) -> Callable:
        shared = {name: parameters(group) for name, group in groups.items()}
        params: list[inspect.Parameter] = []
        for param in parameters(func, typed_values=tuple(groups)):
            params += shared.get(param.name, [param])
        # keyword-only: a group's required parameter (a typer.Context) may follow defaults
        params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in params]

        def command(**kwargs: Any) -> Any:
            if out:
                check_out(kwargs["out"], out)
            values = {
                name: group(**{p.name: kwargs.pop(p.name) for p in shared[name]})
                for name, group in groups.items()
            }
            return func(**values, **kwargs)

        return with_signature(command, params, func)

    return decorate


def parameters(
    func: Callable, typed_values: tuple[str, ...] = ("return",)
) -> list[inspect.Parameter]:
    """``func``'s parameters with their annotations evaluated; the annotations of
    ``typed_values`` may name classes imported only for type checkers (they read as ``object``)."""
    names = " ".join(str(func.__annotations__.get(name, "")) for name in typed_values)
    unknown = set(re.findall(r"[A-Za-z_]\w*", names)) - set(func.__globals__) - set(dir(builtins))
    hints = typing.get_type_hints(func, localns=dict.fromkeys(unknown, object), include_extras=True)
    signature = inspect.signature(func).parameters.values()
    return [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature]


def with_signature(command: Callable, params: list[inspect.Parameter], like: Callable) -> Callable:
    """``command(**kwargs)`` as Typer reads it: ``params``, and ``like``'s name and docstring."""
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__doc__, command.__name__ = like.__doc__, like.__name__
    return command


# --- help types as click (and every other CLI) writes them: FLOAT, TEXT, PATH; none on flags ---
# Typer >= 0.2x labels every option with its Python type, "<float>", "<str>", and flags with
# "<bool>"; tmslab's commands show click's names instead. The label is the only thing changed.

_CLICK_NAMES = {bool: "BOOLEAN", int: "INTEGER", float: "FLOAT", str: "TEXT"}


def _type_label(annotation: Any) -> str:
    import types
    import typing
    from pathlib import PurePath

    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (list, tuple, typing.Union, types.UnionType) and args:
        return " ".join(_type_label(a) for a in (args if origin is tuple else args[:1]))
    if isinstance(annotation, type) and issubclass(annotation, PurePath):
        return "PATH"
    return _CLICK_NAMES.get(annotation, "TEXT")


def click_type_label(param: Any) -> str | None:
    """``FLOAT``, ``TEXT``, ``PATH``, ``[a|b]`` ... for a Typer parameter; ``None`` for a flag."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    desc = param.type_descriptor
    if desc.is_choice and desc.choices is not None:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in desc.choices) + "]"
    if desc.is_path:
        return {"file": "FILE", "dir": "DIRECTORY"}.get(desc.path_type, "PATH")
    label = _type_label(desc.annotation)
    return f"{label} RANGE" if desc.is_ranged else label


def _label_param_class(cls: type) -> type:
    def display_type(self: Any, ctx: Any) -> str | None:
        return click_type_label(self)

    def _usage_display_name(self: Any) -> str:  # arguments: STORE, [STORE], FILES...
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")

    return type(
        cls.__name__,
        (cls,),
        {"display_type": display_type, "_usage_display_name": _usage_display_name},
    )


def _label_command_class(cls: type) -> type:
    def get_params(self: Any, ctx: Any) -> list[Any]:
        params = cls.get_params(self, ctx)
        for param in params:  # --help is made here, on first use
            if getattr(param, "param_type_name", "") == "argument" and param.metavar is None:
                param.metavar = (param.name or "").upper()
            _relabel(param, _label_param_class)
        return params

    return type(cls.__name__, (cls,), {"get_params": get_params})


_SUBCLASSES: dict[type, type] = {}


def _relabel(obj: Any, make: Any) -> None:
    # Switch the instance to a subclass that only relabels (same layout, no new state).
    cls = type(obj)
    if cls in _SUBCLASSES.values():
        return
    if cls not in _SUBCLASSES:
        _SUBCLASSES[cls] = make(cls)
    obj.__class__ = _SUBCLASSES[cls]


def use_click_type_labels(command: Any) -> Any:
    """Give ``command`` and every subcommand click's help labels; returns ``command``."""
    _relabel(command, _label_command_class)
    for sub in getattr(command, "commands", {}).values():
        use_click_type_labels(sub)
    return command
