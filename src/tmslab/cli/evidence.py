"""``tmslab evidence``: the curated evidence base of the reviewed studies and the mechanism graph."""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli.output import (
    FIGURE_SUFFIXES,
    check_out,
    console,
    print_json,
    print_rows,
    print_table,
    save_figure,
)
from tmslab.cli.params import JSON_OPT

app = typer.Typer(
    help="The curated evidence base of the reviewed studies and the mechanism graph.",
    no_args_is_help=True,
)

SPECIES_OPT = typer.Option(None, "--species", help="mouse | rat | gerbil | human.")
PREPARATION_OPT = typer.Option(None, "--preparation", help="in_vivo | slice | culture | human.")
REVIEW_OPT = typer.Option(None, "--review", help="krasilnikova2024 | antidepressant-review.")
ID_WHOLE = {"id": {"no_wrap": True}}  # an id is never broken; other text folds


@app.command("list")
def list_command(review: str | None = REVIEW_OPT, json: bool = JSON_OPT) -> None:
    """List the records: one line per study with its source, model and findings."""
    from tmslab.evidence.listing import STUDY_COLUMNS, study_records, study_rows

    records = study_records(review)
    if json:
        return print_json(records)
    title = f"Evidence base: {len(records)} studies"
    print_table(title, STUDY_COLUMNS, study_rows(records), ID_WHOLE, overflow="fold")


@app.command("show")
def show_command(
    study_id: str = typer.Argument(..., help="A record id (see 'tmslab evidence list')."),
    json: bool = JSON_OPT,
) -> None:
    """Show one record: reference, where the reviews cite it, subjects, coil, arms and findings."""
    from tmslab.evidence.listing import study_record, study_tables

    if json:
        return print_json(study_record(study_id))
    for title, rows in study_tables(study_id):
        print_rows(title, rows)


@app.command("query")
def query_command(
    species: str | None = SPECIES_OPT,
    frequency: str | None = typer.Option(
        None, "--frequency", help="Frequency in Hz (e.g. 10), or a range lo:hi (e.g. 5:20)."
    ),
    direction: str | None = typer.Option(
        None,
        "--direction",
        help="increase | decrease | no_change (a finding moved so) or positive | negative (as the review judges it).",
    ),
    preparation: str | None = PREPARATION_OPT,
    disease_model: str | None = typer.Option(
        None, "--disease-model", help="CUMS, CUS, OB, MCAO, SCI, AD, ICH, TRD, none, ..."
    ),
    mechanism: str | None = typer.Option(
        None, "--mechanism", help="A mechanism tag: bdnf_trkb, erk, nrf2, endocannabinoid, ..."
    ),
    review: str | None = REVIEW_OPT,
    json: bool = JSON_OPT,
) -> None:
    """Arms of the reviewed studies that match every filter given."""
    from tmslab.evidence.listing import ARM_COLUMNS, arm_rows
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
    records = frame_records(query(**filters))
    if json:
        return print_json({"count": len(records), "filters": filters, "arms": records})
    given = ", ".join(f"{k}={v}" for k, v in filters.items() if v is not None) or "no filter"
    title = f"{len(records)} arm(s) with {given}"
    print_table(title, ARM_COLUMNS, arm_rows(records), ID_WHOLE, overflow="fold")


@app.command("closest")
def closest_command(
    frequency: float = typer.Option(..., "--frequency", help="Frequency of the scenario, Hz."),
    species: str | None = SPECIES_OPT,
    preparation: str | None = PREPARATION_OPT,
    n: int = typer.Option(5, "-n", help="How many arms."),
    json: bool = JSON_OPT,
) -> None:
    """The arms nearest a scenario: |log2(f/f0)| + species and preparation penalties."""
    from tmslab.evidence.listing import CLOSEST_COLUMNS, closest_rows
    from tmslab.evidence.nearest import closest_studies
    from tmslab.evidence.table import frame_records

    records = frame_records(closest_studies(frequency, species, preparation, n=n))
    if json:
        return print_json(records)
    print_table(f"Arms nearest {frequency:g} Hz", CLOSEST_COLUMNS, closest_rows(records), ID_WHOLE)


@app.command("export")
def export_command(
    out: Path = typer.Option(
        ..., "--out", "-o", help="Output file: .csv (one row per arm) or .json (rows + provenance)."
    ),
) -> None:
    """Export the evidence base, one row per arm, to CSV or JSON."""
    from tmslab.evidence.listing import export_arms

    console.print(export_arms(check_out(out, (".csv", ".json"))))


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
    from tmslab.evidence.listing import validate_files

    reports = validate_files(files)
    if json:
        return print_json(reports)
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
    from tmslab.evidence.listing import PATH_COLUMNS, paths_record

    record, rows = paths_record(source, target, max_length)
    start, end = record["source"], record["target"]
    if json:
        return print_json(record)
    if not rows:
        return console.print(f"no path from {start} to {end} within {max_length} edges")
    print_table(f"{len(rows)} path(s) from {start} to {end}", PATH_COLUMNS, rows, overflow="fold")


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
    from tmslab.evidence.graph import load_graph, write_graph

    graph = load_graph()
    if out.suffix.lower() in FIGURE_SUFFIXES:
        from tmslab.viz.evidence import mechanism_graph_figure

        save_figure(mechanism_graph_figure(graph), out)
    else:
        write_graph(graph, out)
    console.print(f"wrote {out} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")
