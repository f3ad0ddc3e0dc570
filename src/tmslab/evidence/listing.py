"""The evidence base as records and table rows, file checks and exports (what ``tmslab evidence``
shows and writes).

Records are JSON-ready dicts; ``*_rows`` give the text cells of a table (raw text, the caller
lays it out); titles and columns are given beside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tmslab.evidence.schema import Study
from tmslab.wording import Listing
from tmslab.wording import short_form as fmt

Rows = list[tuple[str, Any]]

STUDY_COLUMNS = ("id", "reference", "cited in", "species", "prep.", "model", "arms")
ARM_COLUMNS = (
    "id",
    "arm",
    "reference",
    "species",
    "prep.",
    "model",
    "frequency",
    "intensity",
    "effect",
)
CLOSEST_COLUMNS = ("distance", "id", "arm", "reference", "species", "prep.", "frequency", "effect")
PATH_COLUMNS = ("sign", "path", "references")

_STUDY_FIELDS = (
    "species",
    "strain",
    "cell_type",
    "sex",
    "age",
    "n_subjects",
    "preparation",
    "disease_model",
    "target",
    "coil_reported",
    "coil_inner_diameter_m",
    "coil_outer_diameter_m",
    "coil_diameter_m",
)
_ARM_FIELDS = (
    "pattern",
    "frequency_hz",
    "frequency_class",
    "session_duration_s",
    "sessions_per_day",
    "n_sessions",
    "duration_days",
)


def _cited_in(study: Study) -> list[str]:
    return [
        f"{c.review}: {c.section}" + (f" row {c.row}" if c.row else "") + f" [{c.ref}]"
        for c in study.cited_in
    ]


def study_records(review: str | None = None) -> list[dict[str, Any]]:
    """One record per study (of ``review``, if given): reference, citations, model, arms."""
    from tmslab.evidence.store import load_base
    from tmslab.evidence.vocabulary import normalise

    base = load_base()
    wanted = None if review is None else normalise("review", review, base.reviews)
    return [
        {
            "id": study.id,
            "reference": study.reference.short,
            "doi": study.reference.doi,
            "cited_in": _cited_in(study),
            "species": study.species,
            "preparation": study.preparation,
            "disease_model": study.disease_model,
            "n_arms": len(study.arms),
            "file": base.files[study.id],
        }
        for study in base.studies
        if wanted is None or any(c.review == wanted for c in study.cited_in)
    ]


def study_rows(records: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    """Rows of :data:`STUDY_COLUMNS` for :func:`study_records`."""
    return [
        (
            r["id"],
            r["reference"],
            "; ".join(r["cited_in"]),
            r["species"] or "-",
            r["preparation"] or "-",
            r["disease_model"] or "-",
            str(r["n_arms"]),
        )
        for r in records
    ]


def _frequency_text(row: dict[str, Any]) -> str:
    if row["frequency_hz"] is not None:
        return f"{row['frequency_hz']:g} Hz"
    if row["frequency_candidates_hz"]:
        return row["frequency_candidates_hz"].replace(";", " or ") + " Hz"
    if row["frequency_class"]:
        return f"{row['frequency_class']}-frequency"
    return "-"


def arm_rows(records: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    """Rows of :data:`ARM_COLUMNS` for arm records (``frame_records`` of a query)."""
    return [
        (
            r["id"],
            str(r["arm"]),
            r["reference"],
            r["species"] or "-",
            r["preparation"] or "-",
            r["disease_model"] or "-",
            _frequency_text(r),
            r["intensity_reported"],
            r["effect"],
        )
        for r in records
    ]


def closest_rows(records: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    """Rows of :data:`CLOSEST_COLUMNS` for the records of ``closest_studies``."""
    return [
        (
            f"{r['distance']:.3g}",
            r["id"],
            str(r["arm"]),
            r["reference"],
            r["species"] or "-",
            r["preparation"] or "-",
            _frequency_text(r),
            r["effect"],
        )
        for r in records
    ]


def study_record(study_id: str) -> dict[str, Any]:
    """Everything about one study, JSON-ready, with its source and data file."""
    from tmslab.evidence.store import load_base

    base = load_base()
    study = base.get(study_id)
    return {
        **study.model_dump(mode="json"),
        "source": study.source.to_dict(),
        "file": base.files[study.id],
    }


def study_tables(study_id: str) -> list[tuple[str, Rows]]:
    """One study as key-value tables: (title, rows) of the study, then of each arm."""
    from tmslab.evidence.store import load_base
    from tmslab.evidence.table import arm_effect

    study = load_base().get(study_id)
    ref = study.reference
    rows: Rows = [
        ("authors", ref.authors),
        ("year", ref.year),
        ("title", ref.title),
        ("journal", ref.journal),
        ("doi", ref.doi),
        ("cited in", "; ".join(_cited_in(study))),
    ]
    for field in _STUDY_FIELDS:
        if getattr(study, field) is not None:
            rows.append((field.replace("_", " "), getattr(study, field)))
    rows.append(("mechanisms", ", ".join(study.mechanisms)))
    if study.related:
        rows.append(("related records", ", ".join(study.related)))
    if study.notes:
        rows.append(("notes", study.notes))
    tables = [(f"{study.id}: {ref.short}", rows)]
    for index, arm in enumerate(study.arms, start=1):
        protocol = [
            f"{name.replace('_', ' ')} = {fmt(getattr(arm, name))}"
            for name in _ARM_FIELDS
            if getattr(arm, name) is not None
        ]
        if arm.frequency_candidates_hz:
            candidates = ", ".join(f"{f:g}" for f in arm.frequency_candidates_hz)
            protocol.append("frequency candidates = " + candidates)
        intensity = (
            f"{fmt(arm.intensity_value)} {arm.intensity_unit}"
            if arm.intensity_value
            else arm.intensity_unit
        )
        arm_rows: Rows = [
            ("protocol", "; ".join(protocol) or "-"),
            ("frequency as reported", arm.frequency_reported),
            ("intensity as reported", arm.intensity_reported),
            ("intensity", intensity),
            ("effect", arm_effect(arm)),
        ]
        for o in arm.outcomes:
            judged = {True: "positive", False: "negative", None: "not judged"}[o.positive]
            where = f" ({o.region})" if o.region else ""
            detail = f"; {o.detail}" if o.detail else ""
            arm_rows.append((f"{o.measure}{where}", f"{o.direction}, {judged}{detail}"))
        tables.append((f"arm {index}" + (f" ({arm.label})" if arm.label else ""), arm_rows))
    return tables


def validate_files(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """Check study files (together, against the shipped reviews and records) and mechanism
    files (against the shipped records); one report of counts per file. Raises on the first
    problem."""
    from tmslab.evidence.graph import parse_graph
    from tmslab.evidence.store import build_base, default_base, parse_toml, read_text

    study_files, reports = [], []
    for path in paths:
        text = read_text(path)
        data = parse_toml(text, path.name)
        if "node" in data or "edge" in data:
            nodes, edges = parse_graph(data, path.name, default_base())
            reports.append({"file": str(path), "nodes": len(nodes), "edges": len(edges)})
        else:
            study_files.append((path, text))
    if study_files:
        base = build_base([(p.name, t) for p, t in study_files], known_ids=default_base().ids())
        for path, _ in study_files:
            studies = [s for s in base.studies if base.files[s.id] == path.name]
            reports.append(
                {
                    "file": str(path),
                    "studies": len(studies),
                    "arms": sum(len(s.arms) for s in studies),
                    "outcomes": sum(len(a.outcomes) for s in studies for a in s.arms),
                }
            )
    return reports


def export_arms(out: Path) -> str:
    """Write the evidence base, one row per arm, to ``out`` (.csv; .json with provenance);
    returns a one-line account."""
    from tmslab.evidence.table import frame_records, load_evidence
    from tmslab.provenance import atomic_write_text, dumps, provenance

    frame = load_evidence()
    if out.suffix.lower() == ".csv":
        atomic_write_text(out, frame.to_csv(index=False))
    else:
        record = {
            "arms": frame_records(frame),
            "provenance": provenance({"command": "evidence export"}),
        }
        atomic_write_text(out, dumps(record) + "\n")
    return f"wrote {len(frame)} arms of {frame['id'].nunique()} studies to {out}"


def paths_record(
    source: str, target: str, max_length: int = 8
) -> tuple[dict[str, Any], list[tuple[str, ...]]]:
    """The mechanism graph's paths from ``source`` to ``target`` (names resolved): a JSON-ready
    record and the rows of :data:`PATH_COLUMNS` (sign, path, references)."""
    from tmslab.evidence.graph import find_paths, load_graph, resolve_node

    graph = load_graph()
    paths = find_paths(graph, source, target, max_length=max_length)
    rows = [
        (
            ("+" if p.sign > 0 else "-") + (" (contested)" if p.contested else ""),
            p.describe(),
            ", ".join(p.references),
        )
        for p in paths
    ]
    return {
        "source": resolve_node(graph, source),
        "target": resolve_node(graph, target),
        "count": len(paths),
        "n_decreasing": sum(p.sign < 0 for p in paths),
        "n_increasing": sum(p.sign > 0 for p in paths),
        "paths": [p.to_dict() for p in paths],
    }, rows


ID_WHOLE = {"id": {"no_wrap": True}}  # an id is never broken; other text folds


def study_listing(review: str | None = None) -> Listing:
    """The studies (of ``review``, if given), one row each (``tmslab evidence list``)."""
    records = study_records(review)
    title = f"Evidence base: {len(records)} studies"
    fold = {"overflow": "fold"}
    return Listing(title, STUDY_COLUMNS, study_rows(records), records, styles=ID_WHOLE, style=fold)


def arm_listing(
    species: str | None = None,
    frequency_hz: float | str | None = None,
    direction: str | None = None,
    preparation: str | None = None,
    disease_model: str | None = None,
    mechanism: str | None = None,
    review: str | None = None,
) -> Listing:
    """The arms matching every filter given (None: not filtered; as
    :func:`~tmslab.evidence.table.query`), one row each; the record names the filters."""
    filters = {
        "species": species,
        "frequency_hz": frequency_hz,
        "direction": direction,
        "preparation": preparation,
        "disease_model": disease_model,
        "mechanism": mechanism,
        "review": review,
    }
    from tmslab.evidence.table import frame_records, query

    records = frame_records(query(**filters))
    given = ", ".join(f"{k}={v}" for k, v in filters.items() if v is not None) or "no filter"
    return Listing(
        f"{len(records)} arm(s) with {given}",
        ARM_COLUMNS,
        arm_rows(records),
        {"count": len(records), "filters": filters, "arms": records},
        styles=ID_WHOLE,
        style={"overflow": "fold"},
    )


def closest_listing(
    frequency_hz: float, species: str | None = None, preparation: str | None = None, n: int = 5
) -> Listing:
    """The ``n`` arms nearest a scenario (:func:`~tmslab.evidence.nearest.closest_studies`)."""
    from tmslab.evidence.nearest import closest_studies
    from tmslab.evidence.table import frame_records

    records = frame_records(closest_studies(frequency_hz, species, preparation, n=n))
    title = f"Arms nearest {frequency_hz:g} Hz"
    return Listing(title, CLOSEST_COLUMNS, closest_rows(records), records, styles=ID_WHOLE)


def paths_listing(source: str, target: str, max_length: int = 8) -> Listing:
    """The mechanism graph's paths from ``source`` to ``target`` (:func:`paths_record`)."""
    record, rows = paths_record(source, target, max_length)
    start, end = record["source"], record["target"]
    return Listing(
        f"{len(rows)} path(s) from {start} to {end}",
        PATH_COLUMNS,
        rows,
        record,
        empty=f"no path from {start} to {end} within {max_length} edges",
        style={"overflow": "fold"},
    )


def validation_lines(reports: Sequence[dict[str, Any]]) -> list[str]:
    """``FILE: valid (N studies, ...)`` for each report of :func:`validate_files`."""
    lines = []
    for report in reports:
        counts = ", ".join(f"{v} {k}" for k, v in report.items() if k != "file")
        lines.append(f"{report['file']}: valid ({counts})")
    return lines
