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
