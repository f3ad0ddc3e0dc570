"""Mesh quality checks: closed, consistently oriented, outward, not self-intersecting.

Each check raises :class:`~tmslab.errors.InvalidValueError` with one line that names the
surface and the first offending edge or triangle. ``inside_mask`` decides whether points lie
inside a conductor by the winding number (the sum of the triangles' solid angles / 4 pi).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.geometry import directed_edges
from tmslab.units import MM_PER_M

_SURFACE_TOLERANCE_M = 1e-9


def check_closed_oriented(surface) -> None:
    """Raise unless every edge is shared by exactly two triangles in opposite directions.

    Parameters
    ----------
    surface : TriangleSurface
        The surface to check.

    Raises
    ------
    InvalidValueError
        Naming an open or inconsistently oriented edge.
    """
    tri = surface.triangles
    directed = directed_edges(tri)
    undirected = np.sort(directed, axis=1)
    _, counts = np.unique(undirected, axis=0, return_counts=True)
    if np.any(counts == 1):
        raise InvalidValueError(
            f"surface {surface.name!r} is open: {int((counts == 1).sum())} edges belong to a "
            "single triangle; close the holes (e.g. in Gmsh or MeshLab)"
        )
    if np.any(counts > 2):
        raise InvalidValueError(
            f"surface {surface.name!r} is non-manifold: {int((counts > 2).sum())} edges are "
            "shared by more than two triangles"
        )
    _, directed_counts = np.unique(directed, axis=0, return_counts=True)
    if np.any(directed_counts > 1):
        raise InvalidValueError(
            f"surface {surface.name!r} is not consistently oriented: "
            f"{int((directed_counts > 1).sum())} edges are traversed twice in the same direction "
            "(neighbouring triangles with opposite normals)"
        )


def check_outward(surface) -> None:
    """Raise if the (closed, oriented) surface's normals point inwards (negative volume).

    Parameters
    ----------
    surface : TriangleSurface
        The surface to check.

    Raises
    ------
    InvalidValueError
        If the enclosed volume is negative.
    """
    if surface.volume() <= 0:
        raise InvalidValueError(
            f"surface {surface.name!r} has inward-pointing normals (enclosed volume "
            f"{surface.volume():.3g} m^3); flip the triangles' vertex order"
        )


@nb.njit(cache=True)
def _tri_tri_intersect(a, b):  # pragma: no cover - compiled
    """True if triangles a, b ((3, 3) each) cross (segment-triangle tests, both ways)."""
    for first, second in ((a, b), (b, a)):
        e1 = second[1] - second[0]
        e2 = second[2] - second[0]
        for k in range(3):
            p = first[k]
            d = first[(k + 1) % 3] - p
            h = np.cross(d, e2)
            det = np.dot(e1, h)
            if abs(det) < 1e-30:
                continue
            f = 1.0 / det
            s = p - second[0]
            u = f * np.dot(s, h)
            if u < 1e-12 or u > 1.0 - 1e-12:
                continue
            q = np.cross(s, e1)
            v = f * np.dot(d, q)
            if v < 1e-12 or u + v > 1.0 - 1e-12:
                continue
            t = f * np.dot(e2, q)
            if 1e-12 < t < 1.0 - 1e-12:
                return True
    return False


@nb.njit(parallel=True, cache=True)
def _pairs_intersect(corners, tri, pairs):  # pragma: no cover - compiled
    out = np.zeros(pairs.shape[0], dtype=np.bool_)
    for k in nb.prange(pairs.shape[0]):
        i = pairs[k, 0]  # pairs: (P, 2) int64
        j = pairs[k, 1]
        shared = 0
        for m in range(3):
            for n in range(3):
                if tri[i, m] == tri[j, n]:
                    shared += 1
        if shared == 0:
            out[k] = _tri_tri_intersect(corners[i], corners[j])
    return out


def find_intersections(corners: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Index pairs of crossing triangles (pairs sharing a vertex are skipped).

    Parameters
    ----------
    corners : (T, 3, 3) ndarray, m
        Triangle corners.
    triangles : (T, 3) ndarray of int
        Vertex ids, global over the surfaces compared.

    Returns
    -------
    (P, 2) ndarray of int
        Indices of crossing triangle pairs.
    """
    from scipy.spatial import cKDTree

    centroids = corners.mean(axis=1)
    reach = np.linalg.norm(corners - centroids[:, None, :], axis=2).max()
    pairs = cKDTree(centroids).query_pairs(2 * reach, output_type="ndarray")
    if len(pairs) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    hits = _pairs_intersect(
        np.ascontiguousarray(corners), np.ascontiguousarray(triangles), pairs.astype(np.int64)
    )
    return pairs[hits]


