"""Cell geometry: unbranched branches (polylines with diameters) joined into a tree.

A :class:`Morphology` is a tuple of :class:`Branch` es in topological order: branch 0 is the root
(``parent = -1``) and every other branch attaches to an earlier one at ``parent_x`` (a fraction
of the parent's length: 1 is its far end, 0 its near end, which only the root may offer). Each
branch carries the :class:`~tmslab.neuron.membranes.Membrane` it is made of and the number of
compartments it is cut into (NEURON's ``nseg``). Positions and diameters are in metres.

Pure geometry: no NEURON, no I/O (SWC files are read in :mod:`tmslab.neuron.swc`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.neuron.membranes import Membrane


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=float)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Branch:
    """One unbranched cable.

    Attributes
    ----------
    points_m : (K, 3) ndarray, m
        The centre line, K >= 2.
    diameters_m : (K,) ndarray, m
        Diameter at each point (> 0, linear in between).
    membrane : Membrane
        What the branch is made of.
    n_segments : int
        Number of compartments (equal lengths along the centre line).
    parent : int
        Index of the parent branch, -1 for the root.
    parent_x : float, dimensionless
        Attachment point on the parent, fraction of its length in [0, 1].
    label : str
        Free text ("soma", "axon", "node", "myelin", "dend", ...).
    """

    points_m: np.ndarray
    diameters_m: np.ndarray
    membrane: Membrane
    n_segments: int
    parent: int = -1
    parent_x: float = 1.0
    label: str = ""

    def __post_init__(self) -> None:
        points = np.asarray(self.points_m, dtype=float)
        diameters = np.asarray(self.diameters_m, dtype=float)
        if points.ndim != 2 or points.shape[1] != 3 or len(points) < 2:
            raise InvalidValueError(
                f"branch {self.label!r}: points_m has shape {points.shape}; give a (K, 3) array "
                "with K >= 2, metres"
            )
        if diameters.shape != (len(points),):
            raise InvalidValueError(
                f"branch {self.label!r}: diameters_m has shape {diameters.shape}; give one "
                f"diameter per point, shape ({len(points)},)"
            )
        if not (np.all(np.isfinite(points)) and np.all(np.isfinite(diameters))):
            raise InvalidValueError(f"branch {self.label!r}: points and diameters must be finite")
        if not np.all(diameters > 0):
            raise InvalidValueError(f"branch {self.label!r}: every diameter must be > 0 m")
        if not np.all(np.linalg.norm(np.diff(points, axis=0), axis=1) > 0):
            raise InvalidValueError(
                f"branch {self.label!r}: two consecutive points coincide; remove the duplicate"
            )
        n = self.n_segments
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise InvalidValueError(
                f"branch {self.label!r}: n_segments = {n!r}; it must be an integer >= 1"
            )
        if not 0.0 <= float(self.parent_x) <= 1.0:
            raise InvalidValueError(
                f"branch {self.label!r}: parent_x = {self.parent_x!r}; it must be in [0, 1]"
            )
        object.__setattr__(self, "points_m", _frozen(points))
        object.__setattr__(self, "diameters_m", _frozen(diameters))
        object.__setattr__(self, "n_segments", int(n))
        object.__setattr__(self, "parent_x", float(self.parent_x))

    @property
    def arc_m(self) -> np.ndarray:
        """Cumulative length along the centre line at each point; (K,) array, metres."""
        steps = np.linalg.norm(np.diff(self.points_m, axis=0), axis=1)
        return np.concatenate([[0.0], np.cumsum(steps)])

    @property
    def length_m(self) -> float:
        """Length of the centre line, metres."""
        return float(self.arc_m[-1])

    def point_at(self, x: np.ndarray) -> np.ndarray:
        """Points at fractions ``x`` of the length.

        Parameters
        ----------
        x : (N,) ndarray, dimensionless
            Fractions in [0, 1].

        Returns
        -------
        (N, 3) ndarray, m
            The points.
        """
        arc = self.arc_m
        s = np.asarray(x, dtype=float) * arc[-1]
        return np.stack([np.interp(s, arc, self.points_m[:, k]) for k in range(3)], axis=-1)

    def mean_diameters(self) -> np.ndarray:
        """Mean diameter over each compartment (exact for the piecewise-linear profile).

        Returns
        -------
        (n_segments,) ndarray, m
            Mean diameters.
        """
        arc, d = self.arc_m, self.diameters_m
        edges = np.linspace(0.0, arc[-1], self.n_segments + 1)
        return np.diff(_integral_of_linear(arc, d, edges)) / np.diff(edges)

    def transformed(self, rotation: np.ndarray, translation: np.ndarray) -> Branch:
        """The branch rotated about the origin, then shifted.

        Parameters
        ----------
        rotation : (3, 3) ndarray, dimensionless
            Proper rotation.
        translation : (3,) ndarray, m
            Shift.

        Returns
        -------
        Branch
            The moved branch.
        """
        return Branch(
            self.points_m @ np.asarray(rotation, float).T + np.asarray(translation, float),
            self.diameters_m,
            self.membrane,
            self.n_segments,
            self.parent,
            self.parent_x,
            self.label,
        )


def _integral_of_linear(arc: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Integral from 0 to ``at`` of the piecewise-linear function through (arc, values)."""
    pieces = np.concatenate([[0.0], np.cumsum(0.5 * (values[1:] + values[:-1]) * np.diff(arc))])
    k = np.clip(np.searchsorted(arc, at, side="right") - 1, 0, len(arc) - 2)
    s0, v0 = arc[k], values[k]
    slope = (values[k + 1] - v0) / (arc[k + 1] - s0)
    u = at - s0
    return pieces[k] + v0 * u + 0.5 * slope * u**2


