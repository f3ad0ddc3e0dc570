"""``tmslab run SCENARIO.toml --out DIR``: the whole in-silico experiment, with a report."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn

from tmslab.cli.output import StageProgress, console, print_json
from tmslab.errors import SpecFileError
from tmslab.provenance import atomic_write_text, dumps, provenance


def run(
    scenario_file: Path = typer.Argument(..., help="Scenario TOML file (see examples/)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output directory (created if missing)."),
    json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Run a scenario and write results.nc, results.json, provenance.json and report.html into OUT."""
    from tmslab.efield.results import write_netcdf
    from tmslab.report.html import render_report
    from tmslab.results import scenario_dataset
    from tmslab.scenario import load_scenario, run_scenario, stage_count

    if out.exists() and not out.is_dir():
        raise SpecFileError(f"--out {out} exists and is not a directory; give a directory path")
    scenario = load_scenario(scenario_file)
    record = provenance(scenario.raw, inputs={"scenario_file": str(scenario_file)})

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with StageProgress(
        "running", total=stage_count() + 1, disable=json, columns=columns
    ) as progress:
        result = run_scenario(scenario, on_stage=progress.stage)
        progress.stage(stage_count(), "report")
        html = render_report(result, record)
        progress.update(completed=stage_count() + 1)

    results = {
        **result.to_dict(),
        "tmslab_version": record["tmslab_version"],
        "spec_sha256": record["spec_sha256"],
    }
    dataset = scenario_dataset(results, record)
    # Everything is computed before the first file is written: a failure leaves no partial output.
    out.mkdir(parents=True, exist_ok=True)
    write_netcdf(dataset, out / "results.nc")
    atomic_write_text(out / "results.json", dumps(results) + "\n")
    atomic_write_text(out / "provenance.json", dumps(record) + "\n")
    atomic_write_text(out / "report.html", html)
    if json:
        print_json(results)
        return
    console.print(
        f"[bold]{scenario.spec.name}[/bold]: wrote results.nc, results.json, provenance.json, report.html to {out}"
    )
    for section in result.sections.values():
        summary = "; ".join(f"{label}: {value}" for label, value in section.rows[:3])
        console.print(f"  {section.title}: {summary}")
