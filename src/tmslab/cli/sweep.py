"""``tmslab sweep``: run a parameter sweep (``tmslab sweep SPEC.toml`` is short for ``run``),
show its results, plot an output against a parameter, export them to netCDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from tmslab.cli import GROUPS
from tmslab.cli import output as term
from tmslab.cli.params import Figure, Json


class _RunByDefault(TyperGroup):
    """A group whose first argument, when not a subcommand, is the spec of ``run``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=_RunByDefault, help=GROUPS["sweep"][2], no_args_is_help=True)
Opt = typer.Option
STORE_ARG = typer.Argument(..., help="Result store of `tmslab sweep`.")
OUTPUT_OPT = Opt(None, "--output", help="Output path (repeat); default: the spec's outputs.")
ALL_OPT = Opt(False, "--all", help="Every stored output.")


@app.command("run")
def run(
    spec_file: Path = typer.Argument(..., help="Sweep spec TOML (see examples/sweeps/)."),
    out: Path = Opt(..., "--out", "-o", help="Result store (a Zarr directory)."),
    workers: int = Opt(2, "--workers", "-w", help="LocalCluster workers; 0: in this process."),
    serial: bool = Opt(False, "--serial", help="Run in this process (= --workers 0)."),
    scheduler: str | None = Opt(None, "--scheduler", help="A Dask scheduler, tcp://host:8786."),
    summary: bool = Opt(False, "--summary", help="Print the results table at the end."),
    json: Json = False,
) -> None:
    """Run the sweep's missing tasks and store each result as it finishes (resumable)."""
    term.check_out(out, None)  # a store that cannot be written fails before any task runs
    from tmslab.sweeps.runner import run_sweep, start_line, where_to_run
    from tmslab.sweeps.spec import load_sweep_spec

    workers = 0 if serial else workers
    where, spec = where_to_run(workers, scheduler), load_sweep_spec(spec_file)
    # A bar on a terminal; in a log, a line at every tenth of the tasks.
    with term.task_progress("preparing", disable=json) as progress:

        def on_start(n_done: int, n_todo: int) -> None:
            if not json:
                line = start_line(spec.name, spec.n_tasks, n_done, n_todo, where)
                term.console.print(line, highlight=False, markup=False)
            progress.update(total=n_todo, description="tasks")

        def on_progress(k: int, n: int) -> None:
            progress.update(completed=k)

        result = run_sweep(spec, out, workers, scheduler, on_start, on_progress)
    if json:
        return term.print_json(result.to_dict())
    term.console.print(result.line(), highlight=False)
    if summary:
        _print_summary(out, list(spec.outputs) if spec.outputs else None, limit=40)


@app.command("show")
def show(
    store: Path = STORE_ARG,
    output: list[str] | None = OUTPUT_OPT,
    all_outputs: bool = ALL_OPT,
    limit: int = Opt(40, "--limit", help="Show at most this many rows (0: all)."),
    json: Json = False,
) -> None:
    """Summary table of a sweep store: progress, parameters and outputs of each finished task."""
    _print_summary(store, "all" if all_outputs else (output or None), limit, json)


def _print_summary(store: Path, outputs: Any, limit: int, json: bool = False) -> None:
    from tmslab.sweeps.summary import summarize

    summary = summarize(store, outputs)
    term.print_listing(summary.listing(limit), json)
    for line in [] if json else summary.notes(limit):
        term.console.print(line, highlight=False)


@app.command("plot")
def plot(
    store: Path = STORE_ARG,
    x: str = Opt(..., "--x", help="Swept parameter on the x axis."),
    y: str = Opt(..., "--y", help="Output on the y axis (dotted path)."),
    hue: str | None = Opt(None, "--hue", help="Swept parameter: one line per value."),
    where: list[str] | None = Opt(None, "--where", help="Fix a parameter: PARAM=VALUE (repeat)."),
    out: Figure = ...,
) -> None:
    """Figure of an output against a swept parameter."""
    term.check_out(out, term.FIGURE_SUFFIXES)
    from tmslab.sweeps.summary import sweep_plot_data
    from tmslab.viz.sweep import plot_sweep

    series, title = sweep_plot_data(store, x, y, hue, where)
    term.save_figure(plot_sweep(series, x, y, title=title), out)
    term.print_wrote(out)


@app.command("export")
def export(
    store: Path = STORE_ARG,
    out: Path = Opt(..., "--out", "-o", help="netCDF file to write (.nc)."),
    output: list[str] | None = OUTPUT_OPT,
    all_outputs: bool = ALL_OPT,
) -> None:
    """Write the results as a netCDF file (the xarray Dataset of `load_results`)."""
    term.check_out(out, (".nc",))
    from tmslab.sweeps.store import write_netcdf

    outputs = "all" if all_outputs else (output or None)
    term.console.print(write_netcdf(store, out, outputs), highlight=False)
