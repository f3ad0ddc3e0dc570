"""``tmslab protocol``: list, show, export, check and plot protocols."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from tmslab.cli import GROUPS
from tmslab.cli import output as term
from tmslab.cli.params import Figure, Json
from tmslab.protocols import describe
from tmslab.protocols.library import get_protocol, list_protocols, load_protocol

app = typer.Typer(help=GROUPS["protocol"][2], no_args_is_help=True)  # help: tmslab.cli table
PROTOCOL = typer.Argument(..., help="A protocol name (see 'tmslab protocol list') or a TOML file.")
EXPORT_OUT = typer.Option(..., "--out", "-o", help="Output file: .csv (one row per pulse) or .json.")  # fmt: skip
INTENSITY = typer.Option(..., "--intensity-mt", help="Intensity in % of the resting motor threshold.")  # fmt: skip
VERDICT_STYLE = {"within": "green", "beyond-tested": "yellow", "not-covered": "yellow", "exceeds": "bold red"}  # fmt: skip


@app.command("list")
def list_command(json: Json = False) -> None:
    """List the named protocols with their pulse counts, durations and sources."""
    records = [describe.list_record(get_protocol(name)) for name in list_protocols()]
    if json:
        return term.print_json(records)
    right = {c: {"justify": "right"} for c in ("pulses", "duration", "trains", "course pulses")}
    rows = [describe.list_row(r) for r in records]
    term.print_table("Named protocols", describe.LIST_COLUMNS, rows, styles=right)


@app.command("show")
def show_command(protocol: str = PROTOCOL, json: Json = False) -> None:
    """Show a protocol's pulses, duration, rates, trains, course and source."""
    p = load_protocol(protocol)
    if json:
        return term.print_json(p.summary())
    title = f"{p.name}: {p.description}" if p.description else p.name
    term.print_rows(title, describe.show_rows(p))


@app.command("export")
def export_command(protocol: str = PROTOCOL, out: Path = EXPORT_OUT) -> None:
    """Export a session's pulse times (s) to CSV or JSON (with the protocol's figures and provenance)."""
    from tmslab.protocols.export import write_pulse_times

    term.check_out(out, (".csv", ".json"))
    p = load_protocol(protocol)
    write_pulse_times(p, out, {"protocol": protocol, "spec": p.parameters})
    term.console.print(f"wrote {p.n_pulses} pulse times to {out}")


@app.command("check")
def check_command(protocol: str = PROTOCOL, intensity_mt: float = INTENSITY, json: Json = False) -> None:  # fmt: skip
    """Check each train against the Wassermann 1998 / Rossi 2009 maximum safe train durations."""
    from tmslab.protocols.safety import check_protocol

    r = check_protocol(load_protocol(protocol), intensity_mt).to_dict()
    if json:
        return term.print_json(r)
    ok = "[green]within the published limits[/green]"
    headline = ok if r["within_limits"] else "[bold red]EXCEEDS a published limit[/bold red]"
    if r["within_limits"] and r["beyond_tested_range"]:
        headline += " [yellow](partly beyond the tested or covered range)[/yellow]"
    term.console.print(
        f"[bold]{r['protocol']}[/bold] at {r['intensity_pct_mt']:g} % MT: {headline}"
    )
    table = Table(title_justify="left")
    for column in ("trains", "verdict", "why"):
        table.add_column(column)
    for trains, verdict, why in describe.safety_rows(r):
        style = VERDICT_STYLE.get(verdict, "")
        table.add_row(trains, f"[{style}]{verdict}[/{style}]", why)
    term.console.print(table)
    term.console.print(f"pulses per session {r['pulses_per_session']}, per day {r['pulses_per_day']}, over the course {r['total_pulses']}")  # fmt: skip
    for note in r["notes"]:
        term.console.print(f"- {note}", style="dim")


@app.command("plot")
def plot_command(protocol: str = PROTOCOL, out: Figure = ...) -> None:
    """Draw the protocol's timeline: the whole session and a zoom on the first train."""
    from tmslab.viz.timeline import plot_timeline

    term.check_out(out, term.FIGURE_SUFFIXES)
    term.save_figure(plot_timeline(load_protocol(protocol)), out)
    term.print_wrote(out)
