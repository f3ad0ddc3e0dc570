"""``tmslab evidence ...`` through ``tmslab.cli.main``: JSON outputs, files, and bad input (exit 2).

Expected values come from the reviews' tables (see test_records.py): e.g. Table 3 of
Krasilnikova et al. 2024 (doi 10.17816/ACEN.1152), "10 | Expression of anti-apoptotic Bcl-2
increased and expression of pro-apoptotic Bax suppressed | [63]".
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from tmslab.cli import main


def test_query_json(cli):
    out = cli.ok(
        "evidence",
        "query",
        "--species",
        "rat",
        "--frequency",
        "10",
        "--direction",
        "positive",
        "--json",
    ).json()
    assert out["count"] == len(out["arms"]) == 6
    assert {a["id"] for a in out["arms"]} == {
        "zhao2018",
        "peng2017",
        "guo2017",
        "deng2021",
        "peng2019",
    }
    assert all(
        a["species"] == "rat" and a["frequency_hz"] == 10.0 and a["n_positive"] > 0
        for a in out["arms"]
    )
    guo = next(a for a in out["arms"] if a["id"] == "guo2017")
    assert guo["doi"] == "10.3389/fphys.2017.00559" and guo["disease_model"] == "MCAO"


def test_query_table_and_range(capsys):
    assert main(["evidence", "query", "--frequency", "300:500"]) == 0
    text = capsys.readouterr().out
    assert "panja2009" in text and "fujiki2020" in text


def test_list_and_show_json(capsys, cli):
    rows = cli.ok("evidence", "list", "--json").json()
    assert len(rows) == 53
    assert (
        len(cli.ok("evidence", "list", "--review", "antidepressant-review", "--json").json()) == 16
    )
    shown = cli.ok("evidence", "show", "guo2017", "--json").json()
    assert shown["reference"]["doi"] == "10.3389/fphys.2017.00559"
    assert shown["source"]["doi"] == "10.3389/fphys.2017.00559"
    measures = {o["measure"]: o["direction"] for o in shown["arms"][0]["outcomes"]}
    assert measures["Bcl-2 expression"] == "increase" and measures["Bax expression"] == "decrease"
    assert main(["evidence", "show", "ma2015"]) == 0
    assert "Citation mismatch" in capsys.readouterr().out


def test_closest_json(cli):
    rows = cli.ok(
        "evidence",
        "closest",
        "--frequency",
        "15",
        "--species",
        "rat",
        "--preparation",
        "in_vivo",
        "-n",
        "4",
        "--json",
    ).json()
    assert len(rows) == 4
    assert all(
        r["distance"] == 0 and r["frequency_hz"] == 15 for r in rows
    )  # Table 1: six 15 Hz rat rows


def test_paths_json(capsys, cli):
    out = cli.ok("evidence", "paths", "--from", "rTMS", "--to", "apoptosis", "--json").json()
    assert out["source"] == "rTMS" and out["target"] == "apoptosis"
    assert out["count"] == len(out["paths"]) == out["n_decreasing"] + out["n_increasing"]
    chain = ["rTMS", "BDNF", "NTRK2", "PI3K", "AKT1", "BCL2", "apoptosis"]
    (match,) = [p for p in out["paths"] if p["path"] == chain]
    assert match["sign"] == -1 and match["effect"] == "decreases"
    assert all(e["evidence"] for e in match["edges"])
    assert main(["evidence", "paths", "--from", "trkb", "--to", "apoptosis"]) == 0
    assert "NTRK2" in capsys.readouterr().out


def test_export_csv_and_json(tmp_path, capsys):
    target = tmp_path / "studies.csv"
    assert main(["evidence", "export", "--out", str(target)]) == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == 71
    tian = next(r for r in rows if r["id"] == "tian2020")
    assert (
        float(tian["frequency_hz"]),
        float(tian["intensity_value"]),
        tian["intensity_unit"],
    ) == (15, 1.26, "T")
    target_json = tmp_path / "studies.json"
    assert main(["evidence", "export", "--out", str(target_json)]) == 0
    data = json.loads(target_json.read_text(encoding="utf-8"))
    assert len(data["arms"]) == 71 and "tmslab_version" in data["provenance"]


def test_figures_and_graph_exports(tmp_path, capsys):
    fig = tmp_path / "map.png"
    assert main(["evidence", "map", "--out", str(fig)]) == 0
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for name in ("graph.graphml", "graph.json", "graph.png"):
        path = tmp_path / name
        assert main(["evidence", "graph", "--out", str(path)]) == 0
        assert path.stat().st_size > 1000
    data = json.loads((tmp_path / "graph.json").read_text(encoding="utf-8"))
    assert any(e["source"] == "BDNF" and e["target"] == "NTRK2" for e in data["edges"])
    assert "<graphml" in (tmp_path / "graph.graphml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["evidence", "query", "--species", "dog"], "unknown species name 'dog'"),
        (["evidence", "query", "--frequency", "ten"], "frequency 'ten'"),
        (["evidence", "query", "--disease-model", "flu", "--json"], "unknown disease model"),
        (["evidence", "show", "nobody1999"], "unknown study 'nobody1999'"),
        (["evidence", "paths", "--from", "rTMS", "--to", "unicorn"], "unknown node 'unicorn'"),
        (["evidence", "closest", "--frequency", "-5"], "frequency_hz"),
        (["evidence", "export", "--out", "studies.xlsx"], "use a file ending in .csv or .json"),
        (["evidence", "graph", "--out", "graph.gexf"], "use a file ending in .graphml"),
        (["evidence", "list", "--review", "nature"], "unknown review"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(argv, fragment, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cli.fails(*argv, says=fragment)
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_map_to_a_bad_suffix_writes_nothing(tmp_path, capsys):
    target = tmp_path / "map.txt"
    assert main(["evidence", "map", "--out", str(target)]) == 2
    assert not target.exists()
    assert capsys.readouterr().err.startswith("error: cannot save a figure")


def test_validate_shipped_and_malformed_files(tmp_path, cli):
    from importlib import resources

    folder = resources.files("tmslab").joinpath("data/evidence")
    table = tmp_path / "table3.toml"
    table.write_text(
        folder.joinpath("krasilnikova2024_table3.toml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    mech = tmp_path / "mechanisms.toml"
    mech.write_text(
        folder.joinpath("mechanisms.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    reports = cli.ok("evidence", "validate", str(table), str(mech), "--json").json()
    by_file = {r["file"]: r for r in reports}
    assert by_file[str(table)]["studies"] == 5  # Table 3 has 5 rows
    assert by_file[str(mech)]["edges"] > 100
    broken = tmp_path / "broken.toml"
    broken.write_text(
        table.read_text(encoding="utf-8").replace('disease_model = "SCI"', 'disease_model = "flu"'),
        encoding="utf-8",
    )
    line = cli.fails("evidence", "validate", str(broken), says="disease_model 'flu'")
    assert line.startswith("error: broken.toml: study chalfouh2020:")
    cli.fails("evidence", "validate", str(tmp_path / "missing.toml"), says="not found")
