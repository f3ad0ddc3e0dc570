"""The adjoint of the charge BEM: E at one target for any coil, as a sum over the facets.

The direct solve finds the charge density s of a coil from ``A s = K n . E_p(c)`` and then the
secondary field at a target, ``E_s(r0) . d = g_d . s`` (``g_d`` the field along d of unit density
on each facet, exact for near facets). Solving the transposed system once, ``A^T w_d = g_d``,
turns the second step around:

    E(r0) . d = E_p(r0) . d + sum_i w_d,i K_i n_i . E_p(c_i)

so the field at the target for ANY primary field is one dot product with the current elements
``v_i = w_d,i K_i n_i`` at the centroids. For a coil of magnetic dipoles this is Helmholtz
reciprocity in discrete form: E(r0) . d = - sum_k m_k . B_d(p_k), with B_d the Biot-Savart field
of the unit current element d at r0 and of the elements v_i (the volume currents a current
dipole at the target would drive; Gomez et al. 2020, doi:10.1016/j.brs.2019.09.015). The
identity is exact for the discretised problem: it equals a direct solve to the GMRES tolerance
(tested), without the gradient subtraction the direct solve uses by default (its effect on the
head's target field is measured in the tests).
"""

from __future__ import annotations

import numpy as np

from tmslab.efield.bem.nearfield import near_corrections, near_pairs
from tmslab.efield.bem.operator import NEAR_FACTOR, ChargeOperator
from tmslab.errors import InvalidValueError

__all__ = ["target_current_elements", "target_sensitivity", "transpose_matvec"]


def _dipole_potential(sources: np.ndarray, dipoles: np.ndarray, eps: float) -> np.ndarray:
    """``u_j = sum_{i != j} v_i . (c_j - c_i) / (4 pi |c_j - c_i|^3)`` at the sources themselves,
    for M sets of dipoles at once (``dipoles`` (M, T, 3) -> (M, T))."""
    n = len(sources)
    if n * n < 400_000:
        d = sources[:, None, :] - sources[None, :, :]  # c_j - c_i
        r2 = np.einsum("jik,jik->ji", d, d)
        np.fill_diagonal(r2, np.inf)
        kernel = d / (4 * np.pi * (r2 * np.sqrt(r2)))[..., None]
        return np.einsum("jik,mik->mj", kernel, dipoles)
    import fmm3dpy

    # fmm3dpy: u(x) = sum_i -v_i . grad_x 1/(4 pi |x - y_i|) = sum_i v_i . (x - y_i)/(4 pi r^3);
    # one call for all M sets shares the tree and the translation work
    many = {"nd": len(dipoles)} if len(dipoles) > 1 else {}
    dipvec = np.transpose(dipoles, (0, 2, 1)) if many else dipoles[0].T
    out = fmm3dpy.lfmm3d(
        eps=eps,
        sources=np.asfortranarray(sources.T),
        dipvec=np.asfortranarray(dipvec),
        pg=1,
        **many,
    )
    return np.asarray(out.pot, dtype=float).reshape(len(dipoles), n)


def transpose_matvec(op: ChargeOperator, x: np.ndarray) -> np.ndarray:
    """Apply the transpose of :meth:`ChargeOperator.matvec` to one vector or M at once.

    Parameters
    ----------
    op : ChargeOperator
        The assembled operator.
    x : (T,) or (M, T) ndarray, dimensionless
        Vectors on the facets.

    Returns
    -------
    (T,) or (M, T) ndarray, dimensionless
        ``A^T x`` (of each row).
    """
    x = np.asarray(x, dtype=float)
    single = x.ndim == 1
    x = np.atleast_2d(x)
    kx = op.contrast * x
    # (N F)_ij = n_i . (c_i - c_j) a_j / (4 pi r^3): its transpose is a dipole sum (moments k x n)
    u = _dipole_potential(op.centroids, kx[:, :, None] * op.normals, op.eps)
    normal_t = -op.areas * u + (op.near.T @ kx.T).T
    if op.self_terms is not None:
        normal_t += op.self_terms * kx
    out = 0.5 * x - normal_t
    for group in op.outer_groups:
        a = op.areas[group]
        out[:, group] += a * x[:, group].sum(axis=1, keepdims=True) / a.sum()
    return out[0] if single else out


def target_sensitivity(conductor, target_m, near_factor: float = NEAR_FACTOR) -> np.ndarray:
    """The field at a point of unit charge density on each facet: ``g`` with ``E_s = g^T s``.

    Parameters
    ----------
    conductor : Conductor
        The conductor (T facets).
    target_m : (3,) array_like, m
        The point, inside a compartment.
    near_factor : float, dimensionless
        Facets nearer than this many sizes are integrated exactly.

    Returns
    -------
    (T, 3) ndarray, V/m per V/m
        Field at the point per unit density on each facet.
    """
    r0 = np.asarray(target_m, dtype=float).reshape(1, 3)
    d = r0 - conductor.centroids
    r = np.linalg.norm(d, axis=1)
    g = conductor.areas[:, None] * d / (4 * np.pi * r[:, None] ** 3)
    indptr, indices = near_pairs(r0, conductor.centroids, conductor.sizes, near_factor)
    if len(indices):
        g[indices] += near_corrections(
            r0,
            indptr,
            indices,
            conductor.corners,
            conductor.centroids,
            conductor.normals,
            conductor.areas,
        )
    return g


