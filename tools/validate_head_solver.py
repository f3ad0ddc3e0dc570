"""Independent checks of the head BEM of issue 16 (``tmslab field head``): refinement and a FEM.

Three checks of the E-field on the fsaverage mid-cortical surface (both hemispheres, medial wall
excluded), for a coil placed at a 10-05 position of the template (default magstim-70mm-fig8 at
C3, handle 45 deg, 4 mm above the scalp), in SimNIBS's measures over the cortex points

    RDM = || E / ||E|| - E_ref / ||E_ref|| ||,   MAG = ||E|| / ||E_ref||

(norms over all points' vector components stacked):

1. ``refine``: the BEM on the inner skull as shipped (20,480 facets) against the BEM on the same
   surface with every facet split into four at its edge midpoints (81,920 facets; the surface
   itself does not move). Issue 16's bar: RDM <= 0.02.
2. ``sphere``: the finite-element solver of check 3 on a tetrahedralised 8.5 cm icosphere against
   the analytic sphere field (Heller & van Hulsteyn 1992; :func:`tmslab.efield.kernels.sphere_efield`)
   at points 3-30 mm deep: checks the FEM itself before it is used as a reference.
3. ``fem``: an independent solver on the same geometry: scikit-fem (P1 or P2 Lagrange elements)
   on a TetGen volume mesh of the inner-skull surface (its facets kept as the mesh boundary),
   solving div(sigma grad phi) = div(sigma E_p) with the insulating boundary condition
   n . sigma (E_p - grad phi) = 0 in the weak form
   ``int grad phi . grad v = int E_p . grad v`` (sigma homogeneous drops out: a single
   compartment's field does not depend on its conductivity). E_p = -dA/dt is the coil's primary
   field per unit dI/dt (its magnetic dipoles, :func:`tmslab.efield.kernels.dipole_vector_potential`),
   evaluated at the quadrature points; E = E_p - grad phi, grad phi evaluated exactly in the
   element that contains each cortex point. TetGen refuses the shipped inner skull (90 pairs
   of its triangles cross, at the floor of the middle cranial fossa), so the surface is first
   untangled locally (:func:`repair_self_intersections`, at most 0.8 mm) and BOTH solvers run
   on the repaired surface; the BEM on the shipped surface is compared with it too. Issue 16's
   bar: RDM <= 0.05. Also printed: the summary values of both solvers, the secondary/primary
   field ratio and the cortex peak against the analytic sphere at the hot spot's depth.

Needs the ``validation`` extra (``pip install -e .[validation]``: scikit-fem, tetgen, pyamg).
Run from the repository root::

    python tools/validate_head_solver.py                  # all three, about 7 min on 2 cores
    python tools/validate_head_solver.py --checks fem --order 1 --max-volume-mm3 0 --skip-shipped
    python tools/validate_head_solver.py --json figures.json

Figures found are in docs/validation-head.md; a reduced version runs as a slow test
(tests/validation/test_head_solver.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass

import numpy as np

from tmslab.units import A_PER_US, MM

R_SPHERE = 0.085  # m, the BEM sphere tests' head radius


@dataclass(frozen=True)
class Comparison:
    """One check's figures.

    Attributes
    ----------
    name : str
        Which check.
    rdm : float, dimensionless
        Relative difference measure (0 identical, 2 opposite).
    mag : float, dimensionless
        ||E|| / ||E_ref||.
    n_points : int
        Field points compared.
    peak : float, V/m per A/us
        Largest |E| at the points (this solver).
    peak_ref : float, V/m per A/us
        Largest |E| at the points (reference).
    times_s : dict
        Wall time per step, s.
    sizes : dict
        Mesh sizes (facets, tetrahedra, unknowns).
    """

    name: str
    rdm: float
    mag: float
    n_points: int
    peak: float
    peak_ref: float
    times_s: dict
    sizes: dict


def rdm_mag(numerical: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """SimNIBS's RDM and MAG over all points (vectors stacked).

    Parameters
    ----------
    numerical, reference : (N, 3) ndarray, V/m
        Fields at the same points.

    Returns
    -------
    rdm, mag : float, dimensionless
        ``||a/|a| - b/|b|||`` and ``|a|/|b|``.
    """
    a, b = np.linalg.norm(numerical), np.linalg.norm(reference)
    return float(np.linalg.norm(numerical / a - reference / b)), float(a / b)


def _comparison(name, e, e_ref, times, sizes) -> Comparison:
    # fields are at dI/dt = 1 A/us throughout: V/m is V/m per A/us
    rdm, mag = rdm_mag(e, e_ref)
    peak = lambda x: float(np.linalg.norm(x, axis=1).max())  # noqa: E731
    return Comparison(name, rdm, mag, len(e), peak(e), peak(e_ref), times, sizes)


# --- geometry ---------------------------------------------------------------------------------
def subdivide(vertices: np.ndarray, triangles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split every triangle into four at its edge midpoints (the surface does not move).

    Parameters
    ----------
    vertices : (V, 3) ndarray, m
        Vertices.
    triangles : (T, 3) ndarray of int
        Counter-clockwise seen from outside.

    Returns
    -------
    vertices : (V + E, 3) ndarray, m
        The old vertices, then one per edge (E edges).
    triangles : (4 T, 3) ndarray of int
        Same orientation as the input.
    """
    v = np.asarray(vertices, dtype=float)
    t = np.asarray(triangles, dtype=np.int64)
    edges = np.sort(np.concatenate([t[:, [0, 1]], t[:, [1, 2]], t[:, [2, 0]]]), axis=1)
    unique, inverse = np.unique(edges, axis=0, return_inverse=True)
    mid = len(v) + inverse.reshape(3, len(t)).T  # (T, 3): midpoints of edges 01, 12, 20
    new_v = np.concatenate([v, 0.5 * (v[unique[:, 0]] + v[unique[:, 1]])])
    a, b, c = t.T
    ab, bc, ca = mid.T
    new_t = np.concatenate(
        [np.c_[a, ab, ca], np.c_[ab, b, bc], np.c_[ca, bc, c], np.c_[ab, bc, ca]]
    )
    return new_v, new_t


