"""Protocols and their safety checks as rows a person reads (``tmslab protocol list|show|check``)."""

from __future__ import annotations

from typing import Any

from tmslab.protocols.protocol import Protocol

LIST_COLUMNS = ("name", "kind", "pulses", "duration", "trains", "course pulses", "source")
_LIST_KEYS = ("name", "kind", "n_pulses", "duration_s", "n_trains", "total_pulses", "description", "source")  # fmt: skip


def list_record(protocol: Protocol) -> dict[str, Any]:
    """The fields ``protocol list --json`` gives for one protocol."""
    summary = protocol.summary()
    return {key: summary[key] for key in _LIST_KEYS}


def list_row(r: dict[str, Any]) -> tuple[str, ...]:
    """One :data:`LIST_COLUMNS` row of a :func:`list_record`."""
    source = r["source"]["citation"] if r["source"] else ""
    counts = (str(r["n_pulses"]), f"{r['duration_s']:.4g} s", str(r["n_trains"]))
    return r["name"], r["kind"], *counts, str(r["total_pulses"]), source


def show_rows(p: Protocol) -> list[tuple[str, Any]]:
    """(label, value) rows of a protocol: pulses, duration, rates, trains, course, source."""
    summary, course = p.summary(), p.course
    rows: list[tuple[str, Any]] = [
        ("kind", p.kind),
        ("pulses per session", p.n_pulses),
        ("duration (first to last pulse)", f"{p.duration_s:.6g} s"),
        ("trains", p.n_trains),
        ("pulses per train", ", ".join(map(str, summary["pulses_per_train"]))),
        ("mean rate", f"{p.mean_rate_hz:.4g} Hz"),
        ("peak rate", f"{p.peak_rate_hz:.4g} Hz"),
    ]
    if summary["inter_train_pause_s"] is not None:
        pause = f"{summary['inter_train_pause_s']:.6g} s"
        rows.append(("pause between trains (last to first pulse)", pause))
    if course.n_sessions > 1:
        rows.append(("course", f"{course.sessions_per_day} session(s)/day x {course.days} day(s)"))
        rows.append(("pulses over the course", p.total_pulses))
    if p.source:
        rows.append(("source", str(p.source)))
    return rows


def distinct_trains(record: dict[str, Any]) -> list[tuple[dict[str, Any], list[int]]]:
    """Trains of a safety record grouped by what the check saw (verdict and reason):
    (example train, train indices)."""
    groups: dict[tuple[str, str], tuple[dict[str, Any], list[int]]] = {}
    for train in record["trains"]:
        key = (train["verdict"], train["reason"])
        groups.setdefault(key, (train, []))[1].append(train["index"])
    return list(groups.values())


def index_ranges(indices: list[int]) -> str:
    """Train indices (0-based) as people count them: ``"3"``, ``"1-5 (5)"`` or ``"1, 3, 4"``."""
    if len(indices) == 1:
        return str(indices[0] + 1)
    if indices == list(range(indices[0], indices[-1] + 1)):
        return f"{indices[0] + 1}-{indices[-1] + 1} ({len(indices)})"
    return ", ".join(str(i + 1) for i in indices)


def safety_rows(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(trains, verdict, why) rows of a safety record (``SafetyReport.to_dict()``)."""
    return [(index_ranges(i), t["verdict"], t["reason"]) for t, i in distinct_trains(record)]
