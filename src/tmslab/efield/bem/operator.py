"""The discrete charge-based boundary integral operator (Makarov et al. 2018).

Unknowns: the surface charge density s_i = rho_i / eps0 (V/m) on each triangle, constant per
triangle, collocated at centroids. Normal-current continuity sigma_in E_n^- = sigma_out E_n^+
with the jump E_n^+- = E_n^pv +- s/2 gives, per triangle with K = (sigma_in - sigma_out) /
(sigma_in + sigma_out),

    s_i / 2 - K_i n_i . E_s^pv[s](c_i) = K_i n_i . E_p(c_i)

(E_p the primary field -dA/dt; E_s^pv the principal value of the charges' field; n outward).
E_s^pv is the multipole sum over centroid point charges s_j a_j plus the exact-minus-point
corrections of near triangles (:mod:`.nearfield`); a flat triangle's own principal value has
no normal component.

Insulated outer surfaces (K = 1) leave one null vector per closed conductor (the equilibrium
charge, which adds no field inside). Each is removed by a rank-one term
u_c (a_c . s) / A_c (u_c: the rows of the outer surface c), which makes the matrix regular and
keeps the total charge of each conductor zero (the right side integrates to zero because
div E_p = 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from tmslab.efield.bem.curvature import self_curvature_terms
from tmslab.efield.bem.fmm import DEFAULT_EPS, coulomb_field, eps_for_edge
from tmslab.efield.bem.nearfield import (
    averaged_normal_corrections,
    near_corrections,
    near_pairs,
)

NEAR_FACTOR = 3.0  # triangles within this many (longest) edge lengths are integrated exactly


@dataclass(frozen=True, eq=False)
class ChargeOperator:
    """The matrix-free operator of the charge equation for one conductor's triangles.

    Attributes
    ----------
    centroids : (T, 3) ndarray, m
        Triangle centroids.
    normals : (T, 3) ndarray, dimensionless
        Unit outward normals.
    areas : (T,) ndarray, m^2
        Triangle areas.
    contrast : (T,) ndarray, dimensionless
        K = (sigma_in - sigma_out)/(sigma_in + sigma_out) of each triangle.
    near : (T, T) scipy.sparse.csr_matrix, V/m per V/m
        Normal components of the near-field corrections (float32 values and int32 indices: ~100
        pairs per triangle, the bulk of the memory).
    outer_groups : tuple of ndarray of int
        Triangle indices of each insulated body's outer boundary (K = 1).
    eps : float, dimensionless
        FMM precision of the products.
    self_terms : (T,) ndarray or None, V/m per V/m
        The diagonal (curvature) part.
    """

    centroids: np.ndarray
    normals: np.ndarray
    areas: np.ndarray
    contrast: np.ndarray
    near: sp.csr_matrix
    outer_groups: tuple[np.ndarray, ...]
    eps: float = DEFAULT_EPS
    self_terms: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.areas)

    @property
    def nbytes(self) -> int:
        """Memory held by the operator's arrays, bytes."""
        arrays = [self.centroids, self.normals, self.areas, self.contrast, *self.outer_groups]
        arrays += [self.near.data, self.near.indices, self.near.indptr]
        if self.self_terms is not None:
            arrays.append(self.self_terms)
        return int(sum(a.nbytes for a in arrays))

    def normal_field(self, density: np.ndarray) -> np.ndarray:
        """``n_i . E_s^pv(c_i)`` of a charge density: the principal-value normal field at centroids.

        Parameters
        ----------
        density : (T,) ndarray, V/m
            Charge density / eps0.

        Returns
        -------
        (T,) ndarray, V/m
            Normal field at each centroid.
        """
        e = coulomb_field(self.centroids, density * self.areas, eps=self.eps)
        out = np.einsum("ij,ij->i", self.normals, e) + self.near @ density
        if self.self_terms is not None:
            out += self.self_terms * density
        return out

    def matvec(self, density: np.ndarray) -> np.ndarray:
        """Apply the left side of the charge equation (with the deflation terms).

        Parameters
        ----------
        density : (T,) ndarray, V/m
            Charge density / eps0.

        Returns
        -------
        (T,) ndarray, V/m
            Left side of the charge equation.
        """
        density = np.asarray(density, dtype=float).ravel()
        out = 0.5 * density - self.contrast * self.normal_field(density)
        for group in self.outer_groups:
            a = self.areas[group]
            out[group] += (a @ density[group]) / a.sum()
        return out


def build_operator(
    conductor,
    near_factor: float = NEAR_FACTOR,
    eps: float | None = None,
    curvature: bool = True,
    averaged: bool = True,
):
    """Assemble the :class:`ChargeOperator` of a :class:`~tmslab.conductors.surfaces.Conductor`.

    Parameters
    ----------
    conductor : Conductor
        The conductor.
    near_factor : float, dimensionless
        Near-pair radius in triangle sizes.
    eps : float or None, dimensionless
        FMM precision; None chooses it from the mean edge length (:func:`.fmm.eps_for_edge`).
    curvature : bool
        Include the curvature self-terms.
    averaged : bool
        Test near pairs with the triangle mean (:func:`.nearfield.averaged_normal_corrections`)
        instead of the centroid value.

    Returns
    -------
    ChargeOperator
        The operator.
    """
    if eps is None:
        eps = eps_for_edge(conductor.mean_edge_m())
    c = conductor.centroids
    # a flat triangle's own principal value has no normal part: self pairs are left out
    indptr, indices = near_pairs(c, c, conductor.sizes, near_factor, skip_self=True)
    if averaged:
        normal_values = averaged_normal_corrections(
            indptr, indices, conductor.corners, c, conductor.normals, conductor.areas
        )
    else:
        values = near_corrections(
            c, indptr, indices, conductor.corners, c, conductor.normals, conductor.areas
        )
        rows = np.repeat(np.arange(len(c)), np.diff(indptr))
        normal_values = np.einsum("ij,ij->i", conductor.normals[rows], values)
    # float32 values: 7 digits, far below the ~1e-3 discretisation error, half the memory
    near = sp.csr_matrix(
        (normal_values.astype(np.float32, copy=False), indices, indptr), shape=(len(c), len(c))
    )
    self_terms = self_curvature_terms(conductor) if curvature else None
    # one deflation term per insulated body (a closed outer surface or joined outer patches)
    groups = tuple(
        np.flatnonzero(np.isin(conductor.surface_index, body)) for body in conductor.outer_bodies
    )
    return ChargeOperator(
        c, conductor.normals, conductor.areas, conductor.contrast, near, groups, eps, self_terms
    )
