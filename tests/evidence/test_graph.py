"""The mechanism graph: references, the chains the reviews describe and their signs, exports.

Chains (quoted from the reviews):
* Krasilnikova 2024: "expression of BDNF, TrkB, p-AKT, and anti-apoptotic Bcl-2 was increased
  while expression of pro-apoptotic Bax was significantly decreased [63] ... The PI3K/Akt
  signaling pathway is the main TrkB-mediated survival pathway that protects against apoptosis
  [70]" -> rTMS -> BDNF -> TrkB -> PI3K -> Akt -> Bcl-2 / Bax -> apoptosis: less apoptosis.
* Krasilnikova 2024: "Ca2+/calcineurin-dependent oligomerization of gephyrin [48] ... 10 Hz
  stimulation was associated with destabilization of gephyrin, GABA-A, and glycine receptor
  clusters and a decrease in the activity of inhibitory synapses": less inhibition.
* Krasilnikova 2024: "activation of mTORC1 signaling pathway, which phosphorylates ... S6
  [52]": more S6 phosphorylation.
* Antidepressant review: "the 5-hydroxytryptamine concentration in the PFC was increased by
  reducing the expression of Sirt1 and MAO-A ... and the depressive-like behavior in CUS rats
  was improved [68]": rTMS -> Sirt1 down -> MAO-A down -> 5-HT up -> less depressive-like
  behaviour.
* Antidepressant review: "rTMS ... reduced the levels of adrenocorticotropic hormone and
  cortisol [46,49]"; "Hyperactivity of the HPA axis may be one of the pathophysiological
  mechanisms of depression [71-73]".
* Antidepressant review: rTMS "via increasing Nrf2 translocation into the nucleus and
  decreasing the expression of TNFα ... IL-1β, and IL-6 [21]".
"""

from __future__ import annotations

import json

import networkx as nx
import pytest

from tmslab.errors import InvalidValueError, SpecFileError, UnknownNameError
from tmslab.evidence.graph import (
    check_reference,
    find_paths,
    graph_to_graphml,
    graph_to_json,
    load_graph,
    resolve_node,
)
from tmslab.evidence.store import default_base

GRAPH = load_graph()
BASE = default_base()


def _path(source, target, nodes):
    for p in find_paths(GRAPH, source, target):
        if p.nodes == tuple(nodes):
            return p
    raise AssertionError(f"no path {' -> '.join(nodes)}")


def test_every_edge_has_existing_references():
    assert GRAPH.number_of_edges() > 100
    for a, b, data in GRAPH.edges(data=True):
        assert data["evidence"], (a, b)
        assert data["sign"] in (1, -1)
        for ref in (*data["evidence"], *data["contrary"]):
            assert check_reference(ref, BASE) is None, (a, b, ref)
    record_refs = {r for *_, d in GRAPH.edges(data=True) for r in d["evidence"] if "#" not in r}
    assert record_refs <= set(BASE.ids())
    assert len(record_refs) >= 45  # most records support some edge


def test_reference_checker_rejects_what_does_not_exist():
    assert check_reference("guo2017", BASE) is None
    assert check_reference("krasilnikova2024#98", BASE) is None
    assert "1-98" in check_reference("krasilnikova2024#99", BASE)
    assert "unknown review" in check_reference("nature#1", BASE)
    assert "neither" in check_reference("guo2099", BASE)


def test_genes_carry_hgnc_symbols_named_in_the_issue():
    genes = {s for _, d in GRAPH.nodes(data=True) for s in d["hgnc"]}
    for symbol in (
        "BDNF",
        "NTRK2",
        "MAPK1",
        "MAPK3",
        "AKT1",
        "BCL2",
        "BAX",
        "NFE2L2",
        "CNR1",
        "MGLL",
        "SIRT1",
        "MAOA",
        "GPHN",
        "RPS6",
        "MTOR",
    ):
        assert symbol in genes
    for node, data in GRAPH.nodes(data=True):
        if data["kind"] == "gene":
            assert data["hgnc"], node


def test_graph_is_acyclic():
    assert nx.is_directed_acyclic_graph(GRAPH)


def test_bdnf_akt_bcl2_chain_lowers_apoptosis():
    via_bcl2 = _path(
        "rTMS", "apoptosis", ["rTMS", "BDNF", "NTRK2", "PI3K", "AKT1", "BCL2", "apoptosis"]
    )
    via_bax = _path(
        "rTMS", "apoptosis", ["rTMS", "BDNF", "NTRK2", "PI3K", "AKT1", "BAX", "apoptosis"]
    )
    assert via_bcl2.signs == (1, 1, 1, 1, 1, -1) and via_bcl2.sign == -1
    assert via_bax.signs == (1, 1, 1, 1, -1, 1) and via_bax.sign == -1
    assert "guo2017" in via_bcl2.references and "krasilnikova2024#70" in via_bcl2.references


def test_calcineurin_gephyrin_chain_lowers_inhibition():
    p = _path(
        "rTMS",
        "inhibitory synaptic transmission",
        [
            "rTMS",
            "membrane depolarisation",
            "NMDA receptor",
            "Ca2+",
            "calcineurin",
            "GPHN",
            "inhibitory receptor clusters",
            "inhibitory synaptic transmission",
        ],
    )
    assert p.sign == -1 and "lenz2016" in p.references
    assert all(q.sign == -1 for q in find_paths(GRAPH, "rTMS", "inhibitory synaptic transmission"))


