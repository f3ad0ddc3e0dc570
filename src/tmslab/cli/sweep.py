"""``tmslab sweep``: run a parameter sweep, show its results, plot an output against a parameter.

    tmslab sweep SPEC.toml --out STORE [--workers N | --serial | --scheduler ADDRESS] [--summary]
    tmslab sweep show STORE [--output PATH ...] [--all] [--json]
    tmslab sweep plot STORE --x PARAM --y OUTPUT [--hue PARAM] [--where PARAM=VALUE] --out fig.png
    tmslab sweep export STORE --out results.nc [--output PATH ...] [--all]

``tmslab sweep SPEC.toml ...`` is short for ``tmslab sweep run SPEC.toml ...``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from tmslab.cli.output import FIGURE_SUFFIXES, StageProgress, check_out, console, fmt, print_json
from tmslab.errors import InvalidValueError
from tmslab.outputs import check_output_dir, check_output_file


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
    check_out(out, None)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from tmslab.sweeps.runner import run_sweep
    from tmslab.sweeps.spec import load_sweep_spec

    if serial:
        workers = 0
    if workers < 0:
        raise InvalidValueError(f"--workers {workers} is not allowed; give 0 (in-process) or more")
    if scheduler is not None and not re.fullmatch(r"([a-z]+://)?[\w.\-\[\]:]+:\d+", scheduler):
        raise InvalidValueError(
            f"--scheduler {scheduler!r} is not an address; give HOST:PORT, e.g. tcp://host:8786"
        )
    spec = load_sweep_spec(spec_file)
    check_output_dir(out)  # a store that cannot be written fails before any task runs
    where = (
        f"scheduler {scheduler}"
        if scheduler
        else ("this process" if workers == 0 else f"{workers} worker(s)")
    )
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

        result = run_sweep(
            spec,
            out,
            workers=workers,
            scheduler=scheduler,
            on_start=on_start,
            on_progress=on_progress,
        )
    record = {
        "store": str(out),
        "n_tasks": result.n_tasks,
        "n_already_done": result.n_already_done,
        "n_ran": result.n_ran,
        "elapsed_s": result.elapsed_s,
    }
    if json:
        print_json(record)
        return
    console.print(
        f"ran {result.n_ran} task(s) in {result.elapsed_s:.3g} s; "
        f"{result.n_already_done + result.n_ran}/{result.n_tasks} stored in {out}",
        highlight=False,
    )
    if summary:
        _print_summary(out, list(spec.outputs) if spec.outputs else None, limit=40)


@app.command("show")
def show(
    store: Path = typer.Argument(..., help="Result store of `tmslab sweep`."),
    output: list[str] | None = typer.Option(
        None, "--output", help="Output path to show (repeat); default: the spec's outputs."
    ),
    all_outputs: bool = typer.Option(False, "--all", help="Show every stored output."),
    limit: int = typer.Option(40, "--limit", help="Show at most this many rows (0: all)."),
    json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Summary table of a sweep store: progress, parameters and outputs of each finished task."""
    from tmslab.sweeps.summary import summarize

    outputs: Any = "all" if all_outputs else (output or None)
    if json:
        print_json(summarize(store, outputs).to_dict())
        return
    _print_summary(store, outputs, limit)


def _print_summary(store: Path, outputs: Any, limit: int) -> None:
    from rich.table import Table

    from tmslab.sweeps.summary import summarize

    summary = summarize(store, outputs)
    table = Table(
        title=f"{summary.name}: {summary.n_done}/{summary.n_tasks} tasks done ({summary.mode})",
        title_justify="left",
    )
    for column in summary.columns:
        table.add_column(column, justify="right", overflow="fold")
    rows = summary.rows if limit <= 0 else summary.rows[:limit]
    for row in rows:
        table.add_row(*(fmt(value) for value in row))
    console.print(table)
    if len(rows) < len(summary.rows):
        console.print(f"({len(summary.rows) - len(rows)} more rows; --limit 0 shows all)")
    console.print(
        f"store {summary.store}, tmslab {summary.tmslab_version}, spec sha256 "
        f"{summary.spec_sha256[:12]}",
        highlight=False,
    )


@app.command("plot")
def plot(
    store: Path = typer.Argument(..., help="Result store of `tmslab sweep`."),
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
    from tmslab.cli.output import save_figure
    from tmslab.sweeps.store import SweepStore
    from tmslab.sweeps.summary import figure_series
    from tmslab.viz.sweep import plot_sweep

    check_output_file(out, (".png", ".svg", ".pdf"))
    fixed = {}
    for item in where or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise InvalidValueError(f"--where {item!r}: give PARAM=VALUE")
        fixed[name.strip()] = value.strip()
    opened = SweepStore.open(store)
    series = figure_series(opened, x, y, hue=hue, where=fixed)
    title = opened.spec.name + (
        "" if not fixed else " (" + ", ".join(f"{k} = {v}" for k, v in fixed.items()) + ")"
    )
    save_figure(plot_sweep(series, x, y, title=title), out)
    console.print(f"wrote {out}", highlight=False)


@app.command("export")
def export(
    store: Path = typer.Argument(..., help="Result store of `tmslab sweep`."),
    out: Path = typer.Option(..., "--out", "-o", help="netCDF file to write (.nc)."),
    output: list[str] | None = typer.Option(
        None, "--output", help="Output path to include (repeat); default: the spec's outputs."
    ),
    all_outputs: bool = typer.Option(False, "--all", help="Include every stored output."),
) -> None:
    """Write the results as a netCDF file (the xarray Dataset of `load_results`)."""
    check_out(out, (".nc",))
    from tmslab.provenance import atomic_write
    from tmslab.sweeps.store import load_results

    if out.suffix.lower() != ".nc":
        raise InvalidValueError(f"--out {out.name!r}: give a netCDF file name ending in .nc")
    check_output_file(out)
    dataset = load_results(store, "all" if all_outputs else (output or None))
    atomic_write(out, dataset.to_netcdf)
    console.print(
        f"wrote {out}: {dataset.attrs['n_done']}/{dataset.attrs['n_tasks']} tasks, "
        f"{len(dataset.data_vars) - 2} outputs",
        highlight=False,
    )
