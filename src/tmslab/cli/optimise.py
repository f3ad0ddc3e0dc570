"""``tmslab optimise``: set-up optimisation.

``optimise rodent``: the rodent coil and distance that best reproduce a human scenario's field
(:func:`tmslab.stages.setup_search.rodent_setup_search`).
"""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli.output import (
    FIGURE_SUFFIXES,
    check_out,
    console,
    print_json,
    print_table,
    print_wrote,
    save_figure,
    task_progress,
)

app = typer.Typer(
    help="Set-up optimisation: the rodent coil and distance that best reproduce a human field.",
    no_args_is_help=True,
)
Opt = typer.Option
SCENARIO = Opt(..., "--scenario", help="Human sphere-head scenario TOML (e.g. examples/quickstart.toml).")  # fmt: skip
SPECIES = Opt(..., "--species", help="rat or mouse.")
TARGET = Opt(None, "--target", help="Rodent target name or depth like 2.5mm (default: the human target's name if the rodent head has it, else cortex).")  # fmt: skip
STIMULATOR = Opt(None, "--stimulator", help="Stimulator for the doses (default: the scenario's device).")  # fmt: skip
TOP = Opt(10, "--top", min=1, help="How many set-ups to show.")
PLOT = Opt(None, "--plot", help="Write the relative depth-focality figure (.png, .svg or .pdf).")  # fmt: skip
JSON = Opt(False, "--json", help="Print machine-readable JSON.")


@app.command("rodent")
def rodent_command(
    scenario: Path = SCENARIO,
    species: str = SPECIES,
    target: str | None = TARGET,
    stimulator: str | None = STIMULATOR,
    top: int = TOP,
    plot: Path | None = PLOT,
    json: bool = JSON,
) -> None:
    """Rodent coils and distances that best match a human field's depth and focality."""
    from tmslab.stages.setup_search import rodent_setup_search

    check_out(plot, FIGURE_SUFFIXES, "--plot")
    with task_progress("searching rodent set-ups", disable=json) as progress:
        result = rodent_setup_search(
            scenario,
            species,
            target=target,
            stimulator=stimulator,
            progress=lambda done, total, _: progress.update(completed=done, total=total),
        )
    if plot is not None:
        from tmslab.viz.setup_search import plot_setup_search

        save_figure(plot_setup_search(result.search, top=min(top, 5)), plot)
    if json:
        return print_json(result.to_dict(top))
    title, columns, rows = result.table(top)
    print_table(title, columns, rows)
    for line in (*result.search.unmatched, *result.search.notes, *result.notes):
        console.print(f"- {line}", highlight=False)
    if plot is not None:
        print_wrote(plot, "figure")