def check_not_self_intersecting(surface) -> None:
    """Raise if two triangles of the surface cross each other.

    Parameters
    ----------
    surface : TriangleSurface
        The surface to check.

    Raises
    ------
    InvalidValueError
        Naming where (mm) the triangles cross.
    """
    hits = find_intersections(surface.corners(), surface.triangles)
    if len(hits):
        i, j = hits[0]
        where = np.round(surface.corners()[i].mean(axis=0) * MM_PER_M, 2).tolist()
        raise InvalidValueError(
            f"surface {surface.name!r} intersects itself: {len(hits)} crossing triangle pairs "
            f"(e.g. triangles {i} and {j} near {where} mm)"
        )


def check_surface(surface) -> None:
    """All checks of one surface: closed, oriented, outward, not self-intersecting.

    Parameters
    ----------
    surface : TriangleSurface
        The surface to check.

    Raises
    ------
    InvalidValueError
        From the first check that fails.
    """
    check_closed_oriented(surface)
    check_outward(surface)
    check_not_self_intersecting(surface)


def check_conductor(conductor) -> None:
    """Check every surface, and that no two surfaces cross each other.

    A junction conductor (:attr:`~tmslab.conductors.surfaces.Conductor.is_junction`) is checked
    by :func:`check_junctions` instead: its patches are open, its compartments closed.

    Parameters
    ----------
    conductor : Conductor
        The conductor to check.

    Raises
    ------
    InvalidValueError
        From the first check that fails.
    """
    if conductor.is_junction:
        check_junctions(conductor)
        return
    for surface in conductor.surfaces:
        check_surface(surface)
    if len(conductor.surfaces) > 1:
        offsets = np.cumsum([0] + [len(s.vertices) for s in conductor.surfaces[:-1]])
        tri = np.concatenate(
            [s.triangles + o for s, o in zip(conductor.surfaces, offsets, strict=True)]
        )
        hits = find_intersections(conductor.corners, tri)
        index = conductor.surface_index
        hits = hits[index[hits[:, 0]] != index[hits[:, 1]]]
        if len(hits):
            a, b = index[hits[0]]
            raise InvalidValueError(
                f"surfaces {conductor.surfaces[a].name!r} and {conductor.surfaces[b].name!r} "
                f"intersect ({len(hits)} crossing triangle pairs); compartments must be nested "
                "or disjoint"
            )


