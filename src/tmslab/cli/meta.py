"""``tmslab meta``: meta-analysis: effect sizes, fixed and random effects, heterogeneity, bias tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from tmslab.cli.output import (
    FIGURE_FORMATS,
    FIGURE_SUFFIXES,
    check_out,
    console,
    fmt,
    key_value_table,
    print_json,
    save_figure,
)
from tmslab.errors import InvalidValueError

app = typer.Typer(
    help="Meta-analysis: effect sizes, fixed and random effects, heterogeneity, bias tests.",
    no_args_is_help=True,
)

DATA_ARG = typer.Argument(
    ...,
    help="Table, one row per study: CSV, or R's write.csv / write.table output (quoted strings, "
    "row names, NA). Columns named as metafor's escalc arguments: ai,bi,ci,di (or ai,n1i,ci,n2i); "
    "m1i,sd1i,n1i,m2i,sd2i,n2i; or yi,vi (or yi,sei); optional 'study' and moderator columns. "
    "Other names through --columns.",
)
MEASURE_OPT = typer.Option(
    ...,
    "--measure",
    help="metafor's measure: RR (log risk ratio), OR (log odds ratio), SMD (Hedges' g), "
    "MD (mean difference) or GEN (yi, vi).",
)
COLUMNS_OPT = typer.Option(
    "",
    "--columns",
    help="metafor argument=file column, comma-separated, for files with other column names, "
    "e.g. metafor's dat.bcg: ai=tpos,bi=tneg,ci=cpos,di=cneg (study= or slab= for labels).",
)
METHOD_OPT = typer.Option(
    "REML", "--method", help="FE (inverse variance) or a tau^2 estimator: DL, REML, PM, ML."
)
KNHA_OPT = typer.Option(
    False, "--knha", help="Hartung-Knapp(-Sidik-Jonkman) adjustment: t tests with k - p df."
)
SMD_OPT = typer.Option(
    "exact",
    "--smd-correction",
    help="Hedges' g small-sample correction: exact (gamma function, metafor) or revman (RevMan 5).",
)
LEVEL_OPT = typer.Option(95.0, "--level", help="Confidence level of the intervals, in %.")
JSON_OPT = typer.Option(False, "--json", help="Print machine-readable JSON.")


def _check_figure(path: Path | None) -> None:
    if path is not None and path.suffix.lstrip(".").lower() not in FIGURE_FORMATS:
        formats = ", ".join("." + f for f in FIGURE_FORMATS)
        raise InvalidValueError(
            f"cannot save a figure as {path.name!r}; use a file ending in {formats}"
        )


def _load(
    data: Path, measure: str, smd_correction: str, mods: tuple[str, ...] = (), columns: str = ""
):
    from tmslab.evidence.meta.data import load_meta_csv, parse_columns

    mapping = parse_columns(columns)  # a malformed option is reported before the file is read
    return load_meta_csv(
        data, measure, smd_correction=smd_correction.lower(), mods=mods, columns=mapping
    )


def _fit(dataset, method: str, knha: bool, level: float, confint: bool = True):
    from tmslab.evidence.meta.models import fit
    from tmslab.evidence.meta.regression import design_matrix

    if dataset.moderators:
        X, names = design_matrix(dataset.moderators, dataset.k)
    else:
        X, names = None, None
    return fit(
        dataset.yi,
        dataset.vi,
        method,
        knha=knha,
        X=X,
        coef_names=names,
        labels=dataset.labels,
        level=level,
        confint=confint,
    )


def _header(dataset) -> dict[str, Any]:
    measure = dataset.measure
    record: dict[str, Any] = {
        "data": str(dataset.path),
        "measure": measure.name,
        "scale": measure.label,
    }
    if measure.name == "SMD":
        record["smd_correction"] = dataset.smd_correction
    return record


def _exp_block(measure, result) -> dict[str, Any] | None:
    """Ratios (exp of the log-scale figures) for RR and OR."""
    import math

    if not measure.ratio or result.p != 1:
        return None
    keys = ("estimate", "ci_lb", "ci_ub", "pi_lb", "pi_ub")
    values = {
        "estimate": result.estimate,
        "ci_lb": float(result.ci_lb[0]),
        "ci_ub": float(result.ci_ub[0]),
        "pi_lb": result.pi_lb,
        "pi_ub": result.pi_ub,
    }
    return {key: None if values[key] is None else math.exp(values[key]) for key in keys}


def _model_record(dataset, result) -> dict[str, Any]:
    record = {**_header(dataset), **result.to_dict()}
    ratio = _exp_block(dataset.measure, result)
    if ratio is not None:
        record["exp"] = ratio
    return record


def _interval(lb: Any, ub: Any) -> str:
    return "" if lb is None else f"[{fmt(lb)}, {fmt(ub)}]"


def _print_model(dataset, result, title: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    r = _model_record(dataset, result)
    stat = "t" if result.test == "knha" else "z"
    rows: list[tuple[str, Any]] = [
        ("data", r["data"]),
        ("measure", f"{r['measure']}: {r['scale']}"),
        ("model", f"{result.method}" + (", Knapp-Hartung" if result.test == "knha" else "")),
        ("studies (k)", result.k),
    ]
    if result.p == 1:
        rows += [
            ("estimate", r["estimate"]),
            ("standard error", r["se"]),
            (f"{stat} (p)", f"{fmt(r['statistic'])} (p = {fmt(r['pval'])})"),
            (f"{100 * result.level:g} % CI", _interval(r["ci_lb"], r["ci_ub"])),
            (f"{100 * result.level:g} % prediction interval", _interval(r["pi_lb"], r["pi_ub"])),
        ]
        if "exp" in r:
            e = r["exp"]
            rows.append(
                ("ratio (exp)", f"{fmt(e['estimate'])} {_interval(e['ci_lb'], e['ci_ub'])}")
            )
    rows += [
        ("tau^2", f"{fmt(r['tau2'])} {_interval(r['tau2_ci_lb'], r['tau2_ci_ub'])}"),
        ("I^2 (%)", f"{fmt(r['i2'])} {_interval(r['i2_ci_lb'], r['i2_ci_ub'])}"),
        ("H^2", f"{fmt(r['h2'])} {_interval(r['h2_ci_lb'], r['h2_ci_ub'])}"),
        ("Q (df, p)", f"{fmt(r['q'])} ({r['q_df']}, p = {fmt(r['q_pval'])})"),
    ]
    if result.p > 1:
        test = "F" if result.test == "knha" else "chi^2"
        rows += [
            (
                f"moderators: QM ({test})",
                f"{fmt(r['qm'])} (df {', '.join(str(d) for d in r['qm_df'] if d is not None)}, "
                f"p = {fmt(r['qm_pval'])})",
            ),
            ("R^2 (%)", r["r2"]),
        ]
    console.print(key_value_table(title, rows))
    if result.p > 1:
        table = Table(title="Coefficients", title_justify="left")
        for column in ("coefficient", "estimate", "se", stat, "p", "CI lb", "CI ub"):
            table.add_column(
                column, justify="left" if column == "coefficient" else "right", no_wrap=True
            )
        for c in r["coefficients"]:
            table.add_row(
                escape(c["name"]),
                *(
                    f"{c[key]:.3g}"
                    for key in ("estimate", "se", "statistic", "pval", "ci_lb", "ci_ub")
                ),
            )
        console.print(table)


def _print_studies(result) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Studies", title_justify="left")
    for column in ("study", "yi", "vi", "weight (%)"):
        table.add_column(column, justify="left" if column == "study" else "right")
    for label, y, v, w in zip(result.labels, result.yi, result.vi, result.weights, strict=True):
        table.add_row(escape(label), fmt(float(y)), fmt(float(v)), f"{w:.2f}")
    console.print(table)


@app.command("run")
def run_command(
    data: Path = DATA_ARG,
    measure: str = MEASURE_OPT,
    method: str = METHOD_OPT,
    knha: bool = KNHA_OPT,
    smd_correction: str = SMD_OPT,
    columns: str = COLUMNS_OPT,
    mods: str = typer.Option(
        "",
        "--mods",
        help="Moderator columns for a meta-regression, comma-separated (e.g. ablat,year).",
    ),
    level: float = LEVEL_OPT,
    json: bool = JSON_OPT,
    forest: Path | None = typer.Option(
        None, "--forest", help="Write a forest plot (.png, .svg, .pdf)."
    ),
    funnel: Path | None = typer.Option(
        None, "--funnel", help="Write a funnel plot (.png, .svg, .pdf)."
    ),
) -> None:
    """Pool the studies: estimate, CI, prediction interval, tau^2, I^2, H^2 (with Q-profile CIs), Q."""
    check_out(funnel, FIGURE_SUFFIXES, "--funnel")
    check_out(forest, FIGURE_SUFFIXES, "--forest")
    _check_figure(forest)
    _check_figure(funnel)
    moderators = tuple(name.strip() for name in mods.split(",") if name.strip())
    dataset = _load(data, measure, smd_correction, moderators, columns)
    result = _fit(dataset, method, knha, level)
    if funnel is not None and result.p > 1:
        raise InvalidValueError(
            "--funnel needs a model without moderators; drop --mods or --funnel"
        )
    written = []
    if forest is not None or funnel is not None:
        from tmslab.viz import meta as figures

        if forest is not None:
            save_figure(figures.forest_plot(result, dataset.measure), forest)
            written.append(f"forest plot: {forest}")
        if funnel is not None:
            save_figure(figures.funnel_plot(result, dataset.measure), funnel)
            written.append(f"funnel plot: {funnel}")
    if json:
        print_json(_model_record(dataset, result))
        return
    _print_model(dataset, result, "Meta-analysis" if result.p == 1 else "Meta-regression")
    _print_studies(result)
    for line in written:
        console.print(f"wrote {line}")


@app.command("loo")
def loo_command(
    data: Path = DATA_ARG,
    measure: str = MEASURE_OPT,
    method: str = METHOD_OPT,
    knha: bool = KNHA_OPT,
    smd_correction: str = SMD_OPT,
    columns: str = COLUMNS_OPT,
    level: float = LEVEL_OPT,
    json: bool = JSON_OPT,
    plot: Path | None = typer.Option(
        None, "--plot", help="Write the leave-one-out figure (.png, .svg, .pdf)."
    ),
) -> None:
    """Leave-one-out: the pooled effect and heterogeneity with each study omitted in turn."""
    check_out(plot, FIGURE_SUFFIXES, "--plot")
    from tmslab.evidence.meta.sensitivity import leave_one_out

    _check_figure(plot)
    dataset = _load(data, measure, smd_correction, columns=columns)
    result = _fit(dataset, method, knha, level)
    loo = leave_one_out(result)
    if plot is not None:
        from tmslab.viz import meta as figures

        save_figure(figures.leave_one_out_plot(loo, result, dataset.measure), plot)
    if json:
        print_json({**_model_record(dataset, result), "leave_one_out": loo.rows()})
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        title=f"Leave-one-out ({result.method}, {100 * result.level:g} % CI; all studies: "
        f"estimate {fmt(result.estimate)}, I^2 {fmt(result.i2)} %)",
        title_justify="left",
    )
    for column in ("omitted", "estimate", "CI lb", "CI ub", "p", "tau^2", "I^2 %"):
        table.add_column(column, justify="left" if column == "omitted" else "right", no_wrap=True)
    for row in loo.rows():
        table.add_row(
            escape(str(row["omitted"])),
            f"{row['estimate']:.4f}",
            f"{row['ci_lb']:.4f}",
            f"{row['ci_ub']:.4f}",
            f"{row['pval']:.3g}",
            f"{row['tau2']:.4g}",
            f"{row['i2']:.1f}",
        )
    console.print(table)
    if plot is not None:
        console.print(f"wrote leave-one-out figure: {plot}")


@app.command("egger")
def egger_command(
    data: Path = DATA_ARG,
    measure: str = MEASURE_OPT,
    method: str = METHOD_OPT,
    knha: bool = KNHA_OPT,
    smd_correction: str = SMD_OPT,
    columns: str = COLUMNS_OPT,
    level: float = LEVEL_OPT,
    json: bool = JSON_OPT,
) -> None:
    """Egger's regression test for funnel-plot asymmetry (metafor regtest: model rma, predictor sei)."""
    from tmslab.evidence.meta.bias import egger_test

    dataset = _load(data, measure, smd_correction, columns=columns)
    result = _fit(dataset, method, knha, level, confint=False)
    egger = egger_test(result)
    record = {**_header(dataset), **egger.to_dict()}
    if json:
        print_json(record)
        return
    stat = "t" if egger.ddf is not None else "z"
    rows = [
        ("data", record["data"]),
        ("model", f"{result.method}" + (", Knapp-Hartung" if egger.ddf is not None else "")),
        ("studies (k)", result.k),
        ("slope on SE", f"{fmt(egger.slope)} (SE {fmt(egger.slope_se)})"),
        (f"test of asymmetry: {stat}" + (f" (df {egger.ddf})" if egger.ddf else ""), egger.stat),
        ("p", egger.pval),
        (
            "limit estimate (SE -> 0)",
            f"{fmt(egger.limit_estimate)} {_interval(egger.limit_ci_lb, egger.limit_ci_ub)}",
        ),
    ]
    console.print(key_value_table("Egger's regression test", rows))


