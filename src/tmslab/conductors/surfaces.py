"""Piecewise-homogeneous conductors bounded by triangulated interfaces.

A :class:`TriangleSurface` is one outward-oriented triangle mesh (metres) with the conductivity
just inside and just outside it (S/m; 0 outside means insulated, e.g. air or a plastic dish wall).
A :class:`Conductor` is a set of such surfaces: nested compartments (a head's tissues, a slice in
its medium) or disjoint ones (the wells of a plate), each surface closed; or, for realistic heads
whose compartments touch, *junction* interfaces: open patches, one per pair of touching
compartments, that meet at junction edges (where three or more compartments meet). Every facet
carries the conductivities on its two sides (as in BEM-FMM, Makarov et al. 2018), so the solver
never assumes nesting; what must be closed are the compartments the patches bound
(:func:`tmslab.conductors.quality.check_conductor` checks it). The E-field solver
(:mod:`tmslab.efield.bem`) only needs the stacked triangle arrays that :class:`Conductor` gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.geometry import directed_edges
from tmslab.sources import Source


def _frozen(array: Any, dtype, name: str) -> np.ndarray:
    a = np.array(array, dtype=dtype)
    if a.ndim != 2 or a.shape[1] != 3 or len(a) == 0:
        raise InvalidValueError(f"{name} must be a non-empty (N, 3) array; got shape {a.shape}")
    if a.dtype.kind == "f" and not np.all(np.isfinite(a)):
        raise InvalidValueError(f"{name} contains non-finite values (nan or inf)")
    a.setflags(write=False)
    return a


def welded_vertex_ids(vertex_arrays, tolerance_m: float = 1e-12) -> list[np.ndarray]:
    """Global ids of vertices, equal for vertices at the same place (within ``tolerance_m``).

    Parameters
    ----------
    vertex_arrays : sequence of (V_k, 3) ndarray, m
        Vertices of several surfaces.
    tolerance_m : float, m
        Coordinates are compared on a grid of this step (patches cut from one mesh share exact
        coordinates).

    Returns
    -------
    list of (V_k,) ndarray of int
        One id array per input array.
    """
    sizes = [len(v) for v in vertex_arrays]
    keys = np.round(np.concatenate(vertex_arrays) / tolerance_m).astype(np.int64)
    _, inverse = np.unique(keys, axis=0, return_inverse=True)
    return np.split(inverse.ravel(), np.cumsum(sizes)[:-1])


@dataclass(frozen=True, eq=False)
class TriangleSurface:
    """One triangulated interface between two homogeneous compartments.

    Closed for nested or disjoint compartments; an open patch in a junction conductor (then
    "inside" is the side the normals point away from).

    Attributes
    ----------
    name : str
        Label, e.g. ``"scalp"`` or ``"medium"``.
    vertices : (V, 3) ndarray, m
        Vertices.
    triangles : (T, 3) ndarray of int
        Vertex indices, counter-clockwise seen from outside (normals point out of the compartment
        the surface encloses).
    sigma_in, sigma_out : float, S/m
        Conductivity inside and outside the surface (sigma_out 0: insulated).
    """

    name: str
    vertices: np.ndarray
    triangles: np.ndarray
    sigma_in: float
    sigma_out: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "vertices", _frozen(self.vertices, float, "vertices"))
        tri = _frozen(self.triangles, np.int64, "triangles")
        if tri.min() < 0 or tri.max() >= len(self.vertices):
            raise InvalidValueError(
                f"surface {self.name!r}: triangle vertex indices must lie in "
                f"0..{len(self.vertices) - 1}; got {tri.min()}..{tri.max()}"
            )
        object.__setattr__(self, "triangles", tri)
        if not (self.sigma_in > 0 and np.isfinite(self.sigma_in)):
            raise InvalidValueError(
                f"surface {self.name!r}: conductivity inside = {self.sigma_in!r} S/m must be > 0"
            )
        if not (self.sigma_out >= 0 and np.isfinite(self.sigma_out)):
            raise InvalidValueError(
                f"surface {self.name!r}: conductivity outside = {self.sigma_out!r} S/m must be >= 0"
            )
        if self.sigma_in == self.sigma_out:
            raise InvalidValueError(
                f"surface {self.name!r} separates equal conductivities ({self.sigma_in} S/m); "
                "remove it or give different values"
            )

    @property
    def n_triangles(self) -> int:
        return len(self.triangles)

    @cached_property
    def is_closed(self) -> bool:
        """Whether every edge is shared by exactly two of this surface's triangles."""
        tri = self.triangles
        edges = np.sort(directed_edges(tri), axis=1)
        _, counts = np.unique(edges, axis=0, return_counts=True)
        return bool(np.all(counts == 2))

    @property
    def contrast(self) -> float:
        """K = (sigma_in - sigma_out) / (sigma_in + sigma_out), dimensionless, in (-1, 1]."""
        return (self.sigma_in - self.sigma_out) / (self.sigma_in + self.sigma_out)

    def corners(self) -> np.ndarray:
        """(T, 3, 3) corner coordinates of each triangle, m."""
        return self.vertices[self.triangles]

    def edge_lengths(self) -> np.ndarray:
        """(T, 3) lengths of each triangle's edges, m."""
        c = self.corners()
        return np.linalg.norm(c - np.roll(c, -1, axis=1), axis=2)

    def volume(self) -> float:
        """Enclosed volume, m^3 (negative if the triangles are oriented inwards)."""
        c = self.corners()
        return float(np.einsum("ij,ij->i", c[:, 0], np.cross(c[:, 1], c[:, 2])).sum() / 6.0)

    def area(self) -> float:
        """Surface area, m^2."""
        c = self.corners()
        return float(
            0.5 * np.linalg.norm(np.cross(c[:, 1] - c[:, 0], c[:, 2] - c[:, 0]), axis=1).sum()
        )

    def with_conductivities(self, sigma_in: float, sigma_out: float) -> TriangleSurface:
        """The same surface with other conductivities.

        Parameters
        ----------
        sigma_in, sigma_out : float, S/m
            Conductivity inside and outside.

        Returns
        -------
        TriangleSurface
            A copy sharing vertices and triangles.
        """
        return TriangleSurface(self.name, self.vertices, self.triangles, sigma_in, sigma_out)

    def flipped(self) -> TriangleSurface:
        """The same surface with the opposite orientation."""
        return TriangleSurface(
            self.name, self.vertices, self.triangles[:, ::-1], self.sigma_in, self.sigma_out
        )