def head_setup(coil_name: str, at: str, handle_deg: float, distance_mm: float):
    """The fsaverage head, the pose, the placed coil and the mid-cortical vertices.

    Returns
    -------
    head : HeadModel
    pose : (4, 4) ndarray, m
    placed : Coil
        In the head frame.
    vertices : (N, 3) ndarray, m
        Mid-cortical vertices of both hemispheres (as :meth:`HeadModel.cortex` stacks them).
    cortex : (N,) ndarray of bool
        False on the medial wall (left out of every comparison).
    """
    from tmslab.coils import get_coil
    from tmslab.conductors.head import fsaverage_head, pose_at
    from tmslab.conductors.head.template import HEMISPHERES

    head = fsaverage_head()
    pose = pose_at(head, at, handle_angle_deg=handle_deg, distance_m=distance_mm * MM)
    placed = get_coil(coil_name).transformed(pose)
    vertices, _, _ = head.cortex("mid")
    cortex = ~np.concatenate([head.hemispheres[h].medial_wall for h in HEMISPHERES])
    return head, pose, placed, vertices, cortex


def bem_field(vertices, triangles, placed, points) -> tuple[np.ndarray, dict]:
    """The head BEM (tmslab.efield.bem) of one closed insulated surface at points, per A/us."""
    from tmslab.conductors.surfaces import Conductor, TriangleSurface
    from tmslab.efield.bem import solve

    start = time.perf_counter()
    surface = TriangleSurface("inner_skull", vertices, triangles, 0.33)
    solution = solve(Conductor((surface,), name="inner skull", kind="head"), placed, A_PER_US)
    solved = time.perf_counter()
    e = solution.efield(points)
    done = time.perf_counter()
    return e, {"bem_solve": solved - start, "bem_evaluate": done - solved}


def _segments_hit_triangles(p0, p1, a, b, c) -> np.ndarray:
    """Which segments p0 -> p1 cross triangles abc (Moller-Trumbore, vectorised over rows)."""
    d = p1 - p0
    e1, e2 = b - a, c - a
    h = np.cross(d, e2)
    det = np.einsum("ij,ij->i", e1, h)
    ok = np.abs(det) > 1e-30
    f = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    s = p0 - a
    u = f * np.einsum("ij,ij->i", s, h)
    q = np.cross(s, e1)
    w = f * np.einsum("ij,ij->i", d, q)
    t = f * np.einsum("ij,ij->i", e2, q)
    return ok & (u >= 0) & (w >= 0) & (u + w <= 1) & (t >= 0) & (t <= 1)