@app.command("trimfill")
def trimfill_command(
    data: Path = DATA_ARG,
    measure: str = MEASURE_OPT,
    method: str = METHOD_OPT,
    knha: bool = KNHA_OPT,
    smd_correction: str = SMD_OPT,
    columns: str = COLUMNS_OPT,
    level: float = LEVEL_OPT,
    side: str = typer.Option("", "--side", help="left or right; default: chosen as metafor does."),
    json: bool = JSON_OPT,
    funnel: Path | None = typer.Option(
        None, "--funnel", help="Write a funnel plot with the filled studies (.png, .svg, .pdf)."
    ),
) -> None:
    """Trim-and-fill (Duval & Tweedie, L0 estimator): missing studies and the adjusted estimate."""
    check_out(funnel, FIGURE_SUFFIXES, "--funnel")
    from tmslab.evidence.meta.bias import trim_and_fill

    _check_figure(funnel)
    dataset = _load(data, measure, smd_correction, columns=columns)
    result = _fit(dataset, method, knha, level)
    tf = trim_and_fill(result, side=side.strip().lower() or None)
    if funnel is not None:
        from tmslab.viz import meta as figures

        save_figure(figures.funnel_plot(result, dataset.measure, trimfill=tf), funnel)
    record = {**_header(dataset), **tf.to_dict()}
    ratio = _exp_block(dataset.measure, tf.fit)
    if ratio is not None:
        record["exp"] = ratio
    if json:
        print_json(record)
        return
    console.print(
        f"estimated missing studies on the {tf.side} side: {tf.k0} (SE {fmt(tf.se_k0)}); "
        f"estimate without filling: {fmt(result.estimate)}"
    )
    _print_model(dataset, tf.fit, "Trim-and-fill: model with the filled studies")
    if funnel is not None:
        console.print(f"wrote funnel plot: {funnel}")
