"""``tmslab plasticity``: calcium-based plasticity models: LTP/LTD predictions for protocols and pairings."""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli.output import (
    FIGURE_SUFFIXES,
    check_out,
    console,
    print_json,
    print_rows,
    print_table,
    save_figure,
)
from tmslab.cli.params import JSON_OPT, quantity_option

app = typer.Typer(
    help="Calcium-based plasticity models: LTP/LTD predictions for protocols and pairings.",
    no_args_is_help=True,
)

MODEL_HELP = "Model as NAME[:SET], e.g. graupner-brunel:DP, shouval, bcm, huang-tbs (see 'tmslab plasticity list')."
THRESHOLD_OPT = typer.Option(
    0.05, "--threshold", help="Relative change above which the verdict is LTP/LTD (0.05 = 5 %)."
)
POST_DELAY_OPT = quantity_option(
    None,
    "--post-delay-ms",
    unit="ms",
    help="Each pulse also fires the postsynaptic neuron this long after the presynaptic spike; negative: before it (post-pre pairing); its size must be below the shortest inter-pulse interval (default: presynaptic only).",
)

MS = 1e-3  # seconds per millisecond (the options are in ms)


def _seconds(value_ms: float | None) -> float | None:
    return None if value_ms is None else value_ms * MS


def _print(prediction, json: bool) -> None:
    if json:
        return print_json(prediction.to_dict(with_trajectory=True))
    print_rows(prediction.title, prediction.rows())


@app.command("list")
def list_command(json: bool = JSON_OPT) -> None:
    """List the models and parameter sets with their sources."""
    from tmslab.plasticity.registry import list_models

    if json:
        return print_json([model.summary() for model in list_models()])
    columns = ("name", "default", "description", "source")
    print_table("Plasticity models", columns, [model.row() for model in list_models()])


@app.command("predict")
def predict_command(
    protocol: str = typer.Option(
        ..., "--protocol", help="A protocol name (see 'tmslab protocol list') or a TOML file."
    ),
    model: str | None = typer.Option(
        None,
        "--model",
        help=MODEL_HELP + " Default: the protocol family's model, huang-tbs for theta burst and "
        "shouval:rate for other trains (the best agreement in docs/plasticity-vs-experiments.md).",
    ),
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
    check_out(plot, FIGURE_SUFFIXES, "--plot")  # before the prediction is computed
    from tmslab.plasticity.predict import predict_protocol
    from tmslab.protocols.library import load_protocol

    prediction = predict_protocol(
        load_protocol(protocol),
        model,
        post_delay_s=_seconds(post_delay_ms),
        threshold=threshold,
        prime=None if prime is None else load_protocol(prime),
        prime_gap_s=prime_gap_s,
    )
    if plot is not None:
        from tmslab.viz.plasticity import plot_trajectory

        save_figure(plot_trajectory(prediction), plot)
    _print(prediction, json)


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

    dt_s = _seconds(dt_ms)
    _print(predict_pairing(model, pairs, frequency, dt_s, n_post=n_post, threshold=threshold), json)


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
    check_out(out, FIGURE_SUFFIXES)  # before the curves are computed
    from tmslab.plasticity.curves import curve_rows, frequency_curves

    delay = _seconds(post_delay_ms)
    curves = frequency_curves(model, pulses, fmin, fmax, points, delay, threshold)
    if out is not None:
        from tmslab.viz.plasticity import plot_curves

        save_figure(
            plot_curves(curves, f"{pulses} pulses per frequency, one continuous train"), out
        )
    if json:
        return print_json([curve.to_dict() for curve in curves])
    columns = ("frequency (Hz)", *(curve.model for curve in curves))
    title = f"Relative synaptic strength after {pulses} pulses"
    print_table(title, columns, curve_rows(curves), justify="right")
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
    from tmslab.outputs import check_output_file
    from tmslab.plasticity.table_markdown import write_table

    check_output_file(out)  # an existing page is rewritten

    table = write_table(out, threshold)
    if json:
        return print_json(table.to_dict())
    n_variants, n_protocols = len(table.variants), len(table.expectations)
    console.print(f"wrote {out}: {n_variants} model variants x {n_protocols} protocols")
