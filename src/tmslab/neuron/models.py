"""Cell models: geometry, membranes, temperature, where spikes are detected; the named registry.

Built-in models (``tmslab neuron list``)
---------------------------------------
``hh-axon-straight``
    Unmyelinated Hodgkin-Huxley axon, 2 um thick and 6 mm long, along x from -3 to +3 mm, at
    6.3 degC (squid membrane as in NEURON's ``hh``). Compartments are 8 um long within 300 um
    of the ends and of the middle, where a uniform field drives the cable, and 25 um elsewhere.
``hh-axon-bent``
    The same axon (same compartments) with a 90 degree bend at its middle: from (-3, 0, 0) mm to
    the origin along x, then to (0, 3, 0) mm along y.
``mrg-axon``
    Myelinated axon of 5.7 um fibre diameter, the smallest of McIntyre et al. (2002): 21 nodes
    of Ranvier (1 um long, 1.9 um wide, MRG nodal channels, 37 degC) between 500 um internodes
    (3.4 um axon, 80 myelin lamellae), along x and centred on the origin. Simplification: one
    cable; each internode is a single passive cylinder with the myelin sheath's capacitance and
    the internodal axolemma's leak (MRG's paranodes and periaxonal double cable are lumped; see
    :func:`tmslab.neuron.membranes.myelin` for why the leak must stay).
``l5-pyramidal``
    A simplified layer-5 pyramidal cell (soma at the origin, apical dendrite along +z): passive
    dendrites (apical trunk to 900 um, three tuft and two oblique branches, four basal
    dendrites), an active soma, an axon initial segment with nodal channels, and a myelinated
    axon descending along -z to about 1.3 mm with three myelinated collaterals (along +x, -x and
    +y, slightly descending) ending in nodes. Geometry chosen to resemble a thick-tufted L5 cell,
    not fitted to a reconstruction; fibre proportions scaled from MRG's (node 0.56 x axon
    diameter), which puts its strength-duration time constant at 140-200 us (tests).

Every model rests uniformly (HH -65 mV, MRG-type -80 mV). A model *fires* when the membrane
potential at one of its recording sites crosses ``v_spike_v`` (0 mV) upwards: the middle of each
half of the HH axons (1.5 mm from the ends), the 6th and 16th nodes of the MRG axon, the soma and the
second node of the L5 cell's main axon. Those sites lie far enough from where the field acts
that only a propagated action potential reaches 0 mV there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from tmslab.errors import InvalidValueError, UnknownNameError
from tmslab.neuron.cable import Cable, discretise
from tmslab.neuron.membranes import (
    AXON_UNMYELINATED,
    HH_SQUID,
    MRG_2002,
    MRG_NODE,
    PASSIVE_DENDRITE,
    Membrane,
    myelin,
)
from tmslab.neuron.morphology import Branch, Morphology, polyline
from tmslab.sources import Source

UM = 1e-6
MM = 1e-3


@dataclass(frozen=True, eq=False)
class CellModel:
    """A cell ready for the solvers.

    name: registry name. description: one sentence.
    morphology: the tree of branches with their membranes (metres).
    celsius: temperature, degC (sets the channel kinetics).
    v_rest_v: resting potential of every membrane, V.
    record: (branch, x) sites where spikes are detected.
    v_spike_v: threshold of an upward crossing that counts as a spike, V.
    response_window_s: how long after the pulse ends spikes are looked for, s.
    threshold_guess_v_per_m: first amplitude tried by the threshold search, V/m.
    source: where the geometry comes from and what was assumed.
    """

    name: str
    description: str
    morphology: Morphology
    celsius: float
    v_rest_v: float
    record: tuple[tuple[int, float], ...]
    response_window_s: float
    threshold_guess_v_per_m: float
    source: Source
    v_spike_v: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @cached_property
    def cable(self) -> Cable:
        """The compartment tree (see :mod:`tmslab.neuron.cable`)."""
        return discretise(self.morphology)

    @cached_property
    def record_nodes(self) -> np.ndarray:
        """Nodes of ``cable`` where spikes are detected; (R,) int array."""
        return np.array([self.cable.node_at(b, x) for b, x in self.record], dtype=np.int64)

    @property
    def membranes(self) -> tuple[Membrane, ...]:
        return self.cable.membranes

    def placed(self, rotation: np.ndarray, translation_m: np.ndarray) -> CellModel:
        """The same cell rotated about its origin (``rotation``: (3, 3)) and moved (m)."""
        return CellModel(
            self.name,
            self.description,
            self.morphology.transformed(rotation, translation_m),
            self.celsius,
            self.v_rest_v,
            self.record,
            self.response_window_s,
            self.threshold_guess_v_per_m,
            self.source,
            self.v_spike_v,
            self.notes,
        )

    def summary(self) -> dict:
        """JSON-able description (counts, temperature, sources)."""
        cable = self.cable
        return {
            "name": self.name,
            "description": self.description,
            "n_branches": len(self.morphology.branches),
            "n_compartments": int(np.sum(cable.has_membrane)),
            "total_length_m": self.morphology.total_length_m,
            "celsius": self.celsius,
            "v_rest_v": self.v_rest_v,
            "membranes": [m.name for m in cable.membranes],
            "source": self.source.to_dict(),
            "membrane_sources": {m.name: m.source.to_dict() for m in cable.membranes},
        }


# -- Hodgkin-Huxley axons ----------------------------------------------------------------------

_HH_SOURCE = Source(
    "Hodgkin AL, Huxley AF (1952). J Physiol 117:500-544 (membrane); geometry: tmslab",
    "10.1113/jphysiol.1952.sp004764",
    "Axon geometry chosen for tmslab (2 um diameter, 6 mm, 90 degree bend at the middle for "
    "the bent variant), in the spirit of the straight and bent fibres of Maccabee et al. 1993 "
    "(J Physiol 460:201-219, doi 10.1113/jphysiol.1993.sp019467).",
)
HH_DIAMETER_M = 2.0 * UM
HH_HALF_LENGTH_M = 3.0 * MM
HH_FINE_M = 300.0 * UM
HH_FINE_SEGMENT_M = 8.0 * UM
HH_COARSE_SEGMENT_M = 25.0 * UM


def _hh_axon(bent: bool, fine_segment_m: float = HH_FINE_SEGMENT_M) -> CellModel:
    """Six branches: end, middle part and centre piece of each half; the second half turns 90
    degrees (to +y) when ``bent``."""
    second = np.array([0.0, 1.0, 0.0]) if bent else np.array([1.0, 0.0, 0.0])
    first = np.array([1.0, 0.0, 0.0])
    a, f = HH_HALF_LENGTH_M, HH_FINE_M
    stations_first = [-a, -a + f, -f, 0.0]
    stations_second = [0.0, f, a - f, a]
    branches: list[Branch] = []
    for k in range(3):
        p0, p1 = first * stations_first[k], first * stations_first[k + 1]
        step = HH_COARSE_SEGMENT_M if k == 1 else fine_segment_m
        branches.append(polyline([p0, p1], HH_DIAMETER_M, HH_SQUID, step, k - 1, 1.0, "axon"))
    for k in range(3):
        p0, p1 = second * stations_second[k], second * stations_second[k + 1]
        step = HH_COARSE_SEGMENT_M if k == 1 else fine_segment_m
        branches.append(polyline([p0, p1], HH_DIAMETER_M, HH_SQUID, step, 2 + k, 1.0, "axon"))
    name = "hh-axon-bent" if bent else "hh-axon-straight"
    description = (
        "HH axon, 2 um x 6 mm, with a 90 degree bend at its middle (x then y)"
        if bent
        else "HH axon, 2 um x 6 mm, straight along x"
    )
    return CellModel(
        name=name,
        description=description,
        morphology=Morphology(tuple(branches), name),
        celsius=6.3,
        v_rest_v=-0.065,
        record=((1, 0.5), (4, 0.5)),
        response_window_s=6e-3,
        threshold_guess_v_per_m=1500.0,
        source=_HH_SOURCE,
    )


# -- myelinated axons ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MyelinatedGeometry:
    """Single-cable myelinated fibre: node and internode sizes (m) and myelin lamellae."""

    node_diameter_m: float
    node_length_m: float
    axon_diameter_m: float
    internode_length_m: float
    n_lamellae: int
    internode_segments: int = 5


MRG_5_7 = MyelinatedGeometry(1.9 * UM, 1.0 * UM, 3.4 * UM, 500.0 * UM, 80)


def myelinated_path(
    start_m: np.ndarray,
    direction: np.ndarray,
    n_internodes: int,
    geometry: MyelinatedGeometry,
    parent: int,
    parent_x: float,
    first_index: int,
    start_with_node: bool = True,
    label: str = "",
) -> list[Branch]:
    """Alternating nodes and internodes along ``direction`` from ``start_m``, ending in a node.

    The branches are numbered from ``first_index`` (their position in the final morphology).
    """
    unit = np.asarray(direction, float) / np.linalg.norm(direction)
    sheath = myelin(geometry.n_lamellae)
    branches: list[Branch] = []
    position = np.asarray(start_m, float)
    pieces = (["node"] if start_with_node else []) + ["internode", "node"] * n_internodes
    for kind in pieces:
        if kind == "node":
            length, diameter, membrane, n = (
                geometry.node_length_m,
                geometry.node_diameter_m,
                MRG_NODE,
                1,
            )
        else:
            length, diameter, membrane, n = (
                geometry.internode_length_m,
                geometry.axon_diameter_m,
                sheath,
                geometry.internode_segments,
            )
        end = position + unit * length
        index = first_index + len(branches)
        branches.append(
            Branch(
                np.array([position, end]),
                np.full(2, diameter),
                membrane,
                n,
                parent if not branches else index - 1,
                parent_x if not branches else 1.0,
                f"{label}{kind}",
            )
        )
        position = end
    return branches


def _mrg_axon() -> CellModel:
    g = MRG_5_7
    n_internodes = 20
    total = n_internodes * g.internode_length_m + (n_internodes + 1) * g.node_length_m
    start = np.array([-total / 2, 0.0, 0.0])
    branches = myelinated_path(start, [1.0, 0.0, 0.0], n_internodes, g, -1, 1.0, 0)
    nodes = [i for i, b in enumerate(branches) if b.label == "node"]
    return CellModel(
        name="mrg-axon",
        description="Myelinated axon, 5.7 um fibre, 21 MRG nodes, 10 mm along x",
        morphology=Morphology(tuple(branches), "mrg-axon"),
        celsius=37.0,
        v_rest_v=-0.080,
        record=((nodes[5], 0.5), (nodes[15], 0.5)),
        response_window_s=1.0e-3,
        threshold_guess_v_per_m=25.0,
        source=Source(
            MRG_2002.citation,
            MRG_2002.doi,
            "Geometry of the 5.7 um fibre (MRG 2002, Table 1: node 1.9 um x 1 um, axon 3.4 um, "
            "internode 500 um, 80 lamellae) and nodal channels; simplified to a single cable "
            "whose internodes are passive cylinders with the sheath's capacitance and the "
            "internodal axolemma's leak (no paranodes, no periaxonal space).",
        ),
    )


# -- simplified layer-5 pyramidal cell ---------------------------------------------------------

# Thin cortical fibres scaled by MRG's proportions: node diameter 0.56 x axon diameter (1.9 / 3.4
# um in MRG's 5.7 um fibre), g-ratio about 0.7, internodes about 100 fibre diameters, lamellae
# from a myelin thickness (D - d) / 2 at about 16 nm per lamella.
L5_MAIN_AXON = MyelinatedGeometry(0.84 * UM, 1.0 * UM, 1.5 * UM, 200.0 * UM, 20)
L5_COLLATERAL = MyelinatedGeometry(0.56 * UM, 1.0 * UM, 1.0 * UM, 150.0 * UM, 14)


def _l5_pyramidal() -> CellModel:
    dend_step = 20 * UM
    branches: list[Branch] = []

    def add(branch: Branch) -> int:
        branches.append(branch)
        return len(branches) - 1

    soma = add(
        Branch(
            np.array([[0, 0, -10], [0, 0, 10]]) * UM,
            np.full(2, 20 * UM),
            AXON_UNMYELINATED,
            1,
            -1,
            1.0,
            "soma",
        )
    )
    trunk1 = add(
        polyline(
            np.array([[0, 0, 10], [0, 0, 300]]) * UM,
            3 * UM,
            PASSIVE_DENDRITE,
            dend_step,
            soma,
            1.0,
            "apic",
        )
    )
    trunk2 = add(
        polyline(
            np.array([[0, 0, 300], [0, 0, 900]]) * UM,
            2.5 * UM,
            PASSIVE_DENDRITE,
            dend_step,
            trunk1,
            1.0,
            "apic",
        )
    )
    for azimuth in (0.0, 120.0, 240.0):
        a = np.deg2rad(azimuth)
        tip = np.array([150 * np.cos(a), 150 * np.sin(a), 1100])
        add(
            polyline(
                np.array([[0, 0, 900], tip]) * UM,
                1.2 * UM,
                PASSIVE_DENDRITE,
                dend_step,
                trunk2,
                1.0,
                "tuft",
            )
        )
    for sign in (1.0, -1.0):
        add(
            polyline(
                np.array([[0, 0, 300], [0, sign * 180, 380]]) * UM,
                1.0 * UM,
                PASSIVE_DENDRITE,
                dend_step,
                trunk1,
                1.0,
                "oblique",
            )
        )
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        tip = np.array([dx * 180, dy * 180, -110])
        add(
            polyline(
                np.array([[0, 0, -10], tip]) * UM,
                1.2 * UM,
                PASSIVE_DENDRITE,
                dend_step,
                soma,
                0.0,
                "basal",
            )
        )
    ais = add(
        Branch(
            np.array([[0, 0, -10], [0, 0, -40]]) * UM,
            np.array([1.6, 1.2]) * UM,
            MRG_NODE,
            5,
            soma,
            0.0,
            "ais",
        )
    )
    main = myelinated_path(
        np.array([0, 0, -40]) * UM,
        [0, 0, -1],
        6,
        L5_MAIN_AXON,
        ais,
        1.0,
        len(branches),
        start_with_node=False,
        label="main-",
    )
    branches.extend(main)
    main_nodes = [i for i, b in enumerate(branches) if b.label == "main-node"]
    for node_number, direction in ((1, (1, 0, -0.2)), (3, (-1, 0, -0.2)), (4, (0, 1, -0.2))):
        node = main_nodes[node_number]
        start = branches[node].points_m[-1]
        collateral = myelinated_path(
            start,
            direction,
            5,
            L5_COLLATERAL,
            node,
            1.0,
            len(branches),
            start_with_node=False,
            label="collateral-",
        )
        branches.extend(collateral)
    return CellModel(
        name="l5-pyramidal",
        description="Simplified L5 pyramidal cell: passive dendrites, active soma, myelinated axon with collaterals",
        morphology=Morphology(tuple(branches), "l5-pyramidal"),
        celsius=37.0,
        v_rest_v=-0.080,
        record=((soma, 0.5), (main_nodes[1], 0.5)),
        response_window_s=1.5e-3,
        threshold_guess_v_per_m=100.0,
        source=Source(
            "tmslab simplified L5 pyramidal cell (geometry assumed); membranes: McIntyre et al. "
            "2002 (nodes, myelin) and passive dendrites",
            MRG_2002.doi,
            "Apical trunk 3 -> 2.5 um to 900 um, tuft and obliques 1-1.2 um, basal dendrites "
            "1.2 um x 210 um; AIS 30 um tapering 1.6 -> 1.2 um with nodal channels; main axon "
            "1.5 um under 20 lamellae, 200 um internodes, 6 internodes, nodes 0.84 um; "
            "collaterals 1.0 um under 14 lamellae, 150 um internodes, 5 internodes each, nodes "
            "0.56 um, from main-axon nodes 2, 4 and 5. Node/axon diameter ratio 0.56 as in MRG's "
            "5.7 um fibre, internodes about 100 fibre diameters, g-ratio about 0.7 "
            "(assumptions).",
        ),
        notes=(
            "Published context: lowest L5 pyramidal-cell threshold 184 V/m and median over "
            "directions 248 V/m for a monophasic MagPro pulse with reconstructed Blue Brain "
            "morphologies (Aberra et al. 2020, Brain Stimul 13:175-189, doi "
            "10.1016/j.brs.2019.10.002); this cell is a simplification, compare loosely.",
        ),
    )


# -- SWC morphologies -------------------------------------------------------------------------

SWC_MEMBRANES = ("cortical", "hh")


def model_from_swc(
    path: str | Path,
    membrane: str = "cortical",
    max_segment_m: float = 20.0 * UM,
    name: str | None = None,
) -> CellModel:
    """A cell from an SWC file.

    membrane: "cortical" (soma and axon with MRG kinetics at a tenth of the nodal densities,
    dendrites passive, 37 degC, rest -80 mV) or "hh" (HH squid membrane everywhere, 6.3 degC).
    max_segment_m: longest compartment, metres. Spikes are detected at the soma (or the root).
    """
    from tmslab.neuron.morphology import segments_for_length
    from tmslab.neuron.swc import AXON, SOMA, read_swc

    if membrane not in SWC_MEMBRANES:
        raise UnknownNameError("SWC membrane", membrane, SWC_MEMBRANES)
    if not max_segment_m > 0:
        raise InvalidValueError(f"max_segment_m = {max_segment_m!r}; it must be > 0 m")
    pieces = read_swc(path)

    def membrane_of(kind: int) -> Membrane:
        if membrane == "hh":
            return HH_SQUID
        return AXON_UNMYELINATED if kind in (SOMA, AXON) else PASSIVE_DENDRITE

    branches = []
    for piece in pieces:
        arc = np.concatenate(
            [[0.0], np.cumsum(np.linalg.norm(np.diff(piece.points_m, axis=0), axis=1))]
        )
        branches.append(
            Branch(
                piece.points_m,
                piece.diameters_m,
                membrane_of(piece.kind),
                1
                if piece.kind == SOMA and piece.parent < 0
                else segments_for_length(arc[-1], max_segment_m),
                piece.parent,
                piece.parent_x,
                {1: "soma", 2: "axon", 3: "dend", 4: "apic"}.get(piece.kind, f"type-{piece.kind}"),
            )
        )
    label = name or Path(path).stem
    hh = membrane == "hh"
    return CellModel(
        name=label,
        description=f"SWC morphology {Path(path).name} ({membrane} membrane)",
        morphology=Morphology(tuple(branches), label),
        celsius=6.3 if hh else 37.0,
        v_rest_v=-0.065 if hh else -0.080,
        record=((0, 0.5),),
        response_window_s=6e-3 if hh else 1.5e-3,
        threshold_guess_v_per_m=300.0,
        source=Source(
            f"SWC file {Path(path).name} (user supplied)",
            "",
            "Membranes: "
            + (
                "HH squid (Hodgkin & Huxley 1952)"
                if hh
                else "soma and axon MRG "
                "kinetics at one tenth of the nodal densities, passive dendrites (assumptions)"
            ),
        ),
    )


_BUILDERS: dict[str, Callable[[], CellModel]] = {
    "hh-axon-straight": lambda: _hh_axon(bent=False),
    "hh-axon-bent": lambda: _hh_axon(bent=True),
    "mrg-axon": _mrg_axon,
    "l5-pyramidal": _l5_pyramidal,
}
_CACHE: dict[str, CellModel] = {}


def list_models() -> tuple[str, ...]:
    """Names of the built-in models, sorted."""
    return tuple(sorted(_BUILDERS))


def get_model(name: str) -> CellModel:
    """Built-in model by name (see :func:`list_models`); UnknownNameError otherwise."""
    key = str(name).strip().lower()
    if key not in _BUILDERS:
        raise UnknownNameError("neuron model", str(name), _BUILDERS)
    if key not in _CACHE:
        _CACHE[key] = _BUILDERS[key]()
    return _CACHE[key]


def hh_axon(bent: bool, fine_segment_m: float = HH_FINE_SEGMENT_M) -> CellModel:
    """The HH axon with another compartment length near its ends and middle (convergence tests)."""
    return _hh_axon(bent, fine_segment_m)
