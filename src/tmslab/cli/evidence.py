"""``tmslab evidence``: the curated evidence base of the reviewed studies and the mechanism graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from tmslab.cli.output import (
    FIGURE_SUFFIXES,
    check_out,
    console,
    fmt,
    key_value_table,
    print_json,
    save_figure,
)
from tmslab.errors import InvalidValueError
from tmslab.provenance import atomic_write_text, dumps, provenance

app = typer.Typer(
    help="The curated evidence base of the reviewed studies and the mechanism graph.",
    no_args_is_help=True,
)

JSON_OPT = typer.Option(False, "--json", help="Print machine-readable JSON.")
SPECIES_OPT = typer.Option(None, "--species", help="mouse | rat | gerbil | human.")
FREQUENCY_OPT = typer.Option(
    None, "--frequency", help="Frequency in Hz (e.g. 10), or a range lo:hi (e.g. 5:20)."
)
DIRECTION_OPT = typer.Option(
    None,
    "--direction",
    help="increase | decrease | no_change (a finding moved so) or positive | negative (as the review judges it).",
)
PREPARATION_OPT = typer.Option(None, "--preparation", help="in_vivo | slice | culture | human.")
DISEASE_OPT = typer.Option(
    None, "--disease-model", help="CUMS, CUS, OB, MCAO, SCI, AD, ICH, TRD, none, ..."
)
MECHANISM_OPT = typer.Option(
    None, "--mechanism", help="A mechanism tag: bdnf_trkb, erk, nrf2, endocannabinoid, ..."
)
REVIEW_OPT = typer.Option(None, "--review", help="krasilnikova2024 | antidepressant-review.")

SUMMARY_COLUMNS = (
    "id",
    "arm",
    "reference",
    "species",
    "preparation",
    "disease_model",
    "frequency_hz",
    "intensity_reported",
    "effect",
)


def _frequency_text(row: dict[str, Any]) -> str:
    if row["frequency_hz"] is not None:
        return f"{row['frequency_hz']:g} Hz"
    if row["frequency_candidates_hz"]:
        return row["frequency_candidates_hz"].replace(";", " or ") + " Hz"
    if row["frequency_class"]:
        return f"{row['frequency_class']}-frequency"
    return "-"


def _print_arms(title: str, records: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("id", no_wrap=True)
    for column in (
        "arm",
        "reference",
        "species",
        "prep.",
        "model",
        "frequency",
        "intensity",
        "effect",
    ):
        table.add_column(column, overflow="fold")
    for r in records:
        table.add_row(
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
    console.print(table)


@app.command("list")
def list_command(review: str | None = REVIEW_OPT, json: bool = JSON_OPT) -> None:
    """List the records: one line per study with its source, model and findings."""
    from tmslab.evidence.store import load_base
    from tmslab.evidence.vocabulary import normalise

    base = load_base()
    wanted = None if review is None else normalise("review", review, base.reviews)
    rows = []
    for study in base.studies:
        if wanted is not None and all(c.review != wanted for c in study.cited_in):
            continue
        rows.append(
            {
                "id": study.id,
                "reference": study.reference.short,
                "doi": study.reference.doi,
                "cited_in": [
                    f"{c.review}: {c.section}" + (f" row {c.row}" if c.row else "") + f" [{c.ref}]"
                    for c in study.cited_in
                ],
                "species": study.species,
                "preparation": study.preparation,
                "disease_model": study.disease_model,
                "n_arms": len(study.arms),
                "file": base.files[study.id],
            }
        )
    if json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(title=f"Evidence base: {len(rows)} studies", title_justify="left")
    table.add_column("id", no_wrap=True)
    for column in ("reference", "cited in", "species", "prep.", "model", "arms"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            r["id"],
            r["reference"],
            "; ".join(r["cited_in"]),
            r["species"] or "-",
            r["preparation"] or "-",
            r["disease_model"] or "-",
            str(r["n_arms"]),
        )
    console.print(table)


@app.command("show")
def show_command(
    study_id: str = typer.Argument(..., help="A record id (see 'tmslab evidence list')."),
    json: bool = JSON_OPT,
) -> None:
    """Show one record: reference, where the reviews cite it, subjects, coil, arms and findings."""
    from tmslab.evidence.store import load_base

    base = load_base()
    study = base.get(study_id)
    record = study.model_dump(mode="json")
    record["source"] = study.source.to_dict()
    record["file"] = base.files[study.id]
    if json:
        print_json(record)
        return
    ref = study.reference
    rows: list[tuple[str, Any]] = [
        ("authors", ref.authors),
        ("year", ref.year),
        ("title", ref.title),
        ("journal", ref.journal),
        ("doi", ref.doi),
        (
            "cited in",
            "; ".join(
                f"{c.review}: {c.section}" + (f" row {c.row}" if c.row else "") + f" [{c.ref}]"
                for c in study.cited_in
            ),
        ),
    ]
    for field in (
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
    ):
        value = getattr(study, field)
        if value is not None:
            rows.append((field.replace("_", " "), value))
    rows.append(("mechanisms", ", ".join(study.mechanisms)))
    if study.related:
        rows.append(("related records", ", ".join(study.related)))
    if study.notes:
        rows.append(("notes", study.notes))
    console.print(key_value_table(f"{study.id}: {ref.short}", rows))
    from tmslab.evidence.table import arm_effect

    for index, arm in enumerate(study.arms, start=1):
        protocol = [
            f"{name.replace('_', ' ')} = {fmt(getattr(arm, name))}"
            for name in (
                "pattern",
                "frequency_hz",
                "frequency_class",
                "session_duration_s",
                "sessions_per_day",
                "n_sessions",
                "duration_days",
            )
            if getattr(arm, name) is not None
        ]
        if arm.frequency_candidates_hz:
            protocol.append(
                "frequency candidates = " + ", ".join(f"{f:g}" for f in arm.frequency_candidates_hz)
            )
        arm_rows: list[tuple[str, Any]] = [
            ("protocol", "; ".join(protocol) or "-"),
            ("frequency as reported", arm.frequency_reported),
            ("intensity as reported", arm.intensity_reported),
            (
                "intensity",
                f"{fmt(arm.intensity_value)} {arm.intensity_unit}"
                if arm.intensity_value
                else arm.intensity_unit,
            ),
            ("effect", arm_effect(arm)),
        ]
        for o in arm.outcomes:
            judged = {True: "positive", False: "negative", None: "not judged"}[o.positive]
            where = f" ({o.region})" if o.region else ""
            detail = f"; {o.detail}" if o.detail else ""
            arm_rows.append((f"{o.measure}{where}", f"{o.direction}, {judged}{detail}"))
        label = f" ({arm.label})" if arm.label else ""
        console.print(key_value_table(f"arm {index}{label}", arm_rows))


@app.command("query")
def query_command(
    species: str | None = SPECIES_OPT,
    frequency: str | None = FREQUENCY_OPT,
    direction: str | None = DIRECTION_OPT,
    preparation: str | None = PREPARATION_OPT,
    disease_model: str | None = DISEASE_OPT,
    mechanism: str | None = MECHANISM_OPT,
    review: str | None = REVIEW_OPT,
    json: bool = JSON_OPT,
) -> None:
    """Arms of the reviewed studies that match every filter given."""
    from tmslab.evidence.table import frame_records, query

    filters = {
        "species": species,
        "frequency_hz": frequency,
        "direction": direction,
        "preparation": preparation,
        "disease_model": disease_model,
        "mechanism": mechanism,
        "review": review,
    }
    frame = query(**filters)
    records = frame_records(frame)
    if json:
        print_json({"count": len(records), "filters": filters, "arms": records})
        return
    given = ", ".join(f"{k}={v}" for k, v in filters.items() if v is not None) or "no filter"
    _print_arms(f"{len(records)} arm(s) with {given}", records)


@app.command("closest")
def closest_command(
    frequency: float = typer.Option(..., "--frequency", help="Frequency of the scenario, Hz."),
    species: str | None = SPECIES_OPT,
    preparation: str | None = PREPARATION_OPT,
    n: int = typer.Option(5, "-n", help="How many arms."),
    json: bool = JSON_OPT,
) -> None:
    """The arms nearest a scenario: |log2(f/f0)| + species and preparation penalties."""
    from tmslab.evidence.nearest import closest_studies
    from tmslab.evidence.table import frame_records

    records = frame_records(closest_studies(frequency, species, preparation, n=n))
    if json:
        print_json(records)
        return
    from rich.table import Table

    table = Table(title=f"Arms nearest {frequency:g} Hz", title_justify="left")
    for column in ("distance", "id", "arm", "reference", "species", "prep.", "frequency", "effect"):
        table.add_column(column, no_wrap=column == "id")
    for r in records:
        table.add_row(
            f"{r['distance']:.3g}",
            r["id"],
            str(r["arm"]),
            r["reference"],
            r["species"] or "-",
            r["preparation"] or "-",
            _frequency_text(r),
            r["effect"],
        )
    console.print(table)


@app.command("export")
def export_command(
    out: Path = typer.Option(
        ..., "--out", "-o", help="Output file: .csv (one row per arm) or .json (rows + provenance)."
    ),
) -> None:
    """Export the evidence base, one row per arm, to CSV or JSON."""
    check_out(out, (".csv", ".json"))
    from tmslab.evidence.table import frame_records, load_evidence

    suffix = out.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise InvalidValueError(f"--out {out.name!r}: use a file ending in .csv or .json")
    frame = load_evidence()
    if suffix == ".csv":
        atomic_write_text(out, frame.to_csv(index=False))
    else:
        record = {
            "arms": frame_records(frame),
            "provenance": provenance({"command": "evidence export"}),
        }
        atomic_write_text(out, dumps(record) + "\n")
    console.print(f"wrote {len(frame)} arms of {frame['id'].nunique()} studies to {out}")


@app.command("map")
def map_command(
    out: Path = typer.Option(..., "--out", "-o", help="Figure file (.png, .svg or .pdf)."),
) -> None:
    """Evidence map: frequency x intensity, colour = effect, marker = preparation, one panel per intensity unit."""
    check_out(out, FIGURE_SUFFIXES)
    from tmslab.evidence.table import load_evidence
    from tmslab.viz.evidence import evidence_map_figure

    save_figure(evidence_map_figure(load_evidence()), out)
    console.print(f"wrote {out}")


@app.command("validate")
def validate_command(
    files: list[Path] = typer.Argument(
        ..., help="Study files ([[study]] tables) or a mechanisms file ([[node]], [[edge]])."
    ),
    json: bool = JSON_OPT,
) -> None:
    """Check data files against the schema before adding them.

    Study files are checked together (unique ids), against the shipped reviews, and may link
    (``related``) to shipped records; a mechanisms file is checked against the shipped records.
    """
    from tmslab.evidence.graph import parse_graph
    from tmslab.evidence.store import build_base, default_base, parse_toml, read_text

    study_files, reports = [], []
    for path in files:
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
    if json:
        print_json(reports)
        return
    for report in reports:
        counts = ", ".join(f"{v} {k}" for k, v in report.items() if k != "file")
        console.print(f"{report['file']}: valid ({counts})")


@app.command("paths")
def paths_command(
    source: str = typer.Option(..., "--from", help="Start node (e.g. rTMS, iTBS, BDNF)."),
    target: str = typer.Option(
        ..., "--to", help="End node (e.g. apoptosis, depressive-like behaviour)."
    ),
    max_length: int = typer.Option(8, "--max-length", help="Longest path, in edges."),
    json: bool = JSON_OPT,
) -> None:
    """All paths of the mechanism graph from a node to another, with their sign and evidence."""
    from tmslab.evidence.graph import find_paths, load_graph, resolve_node

    graph = load_graph()
    paths = find_paths(graph, source, target, max_length=max_length)
    start, end = resolve_node(graph, source), resolve_node(graph, target)
    if json:
        print_json(
            {
                "source": start,
                "target": end,
                "count": len(paths),
                "n_decreasing": sum(p.sign < 0 for p in paths),
                "n_increasing": sum(p.sign > 0 for p in paths),
                "paths": [p.to_dict() for p in paths],
            }
        )
        return
    if not paths:
        console.print(f"no path from {start} to {end} within {max_length} edges")
        return
    from rich.table import Table

    table = Table(title=f"{len(paths)} path(s) from {start} to {end}", title_justify="left")
    for column in ("sign", "path", "references"):
        table.add_column(column, overflow="fold")
    for p in paths:
        mark = ("+" if p.sign > 0 else "-") + (" (contested)" if p.contested else "")
        table.add_row(mark, p.describe(), ", ".join(p.references))
    console.print(table)


@app.command("graph")
def graph_command(
    out: Path = typer.Option(
        ...,
        "--out",
        "-o",
        help="graph.graphml, graph.json (node-link) or a figure (.png, .svg, .pdf).",
    ),
) -> None:
    """Export the mechanism graph (GraphML, JSON) or draw it."""
    check_out(out, (".graphml", ".json", *FIGURE_SUFFIXES))
    from tmslab.evidence.graph import graph_to_graphml, graph_to_json, load_graph

    suffix = out.suffix.lower()
    graph = load_graph()
    if suffix == ".graphml":
        atomic_write_text(out, graph_to_graphml(graph))
    elif suffix == ".json":
        atomic_write_text(out, graph_to_json(graph))
    elif suffix in (".png", ".svg", ".pdf"):
        from tmslab.viz.evidence import mechanism_graph_figure

        save_figure(mechanism_graph_figure(graph), out)
    else:
        raise InvalidValueError(
            f"--out {out.name!r}: use a file ending in .graphml, .json, .png, .svg or .pdf"
        )
    console.print(f"wrote {out} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")