@dataclass(frozen=True, eq=False)
class Morphology:
    """A tree of branches (topological order, root first).

    Attributes
    ----------
    branches : tuple of Branch
        Root first; each parent before its children.
    name : str
        Label.
    """

    branches: tuple[Branch, ...]
    name: str = ""

    def __post_init__(self) -> None:
        branches = tuple(self.branches)
        if not branches:
            raise InvalidValueError("a morphology needs at least one branch")
        if branches[0].parent != -1:
            raise InvalidValueError("branch 0 must be the root (parent = -1)")
        for index, branch in enumerate(branches[1:], start=1):
            if not 0 <= branch.parent < index:
                raise InvalidValueError(
                    f"branch {index} ({branch.label!r}) has parent {branch.parent}; a parent "
                    "must be an earlier branch (topological order, one root)"
                )
            if branch.parent_x == 0.0 and branch.parent != 0:
                raise InvalidValueError(
                    f"branch {index} ({branch.label!r}) attaches at x = 0 of branch "
                    f"{branch.parent}; only the root's near end (x = 0) can take children"
                )
        object.__setattr__(self, "branches", branches)

    @property
    def n_segments(self) -> int:
        """Number of compartments with membrane."""
        return sum(b.n_segments for b in self.branches)

    @property
    def total_length_m(self) -> float:
        return sum(b.length_m for b in self.branches)

    def transformed(self, rotation: np.ndarray, translation: np.ndarray) -> Morphology:
        """The whole tree rotated about the origin, then shifted.

        Parameters
        ----------
        rotation : (3, 3) ndarray, dimensionless
            Proper rotation.
        translation : (3,) ndarray, m
            Shift.

        Returns
        -------
        Morphology
            The moved tree.
        """
        rotation = check_rotation(rotation)
        shift = np.asarray(translation, dtype=float).reshape(3)
        return Morphology(tuple(b.transformed(rotation, shift) for b in self.branches), self.name)


