"""The mechanism graph: a signed, directed networkx graph of the chains the reviews describe.

Nodes are protocols, genes (with HGNC symbols), molecules, pathways, cells, processes and
outcomes; each edge carries ``sign`` (+1: more source, more target; -1: less), the
``relation`` the review states, its ``evidence`` (record ids of the evidence base and/or review
references such as ``krasilnikova2024#70``) and, where the reviews disagree, ``contrary``.
The graph is read from ``data/evidence/mechanisms.toml`` and validated: every node an edge
names exists, every edge has evidence, every record id exists, every review reference is within
the review's reference list.

The sign of a path is the product of its edge signs: rTMS -> BDNF (+) -> NTRK2 (+) -> PI3K (+)
-> AKT1 (+) -> BCL2 (+) -> apoptosis (-) has sign -1 (less apoptosis).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tmslab.errors import InvalidValueError, SpecFileError, UnknownNameError, pydantic_message
from tmslab.evidence.store import (
    MECHANISMS_FILE,
    EvidenceBase,
    load_base,
    parse_toml,
    shipped_files,
)

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

NODE_KINDS = ("protocol", "gene", "molecule", "pathway", "cell", "process", "outcome")
HGNC_PATTERN = re.compile(r"^[A-Z][A-Z0-9-]*$")
REVIEW_REF_PATTERN = re.compile(r"^(?P<review>[a-z0-9-]+)#(?P<ref>\d+)$")
DEFAULT_MAX_LENGTH = (
    8  # edges: enough for rTMS -> CB1R -> BDNF -> ... -> GLT-1 -> excitotoxicity -> apoptosis
)

Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Node(_Model):
    """A node: id, kind, label; hgnc: HGNC symbols (required for genes); aliases for queries."""

    id: Text
    kind: Literal["protocol", "gene", "molecule", "pathway", "cell", "process", "outcome"]
    label: Text
    hgnc: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    note: Text | None = None

    @field_validator("hgnc")
    @classmethod
    def _symbols(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for symbol in value:
            if not HGNC_PATTERN.match(symbol):
                raise ValueError(f"{symbol!r} is not an HGNC symbol (upper-case letters, digits)")
        return value


class Edge(_Model):
    """A signed edge with the references that support it (and any that contradict it)."""

    source: Text
    target: Text
    sign: Literal[1, -1]
    relation: Text
    evidence: tuple[str, ...] = Field(min_length=1)
    contrary: tuple[str, ...] = ()
    note: Text | None = None


@dataclass(frozen=True)
class MechanismPath:
    """A path from a protocol (or any node) to an outcome.

    nodes: (k+1,) node ids; signs: (k,) edge signs; sign: their product (+1 or -1);
    relations and evidence: per edge; contested: some edge has contrary evidence.
    """

    nodes: tuple[str, ...]
    signs: tuple[int, ...]
    relations: tuple[str, ...]
    evidence: tuple[tuple[str, ...], ...]
    contrary: tuple[tuple[str, ...], ...]

    @property
    def sign(self) -> int:
        product = 1
        for s in self.signs:
            product *= s
        return product

    @property
    def contested(self) -> bool:
        return any(self.contrary)

    @property
    def references(self) -> tuple[str, ...]:
        """Every reference supporting some edge of the path, sorted, without repeats."""
        return tuple(sorted({ref for refs in self.evidence for ref in refs}))

    def describe(self) -> str:
        """'rTMS -(+)-> BDNF -(+)-> ...' ."""
        parts = [self.nodes[0]]
        for sign, node in zip(self.signs, self.nodes[1:], strict=True):
            parts.append(f"-({'+' if sign > 0 else '-'})-> {node}")
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": list(self.nodes),
            "sign": self.sign,
            "effect": "increases" if self.sign > 0 else "decreases",
            "length": len(self.signs),
            "contested": self.contested,
            "edges": [
                {
                    "source": a,
                    "target": b,
                    "sign": s,
                    "relation": r,
                    "evidence": list(e),
                    "contrary": list(c),
                }
                for a, b, s, r, e, c in zip(
                    self.nodes[:-1],
                    self.nodes[1:],
                    self.signs,
                    self.relations,
                    self.evidence,
                    self.contrary,
                    strict=True,
                )
            ],
            "references": list(self.references),
        }


def check_reference(ref: str, base: EvidenceBase) -> str | None:
    """None when ``ref`` is a record id or a valid review reference, else what is wrong."""
    if ref in base.files:
        return None
    match = REVIEW_REF_PATTERN.match(ref)
    if match is None:
        return f"{ref!r} is neither a record id nor a review reference like krasilnikova2024#70"
    review = base.reviews.get(match["review"])
    if review is None:
        return f"{ref!r} names unknown review {match['review']!r}"
    number = int(match["ref"])
    if not 1 <= number <= review.n_references:
        return f"{ref!r}: {review.key} has references 1-{review.n_references}"
    return None


def parse_graph(
    data: dict[str, Any], name: str, base: EvidenceBase
) -> tuple[list[Node], list[Edge]]:
    """Validated nodes and edges from a parsed mechanisms file; SpecFileError on any problem."""
    nodes, edges = [], []
    for index, raw in enumerate(data.get("node", [])):
        try:
            node = Node.model_validate(raw)
        except ValidationError as error:
            label = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
            raise SpecFileError(f"{name}: node {label}: {pydantic_message(error)}") from None
        if node.kind == "gene" and not node.hgnc:
            raise SpecFileError(f"{name}: node {node.id}: a gene node needs its HGNC symbol(s)")
        nodes.append(node)
    ids = [n.id for n in nodes]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SpecFileError(f"{name}: node id(s) used twice: {', '.join(duplicates)}")
    names: dict[str, str] = {}
    for node in nodes:
        for alias in (node.id, *node.aliases):
            key = alias.lower()
            if key in names and names[key] != node.id:
                raise SpecFileError(
                    f"{name}: name {alias!r} is used by nodes {names[key]!r} and {node.id!r}"
                )
            names[key] = node.id
    known = set(ids)
    seen = set()
    for index, raw in enumerate(data.get("edge", [])):
        try:
            edge = Edge.model_validate(raw)
        except ValidationError as error:
            raise SpecFileError(f"{name}: edge #{index + 1}: {pydantic_message(error)}") from None
        where = f"{name}: edge {edge.source} -> {edge.target}"
        for end in (edge.source, edge.target):
            if end not in known:
                raise SpecFileError(f"{where}: unknown node {end!r}")
        if edge.source == edge.target:
            raise SpecFileError(f"{where}: an edge cannot loop on one node")
        if (edge.source, edge.target) in seen:
            raise SpecFileError(f"{where}: given twice; merge the evidence into one edge")
        seen.add((edge.source, edge.target))
        for ref in (*edge.evidence, *edge.contrary):
            problem = check_reference(ref, base)
            if problem:
                raise SpecFileError(f"{where}: {problem}")
        edges.append(edge)
    if not nodes or not edges:
        raise SpecFileError(f"{name}: needs [[node]] and [[edge]] tables")
    return nodes, edges


def graph_from(nodes: Sequence[Node], edges: Sequence[Edge]) -> nx.DiGraph:
    """A networkx DiGraph with the node and edge fields as attributes (tuples kept)."""
    import networkx as nx

    graph = nx.DiGraph()
    for node in nodes:
        graph.add_node(
            node.id,
            kind=node.kind,
            label=node.label,
            hgnc=node.hgnc,
            aliases=node.aliases,
            note=node.note or "",
        )
    for edge in edges:
        graph.add_edge(
            edge.source,
            edge.target,
            sign=edge.sign,
            relation=edge.relation,
            evidence=edge.evidence,
            contrary=edge.contrary,
            note=edge.note or "",
        )
    return graph


def load_graph(path: str | Path | None = None) -> nx.DiGraph:
    """The mechanism graph from the shipped mechanisms.toml, or from ``path``.

    Raises SpecFileError (one line) for a missing, malformed or inconsistent file.
    """
    if path is None:
        return _shipped_graph().copy()
    from tmslab.evidence.store import read_text

    path = Path(path)
    data = parse_toml(read_text(path), path.name)
    return graph_from(*parse_graph(data, path.name, load_base()))


@lru_cache(maxsize=1)
def _shipped_graph() -> nx.DiGraph:
    text = dict(shipped_files())[MECHANISMS_FILE]
    data = parse_toml(text, MECHANISMS_FILE)
    return graph_from(*parse_graph(data, MECHANISMS_FILE, load_base()))


def resolve_node(graph: nx.DiGraph, name: str) -> str:
    """The node id for ``name`` (an id or alias, case-insensitive); UnknownNameError lists ids."""
    wanted = str(name).strip().lower()
    for node, attributes in graph.nodes(data=True):
        if wanted == node.lower() or wanted in (a.lower() for a in attributes["aliases"]):
            return node
    raise UnknownNameError("node", name, graph.nodes)


def find_paths(
    graph: nx.DiGraph,
    source: str,
    target: str,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> list[MechanismPath]:
    """All simple paths from ``source`` to ``target`` of at most ``max_length`` edges.

    Names are resolved with :func:`resolve_node`. Sorted by length, then by the path's nodes.
    Returns [] when no path exists.
    """
    import networkx as nx

    if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
        raise InvalidValueError(f"max_length = {max_length!r} must be a whole number >= 1")
    start, end = resolve_node(graph, source), resolve_node(graph, target)
    if start == end:
        raise InvalidValueError(f"source and target are the same node ({start!r})")
    paths = []
    for nodes in nx.all_simple_paths(graph, start, end, cutoff=max_length):
        data = [graph.edges[a, b] for a, b in itertools.pairwise(nodes)]
        paths.append(
            MechanismPath(
                nodes=tuple(nodes),
                signs=tuple(d["sign"] for d in data),
                relations=tuple(d["relation"] for d in data),
                evidence=tuple(tuple(d["evidence"]) for d in data),
                contrary=tuple(tuple(d["contrary"]) for d in data),
            )
        )
    return sorted(paths, key=lambda p: (len(p.signs), p.nodes))


def _flat(value: Any) -> Any:
    return ";".join(value) if isinstance(value, tuple | list) else value


def graph_to_graphml(graph: nx.DiGraph) -> str:
    """GraphML text of the graph; tuple attributes are joined with ';'."""
    import networkx as nx

    flat = nx.DiGraph()
    for node, attributes in graph.nodes(data=True):
        flat.add_node(node, **{k: _flat(v) for k, v in attributes.items()})
    for a, b, attributes in graph.edges(data=True):
        flat.add_edge(a, b, **{k: _flat(v) for k, v in attributes.items()})
    return "\n".join(nx.generate_graphml(flat)) + "\n"


def graph_to_json(graph: nx.DiGraph) -> str:
    """Node-link JSON of the graph (``nodes`` and ``edges`` lists with all attributes)."""
    import networkx as nx

    data = nx.node_link_data(graph, edges="edges")
    return json.dumps(data, indent=2, default=list) + "\n"


def write_graph(graph: nx.DiGraph, path: str | Path) -> Path:
    """Write ``graph`` atomically as GraphML (``.graphml``) or node-link JSON (``.json``)."""
    from tmslab.provenance import atomic_write_text

    path = Path(path)
    if path.suffix.lower() not in (".graphml", ".json"):
        raise InvalidValueError(f"--out {path.name!r}: use a file ending in .graphml or .json")
    to_text = graph_to_graphml if path.suffix.lower() == ".graphml" else graph_to_json
    return atomic_write_text(path, to_text(graph))
