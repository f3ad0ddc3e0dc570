"""Named protocols with their sources, and protocols read from TOML files.

The presets live in ``tmslab/data/protocols.toml``, written in the same fields a user's file
uses, so every preset can be checked against its source by reading one table.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from tmslab.errors import InvalidValueError, UnknownNameError
from tmslab.io.toml import read_data_toml, read_toml  # read_toml: public here before io
from tmslab.protocols.protocol import Protocol
from tmslab.protocols.spec import parse_spec
from tmslab.sources import Source

_META_FIELDS = ("description", "source")


@lru_cache(maxsize=1)
def _preset_tables() -> dict[str, dict[str, Any]]:
    return read_data_toml("data/protocols.toml")


def list_protocols() -> list[str]:
    """Names of the built-in protocols."""
    return list(_preset_tables())


def preset_spec(name: str) -> dict[str, Any]:
    """The spec fields of a named protocol (without description and source)."""
    tables = _preset_tables()
    if name not in tables:
        raise UnknownNameError("protocol", name, tables)
    return {k: v for k, v in tables[name].items() if k not in _META_FIELDS}


def get_protocol(name: str, **overrides: Any) -> Protocol:
    """Build a named protocol; ``overrides`` replace spec fields (e.g. ``n_trains=10``).

    Raises UnknownNameError for an unknown name, InvalidValueError for bad overrides.
    """
    table = _preset_tables().get(name)
    spec = {**preset_spec(name), **overrides}
    source = Source(**table["source"])
    return parse_spec(spec, where=name).build(
        name=name, source=source, description=table.get("description", "")
    )


def protocol_from_mapping(data: dict[str, Any], where: str = "protocol") -> Protocol:
    """A protocol from a TOML-style table: ``{preset = NAME, ...overrides}`` or ``{kind = ..., ...}``."""
    if not isinstance(data, dict):
        raise InvalidValueError(f"{where} must be a table of fields, got {data!r}")
    data = dict(data)
    preset = data.pop("preset", None)
    if preset is not None:
        if not isinstance(preset, str):
            raise InvalidValueError(f"{where}.preset must be a protocol name, got {preset!r}")
        return get_protocol(preset, **data)
    return parse_spec(data, where=where).build()


def load_protocol(name_or_path: str | Path) -> Protocol:
    """A named protocol, or one read from a TOML file (a ``[protocol]`` table or top-level fields)."""
    candidate = str(name_or_path)
    if candidate in _preset_tables():
        return get_protocol(candidate)
    path = Path(candidate)
    if path.suffix.lower() != ".toml" and not path.exists():
        raise UnknownNameError("protocol", candidate, list_protocols())
    data = read_toml(path)
    table = data.get("protocol", data)
    protocol = protocol_from_mapping(table, where=f"{path.name}:protocol")
    return protocol
