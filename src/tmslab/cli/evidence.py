"""``tmslab evidence``: the curated evidence base of the reviewed studies and the mechanism graph."""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli import GROUPS
from tmslab.cli import output as term
from tmslab.cli.params import Figure, Json

app = typer.Typer(help=GROUPS["evidence"][2], no_args_is_help=True)  # help: tmslab.cli table
Opt = typer.Option
SPECIES_OPT = Opt(None, "--species", help="mouse | rat | gerbil | human.")
PREPARATION_OPT = Opt(None, "--preparation", help="in_vivo | slice | culture | human.")
REVIEW_OPT = Opt(None, "--review", help="krasilnikova2024 | antidepressant-review.")


@app.command("list")
def list_command(review: str | None = REVIEW_OPT, json: Json = False) -> None:
    """List the records: one line per study with its source, model and findings."""
    from tmslab.evidence.listing import study_listing

    term.print_listing(study_listing(review), json)


@app.command("show")
def show_command(
    study_id: str = typer.Argument(..., help="A record id (see 'tmslab evidence list')."),
    json: Json = False,
) -> None:
    """Show one record: reference, where the reviews cite it, subjects, coil, arms and findings."""
    from tmslab.evidence.listing import study_record, study_tables

    if json:
        return term.print_json(study_record(study_id))
    for title, rows in study_tables(study_id):
        term.print_rows(title, rows)


@app.command("query")
def query_command(
    species: str | None = SPECIES_OPT,
    frequency: str | None = Opt(None, "--frequency", help="Hz (e.g. 10) or a range lo:hi."),
    direction: str | None = Opt(
        None, "--direction", help="increase | decrease | no_change | positive | negative."
    ),
    preparation: str | None = PREPARATION_OPT,
    disease_model: str | None = Opt(None, "--disease-model", help="CUMS, CUS, OB, MCAO, none..."),
    mechanism: str | None = Opt(None, "--mechanism", help="A mechanism tag: bdnf_trkb, erk..."),
    review: str | None = REVIEW_OPT,
    json: Json = False,
) -> None:
    """Arms of the reviewed studies that match every filter given."""
    from tmslab.evidence.listing import arm_listing

    filters = (species, frequency, direction, preparation, disease_model, mechanism, review)
    term.print_listing(arm_listing(*filters), json)


@app.command("closest")
def closest_command(
    frequency: float = Opt(..., "--frequency", help="Frequency of the scenario, Hz."),
    species: str | None = SPECIES_OPT,
    preparation: str | None = PREPARATION_OPT,
    n: int = Opt(5, "-n", help="How many arms."),
    json: Json = False,
) -> None:
    """The arms nearest a scenario: |log2(f/f0)| + species and preparation penalties."""
    from tmslab.evidence.listing import closest_listing

    term.print_listing(closest_listing(frequency, species, preparation, n), json)


@app.command("export")
def export_command(
    out: Path = Opt(..., "--out", "-o", help="Output file: .csv or .json (with provenance)."),
) -> None:
    """Export the evidence base, one row per arm, to CSV or JSON."""
    from tmslab.evidence.listing import export_arms

    term.console.print(export_arms(term.check_out(out, (".csv", ".json"))))


@app.command("map")
def map_command(out: Figure) -> None:
    """Evidence map: frequency x intensity, colour = effect, marker = preparation, one panel per intensity unit."""
    term.check_out(out, term.FIGURE_SUFFIXES)
    from tmslab.evidence.table import load_evidence
    from tmslab.viz.evidence import evidence_map_figure

    term.save_figure(evidence_map_figure(load_evidence()), out)
    term.print_wrote(out)


@app.command("validate")
def validate_command(
    files: list[Path] = typer.Argument(..., help="Study files or a mechanisms file (TOML)."),
    json: Json = False,
) -> None:
    """Check data files against the schema before adding them.

    Study files are checked together (unique ids), against the shipped reviews, and may link
    (``related``) to shipped records; a mechanisms file is checked against the shipped records.
    """
    from tmslab.evidence.listing import validate_files, validation_lines

    reports = validate_files(files)
    if json:
        return term.print_json(reports)
    for line in validation_lines(reports):
        term.console.print(line)


@app.command("paths")
def paths_command(
    source: str = Opt(..., "--from", help="Start node (e.g. rTMS, iTBS, BDNF)."),
    target: str = Opt(..., "--to", help="End node (e.g. apoptosis)."),
    max_length: int = Opt(8, "--max-length", help="Longest path, in edges."),
    json: Json = False,
) -> None:
    """All paths of the mechanism graph from a node to another, with their sign and evidence."""
    from tmslab.evidence.listing import paths_listing

    term.print_listing(paths_listing(source, target, max_length), json)


@app.command("graph")
def graph_command(
    out: Path = Opt(..., "--out", "-o", help=".graphml, .json (node-link) or a figure."),
) -> None:
    """Export the mechanism graph (GraphML, JSON) or draw it."""
    term.check_out(out, (".graphml", ".json", *term.FIGURE_SUFFIXES))
    from tmslab.evidence.graph import load_graph, write_graph
    from tmslab.viz.evidence import mechanism_graph_figure

    graph = load_graph()
    if out.suffix.lower() in term.FIGURE_SUFFIXES:
        term.save_figure(mechanism_graph_figure(graph), out)
    else:
        write_graph(graph, out)
    term.console.print(
        f"wrote {out} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)"
    )
