"""``tmslab protocol``: list, show, export, check and plot protocols."""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli.output import (
    FIGURE_SUFFIXES,
    check_out,
    console,
    key_value_table,
    print_json,
    save_figure,
)
from tmslab.errors import InvalidValueError
from tmslab.protocols.export import pulse_times_csv, pulse_times_json
from tmslab.protocols.library import get_protocol, list_protocols, load_protocol
from tmslab.provenance import atomic_write_text, dumps, provenance

app = typer.Typer(
    help="TMS protocols: pulse patterns, their figures, exports and safety checks.",
    no_args_is_help=True,
)

PROTOCOL_ARG = typer.Argument(
    ..., help="A protocol name (see 'tmslab protocol list') or a TOML file."
)
JSON_OPT = typer.Option(False, "--json", help="Print machine-readable JSON.")


@app.command("list")
def list_command(json: bool = JSON_OPT) -> None:
    """List the named protocols with their pulse counts, durations and sources."""
    listed = (
        "name",
        "kind",
        "n_pulses",
        "duration_s",
        "n_trains",
        "total_pulses",
        "description",
        "source",
    )
    rows = [{key: get_protocol(name).summary()[key] for key in listed} for name in list_protocols()]
    if json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(title="Named protocols", title_justify="left")
    for column in ("name", "kind", "pulses", "duration", "trains", "course pulses", "source"):
        table.add_column(
            column,
            justify="right"
            if column in ("pulses", "duration", "trains", "course pulses")
            else "left",
        )
    for r in rows:
        table.add_row(
            r["name"],
            r["kind"],
            str(r["n_pulses"]),
            f"{r['duration_s']:.4g} s",
            str(r["n_trains"]),
            str(r["total_pulses"]),
            r["source"]["citation"] if r["source"] else "",
        )
    console.print(table)


@app.command("show")
def show_command(protocol: str = PROTOCOL_ARG, json: bool = JSON_OPT) -> None:
    """Show a protocol's pulses, duration, rates, trains, course and source."""
    p = load_protocol(protocol)
    summary = p.summary()
    if json:
        print_json(summary)
        return
    course = p.course
    rows = [
        ("kind", p.kind),
        ("pulses per session", p.n_pulses),
        ("duration (first to last pulse)", f"{p.duration_s:.6g} s"),
        ("trains", p.n_trains),
        ("pulses per train", ", ".join(map(str, summary["pulses_per_train"]))),
        ("mean rate", f"{p.mean_rate_hz:.4g} Hz"),
        ("peak rate", f"{p.peak_rate_hz:.4g} Hz"),
    ]
    if summary["inter_train_pause_s"] is not None:
        rows.append(
            (
                "pause between trains (last to first pulse)",
                f"{summary['inter_train_pause_s']:.6g} s",
            )
        )
    if course.n_sessions > 1:
        rows.append(("course", f"{course.sessions_per_day} session(s)/day x {course.days} day(s)"))
        rows.append(("pulses over the course", p.total_pulses))
    if p.source:
        rows.append(("source", str(p.source)))
    console.print(key_value_table(f"{p.name}: {p.description}" if p.description else p.name, rows))


@app.command("export")
def export_command(
    protocol: str = PROTOCOL_ARG,
    out: Path = typer.Option(
        ..., "--out", "-o", help="Output file: .csv (one row per pulse) or .json."
    ),
) -> None:
    """Export a session's pulse times (s) to CSV or JSON (with the protocol's figures and provenance)."""
    check_out(out, (".csv", ".json"))
    p = load_protocol(protocol)
    suffix = out.suffix.lower()
    if suffix == ".csv":
        atomic_write_text(out, pulse_times_csv(p))
    elif suffix == ".json":
        record = {
            **pulse_times_json(p),
            "provenance": provenance({"protocol": protocol, "spec": p.parameters}),
        }
        atomic_write_text(out, dumps(record) + "\n")
    else:
        raise InvalidValueError(f"--out {out.name!r}: use a file ending in .csv or .json")
    console.print(f"wrote {p.n_pulses} pulse times to {out}")


@app.command("check")
def check_command(
    protocol: str = PROTOCOL_ARG,
    intensity_mt: float = typer.Option(
        ..., "--intensity-mt", help="Intensity in % of the resting motor threshold."
    ),
    json: bool = JSON_OPT,
) -> None:
    """Check each train against the Wassermann 1998 / Rossi 2009 maximum safe train durations."""
    from tmslab.protocols.safety import check_protocol

    report = check_protocol(load_protocol(protocol), intensity_mt)
    record = report.to_dict()
    if json:
        print_json(record)
        return
    from tmslab.cli.safety_view import print_safety_report

    print_safety_report(record)


@app.command("plot")
def plot_command(
    protocol: str = PROTOCOL_ARG,
    out: Path = typer.Option(..., "--out", "-o", help="Figure file (.png, .svg or .pdf)."),
) -> None:
    """Draw the protocol's timeline: the whole session and a zoom on the first train."""
    from tmslab.viz.timeline import plot_timeline

    check_out(out, FIGURE_SUFFIXES)
    p = load_protocol(protocol)
    save_figure(plot_timeline(p), out)
    console.print(f"wrote {out}")
