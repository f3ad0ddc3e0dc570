"""The plasticity stage: the protocol's predicted change of synaptic strength.

Each pulse is a presynaptic spike. Whether it also fires the postsynaptic cell comes, in order,
from ``[plasticity] post_delay_ms`` (the user's statement) or from the neuron stage: if the
layer-5 cell placed at the target fires at this intensity, its spike follows each pulse by the
spike time the cable model found.
"""

from __future__ import annotations

from tmslab.scenario import Scenario, Section

POSTSYNAPTIC_MODEL = "l5-pyramidal"


def _post_delay_from_neurons(done: dict[str, Section]) -> tuple[float | None, str]:
    neurons = done.get("neurons")
    if neurons is None or not neurons.data.get("computed"):
        return None, "no neuron model ran, so each pulse is taken as a presynaptic spike only"
    record = next((r for r in neurons.data["models"] if r["model"] == POSTSYNAPTIC_MODEL), None)
    if record is None:
        return None, (
            f"the {POSTSYNAPTIC_MODEL} cell was not placed at the target, so each pulse is "
            "taken as a presynaptic spike only"
        )
    if not record["fires"]:
        return None, (
            f"the {POSTSYNAPTIC_MODEL} cell at the target stays below threshold at this "
            "intensity (neuron stage), so each pulse is a presynaptic spike only"
        )
    delay = record["spike_time_s"]
    return delay, (
        f"the {POSTSYNAPTIC_MODEL} cell at the target fires {delay * 1e3:.2f} ms after each "
        "pulse at this intensity (neuron stage), so each pulse pairs a presynaptic spike with "
        "that postsynaptic spike"
    )


def plasticity_stage(scenario: Scenario, done: dict[str, Section]) -> Section:
    """Predicted change of synaptic strength for the protocol (tmslab.plasticity)."""
    from tmslab.plasticity.stage import plasticity_section

    spec = scenario.spec.plasticity
    if spec.post_delay_ms is not None:
        delay = spec.post_delay_ms * 1e-3
        how = f"[plasticity] post_delay_ms = {spec.post_delay_ms:g}: each pulse pairs a presynaptic spike with a postsynaptic one"
    else:
        delay, how = _post_delay_from_neurons(done)
    # spec.model None: the protocol family's default (tmslab.plasticity.registry.default_model)
    section = plasticity_section(scenario.protocol, spec.model, post_delay_s=delay)
    section.data["post_delay_s"] = delay
    section.notes.insert(0, f"Input: {how}.")
    return section