def check_junctions(conductor) -> None:
    """Check a conductor of interface patches that meet at junctions.

    With vertices welded by coordinates across patches: each patch is consistently oriented
    (no edge traversed twice the same way); no edge belongs to a single facet (a junction edge
    belongs to three or more: one per pair of compartments meeting there); the boundary of every compartment (all facets with a given conductivity on one
    side, oriented out of it) is closed and consistently oriented (each directed edge matched by
    its reverse), which also means outward-oriented patches; no two facets cross.

    Parameters
    ----------
    conductor : Conductor
        The conductor to check.

    Raises
    ------
    InvalidValueError
        Naming the offending patch or compartment (by conductivity) and where (mm).
    """
    from tmslab.conductors.surfaces import welded_vertex_ids

    surfaces = conductor.surfaces
    ids = welded_vertex_ids([s.vertices for s in surfaces])
    tris = [i[s.triangles] for s, i in zip(surfaces, ids, strict=True)]
    points = np.concatenate([s.vertices for s in surfaces])
    where_of = dict(zip(np.concatenate(ids).tolist(), range(len(points)), strict=False))

    def where(vertex: int) -> list:
        return np.round(points[where_of[int(vertex)]] * MM_PER_M, 2).tolist()

    for s, tri in zip(surfaces, tris, strict=True):
        if (
            np.any(tri[:, 0] == tri[:, 1])
            or np.any(tri[:, 1] == tri[:, 2])
            or np.any(tri[:, 2] == tri[:, 0])
        ):
            raise InvalidValueError(
                f"surface {s.name!r} has collapsed triangles (repeated corners)"
            )
        directed, counts = np.unique(directed_edges(tri), axis=0, return_counts=True)
        if np.any(counts > 1):
            edge = directed[np.argmax(counts > 1)]
            raise InvalidValueError(
                f"surface {s.name!r} is not consistently oriented: "
                f"{int((counts > 1).sum())} edges are traversed twice in the same direction "
                f"(e.g. at {where(edge[0])} mm)"
            )
    everything = np.concatenate(tris)
    undirected, counts = np.unique(
        np.sort(directed_edges(everything), axis=1), axis=0, return_counts=True
    )
    # junction edges are shared by three or more facets (one per pair of regions meeting there)
    if np.any(counts == 1):
        edge = undirected[np.argmax(counts == 1)]
        raise InvalidValueError(
            f"conductor {conductor.name!r} has {int((counts == 1).sum())} open edges (in a "
            f"single facet, e.g. at {where(edge[0])} mm): a compartment is not closed"
        )
    sigmas = sorted({s.sigma_in for s in surfaces} | {s.sigma_out for s in surfaces})
    for sigma in sigmas:
        parts = [t for s, t in zip(surfaces, tris, strict=True) if s.sigma_in == sigma]
        parts += [t[:, ::-1] for s, t in zip(surfaces, tris, strict=True) if s.sigma_out == sigma]
        directed = directed_edges(np.concatenate(parts))
        forward, fcount = np.unique(directed, axis=0, return_counts=True)
        backward, bcount = np.unique(directed[:, ::-1], axis=0, return_counts=True)
        balanced = len(forward) == len(backward) and np.array_equal(forward, backward)
        balanced = balanced and np.array_equal(fcount, bcount)
        if not balanced:
            bad = forward[0]
            if len(forward) == len(backward):
                mismatch = np.flatnonzero(np.any(forward != backward, axis=1) | (fcount != bcount))
                bad = forward[mismatch[0]] if len(mismatch) else bad
            what = "the outside (insulator)" if sigma == 0 else f"the compartment of {sigma:g} S/m"
            raise InvalidValueError(
                f"conductor {conductor.name!r}: the boundary of {what} is not closed and "
                f"consistently oriented (e.g. at the edge from {where(bad[0])} mm); patches must "
                "point out of their sigma_in side"
            )
    hits = find_intersections(conductor.corners, everything)  # within and across patches
    if len(hits):
        index = conductor.surface_index
        a, b = index[hits[0]]
        raise InvalidValueError(
            f"surfaces {surfaces[a].name!r} and {surfaces[b].name!r} intersect "
            f"({len(hits)} crossing triangle pairs)"
        )


@nb.njit(parallel=True, cache=True)
def _winding(points, corners):  # pragma: no cover - compiled
    out = np.zeros(points.shape[0])
    for i in nb.prange(points.shape[0]):
        total = 0.0
        for j in range(corners.shape[0]):
            x1 = corners[j, 0, 0] - points[i, 0]
            y1 = corners[j, 0, 1] - points[i, 1]
            z1 = corners[j, 0, 2] - points[i, 2]
            x2 = corners[j, 1, 0] - points[i, 0]
            y2 = corners[j, 1, 1] - points[i, 1]
            z2 = corners[j, 1, 2] - points[i, 2]
            x3 = corners[j, 2, 0] - points[i, 0]
            y3 = corners[j, 2, 1] - points[i, 1]
            z3 = corners[j, 2, 2] - points[i, 2]
            r1 = np.sqrt(x1 * x1 + y1 * y1 + z1 * z1)
            r2 = np.sqrt(x2 * x2 + y2 * y2 + z2 * z2)
            r3 = np.sqrt(x3 * x3 + y3 * y3 + z3 * z3)
            triple = x1 * (y2 * z3 - z2 * y3) + y1 * (z2 * x3 - x2 * z3) + z1 * (x2 * y3 - y2 * x3)
            den = (
                r1 * r2 * r3
                + (x1 * x2 + y1 * y2 + z1 * z2) * r3
                + (x1 * x3 + y1 * y3 + z1 * z3) * r2
                + (x2 * x3 + y2 * y3 + z2 * z3) * r1
            )
            total += 2.0 * np.arctan2(triple, den)
        out[i] = total / (4.0 * np.pi)
    return out


