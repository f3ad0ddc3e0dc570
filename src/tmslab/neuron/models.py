"""Cell models: geometry, membranes, temperature, where spikes are detected; the named registry.

Built-in models (``tmslab neuron list``)
---------------------------------------
``axon-straight``
    The default axon: an unmyelinated mammalian cortical axon at 37 degC, 1 um thick and 6 mm
    long, along x from -3 to +3 mm, with the unmyelinated-axon channels of Aberra et al. 2018
    (the Hay et al. 2011 / Blue Brain NaTa_t, Nap_Et2, K_Pst, K_Tst and Kv3.1 set, see
    :data:`tmslab.neuron.membranes.CTX_AXON_UNMYELINATED`), resting at -80.86 mV. Compartments
    as the HH axon's: 8 um within 300 um of the ends and of the middle, 25 um elsewhere. Its
    strength-duration time constant over the cTMS widths 30-120 us is 151 us, in the range
    measured in human motor cortex (tests/neuron/test_ctx_axon.py).
``axon-bent``
    The same axon with a 90 degree bend at its middle, as ``hh-axon-bent``.
``hh-axon-straight``
    Textbook model: unmyelinated Hodgkin-Huxley axon, 2 um thick and 6 mm long, along x from -3
    to +3 mm, at 6.3 degC (squid membrane as in NEURON's ``hh``; strength-duration time constant
    about 1.8 ms, ten times that of human cortex). Compartments are 8 um long within 300 um
    of the ends and of the middle, where a uniform field drives the cable, and 25 um elsewhere.
``hh-axon-bent``
    Textbook model: the same axon (same compartments) with a 90 degree bend at its middle: from
    (-3, 0, 0) mm to the origin along x, then to (0, 3, 0) mm along y.
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
``aberra-l5-pc``, ``aberra-l23-pc``
    The human L5 and L2/3 pyramidal cells of Aberra et al. 2018 from NeMo-TMS's myelinated SWC
    files, which tmslab does not ship (:mod:`tmslab.neuron.aberra`: where to put them), with
    the ``"aberra"`` membranes; listed only where the files are found.
``aberra-l1-ngc``, ``aberra-l4-lbc``, ``aberra-l6-pc``
    The L1 neurogliaform, L4 large basket and L6 pyramidal cells of Aberra et al. 2020 (clone 1)
    from the users' Blue Brain cell folders (:func:`model_from_bluebrain`: their adult human
    "maxH" version, each cell's own channel densities); listed only where the folders are found.

SWC cells (:func:`model_from_swc`)
----------------------------------
Types 1-4 as in the SWC standard; 5 myelin, 6/7 node of Ranvier and unmyelinated axon as in
NeMo-TMS's Aberra et al. 2018 cells (which of 6 and 7 is the node is read from the geometry, as
NeMo-TMS's L5 and L2/3 scripts swap them); other types are refused with their line unless mapped
(``swc_types``) or accepted as passive (``unknown_types="passive"``). Membranes ``"cortical"``
(MRG-type kinetics), ``"aberra"`` (Aberra et al. 2018's per-type channel densities, see
:mod:`tmslab.neuron.membranes`) or ``"hh"``; ``myelinate=True`` myelinates a plain axon first
(:mod:`tmslab.neuron.myelin`). What the model cannot
represent faithfully is listed in ``CellModel.warnings`` and printed beside every threshold.

Every model rests uniformly (HH -65 mV, MRG-type -80 mV, cortical axon -80.86 mV). A model
*fires* when the membrane potential at one of its recording sites crosses ``v_spike_v`` (0 mV)
upwards: the middle of each half of the 6 mm axons (1.5 mm from the ends), the 6th and 16th nodes of the MRG axon, the soma and the
second node of the L5 cell's main axon. Those sites lie far enough from where the field acts
that only a propagated action potential reaches 0 mV there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from functools import cached_property
from pathlib import Path

import numpy as np

from tmslab.errors import InvalidValueError, SpecFileError, UnknownNameError
from tmslab.neuron.cable import Cable, discretise
from tmslab.neuron.held import HeldChannels
from tmslab.neuron.membranes import (
    ABERRA_AXON_2018,
    ABERRA_DENDRITE,
    ABERRA_MYELIN,
    ABERRA_NODE,
    ABERRA_SOMA,
    ABERRA_UNMYELINATED,
    AXON_UNMYELINATED,
    CTX_AXON_UNMYELINATED,
    HH_SQUID,
    MRG_2002,
    MRG_INTERNODAL_AXOLEMMA_S_PER_M2,
    MRG_NODE,
    PASSIVE_DENDRITE,
    Membrane,
    myelin,
)
from tmslab.neuron.morphology import Branch, Morphology, polyline
from tmslab.sources import Source
from tmslab.units import MM, OHM_CM, S_PER_CM2, UF_PER_CM2, UM, UM_PER_M


@dataclass(frozen=True, eq=False)
class CellModel:
    """A cell ready for the solvers.

    Attributes
    ----------
    name : str
        Registry name.
    description : str
        One sentence.
    morphology : Morphology
        The tree of branches with their membranes (metres).
    celsius : float, degC
        Temperature (sets the channel kinetics).
    v_rest_v : float, V
        Resting potential of every membrane that takes its leak reversal from the cell; where
        membranes keep their own (``Membrane.e_leak_v``) the rest varies along the cell, see
        ``rest_v``.
    record : tuple of (int, float)
        (branch, x) sites where spikes are detected.
    response_window_s : float, s
        How long after the pulse ends spikes are looked for.
    threshold_guess_v_per_m : float, V/m
        First amplitude tried by the threshold search.
    source : Source
        Where the geometry comes from and what was assumed.
    v_spike_v : float, V
        Threshold of an upward crossing that counts as a spike.
    notes : tuple of str
        Modelling notes shown with the model.
    warnings : tuple of str
        What the model cannot represent faithfully (e.g. SWC axon types modelled with tmslab's
        kinetics rather than the original cell's); printed beside every threshold.
    plausible_thresholds_v_per_m : tuple of float, V/m
        (low, high) thresholds the cell type can have.
    held : HeldChannels or None
        Channels held at their resting state (Ih, Im, Ca, SK; :mod:`tmslab.neuron.held`), per
        node of ``cable``; None: none.
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
    warnings: tuple[str, ...] = field(default_factory=tuple)
    plausible_thresholds_v_per_m: tuple[float, float] = (0.0, float("inf"))
    held: HeldChannels | None = None

    def threshold_warnings(self, threshold_v_per_m: float) -> tuple[str, ...]:
        """``warnings``, plus one if a threshold is outside what the cell type can have.

        Parameters
        ----------
        threshold_v_per_m : float, V/m
            A threshold found for this cell.

        Returns
        -------
        tuple of str
            The warnings.
        """
        low, high = self.plausible_thresholds_v_per_m
        published = (
            "published: lowest 184 V/m, median 248 V/m for L5 pyramidal cells, Aberra et al. "
            "2020, Brain Stimul 13:175, doi 10.1016/j.brs.2019.10.002"
        )
        extra: tuple[str, ...] = ()
        if np.isfinite(threshold_v_per_m) and threshold_v_per_m > high:
            extra = (
                f"Threshold {threshold_v_per_m:.4g} V/m is implausibly high for a cortical "
                f"neuron (above {high:g} V/m; {published}); likely cause: the axon is missing, "
                "cut short or modelled as passive membrane.",
            )
        elif np.isfinite(threshold_v_per_m) and threshold_v_per_m < low:
            extra = (
                f"Threshold {threshold_v_per_m:.4g} V/m is implausibly low for a cortical "
                f"neuron (below {low:g} V/m; {published}); likely cause: a node of Ranvier or "
                "thin axon at a cut axon end (MRG nodal channels at a sealed end fire easily) "
                "or SWC types 6 and 7 swapped.",
            )
        return tuple(self.warnings) + extra

    @cached_property
    def cable(self) -> Cable:
        """The compartment tree (see :mod:`tmslab.neuron.cable`)."""
        return discretise(self.morphology)

    @cached_property
    def rest_v(self) -> np.ndarray:
        """Membrane potential of every node of ``cable`` at rest, (M,) ndarray, V.

        ``v_rest_v`` everywhere, or the steady state (:mod:`tmslab.neuron.rest`).
        """
        from tmslab.neuron.rest import resting_potentials

        return resting_potentials(self)

    @cached_property
    def record_nodes(self) -> np.ndarray:
        """Nodes of ``cable`` where spikes are detected; (R,) int array."""
        return np.array([self.cable.node_at(b, x) for b, x in self.record], dtype=np.int64)

    @property
    def membranes(self) -> tuple[Membrane, ...]:
        return self.cable.membranes

    def placed(self, rotation: np.ndarray, translation_m: np.ndarray) -> CellModel:
        """The same cell rotated about its origin and moved.

        Parameters
        ----------
        rotation : (3, 3) ndarray, dimensionless
            Proper rotation.
        translation_m : (3,) ndarray, m
            Shift after the rotation.

        Returns
        -------
        CellModel
            The placed cell.
        """
        moved = CellModel(
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
            self.warnings,
            self.plausible_thresholds_v_per_m,
            self.held,
        )
        moved.__dict__["rest_v"] = self.rest_v  # moving a cell does not change its rest
        return moved

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
            # where membranes keep their own e_pas the rest varies along the cell
            "rest_range_v": [float(np.min(self.rest_v)), float(np.max(self.rest_v))],
            "membranes": [m.name for m in cable.membranes],
            "source": self.source.to_dict(),
            "membrane_sources": {m.name: m.source.to_dict() for m in cable.membranes},
            "warnings": list(self.warnings),
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


def _straight_or_bent(
    membrane: Membrane, diameter_m: float, bent: bool, fine_segment_m: float
) -> list[Branch]:
    """Six branches: end, middle part and centre piece of each half of a 6 mm axon along x; the
    second half turns 90 degrees (to +y) when ``bent``. Compartments are ``fine_segment_m`` long
    within 300 um of the ends and of the middle, where a uniform field drives the cable."""
    second = np.array([0.0, 1.0, 0.0]) if bent else np.array([1.0, 0.0, 0.0])
    first = np.array([1.0, 0.0, 0.0])
    a, f = HH_HALF_LENGTH_M, HH_FINE_M
    stations_first = [-a, -a + f, -f, 0.0]
    stations_second = [0.0, f, a - f, a]
    branches: list[Branch] = []
    for k in range(3):
        p0, p1 = first * stations_first[k], first * stations_first[k + 1]
        step = HH_COARSE_SEGMENT_M if k == 1 else fine_segment_m
        branches.append(polyline([p0, p1], diameter_m, membrane, step, k - 1, 1.0, "axon"))
    for k in range(3):
        p0, p1 = second * stations_second[k], second * stations_second[k + 1]
        step = HH_COARSE_SEGMENT_M if k == 1 else fine_segment_m
        branches.append(polyline([p0, p1], diameter_m, membrane, step, 2 + k, 1.0, "axon"))
    return branches


def _hh_axon(bent: bool, fine_segment_m: float = HH_FINE_SEGMENT_M) -> CellModel:
    """The textbook HH axon (squid membrane, 6.3 degC)."""
    branches = _straight_or_bent(HH_SQUID, HH_DIAMETER_M, bent, fine_segment_m)
    name = "hh-axon-bent" if bent else "hh-axon-straight"
    description = (
        "Textbook HH axon (squid, 6.3 degC), 2 um x 6 mm, with a 90 degree bend at its middle"
        if bent
        else "Textbook HH axon (squid, 6.3 degC), 2 um x 6 mm, straight along x"
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


# -- mammalian cortical axons ------------------------------------------------------------------

CTX_AXON_DIAMETER_M = 1.0 * UM
CTX_AXON_V_REST_V = -0.08086  # the membrane's own rest with Aberra's e_pas = -75 mV
_CTX_AXON_SOURCE = Source(
    ABERRA_AXON_2018.citation,
    ABERRA_AXON_2018.doi,
    "Membrane: Aberra et al. 2018's unmyelinated axon at 37 degC (see the membrane's source). "
    "Geometry chosen for tmslab: 1 um diameter, within the 0.4-1.1 um (10th percentile to "
    "median) of the unmyelinated and nodal sections (SWC types 6 and 7) of NeMo-TMS's Aberra "
    "human L5 and L2/3 cells; 6 mm long with the HH axons' compartments, so the two compare "
    "compartment for compartment; 90 degree bend at the middle for the bent variant.",
)


def _ctx_axon(bent: bool, fine_segment_m: float = HH_FINE_SEGMENT_M) -> CellModel:
    """The mammalian cortical axon (Aberra et al. 2018 membrane, 37 degC)."""
    branches = _straight_or_bent(CTX_AXON_UNMYELINATED, CTX_AXON_DIAMETER_M, bent, fine_segment_m)
    name = "axon-bent" if bent else "axon-straight"
    shape = "with a 90 degree bend at its middle" if bent else "straight along x"
    return CellModel(
        name=name,
        description=f"Cortical axon, 1 um x 6 mm, {shape}, 37 degC (Aberra 2018 channels)",
        morphology=Morphology(tuple(branches), name),
        celsius=37.0,
        v_rest_v=CTX_AXON_V_REST_V,
        record=((1, 0.5), (4, 0.5)),
        response_window_s=CTX_AXON_WINDOW_S,
        threshold_guess_v_per_m=1500.0,
        source=_CTX_AXON_SOURCE,
    )


CTX_AXON_WINDOW_S = 4e-3
# Aberra's cells: their latest spike at threshold comes 1.70 ms after the pulse's onset (the five
# types over 800 uniform-field directions, MagPro monophasic); a 4 ms window gives the same
# thresholds in every one of them, at 1.5x the cost (measured). Aberra et al. stop at 1 ms.
CORTICAL_CELL_WINDOW_S = 2e-3


# -- myelinated axons ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MyelinatedGeometry:
    """Single-cable myelinated fibre: node and internode sizes and myelin lamellae.

    Attributes
    ----------
    node_diameter_m, node_length_m : float, m
        Node of Ranvier diameter and length.
    axon_diameter_m : float, m
        Axon diameter under the myelin.
    internode_length_m : float, m
        Internode length.
    n_lamellae : int
        Myelin lamellae.
    internode_segments : int
        Compartments per internode.
    """

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

    Parameters
    ----------
    start_m : (3,) ndarray, m
        Start point.
    direction : (3,) ndarray, dimensionless
        Unit direction of the fibre.
    n_internodes : int
        Number of internodes.
    geometry : MyelinatedGeometry
        Node and internode sizes.
    parent : int
        Branch the path attaches to (-1: root).
    parent_x : float, dimensionless
        Attachment point on the parent, fraction of its length.
    first_index : int
        Index of the first branch in the final morphology; the branches are numbered from it.
    start_with_node : bool
        Begin with a node (else with an internode).
    label : str
        Prefix of the branch labels.

    Returns
    -------
    list of Branch
        The branches, in order.
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

SWC_MEMBRANES = ("cortical", "hh", "aberra")
SWC_ROLES = ("soma", "axon", "dendrite", "myelin", "node", "unmyelinated", "passive")
UNKNOWN_TYPE_POLICIES = ("error", "passive")
NODE_RUN_MAX_M = 3.0 * UM  # a node of Ranvier is about 1 um long; terminals are longer
REALISTIC_NEURONS_ISSUE = "see issue 'realistic cortical neurons'"

ABERRA_2018 = Source(
    "Aberra AS, Peterchev AV, Grill WM (2018). Biophysically realistic neuron models for "
    "simulation of cortical stimulation. J Neural Eng 15:066023",
    "10.1088/1741-2552/aadbb1",
    "Myelin as a passive membrane of cm 0.02 uF/cm^2 and g 1/1.125e6 S/cm^2, Ra 100 ohm cm; "
    "the same values in NeMo-TMS's Aberra_L5_model.m and Aberra_L23_model.m (Shirinpour et al. "
    "2021, Brain Stimul 14:1470, doi 10.1016/j.brs.2021.09.004).",
)
# Myelinated internode of an SWC cell: Aberra 2018's sheath capacitance and leak, plus the
# internodal axolemma leak of MRG 2002 (0.0001 S/cm^2) that a single-cable MRG-kinetics axon
# needs for a stable rest (see membranes.myelin); the added leak is flagged in the warnings.
SWC_MYELIN = Membrane(
    name="swc-myelin",
    channels="passive",
    cm_f_per_m2=0.02 * UF_PER_CM2,
    g_leak_s_per_m2=(1.0 / 1.125e6) * S_PER_CM2 + MRG_INTERNODAL_AXOLEMMA_S_PER_M2,
    ra_ohm_m=100.0 * OHM_CM,
    source=ABERRA_2018,
)


ABERRA_SWC_WARNING = (
    "Aberra 2018 membranes (--membrane aberra): the Hay/Blue Brain axon channels (NaTa_t, "
    "Nap_Et2, K_Pst, K_Tst, Kv3.1) on nodes (NaTa_t doubled) and unmyelinated axon; left "
    "out: calcium channels, calcium dynamics and SK_E2 (initial segment, soma), Ih and Im, and "
    "all dendritic channels (passive dendrites, cm 2 uF/cm^2); soma NaTs2_t and Kv3.1. Every "
    "section's leak reverses at e_pas = -75 mV and the cell starts from its steady state "
    "(-76.8 to -75.7 mV in the L5 cell)."
)


def _median_run_lengths(pieces) -> dict[int, float]:
    lengths: dict[int, list[float]] = {}
    for piece in pieces:
        steps = np.linalg.norm(np.diff(piece.points_m, axis=0), axis=1)
        lengths.setdefault(piece.kind, []).append(float(np.sum(steps)))
    return {kind: float(np.median(v)) for kind, v in lengths.items()}


def _swc_roles(
    points, pieces, swc_types, unknown_types, where, aberra: bool = False
) -> tuple[dict[int, str], list[str]]:
    """Role of every SWC type in the file, and the warnings the choice needs.

    Types 1-4 are soma, axon and dendrites; 5 is myelin. Types 6 and 7 have no fixed meaning:
    NeMo-TMS's Aberra_L5_model.m names them node and unmyelin, its Aberra_L23_model.m the other
    way round, and the SWC file does not say which. They are taken from ``swc_types`` if given,
    else from their geometry (a node's runs are about 1 um long, median <= 3 um).
    """
    from tmslab.neuron.swc import NODE, UNMYELINATED

    present = sorted({p.kind for p in points})
    first_line = {}
    for p in points:
        first_line.setdefault(p.kind, p.line)
    roles: dict[int, str] = {1: "soma", 2: "axon", 3: "dendrite", 4: "dendrite", 5: "myelin"}
    warnings: list[str] = []
    given = dict(swc_types or {})
    for kind, role in given.items():
        if role not in SWC_ROLES:
            raise UnknownNameError(f"role of SWC type {kind}", str(role), SWC_ROLES)
        roles[int(kind)] = role
    # In the original SWC standard (Cannon et al. 1998) 5 and 6 are fork and end points and 7 is
    # custom: such points sit on dendrites. An axon type that continues a dendrite is refused.
    for piece in pieces:
        if piece.kind in (5, 6, 7) and piece.kind not in given and piece.parent >= 0:
            parent_kind = pieces[piece.parent].kind
            if parent_kind in (3, 4):
                raise SpecFileError(
                    f"{where}, line {piece.line}: SWC type {piece.kind} continues a dendrite "
                    f"(type {parent_kind}); tmslab reads 5-7 as myelin, node and unmyelinated "
                    "axon (NeMo-TMS), but in the original SWC standard 5 and 6 are fork and end "
                    f"points: say what they are, e.g. swc_types={{{piece.kind}: 'dendrite'}} "
                    f"(CLI --swc-types {piece.kind}=dendrite)"
                )
    runs = _median_run_lengths(pieces)
    guessed = [k for k in (NODE, UNMYELINATED) if k in present and k not in given]
    for kind in guessed:
        roles[kind] = "node" if runs[kind] <= NODE_RUN_MAX_M else "unmyelinated"
    if guessed:
        node_like = [k for k in (NODE, UNMYELINATED) if roles.get(k) == "node" and k in present]
        if len(node_like) > 1:
            raise SpecFileError(
                f"{where}: SWC types 6 and 7 both look like nodes of Ranvier (runs of about "
                f"{runs[6] * UM_PER_M:.2g} and {runs[7] * UM_PER_M:.2g} um); say which is which, e.g. "
                "swc_types={6: 'node', 7: 'unmyelinated'} (CLI --swc-types 6=node,7=unmyelinated)"
            )
        described = ", ".join(
            f"type {k} as {'nodes of Ranvier' if roles[k] == 'node' else 'unmyelinated axon'} "
            f"(median run {runs[k] * UM_PER_M:.2g} um)"
            for k in guessed
        )
        warnings.append(
            "SWC types 6 and 7 have no fixed meaning (NeMo-TMS's L5 and L2/3 Aberra scripts swap "
            f"them); taken from the geometry: {described}. Give swc_types / --swc-types to fix "
            "them."
        )
    unknown = [k for k in present if k not in roles]
    if unknown:
        if unknown_types == "error":
            kind = unknown[0]
            raise SpecFileError(
                f"{where}, line {first_line[kind]}: SWC type {kind} is not one tmslab can model "
                "(1 soma, 2 axon, 3/4 dendrites, 5 myelin, 6/7 node or unmyelinated axon); map it "
                f"with swc_types={{{kind}: 'dendrite'}} or accept it as passive with "
                "unknown_types='passive' (CLI --unknown-types passive)"
            )
        for kind in unknown:
            roles[kind] = "passive"
        count = sum(1 for p in points if p.kind in unknown)
        warnings.append(
            f"SWC type(s) {', '.join(map(str, unknown))} ({count} points, first on line "
            f"{first_line[unknown[0]]}) are not known to tmslab and were modelled as passive "
            "dendrite membrane (unknown_types='passive'); if they are axon, the threshold is "
            "too high."
        )
    axon_roles = {roles[k] for k in present} & {"myelin", "node", "unmyelinated"}
    if axon_roles:
        names = ", ".join(
            f"type {k} as {roles[k]}"
            for k in present
            if roles[k] in ("myelin", "node", "unmyelinated")
        )
        if aberra:
            warnings.append(ABERRA_SWC_WARNING)
        else:
            warnings.append(
                f"Axon (SWC {names}) modelled with tmslab's channels: McIntyre et al. 2002 (MRG) "
                "nodal kinetics at nodes, MRG kinetics at a tenth of the nodal densities on "
                "unmyelinated axon, Aberra 2018's myelin (cm 0.02 uF/cm^2) with MRG's internodal "
                "leak added for a stable rest; not Aberra 2018's Blue Brain channel set, so the "
                f"threshold is an approximation of theirs ({REALISTIC_NEURONS_ISSUE})."
            )
    elif any(roles[k] == "axon" for k in present) and aberra:
        warnings.append(
            "The axon has no myelin or nodes (no SWC type modelled as either) and is modelled "
            "as unmyelinated axon with Aberra 2018's axon channels; Aberra's cells are "
            "myelinated (myelinate it by their rules: tmslab.neuron.myelin.myelinate), and a "
            "myelinated axon has a lower threshold."
        )
        warnings.append(ABERRA_SWC_WARNING)
    elif any(roles[k] == "axon" for k in present):
        warnings.append(
            "The axon has no myelin or nodes (no SWC type modelled as either) and is modelled "
            "as unmyelinated membrane (SWC type 2) with MRG kinetics at a tenth of the nodal "
            "densities; a myelinated cortical axon would have a lower threshold "
            f"({REALISTIC_NEURONS_ISSUE})."
        )
    else:
        warnings.append(
            "The file has no axon (no SWC type 2, 5, 6 or 7): only the soma can start an action "
            "potential, so the threshold is far above that of a real cell with its axon."
        )
    return roles, warnings


def model_from_swc(
    path: str | Path,
    membrane: str = "cortical",
    max_segment_m: float = 20.0 * UM,
    name: str | None = None,
    swc_types: dict[int, str] | None = None,
    unknown_types: str = "error",
    myelinate=False,
) -> CellModel:
    """A cell from an SWC file (types as in :mod:`tmslab.neuron.swc`).

    Spikes are detected at the soma (or root). The returned model's ``warnings`` list what it
    cannot represent faithfully.

    Parameters
    ----------
    path : str or Path
        SWC file (micrometres).
    membrane : str
        "cortical" (37 degC, rest -80 mV: soma, axon (2) and unmyelinated axon with MRG kinetics
        at a tenth of the nodal densities, nodes of Ranvier with MRG nodal channels, myelin (5)
        with Aberra 2018's sheath, dendrites (3, 4) passive), "aberra" (Aberra et al. 2018 as
        NeMo-TMS sets it, 37 degC, rest -80.86 mV: their axon channels on axon, unmyelinated axon
        and soma, doubled NaTa_t on nodes, their passive myelin, passive dendrites of cm
        2 uF/cm^2; the omissions are in ``warnings``) or "hh" (HH squid membrane on everything
        but myelin, 6.3 degC).
    max_segment_m : float, m
        Longest compartment.
    name : str or None
        Model name; None: the file stem.
    swc_types : dict of int to str or None
        Roles of SWC types, e.g. ``{6: "unmyelinated", 7: "node"}`` (roles: soma, axon,
        dendrite, myelin, node, unmyelinated, passive); 6 and 7 are otherwise recognised from
        their geometry.
    unknown_types : str
        "error" refuses any other type with its line; "passive" models it as passive dendrite and
        says so in ``warnings``.
    myelinate : bool or MyelinationRules
        Myelinate the plain axon (SWC type 2) first (:func:`tmslab.neuron.myelin.myelinate`,
        True: Aberra et al. 2018's rules); the file must not have types 5 or 6 already.

    Returns
    -------
    CellModel
        The cell.

    Raises
    ------
    SpecFileError
        If the file is malformed or its types are ambiguous or unknown.
    UnknownNameError
        For an unknown membrane, role or policy.
    InvalidValueError
        If ``max_segment_m`` is not positive or the cell would have too many compartments.
    """
    from tmslab.neuron.morphology import segments_for_length
    from tmslab.neuron.swc import SOMA, _read_points, swc_branches

    if membrane not in SWC_MEMBRANES:
        raise UnknownNameError("SWC membrane", membrane, SWC_MEMBRANES)
    if unknown_types not in UNKNOWN_TYPE_POLICIES:
        raise UnknownNameError("policy for unknown SWC types", unknown_types, UNKNOWN_TYPE_POLICIES)
    if not max_segment_m > 0:
        raise InvalidValueError(f"max_segment_m = {max_segment_m!r}; it must be > 0 m")
    points, where = _read_points(path)
    myelinated_here = myelinate is not False and myelinate is not None
    if myelinated_here:
        from tmslab.neuron.myelin import ABERRA_2018_RULES
        from tmslab.neuron.myelin import myelinate as _myelinate

        rules = ABERRA_2018_RULES if myelinate is True else myelinate
        points = _myelinate(points, rules)
        swc_types = {6: "node", 7: "unmyelinated", **(swc_types or {})}
    pieces = swc_branches(points, where=where)
    roles, warnings = _swc_roles(
        points, pieces, swc_types, unknown_types, where, aberra=membrane == "aberra"
    )
    hh = membrane == "hh"
    if myelinated_here:
        warnings.append(
            "Axon (SWC type 2) myelinated by tmslab after Aberra et al. 2018's rules (1 um "
            "nodes, internodes 100 x diameter, terminals and the initial segment unmyelinated; "
            "tmslab.neuron.myelin): not the authors' own myelinated cell."
        )
    if hh:
        warnings.append(
            "HH squid membrane (6.3 degC) on soma, axon, nodes and dendrites; only myelin keeps "
            "its own passive membrane: a teaching model, not a cortical cell."
        )

    aberra = membrane == "aberra"

    def membrane_of(kind: int) -> Membrane:
        role = roles[kind]
        if aberra:
            return {
                "myelin": ABERRA_MYELIN,
                "node": ABERRA_NODE,
                "unmyelinated": ABERRA_UNMYELINATED,
                "axon": ABERRA_UNMYELINATED,
                "soma": ABERRA_SOMA,
            }.get(role, ABERRA_DENDRITE)
        if role == "myelin":
            return SWC_MYELIN
        if hh:
            return HH_SQUID
        if role == "node":
            return MRG_NODE
        if role in ("soma", "axon", "unmyelinated"):
            return AXON_UNMYELINATED
        return PASSIVE_DENDRITE

    lengths = [float(np.sum(np.linalg.norm(np.diff(p.points_m, axis=0), axis=1))) for p in pieces]
    counts = [
        1 if p.kind == SOMA and p.parent < 0 else segments_for_length(length, max_segment_m)
        for p, length in zip(pieces, lengths, strict=True)
    ]
    if sum(counts) > MAX_SWC_COMPARTMENTS:
        raise InvalidValueError(
            f"{where}: {sum(counts)} compartments of at most {max_segment_m * UM_PER_M:g} um; more "
            f"than {MAX_SWC_COMPARTMENTS} is beyond a single-cell model here: raise "
            "--max-segment-um or check the file's units (micrometres)"
        )
    labels = {
        "soma": "soma",
        "axon": "axon",
        "myelin": "myelin",
        "node": "node",
        "unmyelinated": "unmyelinated",
        "passive": "passive",
    }
    branches = [
        Branch(
            piece.points_m,
            piece.diameters_m,
            membrane_of(piece.kind),
            n,
            piece.parent,
            piece.parent_x,
            {3: "dend", 4: "apic"}.get(piece.kind, labels.get(roles[piece.kind], "dend"))
            if piece.kind in (1, 2, 3, 4, 5, 6, 7)
            else f"type-{piece.kind}",
        )
        for piece, n in zip(pieces, counts, strict=True)
    ]
    with_children = {piece.parent for piece in pieces}
    axon_ends = [
        roles[p.kind]
        for i, p in enumerate(pieces)
        if i not in with_children and roles[p.kind] in ("axon", "node", "unmyelinated")
    ]
    if axon_ends.count("node") and aberra:
        warnings.append(
            f"{axon_ends.count('node')} of {len(axon_ends)} axon ends are nodes of Ranvier (as in "
            "the file), with the nodal channels (NaTa_t doubled): such terminals are where "
            "Aberra et al. 2018 find the action potential starts."
        )
    elif axon_ends.count("node") and not hh:
        warnings.append(
            f"{axon_ends.count('node')} of {len(axon_ends)} axon ends are nodes of Ranvier (as in "
            "the file): with MRG nodal channels at a sealed end they are the most excitable "
            "sites, and set the threshold in most field directions."
        )
    label = name or Path(path).stem
    return CellModel(
        name=label,
        description=f"SWC morphology {Path(path).name} ({membrane} membrane)",
        morphology=Morphology(tuple(branches), label),
        celsius=6.3 if hh else 37.0,
        v_rest_v=-0.065 if hh else (CTX_AXON_V_REST_V if aberra else -0.080),
        record=((0, 0.5),),
        response_window_s=6e-3 if hh else (CORTICAL_CELL_WINDOW_S if aberra else 1.5e-3),
        threshold_guess_v_per_m=300.0,
        source=Source(
            f"SWC file {Path(path).name} (user supplied)",
            "",
            "Membranes: "
            + (
                "HH squid (Hodgkin & Huxley 1952), myelin after Aberra et al. 2018"
                if hh
                else "soma and axon MRG kinetics at one tenth of the nodal densities, nodes MRG "
                "2002, myelin Aberra et al. 2018 plus MRG internodal leak, passive dendrites "
                "(assumptions)"
            ),
        ),
        warnings=tuple(warnings),
        plausible_thresholds_v_per_m=(0.0, float("inf")) if hh else PLAUSIBLE_CORTICAL_V_PER_M,
    )


def model_from_bluebrain(
    folder: str | Path, name: str | None = None, max_segment_m: float = 20.0 * UM
) -> CellModel:
    """A Blue Brain cell folder as Aberra et al. 2020's adult human "maxH" model.

    Morphology ``morphology/*.asc`` and ``biophysics.hoc`` densities, scaled, rotated (apical
    along +z) and myelinated as :mod:`tmslab.neuron.bluebrain` describes; 37 degC; spikes
    detected at the soma and at every node of Ranvier (Aberra et al. count a spike anywhere in
    the cell). What is held at rest or assumed is in ``warnings``.

    Parameters
    ----------
    folder : str or Path
        The cell folder, e.g. ``.../L5_TTPC2_cADpyr232_1``.
    name : str or None
        Model name; None: the folder's name.
    max_segment_m : float, m
        Longest compartment.

    Returns
    -------
    CellModel
        The cell.

    Raises
    ------
    SpecFileError
        If a file is missing or malformed.
    InvalidValueError
        If ``max_segment_m`` is not positive or the cell would have too many compartments.
    """
    from tmslab.neuron.bluebrain import ABERRA_2020, CELSIUS, held_channels, read_cell_folder
    from tmslab.neuron.morphology import segments_for_length
    from tmslab.neuron.swc import SOMA, swc_branches

    if not max_segment_m > 0:
        raise InvalidValueError(f"max_segment_m = {max_segment_m!r}; it must be > 0 m")
    cell = read_cell_folder(folder)
    where = cell.asc.name
    pieces = swc_branches(cell.points, where=where)
    labels = {1: "soma", 3: "dend", 4: "apic", 5: "myelin", 6: "node", 7: "unmyelinated"}
    counts = [
        1
        if p.kind == SOMA and p.parent < 0
        else segments_for_length(
            float(np.sum(np.linalg.norm(np.diff(p.points_m, axis=0), axis=1))), max_segment_m
        )
        for p in pieces
    ]
    if sum(counts) > MAX_SWC_COMPARTMENTS:
        raise InvalidValueError(
            f"{where}: {sum(counts)} compartments of at most {max_segment_m * UM_PER_M:g} um; "
            f"more than {MAX_SWC_COMPARTMENTS}: raise max_segment_m"
        )
    branches = [
        Branch(
            piece.points_m,
            piece.diameters_m,
            cell.membranes[piece.kind],
            n,
            piece.parent,
            piece.parent_x,
            labels[piece.kind],
        )
        for piece, n in zip(pieces, counts, strict=True)
    ]
    label = name or Path(folder).name
    # Aberra et al. 2020 count an action potential anywhere (0 mV crossed in > 2 compartments,
    # nrn/threshold_finder.hoc, run_stim.hoc spike_record_mode 4): here the soma and the middle
    # of every node of Ranvier, so a spike that starts at a terminal and propagates counts even
    # where it fails to invade the soma.
    nodes = tuple((k, 0.5) for k, b in enumerate(branches) if b.label == "node")
    morphology = Morphology(tuple(branches), label)
    cable = discretise(morphology)
    held = held_channels(morphology.branches, cable, cell.biophysics, "biophysics.hoc")
    model = CellModel(
        name=label,
        description=f"Blue Brain cell {Path(folder).name}, Aberra et al. 2020 adult human "
        "(maxH) version",
        morphology=morphology,
        celsius=CELSIUS,
        v_rest_v=cell.v_rest_v,
        record=((0, 0.5), *nodes),
        response_window_s=CORTICAL_CELL_WINDOW_S,
        threshold_guess_v_per_m=300.0,
        source=ABERRA_2020,
        warnings=cell.warnings,
        plausible_thresholds_v_per_m=PLAUSIBLE_CORTICAL_V_PER_M,
        held=held,
    )
    model.__dict__["cable"] = cable  # the compartments the held channels were placed on
    return model


# About a quarter of the lowest and 4x the median published L5 threshold (Aberra 2020: 184 and
# 248 V/m): outside this range a cortical cell's threshold points at a modelling problem.
PLAUSIBLE_CORTICAL_V_PER_M = (50.0, 1000.0)
MAX_SWC_COMPARTMENTS = 200_000


_BUILDERS: dict[str, Callable[[], CellModel]] = {
    "axon-straight": lambda: _ctx_axon(bent=False),
    "axon-bent": lambda: _ctx_axon(bent=True),
    "hh-axon-straight": lambda: _hh_axon(bent=False),
    "hh-axon-bent": lambda: _hh_axon(bent=True),
    "mrg-axon": _mrg_axon,
    "l5-pyramidal": _l5_pyramidal,
}
_CACHE: dict[str, CellModel] = {}


def _missing_cell(name: str, needs: str) -> Exception:
    """The one-line error of a named cell whose files are on none of the search paths."""
    from tmslab.neuron.aberra import MORPHOLOGY_ENV, MorphologyNotFoundError, morphology_dirs

    where = ", ".join(str(d) for d in morphology_dirs())
    return MorphologyNotFoundError(
        f"{name} needs {needs}; put it in ${MORPHOLOGY_ENV} or one of: {where}"
    )


def _not_the_published_file(path: Path, expected_sha256: str, what: str) -> tuple[str, ...]:
    """A warning if ``path`` is not the file tmslab validated (its SHA-256 differs)."""
    from tmslab.neuron.aberra import sha256

    if sha256(path) == expected_sha256:
        return ()
    return (
        f"{path} is not {what} (SHA-256 differs): modelled as given, but its thresholds are "
        "not the ones validated in docs/validation-neurons.md.",
    )


def aberra_model(name: str) -> CellModel:
    """The named Aberra cell, built from the user's NeMo-TMS file.

    Parameters
    ----------
    name : str
        A key of :data:`tmslab.neuron.aberra.CELLS`.

    Returns
    -------
    CellModel
        The cell, membranes ``"aberra"``, 37 degC.

    Raises
    ------
    MorphologyNotFoundError
        If the file is in none of :func:`morphology_dirs`.
    """
    from tmslab.neuron.aberra import CELLS, NEMO_TMS_2021, NEMO_TMS_URL, find_morphology

    cell = CELLS[name]
    path = find_morphology(cell)
    if path is None:
        raise _missing_cell(name, f"{cell.filename} (NeMo-TMS, GPL-3, not shipped: {NEMO_TMS_URL})")
    model = model_from_swc(path, membrane="aberra", name=name, swc_types=dict(cell.swc_types))
    morphology, cable, held, channels = _nemo_biophysics(model, name)
    warnings = _not_the_published_file(path, cell.sha256, f"NeMo-TMS's {cell.filename}")
    warnings += (*(w for w in model.warnings if w != ABERRA_SWC_WARNING), channels)
    named = dataclass_replace(
        model,
        morphology=morphology,
        held=held,
        description=cell.description,
        source=NEMO_TMS_2021,
        warnings=warnings,
        plausible_thresholds_v_per_m=PLAUSIBLE_CORTICAL_V_PER_M,
        notes=(
            "Published context: Aberra et al. 2020 (Brain Stimul 13:175, doi "
            "10.1016/j.brs.2019.10.002): L5 pyramidal cells have the lowest thresholds of the "
            "five types, lowest 184 V/m and median 248 V/m over directions for a monophasic "
            "MagPro pulse; action potentials start at axon terminals (Aberra et al. 2018).",
        ),
    )
    named.__dict__["cable"] = cable  # the compartments the held channels were placed on
    return named


def _nemo_biophysics(model: CellModel, name: str):
    """The named SWC cell's membranes per section type and its held channels, from the densities
    NeMo-TMS's model script gives that cell (``data/neuron/nemo_tms/<name>.biophysics.hoc``)."""
    from importlib.resources import files

    from tmslab.neuron.aberra import NEMO_TMS_2021
    from tmslab.neuron.bluebrain import held_channels, parse_biophysics, section_membranes

    where = f"{name}.biophysics.hoc"
    text = (files("tmslab") / "data" / "neuron" / "nemo_tms" / where).read_text()
    bio = parse_biophysics(text, where)
    membranes = section_membranes(bio, NEMO_TMS_2021, name)
    branches = tuple(
        dataclass_replace(b, membrane=membranes.get(b.label, b.membrane))
        for b in model.morphology.branches
    )
    morphology = Morphology(branches, model.morphology.name)
    cable = discretise(morphology)
    held = held_channels(branches, cable, bio, where)
    channels = (
        f"Membranes per section type as NeMo-TMS's model script sets them for this cell "
        f"(tmslab/data/neuron/nemo_tms/{where}): NaTa_t, NaTs2_t (soma and apical dendrite), "
        "Nap_Et2, K_Pst, K_Tst and SKv3_1 integrated; Ih, Im, Ca_HVA, Ca_LVAst, SK_E2 and "
        "CaDynamics_E2 held at their resting state (tmslab.neuron.held: they set the rest, their "
        "gating during the pulse is not simulated); every leak at e_pas = -75 mV, the cell "
        "starting from its steady state."
    )
    return morphology, cable, held, channels


def aberra_folder_model(name: str) -> CellModel:
    """A named Blue Brain cell of Aberra et al. 2020, built from the user's cell folder.

    Parameters
    ----------
    name : str
        A key of :data:`tmslab.neuron.aberra.FOLDER_CELLS`.

    Returns
    -------
    CellModel
        The cell (:func:`model_from_bluebrain`).

    Raises
    ------
    MorphologyNotFoundError
        If the folder is in none of :func:`tmslab.neuron.aberra.morphology_dirs`.
    """
    from tmslab.neuron.aberra import ABERRA_2020_URL, FOLDER_CELLS, find_folder

    cell = FOLDER_CELLS[name]
    folder = find_folder(cell)
    if folder is None:
        raise _missing_cell(
            name,
            f"the Blue Brain cell folder {cell.folder}/ (morphology/{cell.asc} and "
            f"biophysics.hoc; CC BY-NC-SA, not shipped: {ABERRA_2020_URL})",
        )
    model = model_from_bluebrain(folder, name=name)
    asc = folder / "morphology" / cell.asc
    warnings = _not_the_published_file(asc, cell.sha256, f"Aberra et al.'s {cell.asc}")
    warnings += model.warnings
    return dataclass_replace(
        model,
        description=cell.description,
        warnings=warnings,
        notes=(
            "Published: Aberra et al. 2020 (Brain Stimul 13:175, doi 10.1016/j.brs.2019.10.002), "
            "uniform-field thresholds of this clone over 398 directions in their repository "
            "(mat/nrn_sim_data/utms_maxH_w1_1-25.mat); see docs/validation-neurons.md.",
        ),
    )


def _aberra_builder(name: str) -> Callable[[], CellModel]:
    return lambda: aberra_model(name)


def _folder_builder(name: str) -> Callable[[], CellModel]:
    return lambda: aberra_folder_model(name)


# Aberra et al. cells: known by name always, built from the user's NeMo-TMS files or Blue Brain
# cell folders.
_BUILDERS.update({name: _aberra_builder(name) for name in ("aberra-l5-pc", "aberra-l23-pc")})
_FOLDER_MODELS = ("aberra-l1-ngc", "aberra-l4-lbc", "aberra-l6-pc")
_BUILDERS.update({name: _folder_builder(name) for name in _FOLDER_MODELS})
_USER_FILE_MODELS = frozenset(("aberra-l5-pc", "aberra-l23-pc", *_FOLDER_MODELS))


def list_models() -> tuple[str, ...]:
    """Names of the models that can be built here, sorted.

    The Aberra cells (``aberra-l5-pc``, ``aberra-l23-pc``, ``aberra-l1-ngc``,
    ``aberra-l4-lbc``, ``aberra-l6-pc``) are listed only when their files are found
    (:mod:`tmslab.neuron.aberra`).
    """
    from tmslab.neuron.aberra import available

    present = set(available())
    return tuple(sorted(k for k in _BUILDERS if k not in _USER_FILE_MODELS or k in present))


def get_model(name: str) -> CellModel:
    """Built-in model by name (see :func:`list_models`).

    Parameters
    ----------
    name : str
        Model name.

    Returns
    -------
    CellModel
        The model.

    Raises
    ------
    UnknownNameError
        If there is no such model.
    """
    key = str(name).strip().lower()
    if key not in _BUILDERS:
        raise UnknownNameError("neuron model", str(name), _BUILDERS)
    if key not in _CACHE:
        _CACHE[key] = _BUILDERS[key]()
    return _CACHE[key]


def hh_axon(bent: bool, fine_segment_m: float = HH_FINE_SEGMENT_M) -> CellModel:
    """The HH axon with another compartment length near its ends and middle (convergence tests).

    Parameters
    ----------
    bent : bool
        The bent variant.
    fine_segment_m : float, m
        Compartment length near the ends and middle.

    Returns
    -------
    CellModel
        The axon.
    """
    return _hh_axon(bent, fine_segment_m)
