"""``tmslab run SCENARIO.toml --out DIR``: the whole in-silico experiment, with a report."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn

from tmslab.cli.output import StageProgress, check_out, console
from tmslab.errors import SpecFileError
from tmslab.provenance import RESULT_SIGNIFICANT_DIGITS, atomic_write_text, dumps, provenance


def run(
    scenario_file: Path = typer.Argument(..., help="Scenario TOML file (see examples/)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output directory (created if missing)."),
    json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Run a scenario and write results.nc, results.json, provenance.json and report.html into OUT."""
    check_out(out, None)
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
    results_json = dumps(results, RESULT_SIGNIFICANT_DIGITS)
    atomic_write_text(out / "results.json", results_json + "\n")
    atomic_write_text(out / "provenance.json", dumps(record) + "\n")
    atomic_write_text(out / "report.html", html)
    if json:
        print(results_json)
        return
    console.print(
        f"[bold]{escape(scenario.spec.name)}[/bold]: wrote results.nc, results.json, "
        f"provenance.json, report.html to {escape(str(out))}"
    )
    for line in summary_lines(result):
        # Rows hold text such as "[hippocampus]": printed as is, not read as Rich markup.
        console.print(escape(line))


def summary_lines(result) -> list[str]:
    """One line per section for the console: its title and its first three table rows."""
    from tmslab.wording import human_text

    lines = []
    for section in result.sections.values():
        summary = "; ".join(f"{label}: {value}" for label, value in section.rows[:3])
        skipped = [value for _, value in section.rows] in ([], ["no"])  # "computed: no"
        if skipped and section.notes:  # a stage that did not run says why in its notes
            summary = "; ".join(filter(None, [summary, section.notes[0]]))
        lines.append(human_text(f"  {section.title}: {summary}"))
    return lines
