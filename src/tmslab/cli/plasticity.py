"""``tmslab plasticity``: calcium-based plasticity models: LTP/LTD predictions for protocols and pairings."""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli.output import (
    FIGURE_SUFFIXES,
    check_figure_path,
    check_out,
    console,
    fmt,
    key_value_table,
    print_json,
    save_figure,
)
from tmslab.cli.params import quantity_option

app = typer.Typer(
    help="Calcium-based plasticity models: LTP/LTD predictions for protocols and pairings.",
    no_args_is_help=True,
)

JSON_OPT = typer.Option(False, "--json", help="Print machine-readable JSON.")
MODEL_HELP = "Model as NAME[:SET], e.g. graupner-brunel:DP, shouval, bcm, huang-tbs (see 'tmslab plasticity list')."
DEFAULT_HELP = (
    " Default: the protocol family's model, huang-tbs for theta burst and shouval:rate for "
    "other trains (the best agreement in docs/plasticity-vs-experiments.md)."
)
THRESHOLD_OPT = typer.Option(
    0.05, "--threshold", help="Relative change above which the verdict is LTP/LTD (0.05 = 5 %)."
)
POST_DELAY_OPT = quantity_option(
    None,
    "--post-delay-ms",
    unit="ms",
    help="Each pulse also fires the postsynaptic neuron this long after the presynaptic spike; negative: before it (post-pre pairing); its size must be below the shortest inter-pulse interval (default: presynaptic only).",
)
MS = 1e-3


def _seconds(value_ms: float | None) -> float | None:
    return None if value_ms is None else value_ms * MS


@app.command("list")
def list_command(json: bool = JSON_OPT) -> None:
    """List the models and parameter sets with their sources."""
    from tmslab.plasticity.registry import list_models

    rows = [model.summary() for model in list_models()]
    if json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(title="Plasticity models", title_justify="left")
    for column in ("name", "default", "description", "source"):
        table.add_column(column)
    for r in rows:
        source = r["source"]
        table.add_row(
            r["name"],
            "yes" if r["default"] else "",
            r["description"],
            f"{source['citation']} (doi {source['doi']})",
        )
    console.print(table)


def _print_prediction(prediction, json: bool) -> None:
    record = prediction.to_dict(with_trajectory=json)
    if json:
        print_json(record)
        return
    weight = prediction.relative_weight
    rows = [
        ("model", f"{prediction.model} ({prediction.model_choice})"),
        ("protocol", prediction.protocol),
        ("input", prediction.input),
        ("relative weight (final / initial)", "n/a" if weight is None else fmt(weight)),
        ("verdict", prediction.verdict),
        ("threshold", f"{prediction.threshold:.3g} of {prediction.verdict_on}"),
    ]
    skip = {"method", "relative_weight_note"}
    rows += [(key, fmt(value)) for key, value in prediction.details.items() if key not in skip]
    rows.append(("method", prediction.details.get("method", "")))
    rows.append(("source", str(prediction.source)))
    console.print(key_value_table(f"{prediction.model}: {prediction.protocol}", rows))


@app.command("predict")
def predict_command(
    protocol: str = typer.Option(
        ..., "--protocol", help="A protocol name (see 'tmslab protocol list') or a TOML file."
    ),
    model: str | None = typer.Option(None, "--model", help=MODEL_HELP + DEFAULT_HELP),
    post_delay_ms: float | None = POST_DELAY_OPT,
    prime: str | None = typer.Option(
        None, "--prime", help="A protocol run first (priming, metaplasticity): name or TOML file."
    ),
    prime_gap_s: float = quantity_option(
        0.0,
        "--prime-gap-s",
        unit="s",
        help="Pause from the priming protocol's last pulse to the first of --protocol.",
    ),
    threshold: float = THRESHOLD_OPT,
    plot: Path | None = typer.Option(
        None, "--plot", help="Also draw the weight trajectory to this figure (.png, .svg, .pdf)."
    ),
    json: bool = JSON_OPT,
) -> None:
    """Predict the change of synaptic strength a protocol leaves behind (LTP / LTD / none)."""
    check_out(plot, FIGURE_SUFFIXES, "--plot")
    from tmslab.plasticity.predict import predict_protocol
    from tmslab.protocols.library import load_protocol

    check_figure_path(plot, "--plot")  # before the prediction is computed
    test = load_protocol(protocol)
    primer = load_protocol(prime) if prime is not None else None
    prediction = predict_protocol(
        test,
        model,
        post_delay_s=_seconds(post_delay_ms),
        threshold=threshold,
        prime=primer,
        prime_gap_s=prime_gap_s,
    )
    if plot is not None:
        from tmslab.viz.plasticity import plot_trajectory

        save_figure(plot_trajectory(prediction), plot)
    _print_prediction(prediction, json)


