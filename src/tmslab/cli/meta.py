"""``tmslab meta``: meta-analysis: effect sizes, fixed and random effects, heterogeneity, bias tests."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from tmslab.cli.output import (
    FIGURE_SUFFIXES,
    check_out,
    console,
    print_json,
    print_rows,
    save_figure,
)
from tmslab.cli.output import print_table as table
from tmslab.cli.params import JSON_OPT
from tmslab.errors import InvalidValueError

app = typer.Typer(
    help="Meta-analysis: effect sizes, fixed and random effects, heterogeneity, bias tests.",
    no_args_is_help=True,
)


def _shared(
    data: Path = typer.Argument(
        ...,
        help="Table, one row per study: CSV, or R's write.csv / write.table output (quoted strings, "
        "row names, NA). Columns named as metafor's escalc arguments: ai,bi,ci,di (or ai,n1i,ci,n2i); "
        "m1i,sd1i,n1i,m2i,sd2i,n2i; or yi,vi (or yi,sei); optional 'study' and moderator columns. "
        "Other names through --columns.",
    ),
    measure: str = typer.Option(
        ...,
        "--measure",
        help="metafor's measure: RR (log risk ratio), OR (log odds ratio), SMD (Hedges' g), "
        "MD (mean difference) or GEN (yi, vi).",
    ),
    method: str = typer.Option(
        "REML", "--method", help="FE (inverse variance) or a tau^2 estimator: DL, REML, PM, ML."
    ),
    knha: bool = typer.Option(
        False, "--knha", help="Hartung-Knapp(-Sidik-Jonkman) adjustment: t tests with k - p df."
    ),
    smd_correction: str = typer.Option(
        "exact",
        "--smd-correction",
        help="Hedges' g small-sample correction: exact (gamma function, metafor) or revman (RevMan 5).",
    ),
    columns: str = typer.Option(
        "",
        "--columns",
        help="metafor argument=file column, comma-separated, for files with other column names, "
        "e.g. metafor's dat.bcg: ai=tpos,bi=tneg,ci=cpos,di=cneg (study= or slab= for labels).",
    ),
    level: float = typer.Option(95.0, "--level", help="Confidence level of the intervals, in %."),
    json: bool = JSON_OPT,
) -> None:
    """The arguments every meta command takes, before its own (see :func:`meta_command`)."""


def _figure(option: str, what: str) -> Any:
    return typer.Option(None, option, help=f"Write {what} (.png, .svg, .pdf).")


def meta_command(name: str, figures: tuple[str, ...] = (), confint: bool = True) -> Callable:
    """Register ``func(meta, json, **own)`` as ``tmslab meta NAME``: the one load-fit helper.

    The command line takes the shared arguments, then the function's own options; the figure
    files named in ``figures`` are checked before the work, and ``func`` receives the fitted
    :class:`~tmslab.evidence.meta.analysis.MetaAnalysis`.
    """

    def register(func: Callable) -> Callable:
        kind = inspect.Parameter.KEYWORD_ONLY
        own = list(inspect.signature(func).parameters.values())[2:]  # after meta, json
        hints = {**typing.get_type_hints(_shared), **typing.get_type_hints(func)}
        shared = list(inspect.signature(_shared).parameters.values())
        params = [p.replace(kind=kind, annotation=hints[p.name]) for p in [*shared, *own]]

        def command(**kwargs: Any) -> None:
            for key in figures:
                check_out(kwargs[key], FIGURE_SUFFIXES, f"--{key}")
            from tmslab.evidence.meta.analysis import analyse

            fit = {
                k: kwargs.pop(k) for k in ("method", "knha", "smd_correction", "columns", "level")
            }
            data, measure, mods = kwargs.pop("data"), kwargs.pop("measure"), kwargs.get("mods", "")
            meta = analyse(data, measure, mods=mods, confint=confint, **fit)
            func(meta, **kwargs)

        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        command.__doc__ = func.__doc__
        app.command(name)(command)
        return func

    return register


def _numbers(title: str, columns: tuple[str, ...], rows: list, **style: Any) -> None:
    """A table of numbers: the first column (names) left, the figures right."""
    table(title, columns, rows, {columns[0]: {"justify": "left"}}, justify="right", **style)


def _print_model(meta: Any, result: Any, title: str) -> None:
    print_rows(title, meta.summary_rows(result))
    if result.p > 1:
        columns = meta.coefficient_columns(result)
        _numbers("Coefficients", columns, meta.coefficient_rows(result), no_wrap=True)


@meta_command("run", figures=("funnel", "forest"))
def run_command(
    meta: Any,
    json: bool,
    mods: str = typer.Option(
        "",
        "--mods",
        help="Moderator columns for a meta-regression, comma-separated (e.g. ablat,year).",
    ),
    forest: Path | None = _figure("--forest", "a forest plot"),
    funnel: Path | None = _figure("--funnel", "a funnel plot"),
) -> None:
    """Pool the studies: estimate, CI, prediction interval, tau^2, I^2, H^2 (with Q-profile CIs), Q."""
    result, measure = meta.result, meta.data.measure
    if funnel is not None and result.p > 1:
        raise InvalidValueError(
            "--funnel needs a model without moderators; drop --mods or --funnel"
        )
    if forest is not None or funnel is not None:
        from tmslab.viz import meta as figures

        if forest is not None:
            save_figure(figures.forest_plot(result, measure), forest)
        if funnel is not None:
            save_figure(figures.funnel_plot(result, measure), funnel)
    if json:
        return print_json(meta.record())
    _print_model(meta, result, meta.title)
    _numbers("Studies", ("study", "yi", "vi", "weight (%)"), meta.study_rows())
    for what, path in (("forest plot", forest), ("funnel plot", funnel)):
        if path is not None:
            console.print(f"wrote {what}: {path}")


@meta_command("loo", figures=("plot",))
def loo_command(
    meta: Any, json: bool, plot: Path | None = _figure("--plot", "the leave-one-out figure")
) -> None:
    """Leave-one-out: the pooled effect and heterogeneity with each study omitted in turn."""
    from tmslab.evidence.meta.sensitivity import leave_one_out

    loo = leave_one_out(meta.result)
    if plot is not None:
        from tmslab.viz.meta import leave_one_out_plot

        save_figure(leave_one_out_plot(loo, meta.result, meta.data.measure), plot)
    if json:
        return print_json({**meta.record(), "leave_one_out": loo.rows()})
    columns = ("omitted", "estimate", "CI lb", "CI ub", "p", "tau^2", "I^2 %")
    _numbers(meta.leave_one_out_title(), columns, meta.leave_one_out_rows(loo), no_wrap=True)
    if plot is not None:
        console.print(f"wrote leave-one-out figure: {plot}")


@meta_command("egger", confint=False)
def egger_command(meta: Any, json: bool) -> None:
    """Egger's regression test for funnel-plot asymmetry (metafor regtest: model rma, predictor sei)."""
    from tmslab.evidence.meta.bias import egger_test

    egger = egger_test(meta.result)
    if json:
        return print_json({**meta.header(), **egger.to_dict()})
    print_rows("Egger's regression test", meta.egger_rows(egger))


@meta_command("trimfill", figures=("funnel",))
def trimfill_command(
    meta: Any,
    json: bool,
    side: str = typer.Option("", "--side", help="left or right; default: chosen as metafor does."),
    funnel: Path | None = _figure("--funnel", "a funnel plot with the filled studies"),
) -> None:
    """Trim-and-fill (Duval & Tweedie, L0 estimator): missing studies and the adjusted estimate."""
    from tmslab.evidence.meta.bias import trim_and_fill

    tf = trim_and_fill(meta.result, side=side.strip().lower() or None)
    if funnel is not None:
        from tmslab.viz.meta import funnel_plot

        save_figure(funnel_plot(meta.result, meta.data.measure, trimfill=tf), funnel)
    if json:
        return print_json(meta.trim_fill_record(tf))
    console.print(meta.trim_fill_line(tf))
    _print_model(meta, tf.fit, "Trim-and-fill: model with the filled studies")
    if funnel is not None:
        console.print(f"wrote funnel plot: {funnel}")
