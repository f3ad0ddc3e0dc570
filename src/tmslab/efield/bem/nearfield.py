"""Exact fields of uniformly charged flat triangles, for near pairs and near points.

The far field of a triangle's charge is approximated by a point charge at its centroid (that is
what the fast multipole method sums). Close to the triangle that is wrong, so for every target
closer than a few triangle sizes we subtract the point-charge field and add the exact one:

    F_T(r) = int_T (r - r') / |r - r'|^3 dS' = Omega_T(r) n + sum_edges m_e ln((R+ + s+)/(R- + s-))

(unit density; Omega_T the signed solid angle the triangle subtends at r, m_e the in-plane
outward edge normals, R+- the distances from r to an edge's end points and s+- their signed
positions along the edge, measured from r's projection; the in-plane part follows from the 2D
divergence theorem, e.g. Graglia 1993, doi:10.1109/8.247786). The field of a density s (V/m,
i.e. charge density / eps0) is s F_T / (4 pi). The solid angle uses van Oosterom & Strackee's
formula (1983, doi:10.1109/TBME.1983.325207).
"""

from __future__ import annotations

import numba as nb
import numpy as np

FOUR_PI = 4.0 * np.pi


@nb.njit(cache=True, inline="always")
def _edge_log(ax, ay, az, bx, by, bz, px, py, pz):  # pragma: no cover - compiled
    """int over the segment a->b of dl / |r - r'| for the point p."""
    tx = bx - ax
    ty = by - ay
    tz = bz - az
    length = np.sqrt(tx * tx + ty * ty + tz * tz)
    tx /= length
    ty /= length
    tz /= length
    dax = ax - px
    day = ay - py
    daz = az - pz
    dbx = bx - px
    dby = by - py
    dbz = bz - pz
    sa = dax * tx + day * ty + daz * tz
    sb = dbx * tx + dby * ty + dbz * tz
    ra = np.sqrt(dax * dax + day * day + daz * daz)
    rb = np.sqrt(dbx * dbx + dby * dby + dbz * dbz)
    if sa >= 0.0:
        return np.log((rb + sb) / (ra + sa))
    if sb <= 0.0:
        return np.log((ra - sa) / (rb - sb))
    cx = day * tz - daz * ty
    cy = daz * tx - dax * tz
    cz = dax * ty - day * tx
    d2 = cx * cx + cy * cy + cz * cz
    if d2 <= 0.0:
        d2 = 1e-300
    return np.log((rb + sb) * (ra - sa) / d2)


@nb.njit(cache=True)
def triangle_integral(px, py, pz, c, nx, ny, nz):  # pragma: no cover - compiled
    """``int_T (r - r')/|r - r'|^3 dS'`` over one flat triangle (analytic; compiled).

    Parameters
    ----------
    px, py, pz : float, m
        Field point r.
    c : (3, 3) ndarray, m
        Triangle corners.
    nx, ny, nz : float, dimensionless
        Unit normal.

    Returns
    -------
    (3,) ndarray, dimensionless
        The integral.
    """
    x1 = c[0, 0] - px
    y1 = c[0, 1] - py
    z1 = c[0, 2] - pz
    x2 = c[1, 0] - px
    y2 = c[1, 1] - py
    z2 = c[1, 2] - pz
    x3 = c[2, 0] - px
    y3 = c[2, 1] - py
    z3 = c[2, 2] - pz
    r1 = np.sqrt(x1 * x1 + y1 * y1 + z1 * z1)
    r2 = np.sqrt(x2 * x2 + y2 * y2 + z2 * z2)
    r3 = np.sqrt(x3 * x3 + y3 * y3 + z3 * z3)
    triple = x1 * (y2 * z3 - z2 * y3) + y1 * (z2 * x3 - x2 * z3) + z1 * (x2 * y3 - y2 * x3)
    denominator = (
        r1 * r2 * r3
        + (x1 * x2 + y1 * y2 + z1 * z2) * r3
        + (x1 * x3 + y1 * y3 + z1 * z3) * r2
        + (x2 * x3 + y2 * y3 + z2 * z3) * r1
    )
    # The solid angle seen from the side the normal points to is positive there.
    omega = -2.0 * np.arctan2(triple, denominator)
    ex = omega * nx
    ey = omega * ny
    ez = omega * nz
    for k in range(3):
        a = c[k]
        b = c[(k + 1) % 3]
        f = _edge_log(a[0], a[1], a[2], b[0], b[1], b[2], px, py, pz)
        tx = b[0] - a[0]
        ty = b[1] - a[1]
        tz = b[2] - a[2]
        # outward in-plane edge normal m = t x n (counter-clockwise corners about n)
        mx = ty * nz - tz * ny
        my = tz * nx - tx * nz
        mz = tx * ny - ty * nx
        norm = np.sqrt(mx * mx + my * my + mz * mz)
        ex += f * mx / norm
        ey += f * my / norm
        ez += f * mz / norm
    out = np.empty(3)
    out[0] = ex
    out[1] = ey
    out[2] = ez
    return out


