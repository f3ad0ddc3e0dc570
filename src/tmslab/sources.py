"""Citations carried by every preset (protocols, devices, tables, parameter sets)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """Where a preset's numbers come from.

    citation: short human-readable reference, e.g. "Huang et al. 2005, Neuron 45:201-206".
    doi: the DOI without the resolver prefix, or "" when the source is a manual.
    note: what exactly was taken from the source and any assumption made.
    """

    citation: str
    doi: str = ""
    note: str = ""

    def __str__(self) -> str:
        return f"{self.citation} (doi:{self.doi})" if self.doi else self.citation

    def to_dict(self) -> dict[str, str]:
        return {"citation": self.citation, "doi": self.doi, "note": self.note}
