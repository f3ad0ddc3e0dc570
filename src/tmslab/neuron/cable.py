"""Compartments of a morphology, laid out exactly as NEURON lays them out.

Each branch of ``n`` compartments becomes ``n`` nodes at the compartment centres (x = (j + 1/2) / n)
plus a node of zero membrane area at its far end (x = 1); the root also gets one at its near end
(x = 0). A node is joined to its parent node by the axial resistance of the half compartments
between them, each with its own diameter: NEURON's rule for sections without 3-D points
(``nrn_area_ri``). A compartment's membrane area is pi d L / n with d its mean diameter.

The nodes are numbered so that a parent always comes before its children (``parent[i] < i``),
the order Hines' elimination needs. Zero-area nodes carry no membrane and no capacitance; their
intracellular potential follows from Kirchhoff's law at every step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.neuron.membranes import Membrane
from tmslab.neuron.morphology import Morphology


@dataclass(frozen=True, eq=False)
class Cable:
    """The compartment tree of a morphology (M nodes).

    Attributes
    ----------
    parent : (M,) ndarray of int
        Index of the parent node, -1 for the root node.
    position_m : (M, 3) ndarray, m
        Node positions (compartment centres, branch ends).
    area_m2 : (M,) ndarray, m^2
        Membrane area (0 for branch-end nodes).
    g_axial_s : (M,) ndarray, S
        Conductance between a node and its parent (0 for the root).
    diameter_m : (M,) ndarray, m
        Compartment diameter (0 for branch-end nodes).
    length_m : (M,) ndarray, m
        Compartment length (0 for branch-end nodes).
    membrane_index : (M,) ndarray of int
        Index into ``membranes``, -1 for branch-end nodes.
    membranes : tuple of Membrane
        The distinct membranes of the cell.
    branch : (M,) ndarray of int
        Branch of each node.
    segment : (M,) ndarray of int
        Compartment index within its branch; -1 at x = 1, -2 at x = 0.
    """

    parent: np.ndarray
    position_m: np.ndarray
    area_m2: np.ndarray
    g_axial_s: np.ndarray
    diameter_m: np.ndarray
    length_m: np.ndarray
    membrane_index: np.ndarray
    membranes: tuple[Membrane, ...]
    branch: np.ndarray
    segment: np.ndarray

    @property
    def n_nodes(self) -> int:
        """Number of nodes M (compartments plus branch ends)."""
        return len(self.parent)

    @property
    def has_membrane(self) -> np.ndarray:
        """(M,) bool array: True for compartments, False for zero-area branch ends."""
        return self.membrane_index >= 0

    def node_at(self, branch: int, x: float) -> int:
        """Node that NEURON uses for location ``x`` of ``branch`` (the compartment holding x).

        Parameters
        ----------
        branch : int
            Branch index.
        x : float, dimensionless
            Position along the branch, 0 to 1.

        Returns
        -------
        int
            Node index.
        """
        hits = np.nonzero(self.branch == branch)[0]
        if len(hits) == 0:
            raise InvalidValueError(f"no branch {branch} in this cable")
        x = float(x)
        if not 0.0 <= x <= 1.0:
            raise InvalidValueError(f"x = {x!r}; it must be in [0, 1]")
        segments = self.segment[hits]
        n = int(np.sum(segments >= 0))
        if x == 1.0:
            return int(hits[segments == -1][0])
        if x == 0.0:
            if np.any(segments == -2):
                return int(hits[segments == -2][0])
            return int(self.parent[hits[segments == 0][0]])
        j = min(int(x * n), n - 1)
        return int(hits[segments == j][0])


def discretise(morphology: Morphology) -> Cable:
    """Lay out the compartments of ``morphology`` (see the module docstring).

    Parameters
    ----------
    morphology : Morphology
        Branches with their segment counts and membranes.

    Returns
    -------
    Cable
        The compartment tree.
    """
    membranes: list[Membrane] = []
    parent: list[int] = []
    position: list[np.ndarray] = []
    area: list[float] = []
    g_axial: list[float] = []
    diameter: list[float] = []
    length: list[float] = []
    membrane_index: list[int] = []
    branch_of: list[int] = []
    segment: list[int] = []
    first_segment: dict[int, int] = {}
    end_node: dict[int, int] = {}
    root_start = -1

    def add(p: int, pos, a: float, g: float, d: float, ln: float, mi: int, b: int, s: int) -> int:
        parent.append(p)
        position.append(np.asarray(pos, dtype=float))
        area.append(a)
        g_axial.append(g)
        diameter.append(d)
        length.append(ln)
        membrane_index.append(mi)
        branch_of.append(b)
        segment.append(s)
        return len(parent) - 1

    for b, br in enumerate(morphology.branches):
        if br.membrane not in membranes:
            membranes.append(br.membrane)
        mi = membranes.index(br.membrane)
        n = br.n_segments
        dx = br.length_m / n
        d = br.mean_diameters()
        half_r = 4.0 * br.membrane.ra_ohm_m * (dx / 2.0) / (np.pi * d**2)  # ohm
        centres = br.point_at((np.arange(n) + 0.5) / n)
        if br.parent < 0:
            root_start = add(-1, br.points_m[0], 0.0, 0.0, 0.0, 0.0, -1, b, -2)
            attach = root_start
        else:
            attach = _attach_node(
                br.parent, br.parent_x, morphology, first_segment, end_node, root_start
            )
        previous, previous_r = attach, 0.0
        for j in range(n):
            node = add(
                previous,
                centres[j],
                np.pi * d[j] * dx,
                1.0 / (previous_r + half_r[j]),
                d[j],
                dx,
                mi,
                b,
                j,
            )
            if j == 0:
                first_segment[b] = node
            previous, previous_r = node, half_r[j]
        end_node[b] = add(previous, br.points_m[-1], 0.0, 1.0 / previous_r, 0.0, 0.0, -1, b, -1)

    def frozen(values, dtype=float) -> np.ndarray:
        array = np.array(values, dtype=dtype)
        array.flags.writeable = False
        return array

    return Cable(
        parent=frozen(parent, np.int64),
        position_m=frozen(position),
        area_m2=frozen(area),
        g_axial_s=frozen(g_axial),
        diameter_m=frozen(diameter),
        length_m=frozen(length),
        membrane_index=frozen(membrane_index, np.int64),
        membranes=tuple(membranes),
        branch=frozen(branch_of, np.int64),
        segment=frozen(segment, np.int64),
    )


def _attach_node(
    parent: int,
    x: float,
    morphology: Morphology,
    first_segment: dict[int, int],
    end_node: dict[int, int],
    root_start: int,
) -> int:
    if x == 1.0:
        return end_node[parent]
    if x == 0.0:
        return root_start
    n = morphology.branches[parent].n_segments
    return first_segment[parent] + min(int(x * n), n - 1)
