"""``tmslab run SCENARIO.toml --out DIR``: the whole in-silico experiment, with a report."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn

from tmslab.cli.output import StageProgress, console
from tmslab.outputs import OutputSet, check_only_own_files, check_output_dir, clean_leftovers
from tmslab.provenance import RESULT_SIGNIFICANT_DIGITS, dumps, provenance

# The set `tmslab run` writes; OUT holds all of them from one run, or the previous run's.
OUTPUT_FILES = ("results.nc", "results.json", "provenance.json", "report.html")


def run(
    scenario_file: Path = typer.Argument(..., help="Scenario TOML file (see examples/)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output directory (created if missing)."),
    json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Run a scenario and write results.nc, results.json, provenance.json and report.html into OUT."""
    from tmslab.efield.results import write_netcdf
    from tmslab.report.html import render_report
    from tmslab.results import scenario_dataset
    from tmslab.scenario import load_scenario
    from tmslab.stages import run_scenario, stage_count

    scenario = load_scenario(scenario_file)
    # Checked before any stage runs: a bad --out fails in a second, not after minutes of work.
    target = out.resolve()  # a link is followed: the folder it names is replaced, not the link
    check_output_dir(target)
    clean_leftovers(target)  # a killed earlier run's temporary or set-aside folders
    check_only_own_files(target, OUTPUT_FILES)
    record = provenance(scenario.raw, inputs={"scenario_file": str(scenario_file)})

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with StageProgress(
        "running", total=stage_count() + 1, disable=json, columns=columns
    ) as progress:
        result = run_scenario(scenario, on_stage=progress.stage)
        progress.stage(stage_count(), "report")
        html = render_report(result, record)
        progress.finish()

    results = {
        **result.to_dict(),
        "tmslab_version": record["tmslab_version"],
        "spec_sha256": record["spec_sha256"],
    }
    dataset = scenario_dataset(results, record)
    results_json = dumps(results, RESULT_SIGNIFICANT_DIGITS)
    # Everything is computed first, then the whole set appears in OUT at once (tmslab.outputs).
    with OutputSet(target) as files:
        files.write("results.nc", lambda path: write_netcdf(dataset, path))
        files.write_text("results.json", results_json + "\n")
        files.write_text("provenance.json", dumps(record) + "\n")
        files.write_text("report.html", html)
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
