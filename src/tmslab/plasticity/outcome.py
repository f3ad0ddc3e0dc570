"""The plasticity layer's answer for one scenario: :class:`PlasticityOutcome`."""

from __future__ import annotations

from dataclasses import dataclass

from tmslab.plasticity.prediction import Prediction


@dataclass(frozen=True)
class PlasticityOutcome:
    """A protocol's predicted change of synaptic strength, and the input it assumed.

    Attributes
    ----------
    prediction : Prediction
        The model's prediction (verdict, relative weight, trajectory, source).
    post_delay_s : float or None, s
        Each pulse also fired the postsynaptic cell this long after it (None: presynaptic
        spikes only).
    input : str
        Where the postsynaptic input came from, in words.
    """

    prediction: Prediction
    post_delay_s: float | None
    input: str

    @property
    def verdict(self) -> str:
        """LTP, LTD or no change (the prediction's verdict)."""
        return self.prediction.verdict

    @property
    def model(self) -> str:
        """The model that made the prediction (``family:set``)."""
        return self.prediction.model