def inside_mask(conductor, points: np.ndarray) -> np.ndarray:
    """Which points lie inside the conductor's outermost surfaces.

    Uses the winding number of each insulated body (:attr:`Conductor.outer_bodies`: a closed
    sigma_out = 0 surface, or the insulated patches of a junction conductor together); points
    outside a body's bounding box are outside it without computation.

    Parameters
    ----------
    conductor : Conductor
        The conductor.
    points : (N, 3) ndarray, m
        Points to test.

    Returns
    -------
    (N,) ndarray of bool
        True inside.
    """
    p = np.ascontiguousarray(points, dtype=float).reshape(-1, 3)
    mask = np.zeros(len(p), dtype=bool)
    for body in conductor.outer_bodies:
        surfaces = [conductor.surfaces[i] for i in body]
        vertices = np.concatenate([s.vertices for s in surfaces])
        lo = vertices.min(axis=0) - _SURFACE_TOLERANCE_M
        hi = vertices.max(axis=0) + _SURFACE_TOLERANCE_M
        candidates = np.flatnonzero(np.all((p >= lo) & (p <= hi), axis=1) & ~mask)
        if len(candidates):
            corners = np.concatenate([s.corners() for s in surfaces])
            winding = winding_numbers(p[candidates], corners)
            mask[candidates[winding > 0.5]] = True
    return mask


# Below this many point-triangle pairs the exact sum is quick (about 1e8 pairs/s).
_EXACT_WINDING_BELOW = 2e7
# Triangles closer than this many longest edges get their exact solid angle; farther ones
# count as point dipoles (their solid angle to second order), summed by the FMM: on the
# fsaverage inner skull the winding numbers stay within 0.01 of the exact sum (tested).
_NEAR_EDGES = 2.0


