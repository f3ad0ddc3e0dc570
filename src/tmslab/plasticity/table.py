"""Models against experiments: each model's verdict for the protocols of the seed reviews.

The protocols and the direction the reviews report for each are data
(``tmslab/data/plasticity/review_directions.toml``, with where in the review and the primary
source). Every model variant (model x how pulses drive the synapse) is run on every protocol and
its verdict compared with the reported direction: agree, disagree, or n.a. when the model does not
apply (the theta-burst model on single-pulse trains). No parameter is adjusted to agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tmslab.errors import TmslabError
from tmslab.io.toml import read_data_toml
from tmslab.plasticity.predict import input_description, predict_protocol
from tmslab.plasticity.registry import list_models
from tmslab.sources import Source
from tmslab.units import MS_PER_S

DIRECTIONS_FILE = "data/plasticity/review_directions.toml"
POST_DELAY_S = 0.010  # the "pre + post" variant: postsynaptic spike 10 ms after the presynaptic
AGREE, DISAGREE, NOT_APPLICABLE = "agree", "disagree", "n.a."


@dataclass(frozen=True)
class Expectation:
    """A protocol of the table and the direction the reviews report for it."""

    key: str
    label: str
    protocol: Any
    direction: str
    where: str
    source: Source
    caveat: str


@dataclass(frozen=True)
class Cell:
    """One model variant on one protocol."""

    verdict: str | None  # None: the model does not apply
    relative_weight: float | None
    change: float | None
    agreement: str
    reason: str = ""


@dataclass(frozen=True)
class Variant:
    """A model with one way pulses drive the synapse."""

    model: str
    post_delay_s: float | None
    source: Source

    @property
    def label(self) -> str:
        if self.post_delay_s is None:
            return self.model
        return f"{self.model} + post {self.post_delay_s * MS_PER_S:+g} ms"


@dataclass(frozen=True)
class ComparisonTable:
    expectations: tuple[Expectation, ...]
    variants: tuple[Variant, ...]
    cells: tuple[tuple[Cell, ...], ...]  # [variant][expectation]
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "protocols": [
                {
                    "key": e.key,
                    "label": e.label,
                    "n_pulses": e.protocol.n_pulses,
                    "reported_direction": e.direction,
                    "where": e.where,
                    "source": e.source.to_dict(),
                    "caveat": e.caveat,
                }
                for e in self.expectations
            ],
            "models": [
                {
                    "model": v.model,
                    "post_delay_s": v.post_delay_s,
                    "input": input_description(v.post_delay_s),
                    "source": v.source.to_dict(),
                    "predictions": {
                        e.key: {
                            "verdict": c.verdict,
                            "relative_weight": c.relative_weight,
                            "change": c.change,
                            "agreement": c.agreement,
                            "reason": c.reason,
                        }
                        for e, c in zip(self.expectations, row, strict=True)
                    },
                }
                for v, row in zip(self.variants, self.cells, strict=True)
            ],
        }


def expectations() -> tuple[Expectation, ...]:
    """The table's protocols with the reported directions, in file order."""
    from tmslab.protocols.library import protocol_from_mapping

    rows = []
    for key, t in read_data_toml(DIRECTIONS_FILE).items():
        spec = dict(t["protocol"])
        if "preset" not in spec:
            spec.setdefault("name", key)
        protocol = protocol_from_mapping(spec, where=f"{DIRECTIONS_FILE}:{key}")
        rows.append(
            Expectation(
                key=key,
                label=t["label"],
                protocol=protocol,
                direction=t["direction"],
                where=t["where"],
                source=Source(**t["source"]),
                caveat=t.get("caveat", ""),
            )
        )
    return tuple(rows)


def variants() -> tuple[Variant, ...]:
    """Every model and set; spike-timing models also with a postsynaptic spike 10 ms after."""
    out = []
    for model in list_models():
        out.append(Variant(model.name, None, model.source))
        if model.timing:
            out.append(Variant(model.name, POST_DELAY_S, model.source))
    return tuple(out)


def _cell(variant: Variant, expectation: Expectation, threshold: float) -> Cell:
    try:
        prediction = predict_protocol(
            expectation.protocol,
            variant.model,
            post_delay_s=variant.post_delay_s,
            threshold=threshold,
        )
    except TmslabError as error:  # the model does not describe this protocol
        return Cell(None, None, None, NOT_APPLICABLE, str(error))
    weight = prediction.relative_weight
    change = weight - 1.0 if weight is not None else prediction.details.get("balance")
    agreement = AGREE if prediction.verdict == expectation.direction else DISAGREE
    return Cell(prediction.verdict, weight, change, agreement)


def build_table(threshold: float = 0.05) -> ComparisonTable:
    """Run every variant on every protocol of the reviews."""
    expected = expectations()
    models = variants()
    cells = tuple(tuple(_cell(v, e, threshold) for e in expected) for v in models)
    return ComparisonTable(expected, models, cells, threshold)
