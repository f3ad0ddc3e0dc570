"""Which cell models fire at a target: :func:`activation_at_target` -> :class:`Activation`.

Each model is placed with its origin at the target point (in its own orientation unless a
rotation is given), coupled to the field by the line integral of E along its tree, and driven by
the pulse at ``amplitude_scale`` times the field; its threshold is found by bisection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tmslab.errors import InvalidValueError, check_positive

DEFAULT_MODELS = ("axon-straight", "mrg-axon", "l5-pyramidal")


@dataclass(frozen=True)
class CellActivation:
    """One cell model at the target.

    Attributes
    ----------
    model : str
        The model's name.
    fires : bool
        Whether it fires at the applied intensity.
    spike_time_s : float, s
        First spike after the pulse onset (NaN when it does not fire).
    threshold_scale : float, dimensionless
        Threshold as a multiple of the field callable (NaN when not reached).
    threshold_peak_e_v_per_m : float, V/m
        |E| at the target at threshold.
    no_threshold_reason : str or None
        Why no threshold was found, in words.
    source : Source
        Where the model comes from.
    """

    model: str
    fires: bool
    spike_time_s: float
    threshold_scale: float
    threshold_peak_e_v_per_m: float
    no_threshold_reason: str | None
    source: Any

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record (SI; the order of the scenario's results)."""
        return {
            "model": self.model,
            "fires": self.fires,
            "spike_time_s": self.spike_time_s,
            "threshold_scale": self.threshold_scale,
            "threshold_peak_e_v_per_m": self.threshold_peak_e_v_per_m,
            "no_threshold_reason": self.no_threshold_reason,
            "source": self.source.to_dict(),
        }


@dataclass(frozen=True)
class Activation:
    """The activation of each placed cell model at one target.

    Attributes
    ----------
    target_m : (3,) ndarray, m
        The target point.
    drive : Drive
        The pulse the cells were driven with.
    amplitude_scale : float, dimensionless
        The applied multiple of the field callable.
    applied_peak_e_v_per_m : float, V/m
        |E| at the target at the applied scale.
    solver : str
        The cable solver used.
    rel_tol : float, dimensionless
        Relative tolerance of the threshold bisection.
    cells : tuple of CellActivation
        One per model, in the order given.
    rotated : bool
        Whether the cells were turned by a given rotation (else each in its model frame).
    """

    target_m: np.ndarray
    drive: Any
    amplitude_scale: float
    applied_peak_e_v_per_m: float
    solver: str
    rel_tol: float
    cells: tuple[CellActivation, ...]
    rotated: bool = False

    def cell(self, model: str) -> CellActivation | None:
        """The named model's activation, or None when it was not placed.

        Parameters
        ----------
        model : str
            The model's name.

        Returns
        -------
        CellActivation or None
        """
        return next((c for c in self.cells if c.model == model), None)


def as_drive(waveform, dt_s: float | None = None):
    """A solver drive from a protocol-layer Waveform, a Drive, a name or a sampled mapping.

    Parameters
    ----------
    waveform : Waveform, Drive, str or mapping
        A protocol-layer Waveform, a Drive (returned as is), a name (``DEVICE:SHAPE``), or the
        stimulator stage's ``data["waveform"]`` mapping (``t_s`` and ``e_field_normalised``
        arrays of equal length, s and dimensionless).
    dt_s : float, s, optional
        Time step for a named drive (default: the drive module's ``DEFAULT_DT_S``).

    Returns
    -------
    Drive
    """
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


def activation_at_target(
    efield: Callable[[np.ndarray], np.ndarray],
    target_point,
    waveform,
    amplitude_scale: float,
    models: Sequence = DEFAULT_MODELS,
    rotation: np.ndarray | None = None,
    solver: str = "batched",
    rel_tol: float = 0.005,
) -> Activation:
    """Activation, spike time and threshold of each model placed at the target.

    Parameters
    ----------
    efield : callable, (N, 3) ndarray, m -> (N, 3) ndarray, V/m
        E at the pulse peak.
    target_point : (3,) array_like, m
        Where each cell's origin is placed.
    waveform : Waveform, Drive, str or mapping
        The pulse (see :func:`as_drive`).
    amplitude_scale : float, dimensionless
        Applied multiple of ``efield``.
    models : sequence of str or CellModel
        Names of built-in models or CellModel objects.
    rotation : (3, 3) ndarray, dimensionless, optional
        Orientation of every cell about its origin (default: each model's own frame).
    solver : str
        ``"batched"`` or ``"neuron"``.
    rel_tol : float, dimensionless
        Relative tolerance of the threshold bisection.

    Returns
    -------
    Activation
    """
    from tmslab.neuron.coupling import field_at
    from tmslab.neuron.models import get_model
    from tmslab.neuron.population import population_activation

    scale = check_positive("amplitude_scale", amplitude_scale)
    target = np.asarray(target_point, dtype=float).reshape(-1)
    if target.shape != (3,) or not np.all(np.isfinite(target)):
        raise InvalidValueError(f"target_point {target_point!r}: give three coordinates, metres")
    if not callable(efield):
        raise InvalidValueError("efield must be a callable: points (N, 3) in m -> E (N, 3) in V/m")
    drive = as_drive(waveform)
    magnitude = float(np.linalg.norm(field_at(target[None], efield)[0]))
    rotations = None if rotation is None else np.asarray(rotation, dtype=float)[None]
    cells = []
    for cell in (get_model(m) if isinstance(m, str) else m for m in models):
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
        cells.append(
            CellActivation(
                model=cell.name,
                fires=bool(result.fired[0]),
                spike_time_s=float(result.spike_time_s[0]),
                threshold_scale=threshold_scale,
                threshold_peak_e_v_per_m=threshold_scale * magnitude,
                no_threshold_reason=reason,
                source=cell.source,
            )
        )
    return Activation(
        target_m=target,
        drive=drive,
        amplitude_scale=scale,
        applied_peak_e_v_per_m=scale * magnitude,
        solver=solver,
        rel_tol=rel_tol,
        cells=tuple(cells),
        rotated=rotation is not None,
    )


def has_boundary(threshold_ratio) -> bool:
    """Whether the firing boundary (ratio 1) lies inside a patch of cells.

    Parameters
    ----------
    threshold_ratio : (n, n) ndarray, dimensionless
        Threshold as a multiple of the applied intensity, NaN where no threshold was reached
        (those cells do not fire).

    Returns
    -------
    bool
        True when some cells fire and some do not.
    """
    ratio = np.asarray(threshold_ratio, float)
    fires = np.isfinite(ratio) & (ratio <= 1)
    return bool(fires.any() and not fires.all())
