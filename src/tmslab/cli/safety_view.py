"""Human-readable view of a safety report (the record of SafetyReport.to_dict())."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from tmslab.cli.output import console

VERDICT_STYLE = {
    "within": "green",
    "beyond-tested": "yellow",
    "not-covered": "yellow",
    "exceeds": "bold red",
}


def distinct_trains(record: dict[str, Any]) -> list[tuple[dict[str, Any], list[int]]]:
    """Trains grouped by what the check saw (verdict and reason): (example train, train indices)."""
    groups: dict[tuple[str, str], tuple[dict[str, Any], list[int]]] = {}
    for train in record["trains"]:
        key = (train["verdict"], train["reason"])
        groups.setdefault(key, (train, []))[1].append(train["index"])
    return list(groups.values())


def _index_ranges(indices: list[int]) -> str:
    if len(indices) == 1:
        return str(indices[0] + 1)
    return (
        f"{indices[0] + 1}-{indices[-1] + 1} ({len(indices)})"
        if indices == list(range(indices[0], indices[-1] + 1))
        else ", ".join(str(i + 1) for i in indices)
    )


def print_safety_report(record: dict[str, Any]) -> None:
    ok = record["within_limits"]
    headline = (
        "[green]within the published limits[/green]"
        if ok
        else "[bold red]EXCEEDS a published limit[/bold red]"
    )
    if ok and record["beyond_tested_range"]:
        headline += " [yellow](partly beyond the tested or covered range)[/yellow]"
    console.print(
        f"[bold]{record['protocol']}[/bold] at {record['intensity_pct_mt']:g} % MT: {headline}"
    )
    table = Table(title_justify="left")
    for column in ("trains", "verdict", "why"):
        table.add_column(column)
    for train, indices in distinct_trains(record):
        style = VERDICT_STYLE.get(train["verdict"], "")
        table.add_row(
            _index_ranges(indices), f"[{style}]{train['verdict']}[/{style}]", train["reason"]
        )
    console.print(table)
    console.print(
        f"pulses per session {record['pulses_per_session']}, per day {record['pulses_per_day']}, "
        f"over the course {record['total_pulses']}"
    )
    for note in record["notes"]:
        console.print(f"- {note}", style="dim")
