"""A whole scenario run written to one folder: results.nc, results.json, provenance.json and
report.html (what ``tmslab run`` does)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The set a run writes; the folder holds all of them from one run, or the previous run's.
OUTPUT_FILES = ("results.nc", "results.json", "provenance.json", "report.html")


@dataclass(frozen=True, eq=False)
class FolderRun:
    """What :func:`run_to_folder` ran and wrote: the scenario, its result and results.json."""

    scenario: Any
    result: Any
    results_json: str


def run_to_folder(
    scenario_file: str | Path,
    out: str | Path,
    on_stage: Callable[[int, str], None] | None = None,
) -> FolderRun:
    """Run the scenario of ``scenario_file`` and write :data:`OUTPUT_FILES` into ``out``.

    The folder is checked before any stage runs (a bad ``out`` fails in a second, not after
    minutes of work); everything is computed first, then the whole set appears in ``out`` at once
    (:class:`tmslab.outputs.OutputSet`). ``on_stage(index, title)`` is called before each stage
    and before the report (index ``stage_count()``).
    """
    from tmslab.io.fields import write_netcdf
    from tmslab.outputs import OutputSet, prepare_output_folder
    from tmslab.provenance import RESULT_SIGNIFICANT_DIGITS, dumps, provenance
    from tmslab.report.html import render_report
    from tmslab.results import scenario_dataset
    from tmslab.scenario import load_scenario
    from tmslab.stages import run_scenario, stage_count

    scenario = load_scenario(scenario_file)
    target = prepare_output_folder(out, OUTPUT_FILES)  # a link is followed: its folder is replaced
    record = provenance(scenario.raw, inputs={"scenario_file": str(scenario_file)})
    result = run_scenario(scenario, on_stage=on_stage)
    if on_stage is not None:
        on_stage(stage_count(), "report")
    html = render_report(result, record)
    results = {
        **result.to_dict(),
        "tmslab_version": record["tmslab_version"],
        "spec_sha256": record["spec_sha256"],
    }
    dataset = scenario_dataset(results, record)
    results_json = dumps(results, RESULT_SIGNIFICANT_DIGITS)
    with OutputSet(target) as files:
        files.write("results.nc", lambda path: write_netcdf(dataset, path))
        files.write_text("results.json", results_json + "\n")
        files.write_text("provenance.json", dumps(record) + "\n")
        files.write_text("report.html", html)
    return FolderRun(scenario, result, results_json)


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