def check_rotation(rotation: np.ndarray) -> np.ndarray:
    """Return ``rotation`` as a (3, 3) float array if it is a proper rotation, else raise.

    Parameters
    ----------
    rotation : (3, 3) array_like, dimensionless
        Candidate rotation.

    Returns
    -------
    (3, 3) ndarray, dimensionless
        The rotation as floats.

    Raises
    ------
    InvalidValueError
        If it is not orthonormal or is a reflection.
    """
    r = np.asarray(rotation, dtype=float)
    if r.shape != (3, 3) or not np.allclose(r @ r.T, np.eye(3), atol=1e-9):
        raise InvalidValueError(
            f"rotation has shape {r.shape} or is not orthonormal; give a (3, 3) rotation matrix"
        )
    if np.linalg.det(r) < 0:
        raise InvalidValueError("rotation is a reflection (det = -1); give a proper rotation")
    return r


def segments_for_length(length_m: float, max_segment_m: float) -> int:
    """Smallest odd number of equal compartments no longer than ``max_segment_m``.

    Parameters
    ----------
    length_m : float, m
        Branch length.
    max_segment_m : float, m
        Longest compartment.

    Returns
    -------
    int
        Number of compartments.
    """
    n = max(1, math.ceil(length_m / max_segment_m - 1e-9))
    return n if n % 2 else n + 1


def polyline(
    points_m: np.ndarray,
    diameter_m: float,
    membrane: Membrane,
    max_segment_m: float,
    parent: int = -1,
    parent_x: float = 1.0,
    label: str = "",
) -> Branch:
    """A branch of constant diameter along ``points_m``.

    Cut into compartments of at most ``max_segment_m`` (an odd number, as NEURON users prefer).

    Parameters
    ----------
    points_m : (K, 3) ndarray, m
        Centre line.
    diameter_m : float, m
        Diameter.
    membrane : Membrane
        What the branch is made of.
    max_segment_m : float, m
        Longest compartment.
    parent : int
        Parent branch, -1 for the root.
    parent_x : float, dimensionless
        Attachment point on the parent.
    label : str
        Free text.

    Returns
    -------
    Branch
        The branch.
    """
    points = np.asarray(points_m, dtype=float)
    length = float(np.sum(np.linalg.norm(np.diff(points, axis=0), axis=1)))
    return Branch(
        points,
        np.full(len(points), float(diameter_m)),
        membrane,
        segments_for_length(length, max_segment_m),
        parent,
        parent_x,
        label,
    )


def rotation_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rotation matrix turning unit vector ``a`` onto unit vector ``b`` (Rodrigues).

    Parameters
    ----------
    a, b : (3,) ndarray, dimensionless
        Unit vectors.

    Returns
    -------
    (3, 3) ndarray, dimensionless
        The rotation.
    """
    a = np.asarray(a, float) / np.linalg.norm(a)
    b = np.asarray(b, float) / np.linalg.norm(b)
    v = np.cross(a, b)
    c = float(a @ b)
    if c < 0 and np.linalg.norm(v) < 1e-6:
        # (nearly) opposite: the axis a x b is lost in rounding. A half turn about an axis
        # perpendicular to a, then the small turn from -a onto b
        axis = np.cross(a, [1.0, 0.0, 0.0])
        if np.linalg.norm(axis) < 1e-6:
            axis = np.cross(a, [0.0, 1.0, 0.0])
        axis /= np.linalg.norm(axis)
        return rotation_between(-a, b) @ (2.0 * np.outer(axis, axis) - np.eye(3))
    if np.linalg.norm(v) < 1e-12:
        return np.eye(3)
    k = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    if c >= -0.5:
        return np.eye(3) + k + k @ k / (1.0 + c)
    # more than 120 degrees apart: 1 + c cancels; from sin = |v| alone (well conditioned here),
    # 1 / (1 + cos) = (1 + sqrt(1 - sin^2)) / sin^2 keeps the rotation orthogonal
    s2 = float(v @ v)
    return np.eye(3) + k + k @ k * ((1.0 + np.sqrt(max(1.0 - s2, 0.0))) / s2)
