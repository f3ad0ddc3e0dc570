"""The evidence stage: the reviewed studies closest to this protocol, species and preparation."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tmslab.scenario import Scenario, Section
from tmslab.wording import counted

PREPARATION_OF_SPECIES = {"human": "human", "rat": "in_vivo", "mouse": "in_vivo", "dish": "culture"}
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


def protocol_pattern(protocol) -> tuple[str | None, float]:
    """The evidence vocabulary's pattern word and the frequency (Hz) to compare, of a Protocol."""
    params = protocol.parameters
    if protocol.kind == "tbs":
        continuous = params.get("train_cycle_s") is None and params.get("n_trains", 1) == 1
        return ("cTBS" if continuous else "iTBS"), float(params["intra_burst_frequency_hz"])
    if protocol.kind == "rtms":
        return "rTMS", float(params.get("frequency_hz", protocol.peak_rate_hz))
    return None, float(protocol.peak_rate_hz) if protocol.n_pulses > 1 else 1.0


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


def _clean(value: Any) -> Any:
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value if not str(value) == "<NA>" else None


def evidence_stage(scenario: Scenario, done: dict[str, Section]) -> Section:
    """The ``[evidence] n_studies`` arms nearest the scenario (tmslab.evidence.closest_studies)."""
    from tmslab.evidence.field_estimate import estimate_study_field
    from tmslab.evidence.nearest import closest_studies

    spec = scenario.spec
    species = spec.subject.species
    in_dish = spec.subject.kind == "dish"
    preparation = spec.evidence.preparation or (
        "culture" if in_dish else PREPARATION_OF_SPECIES[species]
    )
    pattern, frequency = protocol_pattern(scenario.protocol)
    near = closest_studies(
        frequency,
        species=None if species == "dish" else species,
        preparation=preparation,
        pattern=pattern,
        n=spec.evidence.n_studies,
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
    query = {
        "frequency_hz": frequency,
        "pattern": pattern,
        "species": None if species == "dish" else species,
        "preparation": preparation,
    }
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
        emax = (done["field"].data.get("metrics") or {}).get("emax") if "field" in done else None
        here = ""
        if emax and done["field"].data.get("didt_a_per_s"):
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
    plasticity = done.get("plasticity")
    if plasticity is not None and plasticity.data.get("verdict"):
        notes.append(
            f"The plasticity model ({plasticity.data['model']}) predicts "
            f"{plasticity.data['verdict']} for this protocol; "
            "compare with the outcomes above (LTP-like changes, BDNF/TrkB and ERK up, are the "
            "reviews' usual reading of high-frequency and iTBS effects)."
        )
    return Section(
        title="Evidence",
        data={"query": query, "studies": studies},
        rows=rows,
        figures=[
            ("The reviewed studies nearest this scenario", lambda: _plot(studies, query)),
        ],
        notes=notes,
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


def _plot(studies, query):
    from tmslab.viz.evidence_match import plot_closest_studies

    return plot_closest_studies(studies, query)
