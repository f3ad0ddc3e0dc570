"""``tmslab optimise``: where to put the coil.

``optimise placement``: the coil position and handle angle that drive the field hardest at a
cortical target of a realistic head, by reciprocity (:mod:`tmslab.efield.optimise_run`).
``optimise rodent``: the rodent coil and distance that best reproduce a human scenario's field
(:func:`tmslab.stages.setup_search.rodent_setup_search`).
"""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli import GROUPS
from tmslab.cli import output as term
from tmslab.cli import params as opt
from tmslab.cli.params import Json
from tmslab.cli.params import quantity_option as quantity
from tmslab.units import MM

app = typer.Typer(help=GROUPS["optimise"][2], no_args_is_help=True)  # help: tmslab.cli table
Opt = typer.Option

# --- placement on a realistic head --------------------------------------------------------------
GOAL = Opt("magnitude", "--goal", help="magnitude (|E| at the target), normal (E into the cortex there) or focal (|E| there minus --penalty x the largest |E| at the points to avoid).")  # fmt: skip
AVOID = Opt(None, "--avoid-mni", metavar="X,Y,Z", help="With --goal focal: an MNI152 coordinate (mm) where the field is penalised; repeat for more. Default: 6 cortex points 20 mm around the target.")  # fmt: skip
PENALTY = Opt(1.0, "--penalty", help="With --goal focal: weight of the largest |E| at the points to avoid.")  # fmt: skip
RADIUS = quantity(20.0, "--radius-mm", unit="mm", help="Search radius around the target's projection on the scalp.")  # fmt: skip
STEP = quantity(2.0, "--step-mm", unit="mm", help="Spacing of the grid of coil positions.")
ANGLE_STEP = Opt(5.0, "--angle-step", help="Handle-angle step, degrees (must divide 360).")
E_GOAL = quantity(None, "--e-goal", unit="V/m", help="Field wanted at the target: prints the dI/dt (and % MSO with --didt-max) it needs.")  # fmt: skip
DIDT_MAX = quantity(None, "--didt-max", unit="A/s", help="The stimulator+coil's peak dI/dt at 100 % MSO.")  # fmt: skip
PLACEMENT_OUT = Opt(None, "--out", help="Folder for summary.json, the scan (CSV), the best pose (matsimnibs) and the map; written whole or not at all.")  # fmt: skip
PLACEMENT_PLOT = Opt(None, "--plot", help="Also draw the map of the field at the target over positions and angles (.png, .svg, .pdf).")  # fmt: skip


@app.command("placement")
def placement_command(
    coil: str = opt.COIL,
    head: str = opt.HEAD_MODEL,
    target: str | None = opt.TARGET,
    target_mni: str | None = opt.TARGET_MNI,
    target_label: str | None = opt.TARGET_LABEL,
    goal: str = GOAL,
    avoid_mni: list[str] | None = AVOID,
    penalty: float = PENALTY,
    radius_mm: float = RADIUS,
    step_mm: float = STEP,
    angle_step: float = ANGLE_STEP,
    distance_mm: float = opt.HEAD_DISTANCE,
    e_goal: float | None = E_GOAL,
    didt_max: float | None = DIDT_MAX,
    out: Path | None = PLACEMENT_OUT,
    plot: Path | None = PLACEMENT_PLOT,
    json: Json = False,
) -> None:
    """Best coil position and handle angle for a cortical target (reciprocity; about a minute)."""
    from tmslab.efield.head_run import parse_mni_mm
    from tmslab.efield.optimise_run import (
        placement_rows,
        placement_summary,
        prepare_placement,
        run_placement,
    )

    term.check_out(plot, term.FIGURE_SUFFIXES, "--plot")
    mni = parse_mni_mm(target_mni, "--target-mni")
    avoid = [parse_mni_mm(text, "--avoid-mni") for text in avoid_mni] if avoid_mni else None
    with term.console.status("loading the head and checking the options..."):
        setup = prepare_placement(
            coil, head=head, target=target, target_mni_m=mni, target_label=target_label,
            goal=goal, radius_m=radius_mm * MM, step_m=step_mm * MM, angle_step_deg=angle_step,
            distance_m=distance_mm * MM, e_goal_v_per_m=e_goal, didt_max_a_per_s=didt_max,
            out=out, avoid_mni_m=avoid, penalty=penalty,
        )  # fmt: skip
    with term.task_progress(
        "adjoint solve (about 20 s), then scoring coil positions", disable=json
    ) as progress:
        result = run_placement(
            setup,
            _placement_figure if out is not None else None,
            lambda done, total: progress.update(completed=done, total=total),
        )
    if plot is not None:
        _placement_figure(result, plot)
    if json:
        return term.print_json(placement_summary(setup, result))
    title = f"{result.coil_name} over {result.head_name}"
    term.print_rows(title, placement_rows(setup, result))
    term.print_written(out, plot)


def _placement_figure(result, path: Path) -> None:
    from tmslab.viz.placement import plot_placement

    term.save_figure(plot_placement(result), path)


# --- the rodent set-up that best reproduces a human field ---------------------------------------
SCENARIO = Opt(..., "--scenario", help="Human sphere-head scenario TOML (e.g. examples/quickstart.toml).")  # fmt: skip
RODENT_TARGET = Opt(None, "--target", help="Rodent target name or depth like 2.5mm (default: the human target's name if the rodent head has it, else cortex).")  # fmt: skip
STIMULATOR = Opt(None, "--stimulator", help="Stimulator for the doses (default: the scenario's device).")  # fmt: skip
PLOT = Opt(None, "--plot", help="Write the relative depth-focality figure (.png, .svg or .pdf).")  # fmt: skip


@app.command("rodent")
def rodent_command(
    scenario: Path = SCENARIO,
    species: str = Opt(..., "--species", help="rat or mouse."),
    target: str | None = RODENT_TARGET,
    stimulator: str | None = STIMULATOR,
    top: int = Opt(10, "--top", min=1, help="How many set-ups to show."),
    plot: Path | None = PLOT,
    json: Json = False,
) -> None:
    """Rodent coils and distances that best match a human field's depth and focality."""
    from tmslab.stages.setup_search import rodent_setup_search

    term.check_out(plot, term.FIGURE_SUFFIXES, "--plot")
    with term.task_progress("searching rodent set-ups", disable=json) as progress:
        result = rodent_setup_search(
            scenario,
            species,
            target=target,
            stimulator=stimulator,
            progress=lambda done, total, _: progress.update(completed=done, total=total),
        )
    if plot is not None:
        from tmslab.viz.setup_search import plot_setup_search

        term.save_figure(plot_setup_search(result.search, top=min(top, 5)), plot)
    if json:
        return term.print_json(result.to_dict(top))
    title, columns, rows = result.table(top)
    term.print_table(title, columns, rows)
    for line in (*result.search.unmatched, *result.search.notes, *result.notes):
        term.console.print(f"- {line}", highlight=False)
    if plot is not None:
        term.print_wrote(plot, "figure")
