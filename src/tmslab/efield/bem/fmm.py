"""The one module that calls the fast multipole method (fmm3dpy, Flatiron Institute).

fmm3dpy's Laplace kernel is 1/(4 pi |r - r'|) (checked in the tests), so with charges q_j
(V m, i.e. charge / eps0) the field is E = -grad u in V/m.
"""

from __future__ import annotations

import numpy as np

DEFAULT_EPS = 1e-6  # relative precision for sums at points (cheap: one call per evaluation)
MAX_EPS = 1e-3  # loosest precision the solver asks for
MIN_EPS = 1e-6
# Discretisation error (RDM vs the analytic sphere) of the collocation scheme, measured on the
# 8.5 cm sphere: 0.0016 at 3.2 mm mean edge, falling about linearly with the edge.
RDM_AT_3MM = 0.0016


def expected_rdm(mean_edge_m: float) -> float:
    """Expected discretisation error (RDM) of the BEM at this mean edge length.

    Parameters
    ----------
    mean_edge_m : float, m
        Mean triangle edge.

    Returns
    -------
    float, dimensionless
        Expected RDM.
    """
    return RDM_AT_3MM * float(mean_edge_m) / 3.2e-3


def eps_for_edge(mean_edge_m: float) -> float:
    """FMM precision for the solver's matrix-vector products on a mesh of this mean edge.

    The requested eps is set to the expected discretisation error (:func:`expected_rdm`), clipped
    to [1e-6, 1e-3]. fmm3d's achieved relative error is at least 20x below the eps it is asked for
    (measured on sphere meshes: 5e-5 at eps 1e-3, 3e-8 at 1e-4), so the multipole error stays a
    few per cent of the discretisation error, while each product costs 2-4x less than at eps 1e-6
    (the cost grows with the expansion order, ~log(1/eps)).

    Parameters
    ----------
    mean_edge_m : float, m
        Mean triangle edge.

    Returns
    -------
    float, dimensionless
        FMM relative precision.
    """
    return float(np.clip(expected_rdm(mean_edge_m), MIN_EPS, MAX_EPS))


_DIRECT_BELOW = 400  # below this many interactions (sources x targets / 1000) sum directly


def _direct(sources: np.ndarray, charges: np.ndarray, targets: np.ndarray, skip_self: bool):
    out = np.zeros((len(targets), 3))
    for start in range(0, len(targets), 512):
        t = targets[start : start + 512]
        d = t[:, None, :] - sources[None, :, :]
        r2 = np.einsum("ijk,ijk->ij", d, d)
        if skip_self:
            r2[r2 == 0] = np.inf
        w = charges[None, :] / (r2 * np.sqrt(r2))
        out[start : start + 512] = np.einsum("ij,ijk->ik", w, d) / (4 * np.pi)
    return out


def coulomb_field(
    sources: np.ndarray,
    charges: np.ndarray,
    targets: np.ndarray | None = None,
    eps: float = DEFAULT_EPS,
) -> np.ndarray:
    """Field ``sum_j q_j (r - r_j) / (4 pi |r - r_j|^3)`` of point charges.

    Parameters
    ----------
    sources : (T, 3) ndarray, m
        Charge positions.
    charges : (T,) ndarray, V m
        Charge / eps0.
    targets : (M, 3) ndarray or None, m
        Field points; None: the sources themselves (each source's own term left out).
    eps : float, dimensionless
        FMM relative precision.

    Returns
    -------
    (M, 3) ndarray, V/m
        The field ((T, 3) when ``targets`` is None).
    """
    src = np.asarray(sources, dtype=float)
    q = np.asarray(charges, dtype=float)
    at_sources = targets is None
    tgt = src if at_sources else np.asarray(targets, dtype=float)
    if len(src) * len(tgt) < _DIRECT_BELOW * 1000:
        return _direct(src, q, tgt, skip_self=at_sources)
    import fmm3dpy

    src_t = np.asfortranarray(src.T)
    if at_sources:
        out = fmm3dpy.lfmm3d(eps=eps, sources=src_t, charges=q, pg=2)
        return -np.asarray(out.grad).T
    out = fmm3dpy.lfmm3d(eps=eps, sources=src_t, charges=q, targets=np.asfortranarray(tgt.T), pgt=2)
    return -np.asarray(out.gradtarg).T