def self_intersections(vertices, triangles) -> np.ndarray:
    """Pairs of triangles of a surface that cross each other (sharing at most one vertex).

    Parameters
    ----------
    vertices : (V, 3) ndarray
    triangles : (T, 3) ndarray of int

    Returns
    -------
    (P, 2) ndarray of int
        Triangle index pairs: an edge of one (not through a shared vertex) crosses the other.
    """
    from scipy.spatial import cKDTree

    v = np.asarray(vertices, float)
    t = np.asarray(triangles)
    corners = v[t]
    centres = corners.mean(axis=1)
    reach = np.linalg.norm(corners - centres[:, None], axis=2).max()
    pairs = cKDTree(centres).query_pairs(2 * reach, output_type="ndarray")
    a, b = t[pairs[:, 0]], t[pairs[:, 1]]
    shared = (a[:, :, None] == b[:, None, :]).any(axis=2).sum(axis=1)
    hit = np.zeros(len(pairs), dtype=bool)
    for x, y in ((a, b), (b, a)):
        for i, j in ((0, 1), (1, 2), (2, 0)):
            through_shared = (x[:, i, None] == y).any(axis=1) | (x[:, j, None] == y).any(axis=1)
            crosses = _segments_hit_triangles(
                v[x[:, i]], v[x[:, j]], v[y[:, 0]], v[y[:, 1]], v[y[:, 2]]
            )
            hit |= crosses & ~through_shared
    return pairs[hit & (shared < 2)]


def repair_self_intersections(vertices, triangles, max_rounds: int = 100):
    """Untangle a surface locally: smooth the vertices of crossing triangles until none cross.

    Each round moves every vertex of a crossing triangle half-way to the mean of its neighbours
    (umbrella smoothing); the rest of the surface does not move.

    Parameters
    ----------
    vertices : (V, 3) ndarray, m
    triangles : (T, 3) ndarray of int

    Returns
    -------
    vertices : (V, 3) ndarray, m
        Repaired.
    info : dict
        ``pairs_before``, ``rounds``, ``moved_vertices``, ``max_shift_mm``.
    """
    v = np.array(vertices, dtype=float)
    t = np.asarray(triangles)
    edges = np.concatenate([t[:, [0, 1]], t[:, [1, 2]], t[:, [2, 0]]])
    n = len(v)
    from scipy.sparse import coo_matrix

    adjacency = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    adjacency = ((adjacency + adjacency.T) > 0).astype(float).tocsr()
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    pairs = self_intersections(v, t)
    before, moved, rounds = len(pairs), set(), 0
    while len(pairs) and rounds < max_rounds:
        bad = np.unique(t[pairs.ravel()])
        moved.update(bad.tolist())
        mean = (adjacency @ v)[bad] / degree[bad, None]
        v[bad] += 0.5 * (mean - v[bad])
        pairs = self_intersections(v, t)
        rounds += 1
    if len(pairs):
        raise RuntimeError(f"{len(pairs)} crossing triangle pairs left after {rounds} rounds")
    shift = np.linalg.norm(v - np.asarray(vertices), axis=1).max()
    info = {"pairs_before": before, "rounds": rounds, "moved_vertices": len(moved),
            "max_shift_mm": float(shift / MM)}  # fmt: skip
    return v, info


# --- the finite-element solver ----------------------------------------------------------------
def tet_mesh(vertices, triangles, max_volume_mm3: float | None, minratio: float = 1.5):
    """Tetrahedralise a closed surface with TetGen, its facets kept as the boundary (``-pqY``).

    Parameters
    ----------
    vertices : (V, 3) ndarray, m
    triangles : (T, 3) ndarray of int
    max_volume_mm3 : float or None, mm^3
        Largest tetrahedron; None: sizes set by the surface and the quality bounds only.
    minratio : float, dimensionless
        Largest radius-edge ratio.

    Returns
    -------
    nodes : (P, 3) ndarray, m
    tets : (K, 4) ndarray of int
    """
    import tetgen

    # TetGen in millimetres: its tolerances are relative, but mm keeps volumes O(1)
    gen = tetgen.TetGen(np.asarray(vertices, float) / MM, np.asarray(triangles, np.int32))
    # TetGen drops diagnostic files (*_skipped.node/.face) into the working folder on failure
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        nodes, tets, *_ = gen.tetrahedralize(
            nobisect=True, quality=True, minratio=minratio, mindihedral=10.0,
            fixedvolume=max_volume_mm3 is not None, maxvolume=max_volume_mm3 or -1.0, quiet=True,
        )  # fmt: skip
    return np.asarray(nodes) * MM, np.asarray(tets, dtype=np.int64)


