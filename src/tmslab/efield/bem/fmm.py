"""The one module that calls the fast multipole method (fmm3dpy, Flatiron Institute).

fmm3dpy's Laplace kernel is 1/(4 pi |r - r'|) (checked in the tests), so with charges q_j
(V m, i.e. charge / eps0) the field is E = -grad u in V/m.
"""

from __future__ import annotations

import numpy as np

DEFAULT_EPS = 1e-6  # relative precision of the multipole sums (well below the BEM's error)
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
    """Field sum_j q_j (r - r_j) / (4 pi |r - r_j|^3) of point charges.

    sources: (T, 3) m; charges: (T,) V m (charge / eps0); targets: (M, 3) m, or None for the
    sources themselves (each source's own term left out). Returns (M, 3) (or (T, 3)) V/m.
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
