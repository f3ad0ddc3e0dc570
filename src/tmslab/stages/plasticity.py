"""The plasticity stage: the protocol's predicted change of synaptic strength.

Each pulse is a presynaptic spike. Whether it also fires the postsynaptic cell comes, in order,
from ``[plasticity] post_delay_ms`` (the user's statement) or from the neuron stage: if the
layer-5 cell placed at the target fires at this intensity, its spike follows each pulse by the
spike time the cable model found.
"""

from __future__ import annotations

from typing import Any

from tmslab.plasticity.outcome import PlasticityOutcome
from tmslab.scenario import FigureSpec, Scenario, Section
from tmslab.units import MS, MS_PER_S

POSTSYNAPTIC_MODEL = "l5-pyramidal"
SECTION_TITLE = "Plasticity"


def _post_delay_from_neurons(done: dict[str, Section]) -> tuple[float | None, str]:
    neurons = done.get("neurons")
    activation = neurons.value if neurons is not None else None
    if activation is None:
        return None, "no neuron model ran, so each pulse is taken as a presynaptic spike only"
    cell = activation.cell(POSTSYNAPTIC_MODEL)
    if cell is None:
        return None, (
            f"the {POSTSYNAPTIC_MODEL} cell was not placed at the target, so each pulse is "
            "taken as a presynaptic spike only"
        )
    if not cell.fires:
        return None, (
            f"the {POSTSYNAPTIC_MODEL} cell at the target stays below threshold at this "
            "intensity (neuron stage), so each pulse is a presynaptic spike only"
        )
    delay = cell.spike_time_s
    return delay, (
        f"the {POSTSYNAPTIC_MODEL} cell at the target fires {delay * MS_PER_S:.2f} ms after each "
        "pulse at this intensity (neuron stage), so each pulse pairs a presynaptic spike with "
        "that postsynaptic spike"
    )


def plasticity_stage(scenario: Scenario, done: dict[str, Section]) -> Section:
    """Predicted change of synaptic strength for the protocol (tmslab.plasticity)."""
    spec = scenario.spec.plasticity
    if spec.post_delay_ms is not None:
        delay = spec.post_delay_ms * MS
        how = f"[plasticity] post_delay_ms = {spec.post_delay_ms:g}: each pulse pairs a presynaptic spike with a postsynaptic one"
    else:
        delay, how = _post_delay_from_neurons(done)
    # spec.model None: the protocol family's default (tmslab.plasticity.registry.default_model)
    section = plasticity_section(scenario.protocol, spec.model, post_delay_s=delay)
    section.data["post_delay_s"] = delay
    section.notes.insert(0, f"Input: {how}.")
    section.value = PlasticityOutcome(section.value, delay, how)
    return section


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
    source), JSON-able and in SI units; value: the Prediction. post_delay_s: each pulse also fires the postsynaptic
    neuron this long (s) after the presynaptic spike (None: presynaptic only).
    """
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
            FigureSpec(
                f"{prediction.model}: {prediction.trajectory_label} during {prediction.protocol}",
                "plot_trajectory",
                {"prediction": prediction},
            )
        ],
        notes=notes,
        value=prediction,
    )