def fem_field(nodes, tets, placed, points, order: int = 2) -> tuple[np.ndarray, dict, dict]:
    """E at points from a FEM of the insulated homogeneous volume (scikit-fem), per A/us.

    Parameters
    ----------
    nodes : (P, 3) ndarray, m
    tets : (K, 4) ndarray of int
    placed : Coil
        In the mesh's frame.
    points : (N, 3) ndarray, m
        Inside the mesh.
    order : int
        1 or 2 (Lagrange P1 or P2).

    Returns
    -------
    e : (N, 3) ndarray, V/m per A/us
    times : dict, s
    sizes : dict
    """
    import pyamg
    import skfem
    from scipy.sparse import identity
    from scipy.sparse.linalg import cg
    from skfem.helpers import dot, grad

    from tmslab.efield.kernels import dipole_vector_potential

    times = {}
    t0 = time.perf_counter()
    # mm inside the FEM (well-scaled matrix); E_p in V/m per A/us, grad in 1/mm -> phi in V/m*mm
    mesh = skfem.MeshTet(np.ascontiguousarray(nodes.T / MM), np.ascontiguousarray(tets.T))
    element = skfem.ElementTetP2() if order == 2 else skfem.ElementTetP1()
    basis = skfem.Basis(mesh, element, intorder=2 * order)
    x = basis.mapping.F(basis.X)  # (3, K, Q) quadrature points, mm
    flat = x.reshape(3, -1).T * MM
    ep = -dipole_vector_potential(flat, placed.dipole_positions, placed.dipole_moments)
    ep = (ep * A_PER_US).T.reshape(x.shape)
    times["fem_primary"] = time.perf_counter() - t0

    @skfem.BilinearForm
    def laplace(u, v, w):
        return dot(grad(u), grad(v))

    @skfem.LinearForm
    def source(v, w):
        return dot(w["ep"], grad(v))

    t1 = time.perf_counter()
    matrix = laplace.assemble(basis).tocsr()
    rhs = source.assemble(basis, ep=ep)
    times["fem_assemble"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    # pure Neumann: phi is fixed up to a constant; the rhs sums to zero (int E_p . grad 1 = 0),
    # so CG converges on the singular system; AMG on it with a tiny shift as preconditioner
    shift = matrix + 1e-10 * matrix.diagonal().mean() * identity(matrix.shape[0])
    ml = pyamg.smoothed_aggregation_solver(shift.tocsr(), symmetry="hermitian")
    info = {}

    def count(_):
        info["n"] = info.get("n", 0) + 1

    rhs = rhs - rhs.mean()
    phi, status = cg(matrix, rhs, M=ml.aspreconditioner(), rtol=1e-10, maxiter=500,
                     callback=count)  # fmt: skip
    if status != 0:
        raise RuntimeError(f"CG did not converge ({status})")
    times["fem_solve"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    q = np.ascontiguousarray((np.asarray(points) / MM).T)
    cells = locate(mesh.p.T, mesh.t.T, q.T)
    local = basis.mapping.invF(q[:, :, np.newaxis], tind=cells)
    grad_phi = np.zeros((3, q.shape[1]))
    for k in range(basis.Nbfun):
        g = basis.elem.gbasis(basis.mapping, local, k, tind=cells)[0].grad[:, :, 0]
        grad_phi += g * phi[basis.element_dofs[k, cells]]
    e_points = -dipole_vector_potential(points, placed.dipole_positions, placed.dipole_moments)
    e = e_points * A_PER_US - grad_phi.T  # grad in 1/mm of phi in (V/m) mm: V/m
    times["fem_evaluate"] = time.perf_counter() - t3
    sizes = {
        "tetrahedra": int(mesh.t.shape[1]),
        "nodes": int(mesh.p.shape[1]),
        "unknowns": int(basis.N),
        "order": order,
        "cg_iterations": info.get("n", 0),
    }
    return e, times, sizes


def locate(nodes, tets, points, k: int = 24) -> np.ndarray:
    """The tetrahedron containing each point (nearest centroids first; any length unit).

    Parameters
    ----------
    nodes : (P, 3) ndarray
    tets : (K, 4) ndarray of int
    points : (N, 3) ndarray
        Inside the mesh.
    k : int
        Candidates per point (more are tried for points not found among them).

    Returns
    -------
    (N,) ndarray of int
        The tetrahedron whose smallest barycentric coordinate at the point is largest among the
        candidates (>= 0 inside; slightly negative only on a boundary facet within round-off).
    """
    from scipy.spatial import cKDTree

    corners = nodes[tets]  # (K, 4, 3)
    edges = np.transpose(corners[:, 1:] - corners[:, :1], (0, 2, 1))  # (K, 3, 3): columns
    inverse = np.linalg.inv(edges)
    tree = cKDTree(corners.mean(axis=1))
    best = np.full(len(points), -1)
    score = np.full(len(points), -np.inf)
    todo = np.arange(len(points))
    while len(todo) and k <= len(tets):
        _, cand = tree.query(points[todo], k=k)  # (n, k)
        local = np.einsum("nkij,nkj->nki", inverse[cand], points[todo, None] - corners[cand, 0])
        bary = np.concatenate([1 - local.sum(axis=2, keepdims=True), local], axis=2).min(axis=2)
        j = np.argmax(bary, axis=1)
        best[todo] = cand[np.arange(len(todo)), j]
        score[todo] = bary[np.arange(len(todo)), j]
        todo = todo[score[todo] < -1e-9]
        k *= 4
    if len(todo):
        raise RuntimeError(f"{len(todo)} points lie outside the tetrahedral mesh")
    return best


# --- the checks -------------------------------------------------------------------------------
def check_refinement(coil, at, handle_deg, distance_mm) -> Comparison:
    """BEM on the shipped inner skull against the same surface split 1 -> 4 (the reference)."""
    head, _, placed, vertices, cortex = head_setup(coil, at, handle_deg, distance_mm)
    points = vertices[cortex]
    surface = head.surfaces["inner_skull"]
    e_coarse, t_coarse = bem_field(surface.vertices, surface.triangles, placed, points)
    v4, t4 = subdivide(surface.vertices, surface.triangles)
    e_fine, t_fine = bem_field(v4, t4, placed, points)
    times = {f"coarse_{k}": v for k, v in t_coarse.items()}
    times |= {f"fine_{k}": v for k, v in t_fine.items()}
    sizes = {"facets_coarse": len(surface.triangles), "facets_fine": len(t4)}
    return _comparison("refine (BEM 20,480 vs 81,920 facets)", e_coarse, e_fine, times, sizes)


def check_sphere(max_volume_mm3: float | None, order: int, subdivisions: int = 5) -> Comparison:
    """The FEM on a tetrahedralised 8.5 cm icosphere against the analytic sphere field."""
    from tmslab.coils import get_coil, pose_on_sphere
    from tmslab.conductors.meshing import icosphere
    from tmslab.efield.kernels import sphere_efield

    placed = get_coil("magstim-70mm-fig8").transformed(pose_on_sphere(R_SPHERE))
    i = np.arange(600) + 0.5
    polar, azimuth = np.arccos(1 - 2 * i / 600), np.pi * (1 + 5**0.5) * i
    unit = np.c_[np.cos(azimuth) * np.sin(polar), np.sin(azimuth) * np.sin(polar), np.cos(polar)]
    points = np.concatenate([unit * (R_SPHERE - d) for d in (0.003, 0.005, 0.01, 0.02, 0.03)])
    v, t = icosphere(R_SPHERE, subdivisions)
    start = time.perf_counter()
    nodes, tets = tet_mesh(v, t, max_volume_mm3)
    t_mesh = time.perf_counter() - start
    e, times, sizes = fem_field(nodes, tets, placed, points, order)
    reference = sphere_efield(points, placed.dipole_positions, placed.dipole_moments) * A_PER_US
    sizes["facets"] = len(t)
    return _comparison(f"sphere (FEM P{order} vs analytic)", e, reference,
                       {"tetgen": t_mesh} | times, sizes)  # fmt: skip


def check_fem(
    coil,
    at,
    handle_deg,
    distance_mm,
    max_volume_mm3: float | None,
    order: int,
    shipped_too: bool = False,
):
    """The FEM on the tetrahedralised inner skull against the BEM of the same surface.

    Returns
    -------
    comparison : Comparison
        RDM and MAG of the FEM with the BEM as the reference (cortex off the medial wall).
    summaries : dict
        ``"bem"``, ``"fem"``: the :class:`~tmslab.efield.head.CorticalField` summaries (robust
        and raw maximum, hot spot) of each solver; ``"depth_m"``: depth of the BEM hot spot
        below the scalp point under the coil centre, along the scalp normal;
        ``"bem_repaired_vs_shipped"`` (with ``shipped_too``): RDM and MAG of the BEM on the
        repaired surface against the BEM on the shipped one.
    """
    from tmslab.efield.head import cortical_field

    head, pose, placed, vertices, cortex = head_setup(coil, at, handle_deg, distance_mm)
    surface = head.surfaces["inner_skull"]
    # TetGen needs a surface without self-intersections; the shipped inner skull has some (far
    # from the motor cortex), so both solvers run on the locally repaired surface
    start = time.perf_counter()
    repaired, repair = repair_self_intersections(surface.vertices, surface.triangles)
    t_repair = time.perf_counter() - start
    e_bem, t_bem = bem_field(repaired, surface.triangles, placed, vertices)
    start = time.perf_counter()
    nodes, tets = tet_mesh(repaired, surface.triangles, max_volume_mm3)
    t_mesh = time.perf_counter() - start
    e_fem, times, sizes = fem_field(nodes, tets, placed, vertices, order)
    sizes["facets"] = len(surface.triangles)
    sizes |= {f"repair_{k}": v for k, v in repair.items()}
    comparison = _comparison(f"fem (P{order} vs BEM, inner skull)", e_fem[cortex], e_bem[cortex],
                             {"repair": t_repair} | t_bem | {"tetgen": t_mesh} | times, sizes)  # fmt: skip
    summaries = {}
    if shipped_too:
        e_shipped, _ = bem_field(surface.vertices, surface.triangles, placed, vertices)
        rdm, mag = rdm_mag(e_bem[cortex], e_shipped[cortex])
        summaries["bem_repaired_vs_shipped"] = {"rdm": rdm, "mag": mag}
    for name, e in (("bem", e_bem), ("fem", e_fem)):
        f = cortical_field(head, e, coil_name=coil, pose=pose, didt_a_per_s=A_PER_US)
        summaries[name] = {"e_max": f.e_max, "e_max_raw": f.e_max_raw,
                           "hotspot_mm": (f.hotspot / MM).round(1).tolist()}  # fmt: skip
        if name == "bem":
            axis = np.asarray(pose)[:3, 2]  # coil z: into the head (matsimnibs)
            scalp_point = np.asarray(pose)[:3, 3] + distance_mm * MM * axis
            summaries["depth_m"] = float((f.hotspot - scalp_point) @ axis)
            # the charges' (secondary) field against the coil's (primary) one where E is strong
            from tmslab.efield.kernels import dipole_vector_potential

            primary = (
                -dipole_vector_potential(vertices, placed.dipole_positions, placed.dipole_moments)
                * A_PER_US
            )
            ratio = np.linalg.norm(e - primary, axis=1) / np.linalg.norm(primary, axis=1)
            strong = cortex & (f.magnitude >= 0.5 * f.e_max)
            summaries["secondary_over_primary"] = {
                "hotspot": float(ratio[f.hotspot_index]),
                "median_above_half_max": float(np.median(ratio[strong])),
                "primary_max_raw": float(np.linalg.norm(primary[cortex], axis=1).max()),
            }
    return comparison, summaries


def sphere_peak(depth_m: float, distance_mm: float, coil: str = "magstim-70mm-fig8") -> float:
    """Largest |E| on a shell ``depth_m`` below the top of the 8.5 cm sphere, per A/us.

    The coil lies ``distance_mm`` above the sphere's top (tmslab's sphere head, the analytic
    field: the sphere value a realistic head's cortex peak is compared with).
    """
    from tmslab.coils import get_coil, pose_on_sphere
    from tmslab.efield.kernels import sphere_efield

    placed = get_coil(coil).transformed(pose_on_sphere(R_SPHERE, distance_m=distance_mm * MM))
    # a fine cap of directions within 25 deg of the top: the peak lies under the coil centre
    theta, phi = np.meshgrid(np.radians(np.linspace(0, 25, 101)), np.radians(np.arange(0, 360, 2)))
    unit = np.c_[(np.sin(theta) * np.cos(phi)).ravel(), (np.sin(theta) * np.sin(phi)).ravel(),
                 np.cos(theta).ravel()]  # fmt: skip
    e = sphere_efield(unit * (R_SPHERE - depth_m), placed.dipole_positions, placed.dipole_moments)
    return float(np.linalg.norm(e, axis=1).max() * A_PER_US)


def _print(c: Comparison) -> None:
    print(f"{c.name}: RDM {c.rdm:.4f}, MAG {c.mag:.4f} over {c.n_points} points; "
          f"max |E| {c.peak:.3f} vs {c.peak_ref:.3f} V/m per A/us")  # fmt: skip
    print("   sizes: " + ", ".join(f"{k} {v}" for k, v in c.sizes.items()))
    print("   times: " + ", ".join(f"{k} {v:.1f} s" for k, v in c.times_s.items()))
    sys.stdout.flush()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", default="refine,sphere,fem",
                        help="comma-separated: refine, sphere, fem")  # fmt: skip
    parser.add_argument("--coil", default="magstim-70mm-fig8")
    parser.add_argument("--at", default="C3")
    parser.add_argument("--handle-angle", type=float, default=45.0)
    parser.add_argument("--distance-mm", type=float, default=4.0)
    parser.add_argument("--order", type=int, default=2, choices=(1, 2))
    parser.add_argument("--max-volume-mm3", type=float, default=30.0,
                        help="largest tetrahedron of the head FEM mesh, mm^3 (0: no bound)")  # fmt: skip
    parser.add_argument("--sphere-max-volume-mm3", type=float, default=0.0)
    parser.add_argument("--skip-shipped", action="store_true",
                        help="fem: skip the BEM on the shipped (unrepaired) surface")  # fmt: skip
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    results, extra = [], {}
    for check in args.checks.split(","):
        start = time.perf_counter()
        if check == "refine":
            c = check_refinement(args.coil, args.at, args.handle_angle, args.distance_mm)
        elif check == "sphere":
            c = check_sphere(args.sphere_max_volume_mm3 or None, args.order)
        elif check == "fem":
            c, extra = check_fem(args.coil, args.at, args.handle_angle, args.distance_mm,
                                 args.max_volume_mm3 or None, args.order,
                                 shipped_too=not args.skip_shipped)  # fmt: skip
        else:
            parser.error(f"unknown check {check!r}")
        c.times_s["total"] = time.perf_counter() - start
        _print(c)
        results.append(c)
    if extra:
        depth = extra["depth_m"]
        sphere = sphere_peak(depth, args.distance_mm, args.coil)
        extra["sphere_peak_same_depth"] = sphere
        for name in ("bem", "fem"):
            s = extra[name]
            print(f"{name}: robust max {s['e_max']:.3f}, raw max {s['e_max_raw']:.3f} V/m per A/us, "
                  f"hot spot {s['hotspot_mm']} mm")  # fmt: skip
        if "bem_repaired_vs_shipped" in extra:
            r = extra["bem_repaired_vs_shipped"]
            print(f"BEM on the repaired vs the shipped inner skull: RDM {r['rdm']:.5f}, "
                  f"MAG {r['mag']:.5f}")  # fmt: skip
        r = extra["secondary_over_primary"]
        print(f"|E_secondary| / |E_primary| (BEM): {r['hotspot']:.2f} at the hot spot, median "
              f"{r['median_above_half_max']:.2f} where |E| >= 50 % of the max; primary alone "
              f"peaks at {r['primary_max_raw']:.3f} V/m per A/us")  # fmt: skip
        print(f"hot spot {depth / MM:.1f} mm below the scalp; 8.5 cm sphere, same coil and gap, "
              f"peak at that depth {sphere:.3f} V/m per A/us: cortex/sphere "
              f"{extra['bem']['e_max']/sphere:.2f} (robust), {extra['bem']['e_max_raw']/sphere:.2f} (raw)")  # fmt: skip
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"checks": [asdict(c) for c in results], "plausibility": extra}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