@dataclass(frozen=True, eq=False)
class Conductor:
    """A piecewise-homogeneous conductor: closed surfaces with conductivities on both sides.

    The dish frame has the medium between z = 0 (the dish bottom, where cells grow) and z = medium
    height.

    Attributes
    ----------
    surfaces : tuple of TriangleSurface
        The interfaces; each closed and outward-oriented, or open junction patches whose
        compartments are closed (module docstring). Outermost surfaces have sigma_out = 0
        (insulated: air, plastic).
    name : str
        Preset name.
    label : str
        Human description.
    kind : str
        ``"sphere"``, ``"ellipsoid"``, ``"dish"``, ``"plate"``, ``"insert"`` or ``"mesh"``.
    geometry : dict
        Kind-specific sizes in metres, e.g. ``{"radius_m": ..., "medium_height_m": ...,
        "well_centres_m": [[x, y], ...]}`` for dishes.
    source : Source or None
        Where the geometry comes from.
    assumptions : tuple of str
        Modelling choices.
    """

    surfaces: tuple[TriangleSurface, ...]
    name: str = "conductor"
    label: str = ""
    kind: str = "mesh"
    geometry: dict[str, Any] = field(default_factory=dict)
    source: Source | None = None
    assumptions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        surfaces = tuple(self.surfaces)
        if not surfaces:
            raise InvalidValueError("a conductor needs at least one closed surface")
        object.__setattr__(self, "surfaces", surfaces)

    # Stacked per-triangle arrays used by the solver -----------------------------------------
    @cached_property
    def _stack(self) -> dict[str, np.ndarray]:
        corners = np.concatenate([s.corners() for s in self.surfaces])
        cross = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
        doubled = np.linalg.norm(cross, axis=1)
        if np.any(doubled <= 0):
            raise InvalidValueError(
                f"conductor {self.name!r} has {int((doubled <= 0).sum())} degenerate "
                "(zero-area) triangles"
            )
        out = {
            "corners": corners,
            "centroids": corners.mean(axis=1),
            "normals": cross / doubled[:, None],
            "areas": 0.5 * doubled,
            "sizes": np.linalg.norm(corners - np.roll(corners, -1, axis=1), axis=2).max(axis=1),
            "contrast": np.concatenate([np.full(s.n_triangles, s.contrast) for s in self.surfaces]),
            "surface_index": np.concatenate(
                [np.full(s.n_triangles, i) for i, s in enumerate(self.surfaces)]
            ),
        }
        for value in out.values():
            value.setflags(write=False)
        return out

    @property
    def corners(self) -> np.ndarray:
        """(T, 3, 3) triangle corners of all surfaces, m."""
        return self._stack["corners"]

    @property
    def centroids(self) -> np.ndarray:
        """(T, 3) triangle centroids, m."""
        return self._stack["centroids"]

    @property
    def normals(self) -> np.ndarray:
        """(T, 3) outward unit normals."""
        return self._stack["normals"]

    @property
    def areas(self) -> np.ndarray:
        """(T,) triangle areas, m^2."""
        return self._stack["areas"]

    @property
    def sizes(self) -> np.ndarray:
        """(T,) longest edge of each triangle, m."""
        return self._stack["sizes"]

    @property
    def contrast(self) -> np.ndarray:
        """(T,) K = (sigma_in - sigma_out)/(sigma_in + sigma_out) of each triangle's surface."""
        return self._stack["contrast"]

    @property
    def surface_index(self) -> np.ndarray:
        """(T,) index into :attr:`surfaces` of each triangle."""
        return self._stack["surface_index"]

    @property
    def n_triangles(self) -> int:
        return int(sum(s.n_triangles for s in self.surfaces))

    @property
    def is_junction(self) -> bool:
        """Whether some surface is an open patch (compartments meet at junction edges)."""
        return not all(s.is_closed for s in self.surfaces)

    @cached_property
    def outer_bodies(self) -> tuple[tuple[int, ...], ...]:
        """The insulated bodies: indices into :attr:`surfaces` of each body's outer boundary.

        A closed insulated (sigma_out = 0) surface is one body; open insulated patches that share
        vertices (welded by coordinates) form one body together.

        Returns
        -------
        tuple of tuple of int
            One tuple of surface indices per body, in surface order.
        """
        bodies: list[tuple[int, ...]] = []
        patches = []
        for i, s in enumerate(self.surfaces):
            if s.sigma_out != 0:
                continue
            if s.is_closed:
                bodies.append((i,))
            else:
                patches.append(i)
        if patches:
            ids = welded_vertex_ids([self.surfaces[i].vertices for i in patches])
            parent = list(range(len(patches)))

            def root(k: int) -> int:
                while parent[k] != k:
                    parent[k] = parent[parent[k]]
                    k = parent[k]
                return k

            owner: dict[int, int] = {}
            for k, (i, vid) in enumerate(zip(patches, ids, strict=True)):
                for v in np.unique(vid[self.surfaces[i].triangles]).tolist():
                    if v in owner:
                        parent[root(k)] = root(owner[v])
                    else:
                        owner[v] = k
            groups: dict[int, list[int]] = {}
            for k, i in enumerate(patches):
                groups.setdefault(root(k), []).append(i)
            bodies.extend(tuple(g) for g in groups.values())
        return tuple(sorted(bodies))

    def mean_edge_m(self) -> float:
        """Mean edge length over all triangles, m."""
        return float(np.mean(np.concatenate([s.edge_lengths().ravel() for s in self.surfaces])))

    def bounds(self) -> np.ndarray:
        """(2, 3) minimum and maximum corner coordinates, m."""
        v = np.concatenate([s.vertices for s in self.surfaces])
        return np.array([v.min(axis=0), v.max(axis=0)])

    def summary(self) -> dict[str, Any]:
        """JSON-able description: kind, sizes (m), triangle counts and conductivities (S/m)."""
        return {
            "name": self.name,
            "label": self.label or self.name,
            "kind": self.kind,
            "triangles": self.n_triangles,
            "mean_edge_m": self.mean_edge_m(),
            "surfaces": [
                {
                    "name": s.name,
                    "triangles": s.n_triangles,
                    "sigma_in_s_per_m": s.sigma_in,
                    "sigma_out_s_per_m": s.sigma_out,
                }
                for s in self.surfaces
            ],
            "geometry": self.geometry,
            "source": self.source.to_dict() if self.source else None,
            "assumptions": list(self.assumptions),
        }
