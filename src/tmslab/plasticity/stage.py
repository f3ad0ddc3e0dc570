"""The scenario runner's plasticity section: a protocol's predicted change for one model."""

from __future__ import annotations

from typing import Any

from tmslab.scenario import Section

SECTION_TITLE = "Plasticity"


def verdict_text(prediction: Any) -> str:
    """The verdict with the rule that gave it, stated the right way round:
    "LTD (change -18.1 %; LTP above +5 %, LTD below -5 %)"."""
    threshold = f"{prediction.threshold * 100:.3g} %"
    rule = f"LTP above +{threshold}, LTD below -{threshold}"
    if prediction.relative_weight is None:
        return f"{prediction.verdict} ({prediction.verdict_on}: {rule})"
    change = (prediction.relative_weight - 1) * 100
    size = f"{change:+.3g} %" if abs(change) >= 5e-4 else "0 %"  # not "+0 %" or "-3.9e-06 %"
    return f"{prediction.verdict} (change {size}; {rule})"


def plasticity_section(
    protocol: Any, model: str | None = None, post_delay_s: float | None = None
) -> Section:
    """Run ``model`` (``family[:set]``; None: the protocol family's default, see
    :func:`~tmslab.plasticity.registry.default_model`) on ``protocol`` (a Protocol) and describe
    the result; the verdict row names the model and why it was used.

    data: the prediction (relative_weight, verdict, threshold, trajectory t_s/value, details,
    source), JSON-able and in SI units. post_delay_s: each pulse also fires the postsynaptic
    neuron this long (s) after the presynaptic spike (None: presynaptic only).
    """
    from tmslab.plasticity.figures import plot_trajectory
    from tmslab.plasticity.predict import predict_protocol

    prediction = predict_protocol(protocol, model, post_delay_s=post_delay_s)
    weight = prediction.relative_weight
    # the verdict and its model first: the console summary shows the first rows
    rows = [
        ("verdict", f"{prediction.verdict} by {prediction.model}"),
        ("model", f"{prediction.model} ({prediction.model_choice})"),
        (
            "relative synaptic strength (final / initial)",
            f"{weight:#.4g}" if weight is not None else "not a weight model",  # 1.000, not 1
        ),
        ("input", prediction.input),
        ("verdict rule", verdict_text(prediction)),
    ]
    if weight is None:
        rows.append(("net facilitation - inhibition", f"{prediction.details['net_effect']:.4g}"))
    notes = [
        f"Model: {prediction.source}. {prediction.source.note}".strip(),
        f"Method: {prediction.details.get('method', '')}.",
        "A model's prediction for one synapse, not a measurement: the direction and size depend "
        "on how pulses recruit pre- and postsynaptic spikes, which this section assumes as stated.",
    ]
    return Section(
        title=SECTION_TITLE,
        data=prediction.to_dict(),
        rows=rows,
        figures=[
            (
                f"{prediction.model}: {prediction.trajectory_label} during {prediction.protocol}",
                lambda: plot_trajectory(prediction),
            )
        ],
        notes=notes,
    )
