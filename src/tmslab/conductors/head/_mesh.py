"""Small triangle-mesh helpers for the realistic head: vertex normals and closest points."""

from __future__ import annotations

import numpy as np

# Candidate triangles per query point (nearest by centroid); enough on meshes whose triangles are
# small compared with the distances queried.
_CANDIDATES = 24


def triangle_normals(vertices: np.ndarray, triangles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit normals and areas of the triangles.

    Parameters
    ----------
    vertices : (V, 3) ndarray, m
        Vertices.
    triangles : (T, 3) ndarray of int
        Vertex indices, counter-clockwise seen from the side the normal points to.

    Returns
    -------
    normals : (T, 3) ndarray, dimensionless
        Unit normals.
    areas : (T,) ndarray, m^2
        Areas.
    """
    c = vertices[triangles]
    cross = np.cross(c[:, 1] - c[:, 0], c[:, 2] - c[:, 0])
    doubled = np.linalg.norm(cross, axis=1)
    return cross / np.maximum(doubled, 1e-300)[:, None], 0.5 * doubled


def vertex_normals(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals.

    Parameters
    ----------
    vertices : (V, 3) ndarray, m
        Vertices.
    triangles : (T, 3) ndarray of int
        Vertex indices.

    Returns
    -------
    (V, 3) ndarray, dimensionless
        Unit normals (the triangles' orientation decides the side).
    """
    c = vertices[triangles]
    cross = np.cross(c[:, 1] - c[:, 0], c[:, 2] - c[:, 0])  # length = 2 x area
    out = np.zeros_like(vertices, dtype=float)
    for k in range(3):
        np.add.at(out, triangles[:, k], cross)
    return out / np.maximum(np.linalg.norm(out, axis=1), 1e-300)[:, None]


def _closest_on_triangles(p: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Closest points to p on triangles abc (all (..., 3)), Ericson's region tests, vectorised."""
    ab, ac, ap = b - a, c - a, p - a
    d1 = np.einsum("...i,...i", ab, ap)
    d2 = np.einsum("...i,...i", ac, ap)
    bp = p - b
    d3 = np.einsum("...i,...i", ab, bp)
    d4 = np.einsum("...i,...i", ac, bp)
    cp = p - c
    d5 = np.einsum("...i,...i", ab, cp)
    d6 = np.einsum("...i,...i", ac, cp)
    va = d3 * d6 - d5 * d4
    vb = d5 * d2 - d1 * d6
    vc = d1 * d4 - d3 * d2
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1.0 / (va + vb + vc)
        v = vb * denom
        w = vc * denom
        out = a + ab * v[..., None] + ac * w[..., None]  # interior
        # edges
        t_ab = d1 / (d1 - d3)
        on_ab = (vc <= 0) & (d1 >= 0) & (d3 <= 0)
        out = np.where(on_ab[..., None], a + t_ab[..., None] * ab, out)
        t_ac = d2 / (d2 - d6)
        on_ac = (vb <= 0) & (d2 >= 0) & (d6 <= 0)
        out = np.where(on_ac[..., None], a + t_ac[..., None] * ac, out)
        t_bc = (d4 - d3) / ((d4 - d3) + (d5 - d6))
        on_bc = (va <= 0) & ((d4 - d3) >= 0) & ((d5 - d6) >= 0)
        out = np.where(on_bc[..., None], b + t_bc[..., None] * (c - b), out)
    # vertices
    out = np.where(((d1 <= 0) & (d2 <= 0))[..., None], a, out)
    out = np.where(((d3 >= 0) & (d4 <= d3))[..., None], b, out)
    out = np.where(((d6 >= 0) & (d5 <= d6))[..., None], c, out)
    return out


def closest_points(
    points: np.ndarray, vertices: np.ndarray, triangles: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Closest points on a triangle mesh.

    Parameters
    ----------
    points : (P, 3) ndarray, m
        Query points.
    vertices : (V, 3) ndarray, m
        Mesh vertices.
    triangles : (T, 3) ndarray of int
        Mesh triangles.

    Returns
    -------
    closest : (P, 3) ndarray, m
        The closest point on the mesh to each query point.
    triangle : (P,) ndarray of int
        The triangle it lies on.
    distance : (P,) ndarray, m
        Distance from the query point.
    """
    from scipy.spatial import cKDTree

    points = np.atleast_2d(np.asarray(points, dtype=float))
    corners = vertices[triangles]
    k = min(_CANDIDATES, len(triangles))
    _, candidates = cKDTree(corners.mean(axis=1)).query(points, k=k)
    candidates = candidates.reshape(len(points), k)
    c = corners[candidates]  # (P, k, 3, 3)
    p = np.broadcast_to(points[:, None, :], c[:, :, 0].shape)
    near = _closest_on_triangles(p, c[:, :, 0], c[:, :, 1], c[:, :, 2])
    dist = np.linalg.norm(near - p, axis=2)
    best = np.argmin(dist, axis=1)
    rows = np.arange(len(points))
    return near[rows, best], candidates[rows, best], dist[rows, best]
