"""Cells placed in the cortex of a realistic head, their thresholds and the input-output curve.

Placement (:func:`place_in_cortex`). Cells sit in a patch of the cortex around a target: points
drawn uniformly by area (seeded) on the triangles of the mid-cortical surface whose vertices lie
within ``radius_m`` of the target along the surface (graph distance over the mesh edges, so the
other bank of a sulcus is not in the patch). The pial, white and mid surfaces of FreeSurfer share
their vertices, so each point has its pial and white counterpart (same barycentric
coordinates); the soma sits at the layer's depth fraction ``f`` between them,

    soma = (1 - f) * pial + f * white       (f = 0 at the pial surface, 1 at the white),

and the cell's own +z axis (its apical dendrite: the somatodendritic axis) points along the
outward normal of that layer surface, so its axon points along the inward normal, towards the
white matter. A rotation about the normal (azimuth) is given or drawn uniformly (seeded); azimuth
0 puts the cell's +x along the projection of the head's anterior axis (+y) onto the tangent plane.

Depth fractions per layer (:data:`LAYER_DEPTHS`): L1 0.06, L2/3 0.4, L4 0.55, L5 0.65, L6 0.85
of the cortical thickness below the pial surface, the layer surfaces of Aberra et al. 2020
(Brain Stimul 13:175-189, doi 10.1016/j.brs.2019.10.002) as used in TMS-Neuro-Sim (Weise et al.
2023, Imaging Neurosci 1:1-26, doi 10.1162/imag_a_00036). A model's layer comes from its name
(``l5-pyramidal``, ``aberra-l23-pc``...: L5, L2/3); others (axons) default to L5, said so in
the result.

Coupling. The field is any callable E(points) (V/m at the applied intensity), e.g. a BEM
solution's ``efield``; it is evaluated at every node of every placed cell and turned into the
cable's extracellular drive by the line integral along the tree
(:func:`tmslab.neuron.threshold.placed_quasipotentials`, the same code as any field). For a BEM
:class:`~tmslab.efield.bem.solve.Solution` the check that the points lie inside the conductor is
done per cell (a cell whose soma is farther from every boundary than its own extent is inside
as a whole); the nodes of the other cells are checked one by one.

Thresholds (:func:`cortex_threshold_map`). The batched bisection finds, per cell, the factor on
the applied field at which it fires; the map reports it as % of the applied intensity, as peak
dI/dt, as the |E| at the target (and at the soma) at threshold, and as % MSO given the dI/dt at
100 % MSO. The activation site is the compartment where the spike starts at threshold and its
section label (``main-node``, ``collateral-node``, ``ais``...).

With ``method="table"`` the thresholds are looked up instead in the cell's uniform-field
direction table at the field at each soma (:mod:`tmslab.neuron.direction_table`, Weise et al.
2023): seconds for thousands of cells once the table is cached. A sample of the cells
(``check_cells``) is then simulated in full and the estimates' error against it is reported with
the map (a warning, the summary's ``table_median_abs_error`` and ``table_max_abs_error``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.units import A_PER_US, MM, MM_PER_M

__all__ = [
    "DEPTH_SOURCE",
    "LAYER_DEPTHS",
    "CortexPlacement",
    "CortexThresholdMap",
    "HeadMapRequest",
    "check_head_map",
    "check_map_budget",
    "cortex_threshold_map",
    "layer_of",
    "map_runs",
    "place_in_cortex",
    "placed_field",
    "prepare_head_maps",
    "run_head_map",
    "run_head_maps",
]

LAYER_DEPTHS = {"L1": 0.06, "L2/3": 0.4, "L4": 0.55, "L5": 0.65, "L6": 0.85}
DEPTH_SOURCE = (
    "Layer depth fractions below the pial surface (L1 0.06, L2/3 0.4, L4 0.55, L5 0.65, L6 0.85): "
    "Aberra et al. 2020, Brain Stimul 13:175-189, doi 10.1016/j.brs.2019.10.002, as used in "
    "TMS-Neuro-Sim (Weise et al. 2023, Imaging Neurosci, doi 10.1162/imag_a_00036)"
)
DEFAULT_LAYER = "L5"
MAX_CELLS = 100_000
METHODS = ("simulate", "table")
CHECK_CELLS = 10
TABLE_ERROR_WARN = 0.10  # a checked estimate this far off: say the full simulation is needed
_LAYER_IN_NAME = (
    (re.compile(r"(^|[^a-z0-9])l2/?3([^0-9]|$)|(^|[^a-z0-9])l23([^0-9]|$)"), "L2/3"),
    (re.compile(r"(^|[^a-z0-9])l1([^0-9]|$)"), "L1"),
    (re.compile(r"(^|[^a-z0-9])l4([^0-9]|$)"), "L4"),
    (re.compile(r"(^|[^a-z0-9])l5([^0-9]|$)"), "L5"),
    (re.compile(r"(^|[^a-z0-9])l6([^0-9]|$)"), "L6"),
)


def layer_of(model_name: str, layer: str | None = None) -> tuple[str, bool]:
    """The cortical layer of a cell model: ``layer`` if given, else read from the model's name.

    Parameters
    ----------
    model_name : str
        E.g. ``"l5-pyramidal"``, ``"aberra-l23-pc"``.
    layer : str or None
        ``"L1"``, ``"L2/3"`` (or ``"L23"``), ``"L4"``, ``"L5"`` or ``"L6"``.

    Returns
    -------
    tuple of (str, bool)
        The layer (a key of :data:`LAYER_DEPTHS`) and whether it was assumed (no layer in the
        name and none given: :data:`DEFAULT_LAYER`).

    Raises
    ------
    InvalidValueError
        For an unknown layer.
    """
    if layer is not None:
        key = str(layer).strip().upper().replace("L23", "L2/3")
        if key not in LAYER_DEPTHS:
            raise InvalidValueError(f"layer {layer!r}; choose one of {', '.join(LAYER_DEPTHS)}")
        return key, False
    name = str(model_name).lower()
    for pattern, key in _LAYER_IN_NAME:
        if pattern.search(name):
            return key, False
    return DEFAULT_LAYER, True


@dataclass(frozen=True, eq=False)
class CortexPlacement:
    """Cells placed in a cortical patch (:func:`place_in_cortex`).

    Attributes
    ----------
    layer : str
        The layer (a key of :data:`LAYER_DEPTHS`).
    depth_fraction : float, dimensionless
        Depth of the somata below the pial surface as a fraction of the cortical thickness.
    soma_m : (P, 3) ndarray, m
        Cell origins (somata), head frame.
    normal : (P, 3) ndarray, dimensionless
        Outward unit normal of the layer surface at each soma (the cells' +z).
    rotation : (P, 3, 3) ndarray, dimensionless
        Cell frame -> head frame (columns: the cell's x, y, z axes; z = ``normal``).
    azimuth_rad : (P,) ndarray, rad
        Rotation about the normal from the reference direction (module docstring).
    pial_m : (P, 3) ndarray, m
        The matching points of the pial surface.
    white_m : (P, 3) ndarray, m
        The matching points of the white surface.
    triangle : (P,) ndarray of int
        Triangle of the stacked mid surface holding each cell.
    patch_vertices : (K,) ndarray of int
        Vertices of the stacked surfaces within the patch radius.
    patch_distance_m : (K,) ndarray, m
        Their distance from the target along the surface.
    radius_m : float, m
        Patch radius.
    seed : int
        Seed of the positions and sampled azimuths.
    """

    layer: str
    depth_fraction: float
    soma_m: np.ndarray
    normal: np.ndarray
    rotation: np.ndarray
    azimuth_rad: np.ndarray
    pial_m: np.ndarray
    white_m: np.ndarray
    triangle: np.ndarray
    patch_vertices: np.ndarray
    patch_distance_m: np.ndarray
    radius_m: float
    seed: int

    @property
    def n_cells(self) -> int:
        return len(self.soma_m)

    @property
    def thickness_m(self) -> np.ndarray:
        """(P,) ndarray, m: cortical thickness (pial to white) at each cell."""
        return np.linalg.norm(self.white_m - self.pial_m, axis=1)


def _check_method(method) -> str:
    key = str(method).strip().lower()
    if key not in METHODS:
        raise InvalidValueError(f"cortex map method {method!r}: use 'simulate' or 'table'")
    return key


def _check_sample(check_cells, n_cells: int) -> int:
    """Cells to simulate in full when checking a table (at most all of them)."""
    if isinstance(check_cells, bool) or int(check_cells) != check_cells or check_cells < 0:
        raise InvalidValueError(
            f"check cells {check_cells!r}: give an integer >= 0 (default {CHECK_CELLS})"
        )
    return min(int(check_cells), n_cells)


def _check_count(n_cells) -> int:
    if isinstance(n_cells, bool) or int(n_cells) != n_cells or not 1 <= n_cells <= MAX_CELLS:
        raise InvalidValueError(f"--cells {n_cells!r}: give a whole number from 1 to {MAX_CELLS:,}")
    return int(n_cells)


def _check_radius(radius_m) -> float:
    r = float(radius_m)
    if not np.isfinite(r) or r <= 0 or r > 0.05:
        raise InvalidValueError(
            f"--radius-mm {r * MM_PER_M:g}: give a patch radius above 0 and up to 50 mm"
        )
    return r


def _patch(vertices, triangles, allowed, start: int, radius_m: float):
    """Vertices within ``radius_m`` of ``start`` along the mesh edges, and their distances."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    edges = np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [2, 0]]])
    keep = allowed[edges].all(axis=1)
    edges = edges[keep]
    length = np.linalg.norm(vertices[edges[:, 0]] - vertices[edges[:, 1]], axis=1)
    n = len(vertices)
    graph = coo_matrix((length, (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
    dist = dijkstra(graph, directed=False, indices=start, limit=radius_m)
    inside = np.flatnonzero(np.isfinite(dist))
    return inside, dist[inside]


def _frames(normal: np.ndarray, azimuth: np.ndarray) -> np.ndarray:
    """Rotations whose z column is ``normal`` and x column is at ``azimuth`` from anterior."""
    reference = np.broadcast_to([0.0, 1.0, 0.0], normal.shape).copy()
    # near a normal along the head's y axis, use superior (+z) as the reference instead
    parallel = np.abs(normal[:, 1]) > 0.9
    reference[parallel] = [0.0, 0.0, 1.0]
    e1 = reference - np.sum(reference * normal, axis=1)[:, None] * normal
    e1 /= np.linalg.norm(e1, axis=1)[:, None]
    e2 = np.cross(normal, e1)
    c, s = np.cos(azimuth)[:, None], np.sin(azimuth)[:, None]
    x = c * e1 + s * e2
    y = -s * e1 + c * e2
    return np.stack([x, y, normal], axis=2)


def place_in_cortex(
    head,
    target,
    radius_m: float,
    n_cells: int,
    *,
    model_name: str = "",
    layer: str | None = None,
    azimuth_deg=None,
    seed: int = 0,
) -> CortexPlacement:
    """Place ``n_cells`` cells in the cortical patch of ``radius_m`` around ``target``.

    Parameters
    ----------
    head : HeadModel
        A head with pial, white and mid surfaces (:func:`tmslab.conductors.head.fsaverage_head`).
    target : CorticalTarget
        The patch centre (:func:`tmslab.conductors.head.resolve_target`).
    radius_m : float, m
        Patch radius along the surface.
    n_cells : int
        Number of cells.
    model_name : str
        The cell model's name (sets the layer when ``layer`` is None; :func:`layer_of`).
    layer : str or None
        The layer, overriding the name's.
    azimuth_deg : float, (P,) array_like or None, degrees
        Rotation about the normal: one for all, one per cell, or None (drawn uniformly).
    seed : int
        Seed of the positions and of the drawn azimuths.

    Returns
    -------
    CortexPlacement
        The placed cells.

    Raises
    ------
    InvalidValueError
        For a bad count, radius, layer or azimuth.
    """
    from tmslab.conductors.head._mesh import vertex_normals
    from tmslab.conductors.head.template import HEMISPHERES

    n = _check_count(n_cells)
    radius = _check_radius(radius_m)
    key, _ = layer_of(model_name, layer)
    f = LAYER_DEPTHS[key]
    pial, triangles, _ = head.cortex("pial")
    white, _, _ = head.cortex("white")
    mid, _, _ = head.cortex("mid")
    cortex = ~np.concatenate([head.hemispheres[h].medial_wall for h in HEMISPHERES])
    vertices, distance = _patch(mid, triangles, cortex, int(target.index), radius)
    in_patch = np.zeros(len(mid), bool)
    in_patch[vertices] = True
    tri = np.flatnonzero(in_patch[triangles].all(axis=1))
    if len(tri) == 0:  # a radius below one edge: the triangles around the target
        tri = np.flatnonzero((triangles == target.index).any(axis=1))
    layer_surface = (1.0 - f) * pial + f * white
    normals = vertex_normals(layer_surface, triangles)
    corners = layer_surface[triangles[tri]]
    area = 0.5 * np.linalg.norm(
        np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]), axis=1
    )
    rng = np.random.default_rng(seed)
    pick = tri[rng.choice(len(tri), size=n, p=area / area.sum())]
    u, v = rng.random(n), rng.random(n)
    flip = u + v > 1.0  # fold the square onto the triangle: uniform by area
    u[flip], v[flip] = 1.0 - u[flip], 1.0 - v[flip]
    weights = np.stack([1.0 - u - v, u, v], axis=1)

    def at(points):
        return np.einsum("pk,pki->pi", weights, points[triangles[pick]])

    normal = at(normals)
    normal /= np.linalg.norm(normal, axis=1)[:, None]
    if azimuth_deg is None:
        azimuth = rng.uniform(0.0, 2.0 * np.pi, n)
    else:
        given = np.atleast_1d(np.asarray(azimuth_deg, dtype=float))
        if given.shape not in ((1,), (n,)) or not np.all(np.isfinite(given)):
            raise InvalidValueError(
                f"azimuth: give one angle in degrees or one per cell ({n}); got {given.shape}"
            )
        azimuth = np.deg2rad(np.broadcast_to(given, (n,))).copy()
    return CortexPlacement(
        layer=key,
        depth_fraction=f,
        soma_m=at(layer_surface),
        normal=normal,
        rotation=_frames(normal, azimuth),
        azimuth_rad=azimuth,
        pial_m=at(pial),
        white_m=at(white),
        triangle=pick,
        patch_vertices=vertices,
        patch_distance_m=distance,
        radius_m=radius,
        seed=int(seed),
    )


def placed_field(model, placement: CortexPlacement, efield) -> np.ndarray:
    """E at every node of every placed cell.

    Parameters
    ----------
    model : CellModel
        The cell (its own frame, soma at the origin).
    placement : CortexPlacement
        Where the copies are.
    efield : callable or BEM Solution
        ``efield(points) -> E``, (N, 3) m -> (N, 3) V/m; or an object with ``efield(points,
        check=...)`` and ``conductor`` (a BEM solution: checked per cell, module docstring).

    Returns
    -------
    (P, M, 3) ndarray, V/m
        E at the nodes.
    """
    from tmslab.neuron.coupling import field_at

    local = model.cable.position_m
    world = np.einsum("pij,mj->pmi", placement.rotation, local) + placement.soma_m[:, None, :]
    flat = world.reshape(-1, 3)
    conductor = getattr(efield, "conductor", None)
    if conductor is None or not hasattr(efield, "efield"):
        return field_at(flat, efield).reshape(world.shape)
    extent = float(np.max(np.linalg.norm(local, axis=1)))
    _check_inside(conductor, placement.soma_m, world, extent)
    return field_at(flat, lambda p: efield.efield(p, check=False)).reshape(world.shape)


def _check_inside(conductor, soma: np.ndarray, world: np.ndarray, extent_m: float) -> None:
    """Raise unless every node is inside the conductor and off its boundaries (per cell)."""
    from scipy.spatial import cKDTree

    from tmslab.conductors.quality import inside_mask
    from tmslab.efield.bem.evaluate import check_field_points

    inside = inside_mask(conductor, soma)
    # a boundary is no nearer than its nearest centroid minus a triangle's size
    gap, _ = cKDTree(conductor.centroids).query(soma)
    clear = inside & (gap - 2.0 * float(np.max(conductor.sizes)) > extent_m)
    rest = world[~clear].reshape(-1, 3)
    if len(rest):
        check_field_points(conductor, rest)


@dataclass(frozen=True, eq=False)
class CortexThresholdMap:
    """Thresholds of cells placed in a cortical patch (:func:`cortex_threshold_map`).

    Attributes
    ----------
    model : str
        The cell model.
    waveform : str
        The pulse.
    placement : CortexPlacement
        Where the cells are.
    layer_assumed : bool
        The layer was not in the model's name nor given (:data:`DEFAULT_LAYER`).
    threshold_scale : (P,) ndarray, dimensionless
        Factor on the applied field at which each cell fires (NaN: not up to the search limit).
    initiation_node : (P,) ndarray of int
        Cable node where the spike starts at threshold (-1: none).
    initiation_label : tuple of str
        Its section label (``""``: none).
    initiation_m : (P, 3) ndarray, m
        Its position in the head frame (NaN: none).
    e_soma_v_per_m : (P,) ndarray, V/m
        |E| of the applied field at each soma.
    didt_a_per_s : float or None, A/s
        Peak dI/dt of the applied field (None: a field without a coil).
    e_target_v_per_m : float or None, V/m
        |E| of the applied field at the target (None: no target).
    target : str or None
        The target's name.
    didt_max_a_per_s : float or None, A/s
        Peak dI/dt at 100 % MSO (for % MSO; None: not known).
    solver : str
        The solver.
    rel_tol : float, dimensionless
        Relative width of the bisection bracket.
    n_simulations : int
        Simulations run.
    timings_s : dict of str to float, s
        Wall time per stage (``field``, ``coupling``, ``thresholds``).
    warnings : tuple of str
        Caveats.
    surface : tuple or None
        (vertices (K, 3) m, triangles (T, 3), |E| (K,) V/m) of the cortex around the patch, for
        figures.
    head : str or None
        The head's name.
    coil : str or None
        The coil's name.
    method : str
        ``"simulate"`` (every cell simulated) or ``"table"`` (looked up in the direction table).
    table_directions : int or None
        Directions of the table (method ``"table"``).
    check_index : (K,) ndarray of int or None
        Cells simulated in full to check the table's estimates (method ``"table"``).
    check_scale : (K,) ndarray or None, dimensionless
        Their simulated thresholds, as factors on the applied field.
    """

    model: str
    waveform: str
    placement: CortexPlacement
    layer_assumed: bool
    threshold_scale: np.ndarray
    initiation_node: np.ndarray
    initiation_label: tuple[str, ...]
    initiation_m: np.ndarray
    e_soma_v_per_m: np.ndarray
    didt_a_per_s: float | None = None
    e_target_v_per_m: float | None = None
    target: str | None = None
    didt_max_a_per_s: float | None = None
    solver: str = "batched"
    rel_tol: float = 0.005
    n_simulations: int = 0
    timings_s: dict[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    surface: tuple | None = None
    head: str | None = None
    coil: str | None = None
    method: str = "simulate"
    table_directions: int | None = None
    check_index: np.ndarray | None = None
    check_scale: np.ndarray | None = None

    # --- thresholds in every unit ------------------------------------------------------------
    @property
    def activated(self) -> np.ndarray:
        """(P,) ndarray of bool: the cell fired within the search range."""
        return np.isfinite(self.threshold_scale)

    @property
    def threshold_pct(self) -> np.ndarray:
        """(P,) ndarray, %: threshold as % of the applied intensity."""
        return 100.0 * self.threshold_scale

    @property
    def threshold_didt_a_per_s(self) -> np.ndarray | None:
        """(P,) ndarray or None, A/s: peak dI/dt at threshold."""
        return None if self.didt_a_per_s is None else self.threshold_scale * self.didt_a_per_s

    @property
    def threshold_target_v_per_m(self) -> np.ndarray | None:
        """(P,) ndarray or None, V/m: |E| at the target at each cell's threshold."""
        e = self.e_target_v_per_m
        return None if e is None else self.threshold_scale * e

    @property
    def threshold_soma_v_per_m(self) -> np.ndarray:
        """(P,) ndarray, V/m: |E| at the cell's own soma at its threshold."""
        return self.threshold_scale * self.e_soma_v_per_m

    @property
    def threshold_pct_mso(self) -> np.ndarray | None:
        """(P,) ndarray or None, % MSO: stimulator output at threshold (needs ``didt_max``)."""
        d = self.threshold_didt_a_per_s
        return None if d is None or not self.didt_max_a_per_s else 100.0 * d / self.didt_max_a_per_s

    def io_curve(self, scales=None) -> tuple[np.ndarray, np.ndarray]:
        """Fraction of the cells activated against intensity.

        Parameters
        ----------
        scales : (S,) array_like or None, dimensionless
            Intensities as factors on the applied one; None: from 0 to 1.5x the highest
            threshold in 200 steps.

        Returns
        -------
        scales : (S,) ndarray, dimensionless
            The intensities.
        fraction : (S,) ndarray, dimensionless
            Fraction of all cells whose threshold is at or below each.
        """
        th = self.threshold_scale
        ok = np.sort(th[np.isfinite(th)])
        if scales is None:
            top = 1.5 * float(ok[-1]) if len(ok) else 1.0
            scales = np.linspace(0.0, top, 200)
        s = np.asarray(scales, dtype=float)
        return s, np.searchsorted(ok, s, side="right") / max(len(th), 1)

    def site_counts(self) -> dict[str, int]:
        """Number of cells per activation-site label (cells that fired)."""
        labels, counts = np.unique(
            [lab for lab, ok in zip(self.initiation_label, self.activated, strict=True) if ok],
            return_counts=True,
        )
        return {str(k): int(c) for k, c in zip(labels, counts, strict=True)}

    def sites_text(self) -> str:
        """The activation sites in words, most frequent first: ``"node 81, terminal 3"``."""
        counts = sorted(self.site_counts().items(), key=lambda kv: -kv[1])
        return ", ".join(f"{site} {n}" for site, n in counts) or "none"

    def table_check(self) -> dict[str, Any] | None:
        """The table's estimates against the full simulation of the checked cells (None unless
        method ``"table"``): ``n_cells``, ``median_abs_error`` and ``max_abs_error`` (fractions,
        NaN when no checked cell fired either way)."""
        if self.check_index is None or self.check_scale is None:
            return None
        error = self.threshold_scale[self.check_index] / self.check_scale - 1.0
        error = np.abs(error[np.isfinite(error)])
        return {
            "n_cells": len(self.check_index),
            "median_abs_error": float(np.median(error)) if len(error) else float("nan"),
            "max_abs_error": float(np.max(error)) if len(error) else float("nan"),
            "estimated_scale": self.threshold_scale[self.check_index],
            "simulated_scale": self.check_scale,
        }

    def table_text(self) -> str:
        """How a table map's thresholds were found and their error against the full simulation,
        in words (empty for a simulated map)."""
        if self.method != "table":
            return ""
        check = self.table_check()
        words = (
            f"estimated from the {self.table_directions}-direction uniform-field table at each "
            f"soma's field (Weise et al. 2023)"
        )
        if check is None or not np.isfinite(check["max_abs_error"]):
            return words + "; not checked against the full simulation"
        return (
            f"{words}; against the full simulation of {check['n_cells']} of "
            f"{self.placement.n_cells} cells: median |error| "
            f"{check['median_abs_error'] * 100:.1f} %, largest {check['max_abs_error'] * 100:.1f} %"
        )

    # --- summaries ---------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Counts, threshold quantiles in each unit, the activation sites; no per-cell arrays."""
        ok = self.activated
        p = self.placement

        def stats(values):
            if values is None or not np.any(ok):
                return None
            v = values[ok]
            return {
                "min": float(np.min(v)),
                "p10": float(np.percentile(v, 10)),
                "median": float(np.median(v)),
                "p90": float(np.percentile(v, 90)),
                "max": float(np.max(v)),
            }

        return {
            "model": self.model,
            "waveform": self.waveform,
            "head": self.head,
            "coil": self.coil,
            "layer": p.layer,
            "depth_fraction": p.depth_fraction,
            "layer_assumed": self.layer_assumed,
            "depth_source": DEPTH_SOURCE,
            "target": self.target,
            "radius_m": p.radius_m,
            "n_cells": p.n_cells,
            "n_activated": int(np.sum(ok)),
            "seed": p.seed,
            "didt_a_per_s": self.didt_a_per_s,
            "e_target_v_per_m": self.e_target_v_per_m,
            "didt_max_a_per_s": self.didt_max_a_per_s,
            "threshold_pct": stats(self.threshold_pct),
            "threshold_didt_a_per_s": stats(self.threshold_didt_a_per_s),
            "threshold_target_v_per_m": stats(self.threshold_target_v_per_m),
            "threshold_soma_v_per_m": stats(self.threshold_soma_v_per_m),
            "threshold_pct_mso": stats(self.threshold_pct_mso),
            "activation_sites": self.site_counts(),
            "solver": self.solver,
            "rel_tol": self.rel_tol,
            "n_simulations": self.n_simulations,
            "timings_s": dict(self.timings_s),
            "warnings": list(self.warnings),
            **self._table_summary(),
        }

    def _table_summary(self) -> dict[str, Any]:
        if self.method != "table":
            return {}  # a simulated map's summary is as it always was
        check = self.table_check() or {}
        # flat numbers, so results.nc holds them as well as results.json
        return {
            "method": self.method,
            "table_directions": self.table_directions,
            "table_check_cells": check.get("n_cells", 0),
            "table_median_abs_error": check.get("median_abs_error"),
            "table_max_abs_error": check.get("max_abs_error"),
        }

    def to_dict(self) -> dict[str, Any]:
        """The summary, the per-cell arrays (SI) and the input-output curve, for JSON."""
        p = self.placement
        scales, fraction = self.io_curve()
        cells = {
            "soma_m": p.soma_m,
            "normal": p.normal,
            "azimuth_rad": p.azimuth_rad,
            "threshold_scale": self.threshold_scale,
            "threshold_pct": self.threshold_pct,
            "threshold_soma_v_per_m": self.threshold_soma_v_per_m,
            "initiation_node": self.initiation_node,
            "initiation_label": list(self.initiation_label),
            "initiation_m": self.initiation_m,
        }
        for name in ("threshold_didt_a_per_s", "threshold_target_v_per_m", "threshold_pct_mso"):
            values = getattr(self, name)
            if values is not None:
                cells[name] = values
        return {
            **self.summary(),
            "cells": cells,
            "io_curve": {"scale": scales, "fraction_activated": fraction},
        }

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) rows for a person."""
        s = self.summary()
        p = self.placement
        ok = self.activated
        layer = f"{p.layer}, soma at {p.depth_fraction:g} of the thickness below the pial surface"
        rows = [
            ("model, waveform", f"{self.model}, {self.waveform}"),
            ("layer", layer + (" (assumed)" if self.layer_assumed else "")),
            (
                "cells",
                f"{p.n_cells} within {p.radius_m * MM_PER_M:g} mm of {self.target or 'the target'}"
                f" ({int(ok.sum())} fired)",
            ),
        ]
        if self.didt_a_per_s is not None:
            rows.append(("applied dI/dt", f"{self.didt_a_per_s / A_PER_US:.4g} A/us"))
        if self.e_target_v_per_m is not None:
            rows.append(("applied |E| at target", f"{self.e_target_v_per_m:.4g} V/m"))

        def line(key, unit, scale=1.0, fmt=".4g"):
            q = s[key]
            if q is None:
                return None
            return (
                f"threshold ({unit})",
                f"min {q['min'] * scale:{fmt}}, median {q['median'] * scale:{fmt}}, "
                f"max {q['max'] * scale:{fmt}}",
            )

        entries = (
            line("threshold_pct", "% of applied", fmt=".1f"),
            line("threshold_didt_a_per_s", "A/us", 1.0 / A_PER_US),
            line("threshold_target_v_per_m", "|E| at target, V/m"),
            line("threshold_soma_v_per_m", "|E| at soma, V/m"),
            line("threshold_pct_mso", "% MSO", fmt=".1f"),
        )
        rows.extend(e for e in entries if e is not None)
        rows.append(("activation sites", self.sites_text()))
        rows.append(
            (
                "solver",
                f"{self.solver} ({self.n_simulations} runs, bracket {self.rel_tol * 100:g} %)",
            )
        )
        if self.method == "table":
            rows.append(("thresholds", self.table_text()))
        t = self.timings_s
        rows.append(("time", ", ".join(f"{k} {v:.1f} s" for k, v in t.items())))
        return rows + [("warning", w) for w in self.warnings]


def cortex_threshold_map(
    head,
    efield,
    model,
    drive,
    target,
    radius_m: float,
    n_cells: int,
    *,
    azimuth_deg=None,
    layer: str | None = None,
    seed: int = 0,
    didt_a_per_s: float | None = None,
    didt_max_a_per_s: float | None = None,
    solver: str = "batched",
    rel_tol: float = 0.005,
    surface_margin_m: float = 5 * MM,
    budget_hint: str = "--cells",
    method: str = "simulate",
    table_directions: int | None = None,
    check_cells: int = CHECK_CELLS,
    **solver_options,
) -> CortexThresholdMap:
    """Thresholds of ``n_cells`` copies of ``model`` placed in the patch around ``target``.

    Parameters
    ----------
    head : HeadModel
        The head (:func:`tmslab.conductors.head.load_head`).
    efield : callable or BEM Solution
        The applied field, (N, 3) m -> (N, 3) V/m (:func:`placed_field`).
    model : CellModel
        The cell (:func:`tmslab.neuron.models.get_model`).
    drive : Drive
        The pulse (:func:`tmslab.neuron.drive.get_drive`).
    target : CorticalTarget
        The patch centre.
    radius_m : float, m
        Patch radius along the surface.
    n_cells : int
        Number of cells.
    azimuth_deg : float, (P,) array_like or None, degrees
        Rotation about the normal (None: drawn uniformly).
    layer : str or None
        The layer (default: from the model's name).
    seed : int
        Seed of the placement.
    didt_a_per_s : float or None, A/s
        Peak dI/dt of the applied field (reports thresholds as dI/dt).
    didt_max_a_per_s : float or None, A/s
        Peak dI/dt at 100 % MSO (reports % MSO).
    solver : str
        ``"batched"`` or ``"neuron"``.
    rel_tol : float, dimensionless
        Relative width of the bisection bracket.
    surface_margin_m : float, m
        The cortex drawn around the patch extends this far beyond it.
    budget_hint : str
        What to reduce when the map is over the run-time budget (the caller's name for
        ``n_cells``).
    method : str
        ``"simulate"``: every cell simulated with the field at each of its compartments;
        ``"table"``: looked up in the cell's uniform-field direction table at its soma's field,
        with ``check_cells`` of them simulated in full to measure the error (module docstring).
    table_directions : int or None
        Directions of the table (None: :data:`~tmslab.neuron.direction_table.DEFAULT_DIRECTIONS`).
    check_cells : int
        Cells simulated in full to check the table (method ``"table"``; 0: none, said so).
    **solver_options : Any
        Passed to the solver (``threads``).

    Returns
    -------
    CortexThresholdMap
        Per-cell thresholds and sites.
    """
    from tmslab.neuron.coupling import field_at
    from tmslab.neuron.direction_table import direction_table
    from tmslab.neuron.threshold import field_thresholds

    n = _check_count(n_cells)
    method = _check_method(method)
    d_table, k_check = check_map_budget(
        model, drive, n, method, table_directions, check_cells, hint=budget_hint
    )
    _, assumed = layer_of(model.name, layer)
    placement = place_in_cortex(
        head,
        target,
        radius_m,
        n,
        model_name=model.name,
        layer=layer,
        azimuth_deg=azimuth_deg,
        seed=seed,
    )
    start = time.perf_counter()
    origin = _origin_node(model)
    if method == "simulate":
        values = placed_field(model, placement, efield)
        soma_field = values[:, origin]
    else:
        soma_node = (
            np.einsum("pij,j->pi", placement.rotation, model.cable.position_m[origin])
            + placement.soma_m
        )
        soma_field = field_at(soma_node, _plain(efield))
    mid, _, _ = head.cortex("mid")
    e_target = float(np.linalg.norm(field_at(mid[[target.index]], _plain(efield))[0]))
    surface = _surface(head, placement, target, efield, surface_margin_m)
    t_field = time.perf_counter() - start
    soma_e = np.linalg.norm(soma_field, axis=1)
    # start the search where the model's own guess (V/m) lies in units of the applied field,
    # so a uniform field visits the amplitudes a direction search does
    typical = float(np.median(soma_e))
    guess = model.threshold_guess_v_per_m / typical if typical > 0 else 1.0
    start = time.perf_counter()
    check_index = check_scale = None
    if method == "simulate":
        search = field_thresholds(
            model,
            drive,
            values,
            placement.rotation,
            placement.soma_m,
            solver,
            rel_tol,
            guess,
            **solver_options,
        )
        th, node, lower, n_runs = (
            search.thresholds,
            search.initiation_node,
            search.lower,
            search.n_simulations,
        )
        timings = {"field and coupling": t_field, "thresholds": time.perf_counter() - start}
    else:
        table = direction_table(
            model, drive, d_table, rel_tol, threads=solver_options.get("threads")
        )
        t_table = time.perf_counter() - start
        local = np.einsum("pji,pj->pi", placement.rotation, soma_field)  # R^T E: cell frame
        th, node = table.estimate(local)
        start = time.perf_counter()
        check_index, check_scale, n_check = _check_table(
            model, drive, efield, placement, th, k_check, seed, solver, rel_tol, guess,
            **solver_options,
        )  # fmt: skip
        n_runs = table.n_simulations + n_check
        timings = {
            "field at the somata": t_field,
            "direction table": t_table,
            "table look-up and check": time.perf_counter() - start,
        }
    node = np.asarray(node, dtype=np.int64)
    cable = model.cable
    labels = tuple(
        model.morphology.branches[int(cable.branch[k])].label if k >= 0 else "" for k in node
    )
    where = np.full((n, 3), np.nan)
    fired = node >= 0
    local = cable.position_m[node[fired]]
    where[fired] = (
        np.einsum("pij,pj->pi", placement.rotation[fired], local) + placement.soma_m[fired]
    )
    lowest = float(np.nanmin(th * soma_e)) if np.any(np.isfinite(th)) else float("nan")
    warnings = list(model.threshold_warnings(lowest))
    if assumed:
        warnings.append(
            f"{model.name} names no cortical layer; placed in {DEFAULT_LAYER} (give the layer)"
        )
    missing = int(np.sum(~np.isfinite(th)))
    if missing and method == "simulate":
        warnings.append(
            f"{missing} of {n} cells did not fire up to {float(np.nanmax(lower)):.3g}x the "
            "applied intensity"
        )
    elif missing:
        warnings.append(
            f"{missing} of {n} cells have no threshold in the table: a direction next to their "
            "field's did not fire within the search (or the field at the soma is zero)"
        )
    result = CortexThresholdMap(
        model=model.name,
        waveform=drive.name,
        placement=placement,
        layer_assumed=assumed,
        threshold_scale=th,
        initiation_node=node,
        initiation_label=labels,
        initiation_m=where,
        e_soma_v_per_m=soma_e,
        didt_a_per_s=didt_a_per_s,
        e_target_v_per_m=e_target,
        target=getattr(target, "name", None),
        didt_max_a_per_s=didt_max_a_per_s,
        solver=solver,
        rel_tol=rel_tol,
        n_simulations=n_runs,
        timings_s=timings,
        warnings=tuple(warnings),
        surface=surface,
        head=getattr(head, "name", None),
        method=method,
        table_directions=d_table if method == "table" else None,
        check_index=check_index,
        check_scale=check_scale,
    )
    if method != "table":
        return result
    # the rows, the summary and the figure say the thresholds are estimates and how good; a
    # warning only when the check found them poor or there was none
    check = result.table_check()
    if check is None or not np.isfinite(check["max_abs_error"]):
        note = "thresholds from the direction table, not checked against the full simulation"
    elif check["max_abs_error"] > TABLE_ERROR_WARN:
        note = (
            f"thresholds from the direction table are up to {check['max_abs_error'] * 100:.0f} % "
            "off the full simulation of the checked cells (over 10 %): use the full simulation "
            "(method 'simulate') for these cells"
        )
    else:
        return result
    return replace(result, warnings=(*result.warnings, note))


def _check_table(model, drive, efield, placement, estimate, k, seed, solver, rel_tol, guess, **options):  # fmt: skip
    """Simulate ``k`` of the placed cells (drawn with ``seed``) in full: (their indices, their
    thresholds as scales of the applied field, the runs), or (None, None, 0) when k is 0."""
    from tmslab.neuron.threshold import field_thresholds

    if not k:
        return None, None, 0
    index = np.sort(np.random.default_rng(seed).choice(placement.n_cells, k, replace=False))
    sample = _subset(placement, index)
    own = estimate[index]
    start = float(np.nanmedian(own)) if np.any(np.isfinite(own)) else guess
    values = placed_field(model, sample, efield)
    search = field_thresholds(
        model, drive, values, sample.rotation, sample.soma_m, solver, rel_tol, start, **options
    )
    return index, search.thresholds, search.n_simulations


def _subset(placement: CortexPlacement, index: np.ndarray) -> CortexPlacement:
    """The placement of the cells ``index`` only (for :func:`placed_field`)."""
    per_cell = ("soma_m", "normal", "rotation", "azimuth_rad", "pial_m", "white_m", "triangle")
    return replace(placement, **{k: getattr(placement, k)[index] for k in per_cell})


def _origin_node(model) -> int:
    """The node nearest the cell's origin (its soma)."""
    return int(np.argmin(np.linalg.norm(model.cable.position_m, axis=1)))


def _plain(efield) -> Callable[[np.ndarray], np.ndarray]:
    if hasattr(efield, "efield") and hasattr(efield, "conductor"):
        return efield.efield
    return efield


def _surface(head, placement: CortexPlacement, target, efield, margin_m: float):
    """The mid surface around the patch with |E| at its vertices (for the figure)."""
    from tmslab.neuron.coupling import field_at

    mid, triangles, _ = head.cortex("mid")
    near = np.linalg.norm(mid - mid[target.index], axis=1) <= placement.radius_m + margin_m
    tri = triangles[near[triangles].all(axis=1)]
    keep = np.unique(tri)
    index = np.full(len(mid), -1)
    index[keep] = np.arange(len(keep))
    try:
        magnitude = np.linalg.norm(field_at(mid[keep], _plain(efield)), axis=1)
    except InvalidValueError:  # a vertex outside the conductor: draw the surface uncoloured
        magnitude = np.full(len(keep), np.nan)
    return mid[keep], index[tri], magnitude


def cells_within_budget(model, drive, wanted: int) -> int:
    """How many cells of ``model`` a cortex map can hold within the run-time budget, up to
    ``wanted`` (at least 1: a single cell over the budget is refused when the map runs).

    Parameters
    ----------
    model : CellModel
        The cell.
    drive : Drive
        The pulse.
    wanted : int
        The count asked for.

    Returns
    -------
    int
        The count.
    """
    from tmslab import budgets
    from tmslab.neuron.threshold import map_size

    per_cell = budgets.neuron_map(1, *map_size(model, drive)).seconds
    _, max_seconds = budgets.limits()
    fits = int(max_seconds // per_cell) if per_cell > 0 else wanted
    return max(1, min(wanted, fits))


def check_head_map(
    model,
    drive,
    radius_m: float,
    n_cells: int,
    layer: str | None = None,
    azimuth_deg=None,
    didt_max_a_per_s: float | None = None,
    method: str = "simulate",
    table_directions: int | None = None,
    check_cells: int = CHECK_CELLS,
) -> None:
    """Refuse a bad cortex-map request before any head is loaded or field solved.

    Parameters
    ----------
    model : CellModel
        The cell.
    drive : Drive
        The pulse.
    radius_m : float, m
        Patch radius.
    n_cells : int
        Number of cells.
    layer : str or None
        The layer.
    azimuth_deg : float or None, degrees
        Rotation about the normal.
    didt_max_a_per_s : float or None, A/s
        Peak dI/dt at 100 % MSO.
    method : str
        ``"simulate"`` or ``"table"`` (:func:`cortex_threshold_map`).
    table_directions : int or None
        Directions of the table (method ``"table"``).
    check_cells : int
        Cells simulated to check the table (method ``"table"``).

    Raises
    ------
    TmslabError
        One line for the first bad value (or a run over the budget).
    """
    from tmslab.errors import check_positive

    n = _check_count(n_cells)
    _check_radius(radius_m)
    layer_of(model.name, layer)
    if azimuth_deg is not None and not np.isfinite(float(azimuth_deg)):
        raise InvalidValueError(f"--azimuth-deg {azimuth_deg!r}: give a finite angle in degrees")
    if didt_max_a_per_s is not None:
        check_positive("--didt-max", didt_max_a_per_s, "A/s")
    check_map_budget(model, drive, n, method, table_directions, check_cells)


def map_runs(
    n_cells: int, method: str = "simulate", table_directions=None, check_cells=CHECK_CELLS
) -> tuple[int, int, int]:
    """Threshold searches a cortex map runs, its options checked (one-line errors).

    Parameters
    ----------
    n_cells : int
        Cells of the map.
    method : str
        ``"simulate"`` or ``"table"``.
    table_directions : int or None
        Directions of the table (None: the default).
    check_cells : int
        Cells the table's check simulates.

    Returns
    -------
    tuple of int
        (runs, table directions, cells checked): ``n_cells`` runs when simulated; the table's
        directions plus the checked cells from a table (its cost does not grow with the cells).
    """
    from tmslab.neuron.direction_table import DEFAULT_DIRECTIONS, check_directions

    d = check_directions(DEFAULT_DIRECTIONS if table_directions is None else table_directions)
    k = _check_sample(check_cells, n_cells)
    return (n_cells if _check_method(method) == "simulate" else d + k), d, k


def check_map_budget(
    model,
    drive,
    n_cells: int,
    method: str = "simulate",
    table_directions=None,
    check_cells=CHECK_CELLS,
    hint: str = "--cells",
    table_hint: str = "--table-directions or --check-cells",
) -> tuple[int, int]:
    """Check a cortex map's options and that its runs fit the run-time budget (one-line errors).

    Parameters
    ----------
    model : CellModel
        The cell.
    drive : Drive
        The pulse.
    n_cells : int
        Cells of the map.
    method : str
        ``"simulate"`` or ``"table"``.
    table_directions : int or None
        Directions of the table (None: the default).
    check_cells : int
        Cells the table's check simulates.
    hint : str
        What to reduce when a simulated map is over the budget (the caller's name for the cells).
    table_hint : str
        The same for a table map.

    Returns
    -------
    tuple of int
        (table directions, cells checked), as :func:`map_runs`.
    """
    from tmslab import budgets
    from tmslab.neuron.threshold import map_size

    runs, d, k = map_runs(n_cells, method, table_directions, check_cells)
    what = hint if _check_method(method) == "simulate" else table_hint
    budgets.check(budgets.neuron_map(runs, *map_size(model, drive), hint=what))
    return d, k


def prepare_head_maps(
    models,
    drive,
    coil,
    *,
    radius_m: float,
    n_cells: int,
    layer: str | None = None,
    azimuth_deg=None,
    didt_max_a_per_s: float | None = None,
    head=None,
    target: str | None = None,
    target_mni_m=None,
    target_label: str | None = None,
    method: str = "simulate",
    table_directions: int | None = None,
    check_cells: int = CHECK_CELLS,
    **placement,
):
    """Check a cortex-map request, then load the head and place the coil (no field solve).

    Every check that needs no head comes first (quick), then the head, coil and target.

    Parameters
    ----------
    models : sequence of CellModel
        The cell types.
    drive : Drive
        The pulse.
    coil : Coil, str or None
        Coil or preset name / coil file (None is refused).
    radius_m : float, m
        Patch radius.
    n_cells : int
        Cells per type.
    layer : str or None
        The layer of the somata (default from each model's name).
    azimuth_deg : float or None, degrees
        Rotation about the normal (default drawn at random).
    didt_max_a_per_s : float or None, A/s
        Peak dI/dt at 100 % MSO.
    head : HeadModel, str, Path or None
        The head (default fsaverage).
    target : str or None
        The patch centre: a named target; or give ``target_mni_m`` or ``target_label``.
    target_mni_m : (3,) array_like, m, or None
        The patch centre at an MNI152 coordinate.
    target_label : str or None
        The patch centre under a 10-05 position.
    method : str
        ``"simulate"`` or ``"table"`` (:func:`cortex_threshold_map`).
    table_directions : int or None
        Directions of the table (method ``"table"``).
    check_cells : int
        Cells simulated to check the table (method ``"table"``).
    **placement : Any
        The coil's placement: ``at``, ``at_mni_m``, ``handle_angle_deg``, ``handle_towards``,
        ``distance_m``, ``didt_a_per_s`` (:func:`~tmslab.efield.head_run.prepare_head_field`).

    Returns
    -------
    HeadFieldSetup
        Ready for :func:`run_head_maps`.

    Raises
    ------
    TmslabError
        One line for the first bad option.
    """
    from tmslab.efield.head_run import prepare_head_field

    if coil is None:
        raise InvalidValueError("head mode: give the coil with --coil (e.g. magstim-70mm-fig8)")
    if target is None and target_mni_m is None and target_label is None:
        raise InvalidValueError(
            "head mode: give the patch centre with --target, --target-mni or --target-label"
        )
    for model in models:
        check_head_map(
            model, drive, radius_m, n_cells, layer, azimuth_deg, didt_max_a_per_s,
            method, table_directions, check_cells,
        )  # fmt: skip
    patch = dict(target=target, target_mni_m=target_mni_m, target_label=target_label)
    return prepare_head_field(coil, head=head or "fsaverage", **patch, **placement)


def run_head_map(
    setup,
    model,
    drive,
    radius_m: float,
    n_cells: int,
    **options,
) -> CortexThresholdMap:
    """Solve the field of a checked head setup and map the thresholds of cells around its target.

    Parameters
    ----------
    setup : HeadFieldSetup
        From :func:`tmslab.efield.head_run.prepare_head_field` (head, placed coil, target,
        dI/dt), with a target.
    model : CellModel
        The cell.
    drive : Drive
        The pulse.
    radius_m : float, m
        Patch radius.
    n_cells : int
        Number of cells.
    **options : Any
        Passed to :func:`cortex_threshold_map` (``layer``, ``azimuth_deg``, ``seed``,
        ``didt_max_a_per_s``, ``solver``, ``rel_tol``, ``threads``).

    Returns
    -------
    CortexThresholdMap
        With the solve's time in ``timings_s["head solve"]``.
    """
    return run_head_maps(setup, (model,), drive, radius_m, n_cells, **options)[0]


def run_head_maps(
    setup,
    models,
    drive,
    radius_m: float,
    n_cells: int,
    **options,
) -> tuple[CortexThresholdMap, ...]:
    """One field solve, then the threshold map of each cell type around the setup's target.

    Every type gets ``n_cells`` cells drawn with the same seed (types in the same layer sit at
    the same points with the same rotations).

    Parameters
    ----------
    setup : HeadFieldSetup
        From :func:`tmslab.efield.head_run.prepare_head_field`, with a target.
    models : sequence of CellModel
        The cell types.
    drive : Drive
        The pulse.
    radius_m : float, m
        Patch radius.
    n_cells : int
        Cells per type.
    **options : Any
        Passed to :func:`cortex_threshold_map`.

    Returns
    -------
    tuple of CortexThresholdMap
        One per type, in order; each with the (shared) solve's time in
        ``timings_s["head solve"]``.
    """
    from tmslab.efield.bem import solve

    if setup.target is None:
        raise InvalidValueError("give the centre of the patch of cells: a cortical target")
    start = time.perf_counter()
    placed = setup.coil.transformed(setup.pose)
    solution = solve(setup.head.conductor(), placed, didt_a_per_s=setup.didt_a_per_s)
    t_solve = time.perf_counter() - start
    out = []
    for model in models:
        result = cortex_threshold_map(
            setup.head,
            solution,
            model,
            drive,
            setup.target,
            radius_m,
            n_cells,
            didt_a_per_s=setup.didt_a_per_s,
            **options,
        )
        timings = {"head solve": t_solve, **result.timings_s}
        out.append(replace(result, timings_s=timings, coil=getattr(setup.coil, "name", None)))
    return tuple(out)


@dataclass(frozen=True, eq=False)
class HeadMapRequest:
    """A cortex threshold map as asked for, in SI units: the coil on a head, the patch of cells
    around a target, the intensity and the method; one value from a command line or a script.

    :meth:`prepare` checks it all and places the coil (no solve); :meth:`run` solves the field once
    and maps every cell type. The fields are those of :func:`prepare_head_maps` (placement,
    target, patch) and :func:`cortex_threshold_map` (method, seed).

    Attributes
    ----------
    coil : Coil, str or None
        Coil, preset name or coil file (None is refused by :meth:`prepare`).
    head : HeadModel, str, Path or None
        fsaverage (the default) or a SimNIBS head mesh.
    target, target_mni_m, target_label : str, (3,) array_like m, str, or None
        The patch centre: a named target, an MNI152 coordinate, or under a 10-05 position.
    at, at_mni_m : str, (3,) array_like m, or None
        The coil centre: a 10-05 position, or over the scalp point nearest an MNI152 coordinate.
    handle_angle_deg : float or None, degrees
        Handle angle from posterior (default 0).
    handle_towards : str or None
        10-05 position the handle points to.
    distance_m : float, m
        Gap between the scalp and the coil centre.
    didt_a_per_s : float, A/s
        Applied peak dI/dt.
    didt_max_a_per_s : float or None, A/s
        Peak dI/dt at 100 % MSO (thresholds also in % MSO).
    radius_m : float, m
        Patch radius along the cortex.
    n_cells : int
        Cells per type.
    layer : str or None
        Layer of the somata (default from each model's name).
    azimuth_deg : float or None, degrees
        Rotation about the normal (default drawn at random, seeded).
    seed : int
        Seed of the positions and rotations.
    method : str
        ``"simulate"`` or ``"table"``.
    table_directions : int or None
        Directions of the table (None: the default).
    check_cells : int
        Cells simulated in full to check the table.
    """

    coil: Any
    head: Any = None
    target: str | None = None
    target_mni_m: Any = None
    target_label: str | None = None
    at: str | None = None
    at_mni_m: Any = None
    handle_angle_deg: float | None = None
    handle_towards: str | None = None
    distance_m: float = 0.0
    didt_a_per_s: float = 100 * A_PER_US
    didt_max_a_per_s: float | None = None
    radius_m: float = 10 * MM
    n_cells: int = 200
    layer: str | None = None
    azimuth_deg: float | None = None
    seed: int = 0
    method: str = "simulate"
    table_directions: int | None = None
    check_cells: int = CHECK_CELLS

    def prepare(self, models, drive):
        """Check the request for every cell type, load the head and place the coil (no solve).

        Parameters
        ----------
        models : sequence of CellModel
            The cell types.
        drive : Drive
            The pulse.

        Returns
        -------
        HeadFieldSetup
            For :meth:`run`.
        """
        return prepare_head_maps(
            models, drive, self.coil, radius_m=self.radius_m, n_cells=self.n_cells,
            layer=self.layer, azimuth_deg=self.azimuth_deg, didt_max_a_per_s=self.didt_max_a_per_s,
            head=self.head, target=self.target, target_mni_m=self.target_mni_m,
            target_label=self.target_label, method=self.method,
            table_directions=self.table_directions, check_cells=self.check_cells, at=self.at,
            at_mni_m=self.at_mni_m, handle_angle_deg=self.handle_angle_deg,
            handle_towards=self.handle_towards, distance_m=self.distance_m,
            didt_a_per_s=self.didt_a_per_s,
        )  # fmt: skip

    def run(
        self, setup, models, drive, solver: str = "batched", rel_tol: float = 0.005
    ) -> tuple[CortexThresholdMap, ...]:
        """One field solve of a prepared setup, then the map of each cell type.

        Parameters
        ----------
        setup : HeadFieldSetup
            From :meth:`prepare`.
        models : sequence of CellModel
            The cell types (as given to :meth:`prepare`).
        drive : Drive
            The pulse.
        solver : str
            ``"batched"`` or ``"neuron"``.
        rel_tol : float, dimensionless
            Relative width of the final bisection bracket.

        Returns
        -------
        tuple of CortexThresholdMap
            One per type, in order.
        """
        return run_head_maps(
            setup, models, drive, self.radius_m, self.n_cells, layer=self.layer,
            azimuth_deg=self.azimuth_deg, seed=self.seed, didt_max_a_per_s=self.didt_max_a_per_s,
            method=self.method, table_directions=self.table_directions,
            check_cells=self.check_cells, solver=solver, rel_tol=rel_tol,
        )  # fmt: skip
