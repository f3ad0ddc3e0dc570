"""Pulse-time exports: CSV text and JSON-ready mappings (writing files is the caller's job)."""

from __future__ import annotations

import io
from typing import Any

from tmslab.protocols.protocol import Protocol

CSV_COLUMNS = ("pulse", "time_s", "train", "relative_intensity")


def pulse_times_csv(protocol: Protocol) -> str:
    """One row per pulse of a session: index, time (s, 9 decimals = 1 ns), train, relative intensity."""
    out = io.StringIO()
    out.write(",".join(CSV_COLUMNS) + "\n")
    for k, (t, train, scale) in enumerate(
        zip(protocol.pulse_times_s, protocol.train_index, protocol.pulse_scale, strict=False)
    ):
        out.write(f"{k},{t:.9f},{train},{scale:.6g}\n")
    return out.getvalue()


def pulse_times_json(protocol: Protocol) -> dict[str, Any]:
    """The protocol's summary plus its pulse times (s), trains and relative intensities."""
    return {
        **protocol.summary(),
        "pulse_times_s": protocol.pulse_times_s,
        "train_index": protocol.train_index,
        "relative_intensity": protocol.pulse_scale,
    }


def write_pulse_times(protocol: Protocol, path, spec: dict[str, Any]) -> None:
    """Write a session's pulse times to ``path``: ``.csv`` (:func:`pulse_times_csv`) or
    ``.json`` (:func:`pulse_times_json` with the provenance of ``spec``), atomically."""
    from pathlib import Path

    from tmslab.errors import InvalidValueError
    from tmslab.provenance import atomic_write_text, dumps, provenance

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        atomic_write_text(path, pulse_times_csv(protocol))
    elif suffix == ".json":
        record = {**pulse_times_json(protocol), "provenance": provenance(spec)}
        atomic_write_text(path, dumps(record) + "\n")
    else:
        raise InvalidValueError(f"--out {path.name!r}: use a file ending in .csv or .json")
