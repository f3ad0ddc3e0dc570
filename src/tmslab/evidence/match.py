"""The reviewed studies nearest a protocol, species and preparation: :class:`EvidenceMatch`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

SHOWN_COLUMNS = (
    "id",
    "reference",
    "doi",
    "species",
    "preparation",
    "disease_model",
    "pattern",
    "frequency_hz",
    "intensity_reported",
    "duration_reported",
    "coil_reported",
    "effect",
    "outcomes",
    "mechanisms",
)


@dataclass(frozen=True)
class EvidenceMatch:
    """The nearest study arms to a query, nearest first.

    Attributes
    ----------
    frequency_hz : float, Hz
        The frequency compared (a theta burst's intra-burst frequency).
    pattern : str or None
        The evidence vocabulary's pattern word (``iTBS``, ``cTBS``, ``rTMS``), None for others.
    species : str or None
        The species asked for (None: any).
    preparation : str
        ``in_vivo``, ``slice``, ``culture`` or ``human``.
    studies : tuple of dict
        One JSON-able record per arm: ``distance`` (octave units), the columns of
        :data:`SHOWN_COLUMNS` and the E_max estimate (``estimated_emax_v_per_m``, V/m, and where
        its tesla was taken).
    """

    frequency_hz: float
    pattern: str | None
    species: str | None
    preparation: str
    studies: tuple[dict[str, Any], ...]

    @property
    def query(self) -> dict[str, Any]:
        """The query as a JSON-able mapping."""
        return {
            "frequency_hz": self.frequency_hz,
            "pattern": self.pattern,
            "species": self.species,
            "preparation": self.preparation,
        }


def protocol_pattern(protocol) -> tuple[str | None, float]:
    """The evidence vocabulary's pattern word and the frequency (Hz) to compare, of a Protocol."""
    params = protocol.parameters
    if protocol.kind == "tbs":
        continuous = params.get("train_cycle_s") is None and params.get("n_trains", 1) == 1
        return ("cTBS" if continuous else "iTBS"), float(params["intra_burst_frequency_hz"])
    if protocol.kind == "rtms":
        return "rTMS", float(params.get("frequency_hz", protocol.peak_rate_hz))
    return None, float(protocol.peak_rate_hz) if protocol.n_pulses > 1 else 1.0


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value if not str(value) == "<NA>" else None


def nearest_evidence(protocol, species: str | None, preparation: str, n: int = 5) -> EvidenceMatch:
    """The ``n`` study arms nearest a Protocol, species (None: any) and preparation, each with
    the E_max its reported intensity gives (:func:`~tmslab.evidence.field_estimate.estimate_study_field`).
    """
    from tmslab.evidence.field_estimate import estimate_study_field
    from tmslab.evidence.nearest import closest_studies

    pattern, frequency = protocol_pattern(protocol)
    near = closest_studies(
        frequency, species=species, preparation=preparation, pattern=pattern, n=n
    )
    studies = []
    for _, row in near.iterrows():
        study = {"distance": round(float(row["distance"]), 9)}
        study.update({k: _clean(row[k]) for k in SHOWN_COLUMNS})
        estimate = estimate_study_field(row.to_dict())
        study["estimated_emax_v_per_m"] = None if estimate is None else estimate["emax_v_per_m"]
        # where the study's tesla was taken: the same convention as [stimulator] intensity_t_at
        for key, name in (
            ("tesla_at", "estimated_emax_tesla_at"),
            ("tesla_at_reported", "estimated_emax_tesla_at_reported"),
            ("emax_if_brain_surface_v_per_m", "estimated_emax_if_brain_surface_v_per_m"),
        ):
            study[name] = None if estimate is None else estimate[key]
        studies.append(study)
    return EvidenceMatch(frequency, pattern, species, preparation, tuple(studies))
