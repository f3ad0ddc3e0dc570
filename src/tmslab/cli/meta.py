"""``tmslab meta``: meta-analysis: effect sizes, fixed and random effects, heterogeneity, bias tests."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from tmslab.cli import GROUPS
from tmslab.cli import output as term
from tmslab.cli.params import Json, parameters, with_signature
from tmslab.errors import InvalidValueError

app = typer.Typer(help=GROUPS["meta"][2], no_args_is_help=True)  # help: tmslab.cli table
Opt = typer.Option


def _shared(
    data: Path = typer.Argument(
        ..., help="Table, one row per study (CSV or R's write.csv), columns as metafor's escalc."
    ),
    measure: str = Opt(..., "--measure", help="RR, OR, SMD (Hedges' g), MD or GEN (yi, vi)."),
    method: str = Opt("REML", "--method", help="FE or a tau^2 estimator: DL, REML, PM, ML."),
    knha: bool = Opt(False, "--knha", help="Hartung-Knapp adjustment (t tests with k - p df)."),
    smd_correction: str = Opt(
        "exact", "--smd-correction", help="Hedges' g correction: exact (metafor) or revman."
    ),
    columns: str = Opt("", "--columns", help="metafor argument=file column, e.g. ai=tpos,bi=tneg."),
    level: float = Opt(95.0, "--level", help="Confidence level of the intervals, in %."),
    json: Json = False,
) -> None:
    """The arguments every meta command takes, before its own (see :func:`meta_command`)."""


def _figure(option: str, what: str) -> Any:
    return Opt(None, option, help=f"Write {what} (.png, .svg, .pdf).")


def meta_command(name: str, figures: tuple[str, ...] = (), confint: bool = True) -> Callable:
    """Register ``func(meta, json, **own)`` as ``tmslab meta NAME``: the one load-fit helper.

    The command line takes the shared arguments, then the function's own options; the figure
    files named in ``figures`` are checked before the work, and ``func`` receives the fitted
    :class:`~tmslab.evidence.meta.analysis.MetaAnalysis`.
    """

    def register(func: Callable) -> Callable:
        kind = inspect.Parameter.KEYWORD_ONLY
        own = parameters(func)[2:]  # after meta, json
        params = [p.replace(kind=kind) for p in [*parameters(_shared), *own]]

        def command(**kwargs: Any) -> None:
            for key in figures:
                term.check_out(kwargs[key], term.FIGURE_SUFFIXES, f"--{key}")
            from tmslab.evidence.meta.analysis import analyse

            fit = {k: kwargs.pop(k) for k in ("method", "knha", "smd_correction", "columns")}
            data, measure, mods = kwargs.pop("data"), kwargs.pop("measure"), kwargs.get("mods", "")
            level = kwargs.pop("level")
            func(analyse(data, measure, mods=mods, confint=confint, level=level, **fit), **kwargs)

        app.command(name)(with_signature(command, params, func))
        return func

    return register


def _print_model(meta: Any, result: Any, title: str) -> None:
    term.print_rows(title, meta.summary_rows(result))
    if (coefficients := meta.coefficient_listing(result)) is not None:
        term.print_listing(coefficients)


@meta_command("run", figures=("funnel", "forest"))
def run_command(
    meta: Any,
    json: bool,
    mods: str = Opt("", "--mods", help="Moderator columns (meta-regression), e.g. ablat,year."),
    forest: Path | None = _figure("--forest", "a forest plot"),
    funnel: Path | None = _figure("--funnel", "a funnel plot"),
) -> None:
    """Pool the studies: estimate, CI, prediction interval, tau^2, I^2, H^2 (with Q-profile CIs), Q."""
    from tmslab.viz.meta import forest_plot, funnel_plot  # matplotlib only when drawing

    result, measure = meta.result, meta.data.measure
    if funnel is not None and result.p > 1:
        raise InvalidValueError(
            "--funnel needs a model without moderators; drop --mods or --funnel"
        )
    if forest is not None:
        term.save_figure(forest_plot(result, measure), forest)
    if funnel is not None:
        term.save_figure(funnel_plot(result, measure), funnel)
    if json:
        return term.print_json(meta.record())
    _print_model(meta, result, meta.title)
    term.print_listing(meta.study_listing())
    for what, path in (("forest plot", forest), ("funnel plot", funnel)):
        if path is not None:
            term.print_wrote(path, what)


@meta_command("loo", figures=("plot",))
def loo_command(
    meta: Any, json: bool, plot: Path | None = _figure("--plot", "the leave-one-out figure")
) -> None:
    """Leave-one-out: the pooled effect and heterogeneity with each study omitted in turn."""
    from tmslab.evidence.meta.sensitivity import leave_one_out
    from tmslab.viz.meta import leave_one_out_plot

    loo = leave_one_out(meta.result)
    if plot is not None:
        term.save_figure(leave_one_out_plot(loo, meta.result, meta.data.measure), plot)
    term.print_listing(meta.leave_one_out_listing(loo), json)
    if plot is not None and not json:
        term.print_wrote(plot, "leave-one-out figure")


@meta_command("egger", confint=False)
def egger_command(meta: Any, json: bool) -> None:
    """Egger's regression test for funnel-plot asymmetry (metafor regtest: model rma, predictor sei)."""
    from tmslab.evidence.meta.bias import egger_test

    egger = egger_test(meta.result)
    if json:
        return term.print_json(meta.egger_record(egger))
    term.print_rows("Egger's regression test", meta.egger_rows(egger))


@meta_command("trimfill", figures=("funnel",))
def trimfill_command(
    meta: Any,
    json: bool,
    side: str = Opt("", "--side", help="left or right; default: chosen as metafor does."),
    funnel: Path | None = _figure("--funnel", "a funnel plot with the filled studies"),
) -> None:
    """Trim-and-fill (Duval & Tweedie, L0 estimator): missing studies and the adjusted estimate."""
    from tmslab.evidence.meta.bias import trim_and_fill
    from tmslab.viz.meta import funnel_plot

    tf = trim_and_fill(meta.result, side=side.strip().lower() or None)
    if funnel is not None:
        term.save_figure(funnel_plot(meta.result, meta.data.measure, trimfill=tf), funnel)
    if json:
        return term.print_json(meta.trim_fill_record(tf))
    term.console.print(meta.trim_fill_line(tf))
    _print_model(meta, tf.fit, "Trim-and-fill: model with the filled studies")
    if funnel is not None:
        term.print_wrote(funnel, "funnel plot")
