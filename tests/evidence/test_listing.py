"""Records, table rows, file checks and exports of the evidence base (tmslab.evidence.listing)."""

from pathlib import Path

import pytest

from tmslab.errors import TmslabError
from tmslab.evidence import listing
from tmslab.evidence.graph import load_graph, write_graph
from tmslab.evidence.store import load_base

DATA = Path(listing.__file__).parents[1] / "data" / "evidence"


def test_study_records_and_rows():
    records = listing.study_records()
    assert len(records) == len(load_base().studies)
    rows = listing.study_rows(records)
    assert all(len(row) == len(listing.STUDY_COLUMNS) for row in rows)
    some = listing.study_records("krasilnikova2024")
    assert 0 < len(some) < len(records)


def test_one_study_as_tables():
    study = load_base().studies[0]
    tables = listing.study_tables(study.id)
    assert tables[0][0].startswith(study.id + ": ")
    assert len(tables) == 1 + len(study.arms)
    assert listing.study_record(study.id)["file"].endswith(".toml")
    with pytest.raises(TmslabError):
        listing.study_tables("no-such-study")


def test_validate_counts_nodes_and_studies():
    reports = listing.validate_files(
        [DATA / "mechanisms.toml", DATA / "krasilnikova2024_text.toml"]
    )
    assert set(reports[0]) == {"file", "nodes", "edges"}
    assert set(reports[1]) == {"file", "studies", "arms", "outcomes"}


def test_paths_record_and_rows():
    record, rows = listing.paths_record("rTMS", "BDNF")
    assert record["count"] == len(rows) == len(record["paths"])
    assert all(row[0][0] in "+-" for row in rows)


def test_exports(tmp_path):
    line = listing.export_arms(tmp_path / "arms.csv")
    assert line.startswith("wrote ") and (tmp_path / "arms.csv").read_text().startswith("id,")
    write_graph(load_graph(), tmp_path / "g.graphml")
    assert "<graphml" in (tmp_path / "g.graphml").read_text()
    with pytest.raises(TmslabError, match=r"\.graphml or \.json"):
        write_graph(load_graph(), tmp_path / "g.txt")


def test_listings_carry_title_rows_and_record():
    from tmslab.evidence.listing import arm_listing, closest_listing, paths_listing, study_listing

    studies = study_listing()
    assert studies.title == f"Evidence base: {len(studies.record)} studies"
    assert len(studies.rows) == len(studies.record)
    arms = arm_listing(species="rat", frequency_hz="5:20")
    assert arms.record["count"] == len(arms.rows) and arms.record["filters"]["species"] == "rat"
    assert arms.title.endswith("with species=rat, frequency_hz=5:20")
    assert closest_listing(10.0, n=3).title == "Arms nearest 10 Hz"
    assert len(closest_listing(10.0, n=3).rows) == 3
    none = paths_listing("BDNF", "rTMS")
    assert not none.rows and none.empty.startswith("no path from")
