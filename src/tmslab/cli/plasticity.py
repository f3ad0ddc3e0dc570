"""``tmslab plasticity``: calcium-based plasticity models: LTP/LTD predictions for protocols and pairings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tmslab.cli import GROUPS
from tmslab.cli import output as term
from tmslab.cli.params import Json, MaybeFigure, Plot, ProtocolName, quantity_option
from tmslab.units import MS

app = typer.Typer(help=GROUPS["plasticity"][2], no_args_is_help=True)  # help: tmslab.cli table
Opt = typer.Option
MODEL = "Model NAME[:SET], e.g. graupner-brunel:DP, shouval, bcm, huang-tbs."
Threshold = Annotated[
    float, Opt("--threshold", help="Relative change above which the verdict is LTP/LTD.")
]
POST_DELAY_OPT = quantity_option(
    None,
    "--post-delay-ms",
    unit="ms",
    help="Each pulse also fires the postsynaptic neuron this late.",
)


def _seconds(value_ms: float | None) -> float | None:
    return None if value_ms is None else value_ms * MS


def _print(prediction, json: bool) -> None:
    if json:
        return term.print_json(prediction.to_dict(with_trajectory=True))
    term.print_rows(prediction.title, prediction.rows())


@app.command("list")
def list_command(json: Json = False) -> None:
    """List the models and parameter sets with their sources."""
    from tmslab.plasticity.registry import model_listing

    term.print_listing(model_listing(), json)


@app.command("predict")
def predict_command(
    protocol: ProtocolName,
    model: str | None = Opt(None, "--model", help=MODEL + " Default: the protocol family's."),
    post_delay_ms: float | None = POST_DELAY_OPT,
    prime: str | None = Opt(None, "--prime", help="A protocol run first (priming): name or TOML."),
    prime_gap_s: float = quantity_option(
        0.0, "--prime-gap-s", unit="s", help="Pause from the priming protocol to --protocol."
    ),
    threshold: Threshold = 0.05,
    plot: Plot = None,
    json: Json = False,
) -> None:
    """Predict the change of synaptic strength a protocol leaves behind (LTP / LTD / none)."""
    term.check_out(plot, term.FIGURE_SUFFIXES, "--plot")  # before the prediction is computed
    from tmslab.plasticity.predict import predict_protocol
    from tmslab.protocols.library import load_protocol
    from tmslab.viz.plasticity import plot_trajectory  # matplotlib only when drawing

    prediction = predict_protocol(
        load_protocol(protocol),
        model,
        post_delay_s=_seconds(post_delay_ms),
        threshold=threshold,
        prime=None if prime is None else load_protocol(prime),
        prime_gap_s=prime_gap_s,
    )
    if plot is not None:
        term.save_figure(plot_trajectory(prediction), plot)
    _print(prediction, json)


@app.command("stdp")
def stdp_command(
    model: str | None = Opt(None, "--model", help=MODEL + " Default: graupner-brunel:DP."),
    pairs: int = Opt(60, "--pairs", help="Number of pre/post pairs."),
    frequency: float = Opt(1.0, "--frequency", help="Pair repetition rate, Hz."),
    dt_ms: float = quantity_option(10.0, "--dt-ms", unit="ms", help="Post minus pre spike time."),
    n_post: int = Opt(1, "--n-post", help="Postsynaptic spikes per pairing (11.5 ms apart)."),
    threshold: Threshold = 0.05,
    json: Json = False,
) -> None:
    """Predict the change after a spike-timing (pre/post pairing) protocol.

    For the Shouval model use shouval:stdp (the 1 mV EPSP of the paper's pairing protocols).
    """
    from tmslab.plasticity.predict import predict_pairing

    dt_s = _seconds(dt_ms)
    _print(predict_pairing(model, pairs, frequency, dt_s, n_post=n_post, threshold=threshold), json)


@app.command("curve")
def curve_command(
    model: list[str] | None = Opt(None, "--model", help=MODEL + " Repeat for several."),
    pulses: int = Opt(900, "--pulses", help="Pulses per frequency (one continuous train)."),
    fmin: float = Opt(1.0, "--fmin", help="Lowest frequency, Hz."),
    fmax: float = Opt(100.0, "--fmax", help="Highest frequency, Hz."),
    points: int = Opt(21, "--points", help="Frequencies, log-spaced from fmin to fmax."),
    post_delay_ms: float | None = POST_DELAY_OPT,
    threshold: Threshold = 0.05,
    out: MaybeFigure = None,
    json: Json = False,
) -> None:
    """Frequency-response curve: relative weight after N pulses at each frequency."""
    term.check_out(out, term.FIGURE_SUFFIXES)  # before the curves are computed
    from tmslab.plasticity.curves import curves_listing, frequency_curves
    from tmslab.viz.plasticity import plot_curves

    delay = _seconds(post_delay_ms)
    curves = frequency_curves(model, pulses, fmin, fmax, points, delay, threshold)
    if out is not None:
        title = f"{pulses} pulses per frequency, one continuous train"
        term.save_figure(plot_curves(curves, title), out)
    term.print_listing(curves_listing(curves, pulses), json)
    if out is not None and not json:
        term.print_wrote(out)


@app.command("table")
def table_command(
    out: Path = Opt(
        Path("docs/plasticity-vs-experiments.md"), "--out", "-o", help="Markdown file to write."
    ),
    threshold: Threshold = 0.05,
    json: Json = False,
) -> None:
    """Each model's verdict for the seed reviews' protocols against the reported direction."""
    from tmslab.outputs import check_output_file
    from tmslab.plasticity.table_markdown import write_table

    table = write_table(check_output_file(out), threshold)  # an existing page is rewritten
    if json:
        return term.print_json(table.to_dict())
    n_variants, n_protocols = len(table.variants), len(table.expectations)
    term.console.print(f"wrote {out}: {n_variants} model variants x {n_protocols} protocols")
