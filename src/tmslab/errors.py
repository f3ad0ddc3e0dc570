"""Errors a user can act on.

Every mistake a user can make (a bad value, an unknown name, a malformed file) raises a
:class:`TmslabError` subclass whose message is one line naming the bad value and what is
allowed. The CLI prints that line and exits with code 2; nothing else is printed.
"""

from __future__ import annotations

from collections.abc import Iterable


class TmslabError(Exception):
    """Base class of every error caused by user input; the message is one actionable line."""

    def __init__(self, message: str) -> None:
        # One line, always: collapse whatever a lower layer put in.
        super().__init__(" ".join(str(message).split()))

    def __reduce__(self):
        # Rebuilt from the message whatever the subclass's constructor takes, so an error raised
        # in a Dask worker reaches the client as itself (not as a TypeError from unpickling).
        return (_restore, (type(self), self.args[0] if self.args else ""), self.__dict__ or None)


def _restore(cls: type[TmslabError], message: str) -> TmslabError:
    error = cls.__new__(cls)
    TmslabError.__init__(error, message)
    return error


class InvalidValueError(TmslabError, ValueError):
    """A parameter is outside its allowed range or of the wrong kind."""


class UnknownNameError(TmslabError, KeyError):
    """A preset, model or device name is not known."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        names = ", ".join(sorted(known))
        super().__init__(f"unknown {kind} {name!r}; known {kind}s: {names}")

    def __str__(self) -> str:  # KeyError would add quotes around the message
        return self.args[0]


class SpecFileError(TmslabError):
    """A spec or data file is missing, unreadable or malformed."""


def check_positive(name: str, value: float, unit: str = "") -> float:
    """Return ``value`` as float if it is finite and > 0, else raise InvalidValueError."""
    suffix = f" {unit}" if unit else ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidValueError(
            f"{name} = {value!r} is not a number; give a value > 0{suffix}"
        ) from None
    if not number > 0 or number == float("inf"):
        raise InvalidValueError(f"{name} = {value!r} is not allowed; it must be > 0{suffix}")
    return number


def pydantic_message(error: Exception, prefix: str = "") -> str:
    """One line from a pydantic ValidationError: the first problem, where it is and what was given."""
    errors = getattr(error, "errors", None)
    if errors is None:
        return str(error)
    problems = []
    for item in errors(include_url=False):
        location = ".".join(str(part) for part in item.get("loc", ()) if not isinstance(part, int))
        where = ".".join(part for part in (prefix, location) if part)
        message = item.get("msg", "invalid value")
        message = message.removeprefix("Value error, ")
        given = item.get("input")
        shown = (
            "" if isinstance(given, dict) or item.get("type") == "missing" else f" (got {given!r})"
        )
        problems.append(f"{where}: {message}{shown}" if where else f"{message}{shown}")
    extra = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return problems[0] + extra
