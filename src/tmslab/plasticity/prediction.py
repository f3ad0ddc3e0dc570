"""The result of a plasticity prediction: final change, verdict, threshold, trajectory, source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tmslab.sources import Source
from tmslab.wording import short_form as fmt


@dataclass(frozen=True)
class Outcome:
    """What a model computes for one input (before the verdict).

    relative_weight: final / initial synaptic strength (None for models without a weight).
    change: the quantity the verdict reads: relative_weight - 1, or the TBS balance.
    t_s: (K,) trajectory times, s. trajectory: (K,) values (see ``trajectory_label``).
    details: model-specific figures, JSON-able, SI units with the unit in the key.
    """

    relative_weight: float | None
    change: float
    t_s: np.ndarray
    trajectory: np.ndarray
    trajectory_label: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Prediction:
    """A model's prediction for one protocol or spike pattern.

    model: canonical model name, ``family:set``. protocol: what was stimulated.
    relative_weight: final / initial synaptic strength, or None (the theta-burst model predicts
    an after-effect, not a weight). verdict: 'LTP', 'LTD' or 'none'. threshold: the relative
    change above which the verdict is not 'none'. verdict_on: what the threshold was applied to.
    t_s, trajectory: (K,) arrays, s and ``trajectory_label``. input: how pulses drive the synapse.
    model_choice: why this model (the protocol family's default, or the user's choice).
    """

    model: str
    protocol: str
    relative_weight: float | None
    verdict: str
    threshold: float
    verdict_on: str
    t_s: np.ndarray
    trajectory: np.ndarray
    trajectory_label: str
    input: str
    source: Source
    details: dict[str, Any] = field(default_factory=dict)
    model_choice: str = "chosen by the user"

    def to_dict(self, with_trajectory: bool = True) -> dict[str, Any]:
        """Plain JSON-able values (SI units; keys carry them)."""
        record: dict[str, Any] = {
            "model": self.model,
            "model_choice": self.model_choice,
            "protocol": self.protocol,
            "relative_weight": self.relative_weight,
            "verdict": self.verdict,
            "threshold": self.threshold,
            "verdict_on": self.verdict_on,
            "input": self.input,
            **self.details,
            "source": self.source.to_dict(),
        }
        if with_trajectory:
            record["trajectory"] = {
                "t_s": self.t_s,
                "value": self.trajectory,
                "label": self.trajectory_label,
            }
        return record

    @property
    def title(self) -> str:
        return f"{self.model}: {self.protocol}"

    def rows(self) -> list[tuple[str, str]]:
        """Key-value rows for a person: model, protocol, weight, verdict, details, source."""
        weight = "n/a" if self.relative_weight is None else fmt(self.relative_weight)
        rows = [
            ("model", f"{self.model} ({self.model_choice})"),
            ("protocol", self.protocol),
            ("input", self.input),
            ("relative weight (final / initial)", weight),
            ("verdict", self.verdict),
            ("threshold", f"{self.threshold:.3g} of {self.verdict_on}"),
        ]
        skip = {"method", "relative_weight_note"}
        rows += [(key, fmt(value)) for key, value in self.details.items() if key not in skip]
        rows.append(("method", self.details.get("method", "")))
        rows.append(("source", str(self.source)))
        return rows
