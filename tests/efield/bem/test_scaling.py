"""What makes the BEM scale: the near-pair search, the FMM precision, the compact near matrix
and the operator reused across coil placements. Timings live in benchmarks/bem_scale.py."""

from __future__ import annotations

from unittest import mock

import numba as nb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.efield.bem.conftest import R_HEAD, rdm_mag, shell_points
from tmslab.coils import get_coil, pose_on_sphere
from tmslab.conductors import get_conductor
from tmslab.efield.bem import BemOperator, nearfield, solve
from tmslab.efield.bem.fmm import MAX_EPS, MIN_EPS, eps_for_edge, expected_rdm
from tmslab.efield.bem.nearfield import near_pairs
from tmslab.efield.kernels import sphere_efield
from tmslab.errors import InvalidValueError


def _brute_force_pairs(targets, centroids, sizes, factor, skip_self):
    d = np.linalg.norm(targets[:, None, :] - centroids[None, :, :], axis=2)
    near = d < factor * sizes[None, :]
    if skip_self:
        np.fill_diagonal(near, False)
    return [set(np.flatnonzero(row)) for row in near]


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 60),
    m=st.integers(1, 40),
    seed=st.integers(0, 2**31 - 1),
    factor=st.floats(0.5, 4.0),
    spread=st.floats(0.0, 3.0),
    chunk=st.sampled_from([1, 7, 1 << 15]),
)
def test_near_pairs_equal_a_brute_force_search(n, m, seed, factor, spread, chunk):
    """Every (target, triangle) closer than factor * size is found once, in any block size,
    for graded sizes (several size bins)."""
    rng = np.random.default_rng(seed)
    centroids = rng.uniform(-1, 1, (n, 3))
    sizes = 0.1 * 2 ** rng.uniform(0, spread, n)
    targets = rng.uniform(-1, 1, (m, 3))
    with mock.patch.object(nearfield, "PAIR_CHUNK", chunk):
        indptr, indices = near_pairs(targets, centroids, sizes, factor)
    assert indices.dtype == np.int32 and indptr[-1] == len(indices)
    found = [indices[indptr[i] : indptr[i + 1]] for i in range(m)]
    assert [set(f) for f in found] == _brute_force_pairs(targets, centroids, sizes, factor, False)
    assert all(len(f) == len(set(f)) for f in found)
    # the centroids against themselves, self pairs left out (the operator's search)
    with mock.patch.object(nearfield, "PAIR_CHUNK", chunk):
        indptr, indices = near_pairs(centroids, centroids, sizes, factor, skip_self=True)
    found = [set(indices[indptr[i] : indptr[i + 1]]) for i in range(n)]
    assert found == _brute_force_pairs(centroids, centroids, sizes, factor, True)


def test_fmm_eps_follows_the_discretisation_error():
    # the sphere's measured RDM (0.0016 at 3.2 mm, 0.0029 at 6.2 mm; benchmarks/bem_scale.py)
    assert expected_rdm(3.2e-3) == pytest.approx(0.0016)
    assert eps_for_edge(3.2e-3) == MAX_EPS  # 1e-3 on head meshes, not the old 1e-6
    assert eps_for_edge(1e-3) == pytest.approx(5e-4)  # 1M-facet heads: finer mesh, finer FMM
    assert eps_for_edge(1e-9) == MIN_EPS
    edges = np.geomspace(1e-6, 1e-1, 30)
    assert np.all(np.diff([eps_for_edge(h) for h in edges]) >= 0)


@pytest.fixture(scope="module")
def sphere_7k():
    return get_conductor("sphere-85mm", edge_m=5.5e-3)


def test_solver_sets_eps_from_the_mesh(sphere_7k, fig8_over_head):
    solution = solve(sphere_7k, fig8_over_head)
    assert solution.eps == eps_for_edge(sphere_7k.mean_edge_m()) == MAX_EPS


def test_chosen_eps_keeps_the_analytic_accuracy(sphere_7k, fig8_over_head):
    """Against the analytic sphere (Heller & van Hulsteyn 1992): the chosen eps gives the same
    RDM as eps 1e-6 within 2 % of the discretisation error; a 30x looser eps does not (so the
    check would catch a tolerance set too loose)."""
    points = shell_points(R_HEAD, depths=(0.003, 0.01, 0.02), n=400)
    reference = sphere_efield(
        points, fig8_over_head.dipole_positions, fig8_over_head.dipole_moments
    )
    fields = {
        eps: solve(sphere_7k, fig8_over_head, eps=eps).efield(points, check=False)
        for eps in (1e-6, None, 3e-2)
    }
    tight = rdm_mag(fields[1e-6], reference)[0]
    assert tight == pytest.approx(expected_rdm(sphere_7k.mean_edge_m()), rel=0.3)
    change = rdm_mag(fields[None], fields[1e-6])[0]
    loose = rdm_mag(fields[3e-2], fields[1e-6])[0]
    print(f"\nRDM {tight:.5f}; change from eps 1e-6: chosen {change:.1e}, 3e-2 {loose:.1e}")
    assert change < 0.02 * tight  # measured 0.7 %
    assert loose > 0.02 * tight  # measured 4.7 %


