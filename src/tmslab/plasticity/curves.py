"""Frequency-response and STDP curves: a model's relative weight across rates or spike timings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.plasticity.inputs import check_count, regular_pulses
from tmslab.plasticity.predict import _model, predict_pairing, predict_protocol
from tmslab.plasticity.registry import Model
from tmslab.plasticity.verdict import DEFAULT_THRESHOLD
from tmslab.wording import Listing

DEFAULT_FREQUENCIES_HZ = np.geomspace(1.0, 100.0, 21)


@dataclass(frozen=True, eq=False)
class Curve:
    """A model's response along one stimulation parameter.

    x: (K,) the parameter (frequency in Hz or spike timing in s, see ``x_label``).
    relative_weight: (K,) final / initial strength (NaN where the model gives no weight).
    change: (K,) what the verdicts read (relative weight - 1, or the TBS balance).
    verdicts: (K,) 'LTP' / 'LTD' / 'none'.
    """

    model: str
    x: np.ndarray
    x_label: str
    relative_weight: np.ndarray
    change: np.ndarray
    verdicts: tuple[str, ...]
    threshold: float
    description: str

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "x_label": self.x_label,
            "x": self.x,
            "relative_weight": self.relative_weight,
            "verdicts": list(self.verdicts),
            "threshold": self.threshold,
            "description": self.description,
        }


def frequency_response(
    model: str | Model,
    frequencies_hz: np.ndarray = DEFAULT_FREQUENCIES_HZ,
    n_pulses: int = 900,
    post_delay_s: float | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> Curve:
    """Relative weight after ``n_pulses`` pulses in one continuous train at each frequency.

    frequencies_hz: (K,) Hz, each > 0. post_delay_s: as in
    :func:`~tmslab.plasticity.predict.predict_protocol`.
    """
    m = _model(model)
    n = check_count("pulse count", n_pulses)
    freqs = np.asarray(frequencies_hz, dtype=float).reshape(-1)
    if freqs.size == 0 or not np.all(np.isfinite(freqs)) or np.any(freqs <= 0):
        raise InvalidValueError("frequencies must be finite and > 0 Hz")
    results = [
        predict_protocol(regular_pulses(f, n), m, post_delay_s=post_delay_s, threshold=threshold)
        for f in freqs
    ]
    weights = np.array(
        [np.nan if r.relative_weight is None else r.relative_weight for r in results]
    )
    change = np.array([r.details.get("balance", np.nan) for r in results])
    change = np.where(np.isnan(weights), change, weights - 1.0)
    return Curve(
        model=m.name,
        x=freqs,
        x_label="frequency (Hz)",
        relative_weight=weights,
        change=change,
        verdicts=tuple(r.verdict for r in results),
        threshold=threshold,
        description=f"{n} pulses, one continuous train; {results[0].input}",
    )


def stdp_curve(
    model: str | Model,
    dts_s: np.ndarray,
    n_pairs: int = 60,
    frequency_hz: float = 1.0,
    n_post: int = 1,
    threshold: float = DEFAULT_THRESHOLD,
) -> Curve:
    """Relative weight after ``n_pairs`` pairings at each timing dt (s, post minus pre)."""
    m = _model(model)
    dts = np.asarray(dts_s, dtype=float).reshape(-1)
    results = [
        predict_pairing(m, n_pairs, frequency_hz, dt, n_post=n_post, threshold=threshold)
        for dt in dts
    ]
    weights = np.array([r.relative_weight for r in results], dtype=float)
    return Curve(
        model=m.name,
        x=dts,
        x_label="dt = t_post - t_pre (s)",
        relative_weight=weights,
        change=weights - 1.0,
        verdicts=tuple(r.verdict for r in results),
        threshold=threshold,
        description=f"{n_pairs} pairs at {frequency_hz:g} Hz, {n_post} postsynaptic spike(s)",
    )


def frequency_curves(
    models: Sequence[str] | None,
    n_pulses: int = 900,
    fmin_hz: float = 1.0,
    fmax_hz: float = 100.0,
    points: int = 21,
    post_delay_s: float | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Curve]:
    """:func:`frequency_response` of each model at ``points`` log-spaced rates.

    Parameters
    ----------
    models : sequence of str or None
        ``NAME[:SET]`` each; None or empty: the conventional-rTMS default (``RTMS_MODEL``).
    n_pulses : int
        Pulses per frequency, one continuous train.
    fmin_hz, fmax_hz : float, Hz
        The lowest and highest rate (> 0, fmax >= fmin).
    points : int
        How many rates, from ``fmin_hz`` to ``fmax_hz``.
    post_delay_s, threshold
        As :func:`frequency_response`.

    Bad values raise InvalidValueError naming the options of ``tmslab plasticity curve``.
    """
    from tmslab.errors import check_positive
    from tmslab.plasticity.registry import RTMS_MODEL

    check_count("--pulses", n_pulses)
    low, high = check_positive("--fmin", fmin_hz, "Hz"), check_positive("--fmax", fmax_hz, "Hz")
    if high < low:
        raise InvalidValueError(f"--fmax {fmax_hz:g} Hz is below --fmin {fmin_hz:g} Hz")
    freqs = np.geomspace(low, high, check_count("--points", points))
    return [
        frequency_response(name, freqs, n_pulses, post_delay_s=post_delay_s, threshold=threshold)
        for name in (models or [RTMS_MODEL])
    ]


def curve_rows(curves: Sequence[Curve]) -> list[tuple[str, ...]]:
    """One row per x value: x, then each curve's relative weight and verdict."""
    return [
        (
            f"{x:.3g}",
            *(
                f"{c.relative_weight[i]:.3g} {c.verdicts[i]}"
                if np.isfinite(c.relative_weight[i])
                else c.verdicts[i]
                for c in curves
            ),
        )
        for i, x in enumerate(curves[0].x)
    ]


def curves_listing(curves: Sequence[Curve], pulses: int) -> Listing:
    """Frequency-response curves of ``pulses`` pulses as a table (rows: :func:`curve_rows`)."""
    columns = ("frequency (Hz)", *(curve.model for curve in curves))
    title = f"Relative synaptic strength after {pulses} pulses"
    record = [curve.to_dict() for curve in curves]
    return Listing(title, columns, curve_rows(curves), record, style={"justify": "right"})
