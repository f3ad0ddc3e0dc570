"""The evidence stage: the reviewed studies closest to this protocol, species and preparation."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tmslab.evidence.match import protocol_pattern  # noqa: F401 (its old home)
from tmslab.scenario import FigureSpec, Scenario, Section
from tmslab.wording import counted

PREPARATION_OF_SPECIES = {"human": "human", "rat": "in_vivo", "mouse": "in_vivo", "dish": "culture"}


def who(query: dict) -> str:
    """Species and preparation in words, once each: "human" (not "human, human"), "rat, in vivo"."""
    parts = [query["species"] or "any species", query["preparation"].replace("_", " ")]
    return ", ".join(dict.fromkeys(parts))


def distance_text(distance: float) -> str:
    """A study's distance to the scenario: octaves of frequency plus penalties, so it is a score
    in octave units: "0", "1 octave", "0.42 octaves"."""
    if distance == 0:
        return "0"
    return counted(float(f"{distance:.2g}"), "octave")


def evidence_stage(scenario: Scenario, done: dict[str, Section]) -> Section:
    """The ``[evidence] n_studies`` arms nearest the scenario (tmslab.evidence.closest_studies)."""
    from tmslab.evidence.match import nearest_evidence

    spec = scenario.spec
    species = spec.subject.species
    in_dish = spec.subject.kind == "dish"
    preparation = spec.evidence.preparation or (
        "culture" if in_dish else PREPARATION_OF_SPECIES[species]
    )
    match = nearest_evidence(
        scenario.protocol,
        None if species == "dish" else species,
        preparation,
        spec.evidence.n_studies,
    )
    studies, query = list(match.studies), match.query
    pattern, frequency = match.pattern, match.frequency_hz
    rows = [("query", f"{pattern or scenario.protocol.kind} at {frequency:g} Hz, {who(query)}")]
    # Several arms of one study share a reference: number them so no label repeats.
    arms = Counter(study["reference"] for study in studies)
    seen: Counter = Counter()
    for study in studies:
        seen[study["reference"]] += 1
        arm = f"arm {seen[study['reference']]}; " if arms[study["reference"]] > 1 else ""
        outcome = (study["outcomes"] or "").split("; ")[0]
        field = _estimate_words(study)
        freq = study["frequency_hz"]
        hz = f"{freq:g} Hz" if freq is not None else "frequency not reported"
        rows.append(
            (
                f"{study['reference']} ({arm}distance {distance_text(study['distance'])})",
                f"{study['species'] or 'species not reported'}, {hz}, "
                f"{study['intensity_reported'] or 'intensity not given'}{field}; "
                f"{study['effect']}: {outcome}",
            )
        )
    effects = [s["effect"] for s in studies]
    agreeing = sum(e == "positive" for e in effects)
    notes = [
        "Distance in octaves of frequency plus penalties for species (0.5 between rodents, 2 "
        "otherwise), preparation (1) and pattern (2); see tmslab.evidence.nearest. Studies are "
        "curated from the two reviews in the evidence base (tmslab evidence list).",
        f"{agreeing} of the {len(studies)} nearest arms report a positive effect (the review's "
        "own reading of the outcomes as beneficial or as the expected direction).",
    ]
    if any(s["estimated_emax_v_per_m"] is not None for s in studies):
        field = done["field"].value if "field" in done else None
        emax = field.metrics.emax if field is not None and field.metrics is not None else None
        here = ""
        if emax and field.applied:
            stim = spec.stimulator
            taken = (
                f", its {stim.intensity_t:g} T taken at the "
                + ("brain surface" if stim.intensity_t_at == "brain-surface" else "coil")
                if stim.intensity_t
                else ""
            )
            here = f" (this scenario: {emax:.3g} V/m{taken})"
        notes.append(
            "E_max estimates for rodent studies that report tesla and a coil size: the largest "
            "|E| on the brain surface of the species' sphere, a biphasic Rapid2 pulse shape "
            "assumed, and the tesla taken where the study measured it, at the coil's reference "
            "point or at the brain surface under the coil, the same convention as a scenario's "
            "[stimulator] intensity_t_at; where a study does not say, at the coil, with the "
            "brain-surface reading beside it (tmslab.evidence.field_estimate)" + here + "."
        )
    plasticity = done["plasticity"].value if "plasticity" in done else None
    if plasticity is not None and plasticity.verdict:
        notes.append(
            f"The plasticity model ({plasticity.model}) predicts "
            f"{plasticity.verdict} for this protocol; "
            "compare with the outcomes above (LTP-like changes, BDNF/TrkB and ERK up, are the "
            "reviews' usual reading of high-frequency and iTBS effects)."
        )
    return Section(
        title="Evidence",
        data={"query": query, "studies": studies},
        rows=rows,
        figures=[
            FigureSpec(
                "The reviewed studies nearest this scenario",
                "plot_closest_studies",
                {"studies": studies, "query": query},
            )
        ],
        notes=notes,
        value=match,
    )


def _estimate_words(study: dict[str, Any]) -> str:
    """The E_max estimate for the report row, with where its tesla was taken."""
    estimate = study["estimated_emax_v_per_m"]
    if estimate is None:
        return ""
    if study["estimated_emax_tesla_at_reported"]:
        at = "brain surface" if study["estimated_emax_tesla_at"] == "brain-surface" else "coil"
        return f" (E_max about {estimate:.3g} V/m, tesla at the {at} as the study reports)"
    other = study["estimated_emax_if_brain_surface_v_per_m"]
    return (
        f" (E_max about {estimate:.3g} V/m with the tesla taken at the coil; where it was "
        f"measured is not reported: {other:.3g} V/m if at the brain surface)"
    )