def test_operator_is_reused_across_coil_placements(small_ball):
    conductor, coil = small_ball
    operator = BemOperator.build(conductor)
    near = operator.operator.near
    assert near.indices.dtype == np.int32 and near.data.dtype == np.float32
    # compact: ~8 bytes per near pair plus a few arrays per triangle
    assert operator.operator.nbytes < 8.5 * near.nnz + 200 * operator.n
    first = operator.solve(coil)
    np.testing.assert_allclose(first.density, solve(conductor, coil).density, rtol=1e-12)
    other = get_coil("magstim-70mm-fig8").transformed(
        pose_on_sphere(0.02, (1.0, 0.0, 1.0), distance_m=0.01)
    )
    second = operator.solve(other)
    np.testing.assert_allclose(second.density, solve(conductor, other).density, rtol=1e-12)
    assert not np.allclose(first.density, second.density)


@pytest.mark.parametrize("eps", [0.0, -1e-3, 0.5, float("nan")])
def test_bad_eps_is_refused(small_ball, eps):
    conductor, coil = small_ball
    with pytest.raises(InvalidValueError, match="eps"):
        solve(conductor, coil, eps=eps)


@nb.njit(parallel=True)
def reference_corrections(indptr, indices, corners, centroids, normals, areas, bary, weights):
    """The straightforward kernel: Gauss quadrature over triangle i of triangle_integral over j,
    minus the centroid-to-centroid term the FMM adds (the set-up kernel must give these sums)."""
    out = np.empty(indices.shape[0], dtype=np.float32)  # stored as float32 (see operator)
    for i in nb.prange(indptr.shape[0] - 1):
        ci = corners[i]
        nx = normals[i, 0]
        ny = normals[i, 1]
        nz = normals[i, 2]
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            total = 0.0
            for q in range(weights.shape[0]):
                px = bary[q, 0] * ci[0, 0] + bary[q, 1] * ci[1, 0] + bary[q, 2] * ci[2, 0]
                py = bary[q, 0] * ci[0, 1] + bary[q, 1] * ci[1, 1] + bary[q, 2] * ci[2, 1]
                pz = bary[q, 0] * ci[0, 2] + bary[q, 1] * ci[1, 2] + bary[q, 2] * ci[2, 2]
                f = nearfield.triangle_integral(px, py, pz, corners[j], normals[j, 0], normals[j, 1],
                                      normals[j, 2])  # fmt: skip
                total += weights[q] * (nx * f[0] + ny * f[1] + nz * f[2])
            dx = centroids[i, 0] - centroids[j, 0]
            dy = centroids[i, 1] - centroids[j, 1]
            dz = centroids[i, 2] - centroids[j, 2]
            d2 = dx * dx + dy * dy + dz * dz
            w = areas[j] / (d2 * np.sqrt(d2))
            out[k] = (total - w * (nx * dx + ny * dy + nz * dz)) / (4.0 * np.pi)
    return out


def test_fast_near_corrections_equal_the_reference_kernel(small_ball):
    """The set-up kernel (edge frames precomputed, normal part only) gives the sums of the
    reference kernel built on triangle_integral (itself checked against quadrature)."""
    conductor, _ = small_ball
    c = conductor.centroids
    indptr, indices = near_pairs(c, c, conductor.sizes, 3.0, skip_self=True)
    args = (indptr, indices, conductor.corners, c, conductor.normals, conductor.areas)
    fast = nearfield.averaged_normal_corrections(*args)
    reference = reference_corrections(*args, nearfield.GAUSS7_BARY, nearfield.GAUSS7_WEIGHTS)
    assert fast.dtype == np.float32 and len(fast) == len(indices) > 50 * conductor.n_triangles
    np.testing.assert_allclose(fast, reference, rtol=1e-5, atol=1e-6 * np.abs(reference).max())


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 40), seed=st.integers(0, 2**31 - 1), restart=st.integers(1, 60))
def test_gmres_solves_like_a_direct_solver_with_one_product_per_iteration(n, seed, restart):
    """Against numpy's LU solve, on second-kind systems I/2 + K like the BEM's (restarted or
    not); the products are counted: one per iteration plus one per restart, none more."""
    from tmslab.efield.bem.solve import gmres

    rng = np.random.default_rng(seed)
    # ||G/sqrt(n)|| < ~2.5, so the symmetric part of a stays positive definite: restarted GMRES,
    # even GMRES(1), must converge (with 0.4 instead of 0.2 it may stagnate: n=14, seed=972).
    a = 0.5 * np.eye(n) + 0.2 * rng.standard_normal((n, n)) / np.sqrt(n)
    b = rng.standard_normal(n)
    calls = []

    def matvec(v):
        calls.append(1)
        return a @ v

    x, history, converged = gmres(matvec, b, 1e-10, restart=restart, maxiter=500)
    assert converged
    np.testing.assert_allclose(a @ x, b, atol=1e-8 * np.linalg.norm(b))
    np.testing.assert_allclose(x, np.linalg.solve(a, b), rtol=1e-6, atol=1e-6 * np.abs(x).max())
    restarts = (len(history) - 1) // restart
    assert len(calls) == len(history) + restarts
