"""Option types shared by the commands: quantities with a unit suffix, click-style help types.

``quantity_option(1.0, "--didt", unit="A/s", help=...)`` is a ``typer.Option`` that accepts
``1e8``, ``1e8A/s``, ``100A/us`` or ``100 A/µs`` and hands the command a float in ``unit``.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from tmslab.errors import InvalidValueError
from tmslab.units import dimension_of, parse_quantity, split_quantity

# Bare numbers outside (low, high), read in the bare unit, are implausible for a TMS pulse; the
# user most likely meant the customary unit named beside it: 100 A/s is a million times below any
# coil (100 A/us is typical), 500 T is a hundred times above any coil (500 mT is typical).
_PLAUSIBLE = {"A/s": (1e3, float("inf"), "A/us"), "T": (0.0, 20.0, "mT")}


def accepted_units(unit: str) -> str:
    """``"A/s, A/us, ... (bare number: A/s)"`` for help text and errors."""
    return f"{', '.join(dimension_of(unit).units)} (bare number: {unit})"


def quantity_parser(option: str, unit: str):
    """A typer ``parser`` for ``option``: value with optional unit -> float in ``unit``."""

    def parse(value: Any) -> float:
        if not isinstance(value, str):  # the declared default, already in ``unit``
            return float(value)
        try:
            number = parse_quantity(value, unit)
        except InvalidValueError as error:
            # BadParameter: the CLI prints "Invalid value for '--didt': ..." on one line.
            raise typer.BadParameter(str(error)) from None
        _warn_if_implausible(option, value, unit)
        return number

    return parse


def _warn_if_implausible(option: str, text: str, unit: str) -> None:
    if unit not in _PLAUSIBLE:
        return
    try:
        value, suffix = split_quantity(text)
    except InvalidValueError:
        return
    low, high, meant = _PLAUSIBLE[unit]
    if not suffix and value > 0 and not low <= value <= high:  # <= 0 is refused anyway
        shown = f"{value:g}"
        sys.stderr.write(
            f"warning: {option} {shown} is read as {shown} {unit}; did you mean {shown}{meant}?\n"
        )


def quantity_option(default: Any, *decls: str, unit: str, help: str, **kwargs: Any) -> Any:
    """A ``typer.Option`` for a quantity in ``unit`` that also accepts a unit suffix.

    default : the default in ``unit`` (``...`` for required, ``None`` for optional).
    unit : unit of the value the command receives and of a bare number, e.g. ``"A/s"``, ``"mm"``.
    """
    return typer.Option(
        default,
        *decls,
        parser=quantity_parser(decls[0], unit),
        metavar="QUANTITY",
        help=f"{help} Units: {accepted_units(unit)}.",
        **kwargs,
    )


JSON_OPT = typer.Option(False, "--json", help="Print machine-readable JSON.")


# The unit of a bare --intensity for each dose unit of `field translate` (None: a plain number).
INTENSITY_UNITS = {"tesla": "T", "didt": "A/s", "current": "A", "vpm": "V/m", "pct_mso": None}


def intensity_value(option: str, text: str, dose_unit: str) -> float:
    """``--intensity`` text in the SI unit of ``dose_unit`` (tesla, didt, current, vpm, pct_mso)."""
    if dose_unit not in INTENSITY_UNITS:
        known = ", ".join(INTENSITY_UNITS)
        raise InvalidValueError(f"--unit {dose_unit!r} is not known; give one of {known}")
    unit = INTENSITY_UNITS[dose_unit]
    if unit is None:
        try:
            value, suffix = split_quantity(text)
        except InvalidValueError:
            suffix, value = "?", 0.0
        if suffix.replace(" ", "").upper() not in ("", "%", "%MSO"):
            raise InvalidValueError(
                f"{option} {text!r}: with --unit pct_mso give a number in % MSO, e.g. 60"
            )
        return value
    try:
        value = parse_quantity(text, unit)
    except InvalidValueError as error:
        raise InvalidValueError(f"{option} with --unit {dose_unit}: {error}") from None
    _warn_if_implausible(option, text, unit)
    return value


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
