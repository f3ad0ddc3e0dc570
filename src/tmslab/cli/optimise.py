"""``tmslab optimise``: where to put the coil on a head for a target (by reciprocity)."""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli.field import COIL, HEAD_MODEL, JSON, TARGET, TARGET_LABEL, TARGET_MNI
from tmslab.cli.output import (
    FIGURE_SUFFIXES,
    check_out,
    console,
    key_value_table,
    print_json,
    save_figure,
)
from tmslab.cli.params import quantity_option as quantity
from tmslab.units import MM

app = typer.Typer(
    help="Where to put the coil: placement on a head, and the rodent set-up that best reproduces a human field.",
    no_args_is_help=True,
)
Opt = typer.Option
GOAL = Opt("magnitude", "--goal", help="magnitude (|E| at the target) or normal (E along the inward cortical normal).")  # fmt: skip
RADIUS = quantity(20.0, "--radius-mm", unit="mm", help="Search radius around the target's projection on the scalp.")  # fmt: skip
STEP = quantity(2.0, "--step-mm", unit="mm", help="Spacing of the grid of coil positions.")
ANGLE_STEP = Opt(5.0, "--angle-step", help="Handle-angle step, degrees (divides 360).")
DISTANCE = quantity(0.0, "--distance-mm", unit="mm", help="Gap between the scalp and the coil centre.")  # fmt: skip
E_GOAL = quantity(None, "--e-goal", unit="V/m", help="Field wanted at the target: prints the dI/dt (and % MSO with --didt-max) it needs.")  # fmt: skip
DIDT_MAX = quantity(None, "--didt-max", unit="A/s", help="The stimulator+coil's peak dI/dt at 100 % MSO.")  # fmt: skip
OUT = Opt(None, "--out", help="Folder for summary.json, the scan (CSV), the best pose (matsimnibs) and the map; written whole or not at all.")  # fmt: skip
PLOT = Opt(None, "--plot", help="Also draw the map of E at the target over positions and angles (.png, .svg, .pdf).")  # fmt: skip


@app.command("placement")
def placement_command(
    coil: str = COIL,
    head: str = HEAD_MODEL,
    target: str | None = TARGET,
    target_mni: str | None = TARGET_MNI,
    target_label: str | None = TARGET_LABEL,
    goal: str = GOAL,
    radius_mm: float = RADIUS,
    step_mm: float = STEP,
    angle_step: float = ANGLE_STEP,
    distance_mm: float = DISTANCE,
    e_goal: float | None = E_GOAL,
    didt_max: float | None = DIDT_MAX,
    out: Path | None = OUT,
    plot: Path | None = PLOT,
    json: bool = JSON,
) -> None:
    """Best coil position and handle angle for a cortical target (reciprocity; ~1 min)."""
    from rich.progress import Progress

    from tmslab.efield.head_run import parse_mni_mm
    from tmslab.efield.optimise_run import (
        placement_rows,
        placement_summary,
        prepare_placement,
        run_placement,
    )

    if plot is not None:
        check_out(plot, FIGURE_SUFFIXES, "--plot")
    with console.status("loading the head and checking the options..."):
        setup = prepare_placement(
            coil, head=head, target=target, target_label=target_label,
            target_mni_m=None if target_mni is None else parse_mni_mm(target_mni, "--target-mni"),
            goal=goal, radius_m=radius_mm * MM, step_m=step_mm * MM, angle_step_deg=angle_step,
            distance_m=distance_mm * MM, e_goal_v_per_m=e_goal, didt_max_a_per_s=didt_max,
            out=out,
        )  # fmt: skip
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("adjoint solve, then scoring positions...", total=None)
        figure = _figure if out is not None else None
        result = run_placement(setup, figure, lambda n: bar.advance(task, n))
    if plot is not None:
        _figure(result, plot)
    if json:
        return print_json(placement_summary(setup, result))
    console.print(key_value_table(f"{result.coil_name} over {result.head_name}", placement_rows(setup, result)))  # fmt: skip
    for path in (out, plot):
        if path is not None:
            console.print(f"wrote {path}")


def _figure(result, path: Path) -> None:
    from tmslab.viz.placement import plot_placement

    save_figure(plot_placement(result), path)
