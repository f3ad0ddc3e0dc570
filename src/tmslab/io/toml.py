"""The one TOML reader: spec files from disk and tmslab's own data files.

Every loader in the package reads through here, so a bad file always ends in the same one-line
:class:`~tmslab.errors.SpecFileError` naming the file.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from tmslab.errors import SpecFileError


def parse_toml_text(text: str, name: str) -> dict[str, Any]:
    """Parse TOML ``text`` read from the file ``name``; malformed text raises SpecFileError."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecFileError(f"{name} is not valid TOML: {error}") from None


def read_toml(path: str | Path, what: str | None = None) -> dict[str, Any]:
    """Parse a TOML file; a missing, unreadable or malformed file raises SpecFileError (one line).

    path : the file. what : what the file is, for the messages ("coil file"); default: none.
    """
    path = Path(path)
    named = f"{what} {path}" if what else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecFileError(f"file not found: {named}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SpecFileError(f"cannot read {named}: {error}") from None
    return parse_toml_text(text, named)


@cache
def _data(relative: str) -> dict[str, Any]:
    text = resources.files("tmslab").joinpath(relative).read_text(encoding="utf-8")
    return parse_toml_text(text, f"tmslab's {relative}")


def read_data_toml(relative: str, *drop: str) -> dict[str, Any]:
    """One of tmslab's own TOML files (``"data/coils.toml"``), parsed once and cached.

    relative : path inside the installed package. drop : top-level keys left out of the result
    (``"schema_version"``). Returns a fresh top-level dict; callers must not change the tables.
    """
    data = dict(_data(relative))
    for key in drop:
        data.pop(key, None)
    return data
