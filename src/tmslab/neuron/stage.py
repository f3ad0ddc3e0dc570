"""The neuron section of a scenario: which cell models fire at the target, and their thresholds.

:func:`neuron_section` is what the scenario runner calls once the field layer has given the field
at the pulse peak as a callable. Each model is placed with its origin at the target point (in
its own orientation unless a rotation is given), coupled to the field by the line integral of E
along its tree, and driven by the stimulator's pulse at ``amplitude_scale`` times the field.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tmslab.errors import InvalidValueError, check_positive

DEFAULT_MODELS = ("hh-axon-straight", "mrg-axon", "l5-pyramidal")


def as_drive(waveform, dt_s: float | None = None):
    """A solver drive from a protocol-layer Waveform, a Drive, a name (``DEVICE:SHAPE``), or the
    stimulator stage's ``data["waveform"]`` mapping (``t_s`` and ``e_field_normalised``)."""
    from tmslab.neuron.drive import DEFAULT_DT_S, Drive, drive_from_waveform, get_drive

    if isinstance(waveform, Drive):
        return waveform
    if isinstance(waveform, str):
        return get_drive(waveform, dt_s or DEFAULT_DT_S)
    if isinstance(waveform, dict):
        t = np.asarray(waveform.get("t_s", ()), dtype=float)
        e = np.asarray(waveform.get("e_field_normalised", ()), dtype=float)
        if len(t) < 2 or len(e) != len(t):
            raise InvalidValueError(
                "the waveform mapping needs t_s and e_field_normalised arrays of equal length"
            )
        name = f"{waveform.get('shape', 'pulse')}"
        return drive_from_waveform(_Sampled(t, e, name), name=name)
    return drive_from_waveform(waveform)


class _Sampled:
    def __init__(self, t_s: np.ndarray, e_field: np.ndarray, name: str) -> None:
        self.t_s, self.e_field, self.name = t_s, e_field, name


def neuron_section(
    efield,
    target_point,
    waveform,
    amplitude_scale: float,
    models: Sequence = DEFAULT_MODELS,
    rotation: np.ndarray | None = None,
    solver: str = "batched",
    rel_tol: float = 0.005,
):
    """Activation of each model at the target, as a scenario :class:`~tmslab.scenario.Section`.

    efield: callable, points (N, 3) in metres -> E (N, 3) in V/m at the pulse peak.
    target_point: (3,) position of the target, metres.
    waveform: the pulse (see :func:`as_drive`). amplitude_scale: applied multiple of ``efield``.
    models: names of built-in models or CellModel objects. rotation: (3, 3) orientation of every
    cell about its origin (default: each model's own frame).
    Data (SI): applied_peak_e_v_per_m (|E| at the target at the applied scale) and, per model,
    fires, spike_time_s, threshold_scale and threshold_peak_e_v_per_m (|E| at the target at
    threshold).
    """
    from tmslab.neuron.coupling import field_at
    from tmslab.neuron.models import get_model
    from tmslab.neuron.population import population_activation
    from tmslab.scenario import Section

    scale = check_positive("amplitude_scale", amplitude_scale)
    target = np.asarray(target_point, dtype=float).reshape(-1)
    if target.shape != (3,) or not np.all(np.isfinite(target)):
        raise InvalidValueError(f"target_point {target_point!r}: give three coordinates, metres")
    if not callable(efield):
        raise InvalidValueError("efield must be a callable: points (N, 3) in m -> E (N, 3) in V/m")
    drive = as_drive(waveform)
    magnitude = float(np.linalg.norm(field_at(target[None], efield)[0]))
    rotations = None if rotation is None else np.asarray(rotation, dtype=float)[None]
    records = []
    cells = [get_model(m) if isinstance(m, str) else m for m in models]
    for cell in cells:
        guess = cell.threshold_guess_v_per_m / magnitude if magnitude > 0 else scale
        result = population_activation(
            cell,
            target[None],
            efield,
            drive,
            scale,
            rotations,
            thresholds=True,
            solver=solver,
            rel_tol=rel_tol,
            guess=guess,
        )
        threshold_scale = float(result.thresholds_scale[0])
        reason = None
        if not np.isfinite(threshold_scale):
            from tmslab.neuron.threshold import MAX_AMPLITUDE, no_threshold_reason

            # the search doubled from the guess and stopped before exceeding MAX_AMPLITUDE
            highest = guess * 2.0 ** np.floor(np.log2(MAX_AMPLITUDE / guess))
            reason = no_threshold_reason(cell, drive, highest * magnitude, "V/m at the target")
        records.append(
            {
                "model": cell.name,
                "fires": bool(result.fired[0]),
                "spike_time_s": float(result.spike_time_s[0]),
                "threshold_scale": threshold_scale,
                "threshold_peak_e_v_per_m": threshold_scale * magnitude,
                "no_threshold_reason": reason,
                "source": cell.source.to_dict(),
            }
        )
    applied = scale * magnitude
    rows = [("applied peak |E| at the target", f"{applied:.4g} V/m ({drive.name})")]
    for r in records:
        threshold = r["threshold_peak_e_v_per_m"]
        shown = f"{threshold:.4g} V/m" if np.isfinite(threshold) else r["no_threshold_reason"]
        verdict = "fires" if r["fires"] else "does not fire"
        timing = f", spike {r['spike_time_s'] * 1e3:.2f} ms after onset" if r["fires"] else ""
        rows.append((r["model"], f"{verdict} (threshold {shown}{timing})"))
    names = [r["model"] for r in records]
    values = [r["threshold_peak_e_v_per_m"] for r in records]

    def figure():
        from tmslab.neuron.figures import plot_thresholds_at_target

        return plot_thresholds_at_target(names, values, applied)

    notes = [
        "Each cell is placed with its origin at the target "
        + ("in the given orientation" if rotation is not None else "in its model orientation")
        + "; the field enters through quasipotentials (line integral of E along the tree) and "
        "the pulse's normalised time course; thresholds by bisection to "
        f"{rel_tol * 100:.2g} % with the {solver} solver (cross-checked against NEURON).",
    ]
    notes += [f"{c.name}: {c.source}. {c.source.note}".strip() for c in cells]
    return Section(
        title="Neurons at the target",
        data={
            "target_m": target,
            "waveform": drive.name,
            "amplitude_scale": scale,
            "applied_peak_e_v_per_m": applied,
            "solver": solver,
            "models": records,
        },
        rows=rows,
        figures=[("Thresholds at the target against the applied field", figure)],
        notes=notes,
    )
