"""The outcome measures tmslab pools: names, scales and the CSV columns each needs."""

from __future__ import annotations

from dataclasses import dataclass

from tmslab.errors import UnknownNameError


@dataclass(frozen=True)
class Measure:
    """An outcome measure.

    name: metafor's measure code; label: what yi is; ratio: True if yi is a log ratio (pooled
    on the log scale, shown exponentiated); columns: the alternative column sets accepted.
    """

    name: str
    label: str
    ratio: bool
    columns: tuple[tuple[str, ...], ...]


MEASURES: dict[str, Measure] = {
    "RR": Measure(
        "RR", "log risk ratio", True, (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i"))
    ),
    "OR": Measure(
        "OR", "log odds ratio", True, (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i"))
    ),
    "SMD": Measure(
        "SMD",
        "standardized mean difference (Hedges' g)",
        False,
        (("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),),
    ),
    "MD": Measure(
        "MD",
        "mean difference (outcome unit)",
        False,
        (("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),),
    ),
    "GEN": Measure("GEN", "effect size", False, (("yi", "vi"), ("yi", "sei"))),
}


def get_measure(name: str) -> Measure:
    """The measure called ``name`` (case-insensitive), or UnknownNameError."""
    key = str(name).upper()
    if key not in MEASURES:
        raise UnknownNameError("measure", str(name), MEASURES)
    return MEASURES[key]