def test_mtorc1_s6_chain_and_sirt1_chain_and_hpa():
    s6 = _path("NMDA receptor", "RPS6", ["NMDA receptor", "MTOR", "RPS6KB1", "RPS6"])
    assert s6.sign == 1 and {"panja2009", "fujiki2020"} <= set(s6.references)
    sirt = _path(
        "rTMS",
        "depressive-like behaviour",
        ["rTMS", "SIRT1", "FOXO1", "MAOA", "5-HT", "depressive-like behaviour"],
    )
    assert sirt.signs == (-1, 1, 1, -1, -1) and sirt.sign == -1
    hpa = _path(
        "rTMS", "depressive-like behaviour", ["rTMS", "HPA axis", "depressive-like behaviour"]
    )
    assert hpa.sign == -1 and {"feng2012", "zhao2018"} <= set(hpa.references)
    nrf2 = _path("rTMS", "IL6", ["rTMS", "NFE2L2", "IL6"])
    assert nrf2.sign == -1 and nrf2.references[-1] == "tian2020"


def test_detrimental_protocols_raise_apoptosis():
    # Table 3: "Negative | High intensity | 10/100 | Number of apoptotic cells increased | [65]"
    (p,) = find_paths(GRAPH, "continuous rMS", "apoptosis")
    assert p.sign == 1 and p.references == ("grehl2015",)


def test_contested_edges_are_marked():
    langguth = GRAPH.edges["rTMS", "IL6"]
    assert langguth["sign"] == 1 and langguth["contrary"] == ("tian2020",)
    assert GRAPH.edges["rTMS", "oligodendrogenesis"]["contrary"] == ("cullen2019",)
    paths = find_paths(GRAPH, "rTMS", "depressive-like behaviour")
    increasing = [p for p in paths if p.sign > 0]
    # rises of CRP / IL-6 (one case report) and the fall of serum thiol go against the grain
    assert {p.nodes[1] for p in increasing} == {"CRP", "IL6", "thiol"}
    assert sum(p.sign < 0 for p in paths) > 10 * len(increasing)


def test_node_names_resolve_case_insensitively():
    assert resolve_node(GRAPH, "trkb") == "NTRK2"
    assert resolve_node(GRAPH, "ERK1/2") == "MAPK1/MAPK3"
    assert resolve_node(GRAPH, "rtms") == "rTMS"
    with pytest.raises(UnknownNameError, match="unknown node 'unicorn'"):
        resolve_node(GRAPH, "unicorn")
    with pytest.raises(InvalidValueError):
        find_paths(GRAPH, "rTMS", "apoptosis", max_length=0)
    assert find_paths(GRAPH, "apoptosis", "rTMS") == []


def test_max_length_limits_paths():
    short = find_paths(GRAPH, "rTMS", "apoptosis", max_length=2)
    assert short and all(len(p.signs) <= 2 for p in short)
    assert len(short) < len(find_paths(GRAPH, "rTMS", "apoptosis"))


def test_graphml_and_json_round_trip():
    text = graph_to_graphml(GRAPH)
    import io

    again = nx.read_graphml(io.StringIO(text))
    assert again.number_of_nodes() == GRAPH.number_of_nodes()
    assert again.number_of_edges() == GRAPH.number_of_edges()
    assert again.edges["BCL2", "apoptosis"]["sign"] == -1
    assert "guo2017" in again.edges["BCL2", "apoptosis"]["evidence"].split(";")
    data = json.loads(graph_to_json(GRAPH))
    assert (
        len(data["nodes"]) == GRAPH.number_of_nodes()
        and len(data["edges"]) == GRAPH.number_of_edges()
    )


MINIMAL = """
schema_version = 1
[[node]]
id = "rTMS"
kind = "protocol"
label = "rTMS"
[[node]]
id = "BDNF"
kind = "gene"
hgnc = ["BDNF"]
label = "BDNF"
[[edge]]
source = "rTMS"
target = "BDNF"
sign = 1
relation = "raises"
evidence = ["guo2017"]
"""


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ('evidence = ["guo2017"]', "evidence = []", "evidence"),
        ('evidence = ["guo2017"]', 'evidence = ["nobody1999"]', "neither a record id"),
        ('evidence = ["guo2017"]', 'evidence = ["krasilnikova2024#200"]', "1-98"),
        ('target = "BDNF"', 'target = "BDNF2"', "unknown node 'BDNF2'"),
        ("sign = 1", "sign = 2", "sign"),
        ('hgnc = ["BDNF"]\n', "", "HGNC"),
        ("schema_version = 1", "schema_version = 0", "schema_version"),
        ('kind = "protocol"', 'kind = "device"', "kind"),
    ],
)
def test_malformed_mechanism_files(tmp_path, old, new, fragment):
    path = tmp_path / "mech.toml"
    assert load_graph(_write(path, MINIMAL)).number_of_edges() == 1
    with pytest.raises(SpecFileError) as error:
        load_graph(_write(path, MINIMAL.replace(old, new)))
    assert fragment in str(error.value) and "\n" not in str(error.value)


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path
