"""``tmslab run SCENARIO.toml --out DIR``: the whole in-silico experiment, with a report."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn

from tmslab.cli.output import StageProgress, console
from tmslab.report.folder import OUTPUT_FILES, summary_lines

__all__ = ["OUTPUT_FILES", "run", "summary_lines"]
COLUMNS = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())


def run(
    scenario_file: Path = typer.Argument(..., help="Scenario TOML file (see examples/)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output directory (created if missing)."),
    json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Run a scenario and write results.nc, results.json, provenance.json and report.html into OUT."""
    from tmslab.report.folder import run_to_folder
    from tmslab.stages import stage_count

    with StageProgress("running", stage_count() + 1, disable=json, columns=COLUMNS) as progress:
        done = run_to_folder(scenario_file, out, on_stage=progress.stage)
        progress.finish()
    if json:
        return print(done.results_json)
    names = ", ".join(OUTPUT_FILES)
    console.print(f"[bold]{escape(done.scenario.spec.name)}[/bold]: wrote {names} to {escape(str(out))}")  # fmt: skip
    for line in summary_lines(done.result):
        console.print(escape(line))  # rows hold text such as "[hippocampus]": not Rich markup