def _solid_angles(p: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Exact solid angles of triangles ``corners`` (K, 3, 3) seen from points ``p`` (K, 3)."""
    r = corners - p[:, None, :]
    n = np.linalg.norm(r, axis=2)
    triple = np.einsum("ij,ij->i", r[:, 0], np.cross(r[:, 1], r[:, 2]))
    den = (
        n[:, 0] * n[:, 1] * n[:, 2]
        + np.einsum("ij,ij->i", r[:, 0], r[:, 1]) * n[:, 2]
        + np.einsum("ij,ij->i", r[:, 0], r[:, 2]) * n[:, 1]
        + np.einsum("ij,ij->i", r[:, 1], r[:, 2]) * n[:, 0]
    )
    return 2.0 * np.arctan2(triple, den)


def _dipole_angles(p: np.ndarray, centroids: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """A triangle's solid angle as a point dipole: area vector . (c - p) / |c - p|^3."""
    d = centroids - p
    r2 = np.einsum("ij,ij->i", d, d)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.einsum("ij,ij->i", areas, d) / (r2 * np.sqrt(r2))
    return np.where(r2 > 0, out, 0.0)  # the FMM leaves a coincident source out too


def winding_numbers(points: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Winding number of a closed outward-oriented triangle mesh about each point.

    1 inside, 0 outside (1/2 on the surface): the sum of the triangles' solid angles / 4 pi.
    Small problems sum the exact solid angles; large ones (a head's 20k triangles and 20k
    cortex points) sum the far triangles as point dipoles with the FMM and the near ones
    (within two longest edges) exactly, an error far below the 1/2 that decides.

    Parameters
    ----------
    points : (N, 3) ndarray, m
        Points.
    corners : (T, 3, 3) ndarray, m
        Triangle corners, counter-clockwise seen from outside.

    Returns
    -------
    (N,) ndarray, dimensionless
        Winding numbers.
    """
    p = np.ascontiguousarray(points, dtype=float).reshape(-1, 3)
    c = np.ascontiguousarray(corners, dtype=float)
    if len(p) * len(c) <= _EXACT_WINDING_BELOW:
        return _winding(p, c)
    import fmm3dpy
    from scipy.spatial import cKDTree

    centroids = c.mean(axis=1)
    areas = 0.5 * np.cross(c[:, 1] - c[:, 0], c[:, 2] - c[:, 0])
    # FMM3D's dipole potential is v . (x - y) / (4 pi |x - y|^3): -1/(4 pi) the solid angle
    far = fmm3dpy.lfmm3d(
        eps=1e-4,  # of a sum of order 4 pi; the decision needs 1/2
        sources=np.asfortranarray(centroids.T),
        dipvec=np.asfortranarray(areas.T),
        targets=np.asfortranarray(p.T),
        pgt=1,
    )
    total = -4.0 * np.pi * np.asarray(far.pottarg, dtype=float)
    edges = np.linalg.norm(c - np.roll(c, 1, axis=1), axis=2).max()
    pairs = cKDTree(p).sparse_distance_matrix(
        cKDTree(centroids), _NEAR_EDGES * edges, output_type="ndarray"
    )
    i, j = pairs["i"], pairs["j"]
    correction = _solid_angles(p[i], c[j]) - _dipole_angles(p[i], centroids[j], areas[j])
    total += np.bincount(i, weights=correction, minlength=len(p))
    return total / (4.0 * np.pi)


def check_points_inside(conductor, points: np.ndarray, name: str = "points") -> None:
    """Raise if any of the points lies outside the conductor.

    Parameters
    ----------
    conductor : Conductor
        The conductor.
    points : (N, 3) ndarray, m
        Points to test.
    name : str
        What to call the points in the message.

    Raises
    ------
    InvalidValueError
        Naming the first point outside (mm).
    """
    inside = inside_mask(conductor, points)
    if not np.all(inside):
        bad = np.flatnonzero(~inside)
        i = int(bad[0])
        where = np.round(np.asarray(points)[i] * MM_PER_M, 3).tolist()
        raise InvalidValueError(
            f"{bad.size} of {len(inside)} {name} lie outside the conductor "
            f"{getattr(conductor, 'name', '')!r}, e.g. row {i + 1} at {where} mm; points are "
            "metres in the conductor's frame"
        )


def point_triangle_distance(points: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Distance from each point to its triangle (pairwise).

    Parameters
    ----------
    points : (P, 3) ndarray, m
        Points.
    corners : (P, 3, 3) ndarray, m
        One triangle per point.

    Returns
    -------
    (P,) ndarray, m
        Distances.
    """
    p = np.asarray(points, dtype=float).reshape(-1, 3)
    c = np.asarray(corners, dtype=float).reshape(-1, 3, 3)
    a, b, d = c[:, 0], c[:, 1], c[:, 2]
    normal = np.cross(b - a, d - a)
    norm = np.linalg.norm(normal, axis=1)
    unit = normal / np.where(norm > 0, norm, 1.0)[:, None]
    height = np.einsum("ij,ij->i", p - a, unit)
    foot = p - height[:, None] * unit
    # The foot lies inside when it is on the inner side of all three edges.
    inside = norm > 0
    for u, v in ((a, b), (b, d), (d, a)):
        inside &= np.einsum("ij,ij->i", np.cross(v - u, foot - u), normal) >= 0
    best = np.full(len(p), np.inf)
    for u, v in ((a, b), (b, d), (d, a)):
        edge = v - u
        length2 = np.einsum("ij,ij->i", edge, edge)
        s = np.einsum("ij,ij->i", p - u, edge) / np.where(length2 > 0, length2, 1.0)
        closest = u + np.clip(s, 0.0, 1.0)[:, None] * edge
        best = np.minimum(best, np.linalg.norm(p - closest, axis=1))
    return np.where(inside, np.abs(height), best)


def surface_distance(conductor, points: np.ndarray, outer_only: bool = False) -> np.ndarray:
    """Distance from points to the nearest triangle of the conductor.

    Brute force over all triangles: meant for a few points (a coil centre), not for grids.

    Parameters
    ----------
    conductor : Conductor
        The conductor.
    points : (N, 3) ndarray, m
        Points.
    outer_only : bool
        Only the insulated outer surfaces (sigma_out = 0), e.g. the scalp of a head.

    Returns
    -------
    (N,) ndarray, m
        Distances.
    """
    p = np.asarray(points, dtype=float).reshape(-1, 3)
    surfaces = [s for s in conductor.surfaces if s.sigma_out == 0 or not outer_only]
    out = np.full(len(p), np.inf)
    for surface in surfaces:
        corners = surface.corners()
        for i, point in enumerate(p):
            d = point_triangle_distance(np.broadcast_to(point, (len(corners), 3)), corners)
            out[i] = min(out[i], float(d.min()))
    return out


def signed_surface_distance(conductor, points: np.ndarray) -> np.ndarray:
    """Distance from points to the conductor's outer surface, negative inside.

    Parameters
    ----------
    conductor : Conductor
        The conductor.
    points : (N, 3) ndarray, m
        Points.

    Returns
    -------
    (N,) ndarray, m
        Signed distances.
    """
    distance = surface_distance(conductor, points, outer_only=True)
    return np.where(inside_mask(conductor, points), -distance, distance)