@app.command("stdp")
def stdp_command(
    model: str | None = typer.Option(
        None,
        "--model",
        help=MODEL_HELP + " Default: graupner-brunel:DP (the classical STDP window).",
    ),
    pairs: int = typer.Option(60, "--pairs", help="Number of pre/post pairs."),
    frequency: float = typer.Option(1.0, "--frequency", help="Pair repetition rate, Hz."),
    dt_ms: float = quantity_option(
        10.0,
        "--dt-ms",
        unit="ms",
        help="Postsynaptic minus presynaptic spike time (> 0: post after pre).",
    ),
    n_post: int = typer.Option(
        1, "--n-post", help="Postsynaptic spikes per pairing (11.5 ms apart)."
    ),
    threshold: float = THRESHOLD_OPT,
    json: bool = JSON_OPT,
) -> None:
    """Predict the change after a spike-timing (pre/post pairing) protocol.

    For the Shouval model use shouval:stdp (the 1 mV EPSP of the paper's pairing protocols).
    """
    from tmslab.plasticity.predict import predict_pairing

    prediction = predict_pairing(
        model, pairs, frequency, dt_ms * MS, n_post=n_post, threshold=threshold
    )
    _print_prediction(prediction, json)


@app.command("curve")
def curve_command(
    model: list[str] | None = typer.Option(
        None,
        "--model",
        help=MODEL_HELP + " Repeat for several. Default: shouval:rate (the conventional-rTMS "
        "default, docs/plasticity-vs-experiments.md).",
    ),
    pulses: int = typer.Option(
        900, "--pulses", help="Pulses per frequency (one continuous train)."
    ),
    fmin: float = typer.Option(1.0, "--fmin", help="Lowest frequency, Hz."),
    fmax: float = typer.Option(100.0, "--fmax", help="Highest frequency, Hz."),
    points: int = typer.Option(21, "--points", help="Frequencies, log-spaced from fmin to fmax."),
    post_delay_ms: float | None = POST_DELAY_OPT,
    threshold: float = THRESHOLD_OPT,
    out: Path | None = typer.Option(None, "--out", "-o", help="Figure file (.png, .svg or .pdf)."),
    json: bool = JSON_OPT,
) -> None:
    """Frequency-response curve: relative weight after N pulses at each frequency."""
    check_out(out, FIGURE_SUFFIXES)
    import numpy as np

    from tmslab.errors import InvalidValueError, check_positive
    from tmslab.plasticity.curves import frequency_response
    from tmslab.plasticity.inputs import check_count

    check_figure_path(out)  # before the curves are computed
    check_count("--pulses", pulses)
    low, high = check_positive("--fmin", fmin, "Hz"), check_positive("--fmax", fmax, "Hz")
    if high < low:
        raise InvalidValueError(f"--fmax {fmax:g} Hz is below --fmin {fmin:g} Hz")
    freqs = np.geomspace(low, high, check_count("--points", points))
    if not model:
        from tmslab.plasticity.registry import RTMS_MODEL

        model = [RTMS_MODEL]
    curves = [
        frequency_response(
            name, freqs, pulses, post_delay_s=_seconds(post_delay_ms), threshold=threshold
        )
        for name in model
    ]
    if out is not None:
        from tmslab.viz.plasticity import plot_curves

        title = f"{pulses} pulses per frequency, one continuous train"
        save_figure(plot_curves(curves, title), out)
    if json:
        print_json([curve.to_dict() for curve in curves])
        return
    from rich.table import Table

    table = Table(title=f"Relative synaptic strength after {pulses} pulses", title_justify="left")
    table.add_column("frequency (Hz)", justify="right")
    for curve in curves:
        table.add_column(curve.model, justify="right")
    for i, f in enumerate(freqs):
        table.add_row(
            f"{f:.3g}",
            *(
                f"{c.relative_weight[i]:.3g} {c.verdicts[i]}"
                if np.isfinite(c.relative_weight[i])
                else c.verdicts[i]
                for c in curves
            ),
        )
    console.print(table)
    if out is not None:
        console.print(f"wrote {out}")


@app.command("table")
def table_command(
    out: Path = typer.Option(
        Path("docs/plasticity-vs-experiments.md"),
        "--out",
        "-o",
        help="Markdown file to write (the committed docs/plasticity-vs-experiments.md).",
    ),
    threshold: float = THRESHOLD_OPT,
    json: bool = JSON_OPT,
) -> None:
    """Each model's verdict for the seed reviews' protocols against the reported direction."""
    check_out(out, None)
    from tmslab import __version__
    from tmslab.plasticity.table import build_table
    from tmslab.plasticity.table_markdown import render_markdown
    from tmslab.plasticity.verdict import check_threshold
    from tmslab.provenance import atomic_write_text

    table = build_table(check_threshold(threshold))
    command = "tmslab plasticity table" + (
        f" --threshold {threshold:g}" if threshold != 0.05 else ""
    )
    atomic_write_text(out, render_markdown(table, command, __version__))
    if json:
        print_json(table.to_dict())
        return
    console.print(
        f"wrote {out}: {len(table.variants)} model variants x {len(table.expectations)} protocols"
    )
