"""A scenario's results as one labelled xarray Dataset (written as ``results.nc``).

Every number of every section becomes a variable named ``<section>__<key>__<subkey>``; lists of
records (the cell models, the nearest studies) are indexed by a dimension named after the list
(``neurons__models``) with one variable per field. Units are read off the SI suffix of the key
(``_s``, ``_m``, ``_v_per_m``, ...) into each variable's ``units`` attribute. Text goes into
attributes. The provenance (tmslab version, scenario, its hash) goes into the global attributes.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

SEPARATOR = "__"
UNIT_SUFFIXES = (  # longest first
    ("_v_per_m", "V/m"),
    ("_a_per_s", "A/s"),
    ("_m3", "m^3"),
    ("_m2", "m^2"),
    ("_hz", "Hz"),
    ("_ms", "ms"),
    ("_s", "s"),
    ("_m", "m"),
    ("_t", "T"),
    ("_v", "V"),
    ("_a", "A"),
)


def unit_of(key: str) -> str:
    """The unit named by a key's SI suffix ('' when it has none)."""
    for suffix, unit in UNIT_SUFFIXES:
        if key.endswith(suffix):
            return unit
    return ""


def _is_records(value: Any) -> bool:
    return (
        isinstance(value, list | tuple)
        and len(value) > 0
        and all(isinstance(v, dict) for v in value)
    )


def _numeric(value: Any) -> np.ndarray | None:
    """value as a float/bool array when it is numeric (None elements -> NaN), else None."""
    if isinstance(value, bool | np.bool_):
        return np.asarray(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return np.asarray(float(value))
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return value.astype(bool) if value.dtype.kind == "b" else value.astype(float)
    if isinstance(value, list | tuple) and value:
        try:
            array = np.asarray([np.nan if v is None else v for v in value])
        except (ValueError, TypeError):
            return None
        if array.dtype.kind in "biuf":
            return array.astype(bool) if array.dtype.kind == "b" else array.astype(float)
    return None


def _flatten(prefix: str, value: Any, variables: dict, attrs: dict) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}{SEPARATOR}{key}", item, variables, attrs)
        return
    if _is_records(value):
        dim = prefix
        keys = dict.fromkeys(k for record in value for k in record)
        for key in keys:
            column = [record.get(key) for record in value]
            array = _numeric(column)
            name = f"{prefix}{SEPARATOR}{key}"
            if array is not None and array.ndim == 1:
                variables[name] = ((dim,), array, {"units": unit_of(key)})
            elif all(isinstance(c, str | type(None)) for c in column):
                variables[name] = ((dim,), np.array(["" if c is None else c for c in column]), {})
        return
    array = _numeric(value)
    if array is not None:
        dims = tuple(f"{prefix}{SEPARATOR}dim{i}" for i in range(array.ndim))
        variables[prefix] = (
            dims,
            array,
            {"units": unit_of(prefix.rsplit(SEPARATOR, maxsplit=1)[-1])},
        )
    elif value is not None:
        attrs[prefix] = value if isinstance(value, str) else json.dumps(value, default=str)


def scenario_dataset(result_dict: dict[str, Any], provenance: dict[str, Any]):
    """The Dataset of ``ScenarioResult.to_dict()`` (JSON-able, SI) with provenance attributes."""
    import xarray as xr

    from tmslab.provenance import to_jsonable

    variables: dict[str, tuple] = {}
    attrs: dict[str, Any] = {}
    for key, data in to_jsonable(result_dict["sections"]).items():
        _flatten(key, data, variables, attrs)
    dataset = xr.Dataset({name: xr.Variable(*spec) for name, spec in variables.items()})
    dataset.attrs.update(
        {
            "title": f"tmslab scenario {result_dict['scenario']}",
            "description": result_dict.get("description", ""),
            "tmslab_version": provenance["tmslab_version"],
            "spec_sha256": provenance["spec_sha256"],
            "provenance": json.dumps(to_jsonable(provenance)),
            **{f"text{SEPARATOR}{k}": v for k, v in attrs.items()},
        }
    )
    return dataset