def target_current_elements(
    operator, target_m, *, rtol: float | None = None
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Solve the adjoint system for the three directions of E at a target.

    Parameters
    ----------
    operator : BemOperator
        The assembled operator of the conductor.
    target_m : (3,) array_like, m
        The target, inside the conductor and off its surfaces.
    rtol : float or None, dimensionless
        GMRES tolerance (default: the direct solve's).

    Returns
    -------
    centroids : (T, 3) ndarray, m
        Where the elements sit.
    elements : (3, T, 3) ndarray, dimensionless
        ``v_i = w_d,i K_i n_i`` for d = x, y, z: E(r0) . d = E_p(r0) . d + sum_i v_i . E_p(c_i).
    iterations : list of int
        GMRES iterations (one block solve for the three directions).

    Raises
    ------
    InvalidValueError
        If GMRES does not converge.
    """
    from tmslab.efield.bem.evaluate import check_field_points
    from tmslab.efield.bem.solve import GMRES_FAILED, GMRES_RTOL, gmres

    conductor, op = operator.conductor, operator.operator
    r0 = np.asarray(target_m, dtype=float).reshape(3)
    check_field_points(conductor, r0[None, :], operator.near_factor)
    g = target_sensitivity(conductor, r0, operator.near_factor)
    tol = GMRES_RTOL if rtol is None else rtol
    # The three systems share A^T: solve them as one block-diagonal system (each right side
    # scaled to unit norm) so every GMRES step costs one FMM call for the three.
    scales = np.linalg.norm(g, axis=0)
    stacked = (g / scales).T.ravel()

    def matvec(v: np.ndarray) -> np.ndarray:
        return transpose_matvec(op, v.reshape(3, op.n)).ravel()

    w, history, converged = gmres(matvec, stacked / np.sqrt(3.0), tol)
    if not converged and history[-1] > GMRES_FAILED * tol:
        raise InvalidValueError(
            f"the adjoint BEM system did not converge (relative residual {history[-1]:.2g}); "
            "check the mesh quality"
        )
    w = w.reshape(3, op.n) * np.sqrt(3.0) * scales[:, None]
    elements = (w * op.contrast)[:, :, None] * op.normals
    iterations = [len(history)]
    return op.centroids, elements, iterations


def gradient_terms(conductor, centroids, elements, target_m):
    """What the direct solve's gradient subtraction changes in the adjoint sum, per body.

    The direct solve (:meth:`~tmslab.efield.bem.solve.BemOperator.solve`) excites the charges
    with ``E_p - E_g`` and adds ``-E_g`` at the target, with ``E_g(r) = e0 + S (r - r0)`` per
    insulated body (:class:`~tmslab.efield.bem.solve.GradientPart`; e0, S the primary field and
    its traceless symmetric Jacobian at the body's centre r0). In the adjoint sum that is
    ``- (e0 . a + S : Q)`` with ``a = d [target in the body] + sum_i v_i`` and
    ``Q = d (r_t - r0) [target in the body] + sum_i v_i (c_i - r0)`` over the body's facets, Q
    made symmetric and traceless. Subtracting it makes the adjoint equal the default direct
    solve, not only the unsubtracted one.

    Parameters
    ----------
    conductor : Conductor
        The conductor.
    centroids : (T, 3) ndarray, m
        Element positions (the conductor's centroids).
    elements : (3, T, 3) ndarray
        The adjoint's current elements for d = x, y, z.
    target_m : (3,) array_like, m
        The target.

    Returns
    -------
    centres : (K, 3) ndarray, m
        Body centres r0 (K = 0 without an insulated body).
    a : (K, 3, 3) ndarray
        ``a`` per body and direction d.
    q : (K, 3, 3, 3) ndarray, m
        Symmetric traceless ``Q`` per body and direction.
    """
    from tmslab.efield.bem.solve import _body, body_centres

    bodies = conductor.outer_bodies
    if not bodies:
        return np.zeros((0, 3)), np.zeros((0, 3, 3)), np.zeros((0, 3, 3, 3))
    from tmslab.conductors.quality import inside_mask

    r_t = np.asarray(target_m, dtype=float).reshape(3)
    centres, _, owner = body_centres(conductor)
    a = np.zeros((len(bodies), 3, 3))
    q = np.zeros((len(bodies), 3, 3, 3))
    for k, body in enumerate(bodies):
        mine = owner == k
        inside = len(bodies) == 1 or bool(inside_mask(_body(conductor, body), r_t[None])[0])
        offsets = centroids[mine] - centres[k]
        for d in range(3):
            v = elements[d][mine]
            a[k, d] = v.sum(axis=0)
            full = v.T @ offsets  # sum_i v_i (c_i - r0)^T
            if inside:
                a[k, d, d] += 1.0
                full[d] += r_t - centres[k]
            sym = 0.5 * (full + full.T)
            q[k, d] = sym - np.trace(sym) / 3 * np.eye(3)
    return centres, a, q