@nb.njit(parallel=True, cache=True)
def _corrections(targets, indptr, indices, corners, centroids, normals, areas):  # pragma: no cover
    n_pairs = indices.shape[0]
    out = np.empty((n_pairs, 3))
    for i in nb.prange(targets.shape[0]):
        px = targets[i, 0]
        py = targets[i, 1]
        pz = targets[i, 2]
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            exact = triangle_integral(
                px, py, pz, corners[j], normals[j, 0], normals[j, 1], normals[j, 2]
            )
            dx = px - centroids[j, 0]
            dy = py - centroids[j, 1]
            dz = pz - centroids[j, 2]
            d2 = dx * dx + dy * dy + dz * dz
            if d2 > 0.0:
                w = areas[j] / (d2 * np.sqrt(d2))
            else:
                w = 0.0  # the multipole sum leaves a source's own point out
            out[k, 0] = (exact[0] - w * dx) / (4.0 * np.pi)
            out[k, 1] = (exact[1] - w * dy) / (4.0 * np.pi)
            out[k, 2] = (exact[2] - w * dz) / (4.0 * np.pi)
    return out


PAIR_CHUNK = 1 << 15  # targets per block: bounds the temporary pair arrays (~100 pairs each)


def near_pairs(
    targets: np.ndarray,
    centroids: np.ndarray,
    sizes: np.ndarray,
    factor: float,
    skip_self: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Triangles near each target, as CSR.

    A triangle j is near a target when their distance is below ``factor * sizes[j]``. Triangles
    are searched in bins of similar size, so graded meshes do not inflate the search radius. The
    search is done with array operations in blocks of targets, so its temporaries stay small on 1M
    facets.

    Parameters
    ----------
    targets : (M, 3) ndarray, m
        Target points.
    centroids : (T, 3) ndarray, m
        Triangle centroids.
    sizes : (T,) ndarray, m
        Longest edge of each triangle.
    factor : float, dimensionless
        Near radius in triangle sizes.
    skip_self : bool
        Leave out the pair (i, i) (targets are then the centroids themselves).

    Returns
    -------
    indptr : (M + 1,) ndarray of int
        Row pointers (int64).
    indices : (P,) ndarray of int
        Triangle indices (int32).
    """
    from scipy.spatial import cKDTree

    targets = np.asarray(targets, dtype=float)
    centroids = np.asarray(centroids, dtype=float)
    sizes = np.asarray(sizes, dtype=float)
    order_of_size = np.floor(np.log2(sizes / sizes.min()) * 2).astype(np.int64)
    levels = []
    for level in np.unique(order_of_size):
        members = np.flatnonzero(order_of_size == level)
        radius = factor * float(sizes[members].max())
        levels.append((members, radius, cKDTree(centroids[members])))
    counts = np.zeros(len(targets), dtype=np.int64)
    blocks = []
    for start in range(0, len(targets), PAIR_CHUNK):
        block = targets[start : start + PAIR_CHUNK]
        block_tree = cKDTree(block)
        rows_parts, cols_parts = [], []
        for members, radius, tree in levels:
            found = block_tree.sparse_distance_matrix(tree, radius, output_type="ndarray")
            if len(found) == 0:
                continue
            cols = members[found["j"]]
            keep = found["v"] < factor * sizes[cols]
            rows = found["i"][keep]
            cols = cols[keep]
            if skip_self:
                other = rows + start != cols
                rows, cols = rows[other], cols[other]
            rows_parts.append(rows.astype(np.int32))
            cols_parts.append(cols.astype(np.int32))
        if not rows_parts:
            continue
        rows = np.concatenate(rows_parts)
        cols = np.concatenate(cols_parts)
        order = np.lexsort((cols, rows))
        blocks.append(cols[order])
        counts[start : start + len(block)] = np.bincount(rows, minlength=len(block))
    indptr = np.zeros(len(targets) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    indices = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int32)
    return indptr, indices


def near_corrections(
    targets: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    corners: np.ndarray,
    centroids: np.ndarray,
    normals: np.ndarray,
    areas: np.ndarray,
) -> np.ndarray:
    """Exact minus point-charge field of unit density on each near pair.

    For pair k (target i, triangle j): ``(F_j(r_i) - a_j (r_i - c_j)/|r_i - c_j|^3) / (4 pi)``,
    with the point-charge part zero when r_i is the centroid (the FMM skips self-interaction).

    Parameters
    ----------
    targets : (M, 3) ndarray, m
        Target points.
    indptr : (M + 1,) ndarray of int
        CSR row pointers from :func:`near_pairs`.
    indices : (P,) ndarray of int
        Near triangle indices.
    corners : (T, 3, 3) ndarray, m
        Triangle corners.
    centroids : (T, 3) ndarray, m
        Triangle centroids.
    normals : (T, 3) ndarray, dimensionless
        Unit normals.
    areas : (T,) ndarray, m^2
        Triangle areas.

    Returns
    -------
    (P, 3) ndarray, V/m per V/m
        Corrections per unit density.
    """
    return _corrections(
        np.ascontiguousarray(targets, dtype=float),
        indptr,
        indices,
        np.ascontiguousarray(corners, dtype=float),
        np.ascontiguousarray(centroids, dtype=float),
        np.ascontiguousarray(normals, dtype=float),
        np.ascontiguousarray(areas, dtype=float),
    )


@nb.njit(cache=True, inline="always")
def _log_term(dax, day, daz, ra, rb, sa, sb, tx, ty, tz):  # pragma: no cover - compiled
    """_edge_log with the corner distances ra, rb and positions sa, sb already known."""
    if sa >= 0.0:
        return np.log((rb + sb) / (ra + sa))
    if sb <= 0.0:
        return np.log((ra - sa) / (rb - sb))
    cx = day * tz - daz * ty
    cy = daz * tx - dax * tz
    cz = dax * ty - day * tx
    d2 = cx * cx + cy * cy + cz * cz
    if d2 <= 0.0:
        d2 = 1e-300
    return np.log((rb + sb) * (ra - sa) / d2)


@nb.njit(parallel=True, cache=True)
def _averaged_normal_corrections_fast(
    indptr, indices, corners, centroids, normals, areas, tangents, edge_normals, bary, weights
):  # pragma: no cover - compiled
    """Same sums as the reference kernel in tests/efield/bem/test_scaling.py (quadrature of
    triangle_integral), with each source triangle's edge frames
    precomputed and only the normal component formed: the corner distances serve both the
    solid angle and the edge logs (3 square roots per point instead of 15)."""
    n_quad = weights.shape[0]
    out = np.empty(indices.shape[0], dtype=np.float32)
    for i in nb.prange(indptr.shape[0] - 1):
        ci = corners[i]
        nx = normals[i, 0]
        ny = normals[i, 1]
        nz = normals[i, 2]
        qp = np.empty((n_quad, 3))
        for q in range(n_quad):
            for d in range(3):
                qp[q, d] = bary[q, 0] * ci[0, d] + bary[q, 1] * ci[1, d] + bary[q, 2] * ci[2, d]
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            cj = corners[j]
            nn = nx * normals[j, 0] + ny * normals[j, 1] + nz * normals[j, 2]
            nm0 = (
                nx * edge_normals[j, 0, 0] + ny * edge_normals[j, 0, 1] + nz * edge_normals[j, 0, 2]
            )
            nm1 = (
                nx * edge_normals[j, 1, 0] + ny * edge_normals[j, 1, 1] + nz * edge_normals[j, 1, 2]
            )
            nm2 = (
                nx * edge_normals[j, 2, 0] + ny * edge_normals[j, 2, 1] + nz * edge_normals[j, 2, 2]
            )
            total = 0.0
            for q in range(n_quad):
                px = qp[q, 0]
                py = qp[q, 1]
                pz = qp[q, 2]
                x1 = cj[0, 0] - px
                y1 = cj[0, 1] - py
                z1 = cj[0, 2] - pz
                x2 = cj[1, 0] - px
                y2 = cj[1, 1] - py
                z2 = cj[1, 2] - pz
                x3 = cj[2, 0] - px
                y3 = cj[2, 1] - py
                z3 = cj[2, 2] - pz
                r1 = np.sqrt(x1 * x1 + y1 * y1 + z1 * z1)
                r2 = np.sqrt(x2 * x2 + y2 * y2 + z2 * z2)
                r3 = np.sqrt(x3 * x3 + y3 * y3 + z3 * z3)
                triple = (
                    x1 * (y2 * z3 - z2 * y3) + y1 * (z2 * x3 - x2 * z3) + z1 * (x2 * y3 - y2 * x3)
                )
                denominator = (
                    r1 * r2 * r3
                    + (x1 * x2 + y1 * y2 + z1 * z2) * r3
                    + (x1 * x3 + y1 * y3 + z1 * z3) * r2
                    + (x2 * x3 + y2 * y3 + z2 * z3) * r1
                )
                value = -2.0 * np.arctan2(triple, denominator) * nn
                # edge e runs from corner e to corner e + 1
                tx = tangents[j, 0, 0]
                ty = tangents[j, 0, 1]
                tz = tangents[j, 0, 2]
                sa = x1 * tx + y1 * ty + z1 * tz
                sb = x2 * tx + y2 * ty + z2 * tz
                value += nm0 * _log_term(x1, y1, z1, r1, r2, sa, sb, tx, ty, tz)
                tx = tangents[j, 1, 0]
                ty = tangents[j, 1, 1]
                tz = tangents[j, 1, 2]
                sa = x2 * tx + y2 * ty + z2 * tz
                sb = x3 * tx + y3 * ty + z3 * tz
                value += nm1 * _log_term(x2, y2, z2, r2, r3, sa, sb, tx, ty, tz)
                tx = tangents[j, 2, 0]
                ty = tangents[j, 2, 1]
                tz = tangents[j, 2, 2]
                sa = x3 * tx + y3 * ty + z3 * tz
                sb = x1 * tx + y1 * ty + z1 * tz
                value += nm2 * _log_term(x3, y3, z3, r3, r1, sa, sb, tx, ty, tz)
                total += weights[q] * value
            dx = centroids[i, 0] - centroids[j, 0]
            dy = centroids[i, 1] - centroids[j, 1]
            dz = centroids[i, 2] - centroids[j, 2]
            d2 = dx * dx + dy * dy + dz * dz
            w = areas[j] / (d2 * np.sqrt(d2))
            out[k] = (total - w * (nx * dx + ny * dy + nz * dz)) / (4.0 * np.pi)
    return out


def edge_frames(corners: np.ndarray, normals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit edge tangents (corner e to e + 1) and outward in-plane edge normals.

    Parameters
    ----------
    corners : (T, 3, 3) ndarray, m
        Triangle corners.
    normals : (T, 3) ndarray, dimensionless
        Unit normals.

    Returns
    -------
    tangents : (T, 3, 3) ndarray, dimensionless
        Edge tangents.
    edge_normals : (T, 3, 3) ndarray, dimensionless
        In-plane outward edge normals.
    """
    edges = np.roll(corners, -1, axis=1) - corners
    tangents = edges / np.linalg.norm(edges, axis=2, keepdims=True)
    outward = np.cross(tangents, normals[:, None, :])
    outward /= np.linalg.norm(outward, axis=2, keepdims=True)
    return np.ascontiguousarray(tangents), np.ascontiguousarray(outward)


# Dunavant's 7-point rule (degree 5) on a triangle: barycentric points and weights (sum 1).
_A1, _B1 = 0.797426985353087, 0.101286507323456
_A2, _B2 = 0.059715871789770, 0.470142064105115
GAUSS7_BARY = np.array(
    [
        [1 / 3, 1 / 3, 1 / 3],
        [_A1, _B1, _B1],
        [_B1, _A1, _B1],
        [_B1, _B1, _A1],
        [_A2, _B2, _B2],
        [_B2, _A2, _B2],
        [_B2, _B2, _A2],
    ]
)
GAUSS7_WEIGHTS = np.array([0.225] + [0.125939180544827] * 3 + [0.132394152788506] * 3)


def averaged_normal_corrections(indptr, indices, corners, centroids, normals, areas):
    """Near-pair corrections of the operator, averaged over each target triangle.

    For pair k (target triangle i, source j != i): the mean over triangle i (7-point rule) of
    ``n_i . F_j / (4 pi)`` minus the point-charge value at c_i. Testing with the mean over the
    triangle (a Galerkin-like test) instead of the centroid value converges better at edges.

    Parameters
    ----------
    indptr : (T + 1,) ndarray of int
        CSR row pointers (targets are the triangles).
    indices : (P,) ndarray of int
        Near source triangles.
    corners : (T, 3, 3) ndarray, m
        Triangle corners.
    centroids : (T, 3) ndarray, m
        Triangle centroids.
    normals : (T, 3) ndarray, dimensionless
        Unit normals.
    areas : (T,) ndarray, m^2
        Triangle areas.

    Returns
    -------
    (P,) ndarray, V/m per V/m
        float32 corrections per unit density.
    """
    corners = np.ascontiguousarray(corners, dtype=float)
    normals = np.ascontiguousarray(normals, dtype=float)
    tangents, edge_normals = edge_frames(corners, normals)
    return _averaged_normal_corrections_fast(
        indptr,
        indices,
        corners,
        np.ascontiguousarray(centroids, dtype=float),
        normals,
        np.ascontiguousarray(areas, dtype=float),
        tangents,
        edge_normals,
        GAUSS7_BARY,
        GAUSS7_WEIGHTS,
    )
