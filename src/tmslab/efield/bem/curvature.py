"""Curvature correction of the self term of flat-triangle collocation.

On a flat triangle the principal value of n . E of its own charge is zero; on the smooth
surface the triangle stands for, it is not: with n(x) . (x - y) = kappa_n |x - y|^2 / 2 near x,
the kernel n . (x - y) / |x - y|^3 is kappa_n / (2 |x - y|), so the triangle's own charge adds
(H / (8 pi)) int_T dA / |x - y| per unit density (H the mean curvature, 1/m). Leaving it out
is a first-order (O(h)) error of the whole scheme; adding it with a discrete H restores the
O(h^2) convergence (measured in tests/efield/bem). H is estimated per triangle from the dihedral angles
at its edges (integrated mean curvature (1/2) sum_e len_e theta_e, each edge shared by two
triangles; Steiner's formula for polyhedra).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from tmslab.efield.bem.nearfield import _edge_log

SHARP_EDGE_RAD = np.deg2rad(30.0)  # dihedral angles above this are corners, not curvature


def mean_curvature(
    triangles: np.ndarray, vertices: np.ndarray, normals: np.ndarray, areas: np.ndarray
) -> np.ndarray:
    """Discrete mean curvature of each triangle of one closed surface (convex > 0).

    Parameters
    ----------
    triangles : (T, 3) ndarray of int
        Vertex indices.
    vertices : (V, 3) ndarray, m
        Vertices.
    normals : (T, 3) ndarray, dimensionless
        Outward unit normals.
    areas : (T,) ndarray, m^2
        Triangle areas.

    Returns
    -------
    (T,) ndarray, 1/m
        Mean curvature.
    """
    t = len(triangles)
    edges = np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [2, 0]]])
    owner = np.tile(np.arange(t), 3)
    key = np.sort(edges, axis=1)
    order = np.lexsort((key[:, 1], key[:, 0]))
    key, owner, edges = key[order], owner[order], edges[order]
    same = np.all(key[:-1] == key[1:], axis=1)
    first = np.flatnonzero(same)
    a, b = owner[first], owner[first + 1]
    length = np.linalg.norm(vertices[key[first, 0]] - vertices[key[first, 1]], axis=1)
    cos = np.clip(np.einsum("ij,ij->i", normals[a], normals[b]), -1.0, 1.0)
    # convex edge: the neighbour's far corner lies below this triangle's plane
    centroid_a = vertices[triangles[a]].mean(axis=1)
    centroid_b = vertices[triangles[b]].mean(axis=1)
    sign = np.where(np.einsum("ij,ij->i", normals[a], centroid_b - centroid_a) <= 0, 1.0, -1.0)
    theta = sign * np.arccos(cos)
    # A sharp edge (the rim of a dish) is a true corner of the geometry, which the flat
    # triangles already represent exactly: no smooth surface to correct for.
    theta[np.abs(theta) > SHARP_EDGE_RAD] = 0.0
    integrated = np.zeros(t)
    np.add.at(integrated, a, 0.25 * length * theta)
    np.add.at(integrated, b, 0.25 * length * theta)
    return integrated / areas


@nb.njit(parallel=True, cache=True)
def _self_potential(corners):  # pragma: no cover - compiled
    out = np.empty(corners.shape[0])
    for i in nb.prange(corners.shape[0]):
        c = corners[i]
        px = (c[0, 0] + c[1, 0] + c[2, 0]) / 3.0
        py = (c[0, 1] + c[1, 1] + c[2, 1]) / 3.0
        pz = (c[0, 2] + c[1, 2] + c[2, 2]) / 3.0
        total = 0.0
        for k in range(3):
            a = c[k]
            b = c[(k + 1) % 3]
            length = np.sqrt((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2 + (b[2] - a[2]) ** 2)
            # distance of the centroid from the edge line: 2 area / length; area = sum over
            # edges of length * distance / 2 and the centroid's three distances are equal
            cx = (a[1] - py) * (b[2] - pz) - (a[2] - pz) * (b[1] - py)
            cy = (a[2] - pz) * (b[0] - px) - (a[0] - px) * (b[2] - pz)
            cz = (a[0] - px) * (b[1] - py) - (a[1] - py) * (b[0] - px)
            distance = np.sqrt(cx * cx + cy * cy + cz * cz) / length
            total += distance * _edge_log(a[0], a[1], a[2], b[0], b[1], b[2], px, py, pz)
        out[i] = total
    return out


def self_potential(corners: np.ndarray) -> np.ndarray:
    """``int_T dA / |c - y|`` at each triangle's centroid c.

    Parameters
    ----------
    corners : (T, 3, 3) ndarray, m
        Triangle corners.

    Returns
    -------
    (T,) ndarray, m
        The integral.
    """
    return _self_potential(np.ascontiguousarray(corners, dtype=float))


def self_curvature_terms(conductor) -> np.ndarray:
    """Diagonal correction ``H_i / (8 pi) int_Ti dA/|c_i - y|`` of each triangle.

    Parameters
    ----------
    conductor : Conductor
        The conductor.

    Returns
    -------
    (T,) ndarray, dimensionless
        The terms.
    """
    if conductor.is_junction:
        h = _junction_curvature(conductor)
    else:
        h = np.concatenate(
            [
                mean_curvature(
                    s.triangles,
                    s.vertices,
                    conductor.normals[conductor.surface_index == i],
                    conductor.areas[conductor.surface_index == i],
                )
                for i, s in enumerate(conductor.surfaces)
            ]
        )
    return h * self_potential(conductor.corners) / (8.0 * np.pi)


def _junction_curvature(conductor) -> np.ndarray:
    """Mean curvature of each patch's triangles, continued across the patch's edges.

    A patch's edge is not the end of the smooth surface it lies on: across it the surface of the
    same compartment goes on in the patches with the same conductivity on the same side (GM|bone
    continues in GM|scalp, scalp|air in bone|air). Its triangles' curvature is taken on the union
    of those patches (vertices welded by coordinates).
    """
    from tmslab.conductors.surfaces import welded_vertex_ids

    surfaces = conductor.surfaces
    ids = welded_vertex_ids([s.vertices for s in surfaces])
    points = np.zeros((int(max(i.max() for i in ids)) + 1, 3))
    for s, i in zip(surfaces, ids, strict=True):
        points[i] = s.vertices
    index = conductor.surface_index
    h = np.zeros(conductor.n_triangles)
    for k, s in enumerate(surfaces):
        union = [
            j
            for j, other in enumerate(surfaces)
            if other.sigma_in == s.sigma_in or other.sigma_out == s.sigma_out
        ]
        rows = np.concatenate([np.flatnonzero(index == j) for j in union])
        triangles = np.concatenate([ids[j][surfaces[j].triangles] for j in union])
        values = mean_curvature(triangles, points, conductor.normals[rows], conductor.areas[rows])
        mine = index[rows] == k
        h[rows[mine]] = values[mine]
    return h
