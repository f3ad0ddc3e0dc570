"""Myelinating a plain SWC axon the way Aberra et al. 2018 myelinated their cells.

Aberra, Peterchev & Grill 2018 (J Neural Eng 15:066023, doi 10.1088/1741-2552/aadbb1) replaced
the Blue Brain cells' axons by myelinated ones: internodes whose length grows with the axon
diameter, separated by 1 um nodes of Ranvier. :func:`myelinate` does the same on SWC points: the
plain axon (type 2) becomes 5 (myelin), 6 (node) and 7 (unmyelinated), the convention of
NeMo-TMS's Aberra cells, so :func:`tmslab.neuron.models.model_from_swc` models them with the
``"aberra"`` membranes.

The layout follows what NeMo-TMS's myelinated Aberra_human_L5.swc shows: 50 um of unmyelinated
initial segment at the soma, then on every unbranched stretch equal internodes, each followed by
a 1 um node, so that every branch point and every terminal is a node; short stretches stay
unmyelinated. The internode target, 100 x the stretch's mean diameter, and the limits of
:class:`MyelinationRules` (nothing myelinated below 0.2 um, or shorter than 20 um plus a node)
are tmslab's assumptions (the file's internodes, 35-120 um at 0.82 um, fit no single ratio).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.neuron.swc import AXON, MYELIN, NODE, SOMA, UNMYELINATED, SwcPoint
from tmslab.units import UM

# Events closer than this fraction of the axon's length to a cut belong to the stretch before it
# (rounding in the cumulative lengths, not a unit).
CUT_TOLERANCE = 1e-12


@dataclass(frozen=True)
class MyelinationRules:
    """Where and how an axon is myelinated.

    Attributes
    ----------
    node_length_m : float, m
        Length of a node of Ranvier.
    internode_per_diameter : float, dimensionless
        Internode length / local axon diameter.
    min_diameter_m : float, m
        Thinner stretches stay unmyelinated.
    min_internode_m : float, m
        Shortest internode; a stretch shorter than this plus two nodes stays unmyelinated.
    myelinate_terminals : bool
        Myelinate branches that end in a terminal (then the terminal is a node, as in
        NeMo-TMS's Aberra cells).
    initial_segment_m : float, m
        Unmyelinated length of the axon next to the soma (the initial segment: 50 um of type 2
        in NeMo-TMS's Aberra_human_L5.swc).
    """

    node_length_m: float = 1.0 * UM
    internode_per_diameter: float = 100.0
    min_diameter_m: float = 0.2 * UM
    min_internode_m: float = 20.0 * UM
    myelinate_terminals: bool = True
    initial_segment_m: float = 50.0 * UM

    def __post_init__(self) -> None:
        for key in ("node_length_m", "internode_per_diameter", "min_internode_m"):
            if not getattr(self, key) > 0:
                raise InvalidValueError(f"myelination rule {key} must be > 0")
        if not self.min_diameter_m >= 0:
            raise InvalidValueError("myelination rule min_diameter_m must be >= 0")


ABERRA_2018_RULES = MyelinationRules()


def _pieces(points: list[SwcPoint]) -> list[list[SwcPoint]]:
    """Unbranched runs of type-2 points, each listed from its first point to its last."""
    children: dict[int, list[int]] = {p.ident: [] for p in points}
    by_id = {p.ident: p for p in points}
    for p in points:
        if p.parent >= 0:
            children[p.parent].append(p.ident)
    starts = [
        p
        for p in points
        if p.kind == AXON
        and (p.parent < 0 or by_id[p.parent].kind != AXON or len(children[p.parent]) > 1)
    ]
    runs = []
    for start in starts:
        run = [start]
        while len(children[run[-1].ident]) == 1 and by_id[children[run[-1].ident][0]].kind == AXON:
            run.append(by_id[children[run[-1].ident][0]])
        runs.append(run)
    return runs


def myelinate(
    points: list[SwcPoint], rules: MyelinationRules = ABERRA_2018_RULES
) -> list[SwcPoint]:
    """SWC points with the plain axon (type 2) myelinated by ``rules``.

    Each unbranched axon stretch that ends in a branch point (and, unless
    ``rules.myelinate_terminals``, not in a terminal), at least ``rules.min_diameter_m`` thick
    on average and long enough, is cut into node, internode, node, ..., internode, node, with
    internodes of ``internode_per_diameter`` x the stretch's mean diameter shortened evenly to
    fit. Everything else of type 2 becomes unmyelinated axon (7). Other types are kept.

    Parameters
    ----------
    points : list of SwcPoint
        Checked points (:func:`tmslab.neuron.swc.parse_swc`), micrometres read into metres.
    rules : MyelinationRules
        The rules.

    Returns
    -------
    list of SwcPoint
        New points (new identifiers after the largest old one for inserted points).

    Raises
    ------
    InvalidValueError
        If the points already contain myelin or nodes (types 5, 6).
    """
    if any(p.kind in (MYELIN, NODE) for p in points):
        raise InvalidValueError(
            "the morphology already has myelin or nodes (SWC types 5, 6): it is myelinated; "
            "drop --myelinate"
        )
    by_id = {p.ident: p for p in points}
    children: dict[int, int] = {p.ident: 0 for p in points}
    for p in points:
        if p.parent >= 0:
            children[p.parent] += 1
    next_id = max(by_id) + 1
    replaced: dict[int, list[SwcPoint]] = {}  # last point of a run -> the run's new points
    retyped: dict[int, int] = {}
    for run in _pieces(points):
        idents = {p.ident for p in run}
        start = by_id[run[0].parent] if run[0].parent >= 0 else run[0]
        chain = ([start] if start.ident not in idents else []) + run
        xyz = np.array([p.position_m for p in chain])
        radius = np.array([p.radius_m for p in chain])
        steps = np.linalg.norm(np.diff(xyz, axis=0), axis=1)
        arc = np.concatenate([[0.0], np.cumsum(steps)])
        length = float(arc[-1])
        terminal = children[run[-1].ident] == 0
        diameter = 2.0 * float(np.mean(radius[1:] if len(radius) > 1 else radius))
        node = rules.node_length_m
        internode = rules.internode_per_diameter * diameter
        usable = (not terminal or rules.myelinate_terminals) and diameter >= rules.min_diameter_m
        offset = rules.initial_segment_m if start.kind == SOMA else 0.0
        usable = usable and length - offset >= 2 * node + rules.min_internode_m
        if not usable:
            for p in run:
                retyped[p.ident] = UNMYELINATED
            continue
        rest = length - offset
        n_internodes = max(1, round(rest / (internode + node)))
        inter = rest / n_internodes - node
        while inter < rules.min_internode_m and n_internodes > 1:
            n_internodes -= 1
            inter = rest / n_internodes - node
        # stretch ends and types: [initial segment,] internode, node, ..., internode, node, so
        # that every branch point and terminal is a node (as in NeMo-TMS's Aberra cells)
        cuts, kinds = ([offset], [UNMYELINATED]) if offset > 0 else ([], [])
        s = offset
        for _ in range(n_internodes):
            s += inter
            cuts.append(s)
            kinds.append(MYELIN)
            s += node
            cuts.append(s)
            kinds.append(NODE)
        cuts[-1] = length
        # original points inside a stretch keep its type; cut points are inserted
        events = sorted(
            [(float(a), "old", i) for i, a in enumerate(arc) if i > 0]
            + [(c, "cut", j) for j, c in enumerate(cuts[:-1])]
        )
        new: list[SwcPoint] = []
        parent = chain[0].ident if chain[0].ident not in idents else chain[0].parent
        first_is_start = chain[0].ident not in idents
        if not first_is_start:  # a root axon point: keep it as the run's first point
            new.append(_with(chain[0], UNMYELINATED, chain[0].ident, chain[0].parent))
            parent = chain[0].ident
        for a, what, k in events:
            stretch = int(np.searchsorted(np.asarray(cuts), a - CUT_TOLERANCE * max(length, 1.0)))
            kind = kinds[min(stretch, len(kinds) - 1)]
            if what == "old":
                p = chain[k]
                new.append(_with(p, kind, p.ident, parent))
                parent = p.ident
            else:
                j = int(np.searchsorted(arc, a) - 1)
                j = min(max(j, 0), len(arc) - 2)
                f = (a - arc[j]) / (arc[j + 1] - arc[j]) if arc[j + 1] > arc[j] else 0.0
                pos = tuple(float(v) for v in xyz[j] + f * (xyz[j + 1] - xyz[j]))
                rad = float(radius[j] + f * (radius[j + 1] - radius[j]))
                new.append(
                    SwcPoint(
                        next_id, kinds[k], pos, rad, parent, chain[min(j + 1, len(chain) - 1)].line
                    )
                )
                parent = next_id
                next_id += 1
        replaced[run[-1].ident] = new
        for p in run:
            retyped.setdefault(p.ident, -1)  # placeholder: emitted with the run
    out: list[SwcPoint] = []
    emitted: set[int] = set()
    for p in points:
        if p.ident in replaced:
            for q in replaced[p.ident]:
                if q.ident not in emitted:
                    out.append(q)
                    emitted.add(q.ident)
        elif retyped.get(p.ident) == -1:
            continue  # part of a replaced run, written with its last point
        elif p.ident in retyped:
            out.append(_with(p, retyped[p.ident], p.ident, p.parent))
        else:
            out.append(p)
    return _parents_first(out)


def _with(p: SwcPoint, kind: int, ident: int, parent: int) -> SwcPoint:
    return SwcPoint(ident, kind, p.position_m, p.radius_m, parent, p.line)


def _parents_first(points: list[SwcPoint]) -> list[SwcPoint]:
    """The points reordered so that every parent comes before its children."""
    children: dict[int, list[SwcPoint]] = {}
    roots = []
    for p in points:
        if p.parent < 0:
            roots.append(p)
        else:
            children.setdefault(p.parent, []).append(p)
    out, stack = [], list(reversed(roots))
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(reversed(children.get(p.ident, [])))
    return out
