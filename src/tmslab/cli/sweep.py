"""``tmslab sweep``: run a parameter sweep, show its results, plot an output against a parameter.

    tmslab sweep SPEC.toml --out STORE [--workers N | --serial | --scheduler ADDRESS] [--summary]
    tmslab sweep show STORE [--output PATH ...] [--all] [--json]
    tmslab sweep plot STORE --x PARAM --y OUTPUT [--hue PARAM] [--where PARAM=VALUE] --out fig.png
    tmslab sweep export STORE --out results.nc [--output PATH ...] [--all]

``tmslab sweep SPEC.toml ...`` is short for ``tmslab sweep run SPEC.toml ...``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from tmslab.cli.output import (
    FIGURE_SUFFIXES,
    StageProgress,
    check_out,
    console,
    print_json,
    print_table,
    save_figure,
)


class _RunByDefault(TyperGroup):
    """A group whose first argument, when not a subcommand, is the spec of ``run``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_RunByDefault,
    help=(
        "Parameter sweeps: vary scenario fields, run on Dask, resume, show and plot. "
        "`tmslab sweep SPEC.toml --out STORE` runs a sweep (short for `tmslab sweep run`)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
STORE_ARG = typer.Argument(..., help="Result store of `tmslab sweep`.")


@app.command("run")
def run(
    spec_file: Path = typer.Argument(..., help="Sweep spec TOML (see examples/sweeps/)."),
    out: Path = typer.Option(..., "--out", "-o", help="Result store (a Zarr directory)."),
    workers: int = typer.Option(
        2, "--workers", "-w", help="LocalCluster worker processes; 0 runs in this process."
    ),
    serial: bool = typer.Option(False, "--serial", help="Run in this process (= --workers 0)."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Address of a running Dask scheduler, e.g. tcp://host:8786."
    ),
    summary: bool = typer.Option(False, "--summary", help="Print the results table at the end."),
    json: bool = typer.Option(False, "--json", help="Print what was run as JSON."),
) -> None:
    """Run the sweep's missing tasks and store each result as it finishes (resumable)."""
    check_out(out, None)  # a store that cannot be written fails before any task runs
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from tmslab.sweeps.runner import run_sweep, where_to_run
    from tmslab.sweeps.spec import load_sweep_spec

    workers = 0 if serial else workers
    where = where_to_run(workers, scheduler)
    spec = load_sweep_spec(spec_file)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    # A bar on a terminal; in a log, a line at every tenth of the tasks.
    with StageProgress("preparing", disable=json, columns=columns) as progress:

        def on_start(n_done: int, n_todo: int) -> None:
            if not json:
                console.print(
                    f"sweep [bold]{spec.name}[/bold]: {spec.n_tasks} tasks, {n_done} already done, "
                    f"{n_todo} to run on {where}",
                    highlight=False,
                )
            progress.update(total=n_todo, description="tasks")

        def on_progress(k: int, n: int) -> None:
            progress.update(completed=k)

        result = run_sweep(spec, out, workers, scheduler, on_start, on_progress)
    if json:
        return print_json(result.to_dict())
    console.print(result.line(), highlight=False)
    if summary:
        _print_summary(out, list(spec.outputs) if spec.outputs else None, limit=40)


@app.command("show")
def show(
    store: Path = STORE_ARG,
    output: list[str] | None = typer.Option(
        None, "--output", help="Output path to show (repeat); default: the spec's outputs."
    ),
    all_outputs: bool = typer.Option(False, "--all", help="Show every stored output."),
    limit: int = typer.Option(40, "--limit", help="Show at most this many rows (0: all)."),
    json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Summary table of a sweep store: progress, parameters and outputs of each finished task."""
    outputs: Any = "all" if all_outputs else (output or None)
    if json:
        from tmslab.sweeps.summary import summarize

        return print_json(summarize(store, outputs).to_dict())
    _print_summary(store, outputs, limit)


def _print_summary(store: Path, outputs: Any, limit: int) -> None:
    from tmslab.sweeps.summary import summarize

    summary = summarize(store, outputs)
    rows = summary.rows if limit <= 0 else summary.rows[:limit]
    print_table(summary.title, summary.columns, rows, justify="right", overflow="fold")
    if len(rows) < len(summary.rows):
        console.print(f"({len(summary.rows) - len(rows)} more rows; --limit 0 shows all)")
    console.print(summary.footer, highlight=False)


@app.command("plot")
def plot(
    store: Path = STORE_ARG,
    x: str = typer.Option(..., "--x", help="Swept parameter on the x axis."),
    y: str = typer.Option(..., "--y", help="Output on the y axis (dotted path)."),
    hue: str | None = typer.Option(None, "--hue", help="Swept parameter: one line per value."),
    where: list[str] | None = typer.Option(
        None, "--where", help="Fix another swept parameter: PARAM=VALUE (repeat)."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Figure file (.png, .svg or .pdf)."),
) -> None:
    """Figure of an output against a swept parameter."""
    check_out(out, FIGURE_SUFFIXES)
    from tmslab.sweeps.summary import sweep_plot_data
    from tmslab.viz.sweep import plot_sweep

    series, title = sweep_plot_data(store, x, y, hue, where)
    save_figure(plot_sweep(series, x, y, title=title), out)
    console.print(f"wrote {out}", highlight=False)


@app.command("export")
def export(
    store: Path = STORE_ARG,
    out: Path = typer.Option(..., "--out", "-o", help="netCDF file to write (.nc)."),
    output: list[str] | None = typer.Option(
        None, "--output", help="Output path to include (repeat); default: the spec's outputs."
    ),
    all_outputs: bool = typer.Option(False, "--all", help="Include every stored output."),
) -> None:
    """Write the results as a netCDF file (the xarray Dataset of `load_results`)."""
    check_out(out, (".nc",))
    from tmslab.sweeps.store import write_netcdf

    console.print(
        write_netcdf(store, out, "all" if all_outputs else (output or None)), highlight=False
    )
