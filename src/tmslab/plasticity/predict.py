"""Predict the plasticity a protocol, a pairing or given spike trains leave behind.

``predict_protocol(protocol, "shouval:rate")`` fires the presynaptic axon at every pulse
(and the postsynaptic neuron ``post_delay_s`` later, if given), runs the model and returns a
:class:`~tmslab.plasticity.prediction.Prediction` with the relative weight, the verdict and the
threshold it used. ``prime=`` runs another protocol first (metaplasticity): the reported change
is the test protocol's, from the weight it started at. Without a model name the protocol
family's default is used (:func:`tmslab.plasticity.registry.default_model`) and the prediction
says so (``model_choice``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.plasticity.inputs import SpikeTrains, pairing, pulse_spikes, spike_trains
from tmslab.plasticity.prediction import Outcome, Prediction
from tmslab.plasticity.registry import (
    Model,
    ModelChoice,
    default_model,
    get_model,
    pairing_default,
)
from tmslab.plasticity.verdict import DEFAULT_THRESHOLD, check_threshold, verdict
from tmslab.units import MS_PER_S


def _model(model: str | Model) -> Model:
    return model if isinstance(model, Model) else get_model(model)


def _chosen(model: str | Model | None, default: ModelChoice) -> tuple[Model, str]:
    """The model to run and why: the one given, else ``default``."""
    if model is None:
        return get_model(default.name), default.reason
    return _model(model), "chosen by the user"


def _pulse_times(protocol: Any) -> tuple[np.ndarray, str]:
    """(N,) pulse times (s) and a name, from a Protocol or an array of pulse times."""
    if hasattr(protocol, "pulse_times_s"):
        return np.asarray(protocol.pulse_times_s, dtype=float), str(protocol.name)
    return np.asarray(protocol, dtype=float).reshape(-1), "custom"


def input_description(post_delay_s: float | None) -> str:
    """How pulses drive the synapse, in words."""
    if post_delay_s is None:
        return "each pulse fires the presynaptic axon (no postsynaptic spike)"
    # 3 significant digits: the spike time of a cable model is not known better than that.
    delay_ms = post_delay_s * MS_PER_S
    when = f"{abs(delay_ms):.3g} ms " + ("earlier" if delay_ms < 0 else "later")
    return f"each pulse fires the presynaptic axon and the postsynaptic neuron {when}"


def _prediction(
    model: Model,
    outcome: Outcome,
    protocol: str,
    threshold: float,
    input_note: str,
    choice: str = "chosen by the user",
) -> Prediction:
    verdict_on = (
        "relative weight - 1"
        if outcome.relative_weight is not None
        else "balance (F - I)/(F + I) of the theta-burst model"
    )
    return Prediction(
        model=model.name,
        protocol=protocol,
        relative_weight=outcome.relative_weight,
        verdict=verdict(outcome.change, threshold),
        threshold=threshold,
        verdict_on=verdict_on,
        t_s=np.asarray(outcome.t_s),
        trajectory=np.asarray(outcome.trajectory),
        trajectory_label=outcome.trajectory_label,
        input=input_note,
        source=model.source,
        details=outcome.details,
        model_choice=choice,
    )


def predict_spikes(
    model: str | Model,
    pre_s: np.ndarray,
    post_s: np.ndarray | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    label: str = "spike trains",
) -> Prediction:
    """Prediction for given spike times (e.g. from the neuron layer).

    pre_s: (N,) presynaptic spike times, s, ascending, N >= 1. post_s: (M,) postsynaptic spike
    times, s, or None.
    """
    threshold = check_threshold(threshold)
    m = _model(model)
    trains = spike_trains(pre_s, post_s)
    note = "given presynaptic and postsynaptic spike times"
    return _prediction(m, m.outcome(trains), label, threshold, note)


def predict_protocol(
    protocol: Any,
    model: str | Model | None = None,
    post_delay_s: float | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    prime: Any = None,
    prime_gap_s: float = 0.0,
) -> Prediction:
    """Prediction for a protocol (a Protocol, or (N,) pulse times in s).

    post_delay_s: each pulse also fires the postsynaptic neuron this long after the presynaptic
    spike, s (None: presynaptic spikes only). prime: a protocol run first (priming); prime_gap_s:
    pause from its last pulse to the test protocol's first, s. With ``prime``, the details carry
    the unprimed relative weight for comparison. model: ``family[:set]`` or None for the
    protocol family's default (:func:`~tmslab.plasticity.registry.default_model`).
    """
    threshold = check_threshold(threshold)
    times, name = _pulse_times(protocol)
    m, choice = _chosen(model, default_model(times) if model is None else None)
    trains = pulse_spikes(times, post_delay_s)
    note = input_description(post_delay_s)
    if prime is None:
        return _prediction(m, m.outcome(trains), name, threshold, note, choice)
    prime_times, prime_name = _pulse_times(prime)
    primer = pulse_spikes(prime_times, post_delay_s)
    outcome = m.primed_outcome(primer, trains, prime_gap_s)
    alone = m.outcome(trains)
    details = {
        **outcome.details,
        "primed_by": prime_name,
        "prime_gap_s": float(prime_gap_s),
        "unprimed_relative_weight": alone.relative_weight,
        "unprimed_verdict": verdict(alone.change, threshold),
    }
    primed = Outcome(
        outcome.relative_weight,
        outcome.change,
        outcome.t_s,
        outcome.trajectory,
        outcome.trajectory_label,
        details,
    )
    return _prediction(m, primed, f"{name} primed by {prime_name}", threshold, note, choice)


def predict_pairing(
    model: str | Model | None = None,
    n_pairs: int = 60,
    frequency_hz: float = 1.0,
    dt_s: float = 0.01,
    n_post: int = 1,
    threshold: float = DEFAULT_THRESHOLD,
) -> Prediction:
    """Prediction for a pre/post pairing protocol (dt_s > 0: post after pre, s).

    Only models that read spike timing (graupner-brunel, shouval) accept pairings; model None
    uses :func:`~tmslab.plasticity.registry.pairing_default`.
    """
    threshold = check_threshold(threshold)
    m, choice = _chosen(model, pairing_default())
    if not m.timing:
        raise InvalidValueError(
            f"model {m.name} does not read spike timing; pairing protocols need "
            "graupner-brunel or shouval"
        )
    trains: SpikeTrains = pairing(n_pairs, frequency_hz, dt_s, n_post=n_post)
    label = f"{n_pairs} pairs at {frequency_hz:g} Hz, dt = {dt_s * MS_PER_S:+g} ms"
    note = f"pre/post pairing, postsynaptic burst of {n_post} spike(s)"
    return _prediction(m, m.outcome(trains), label, threshold, note, choice)
