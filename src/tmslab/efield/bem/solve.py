"""Solve for the surface charges a placed coil induces on a conductor's interfaces."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from tmslab import budgets
from tmslab.efield.bem.evaluate import charge_field
from tmslab.efield.bem.fmm import DEFAULT_EPS
from tmslab.efield.bem.operator import NEAR_FACTOR, ChargeOperator, build_operator
from tmslab.efield.kernels import dipole_vector_potential
from tmslab.errors import InvalidValueError, check_positive
from tmslab.units import MM_PER_M

# Relative residual. The discretisation error is >= 5e-4 on 1M-facet meshes; on the sphere,
# 1e-5 (4 iterations) moves the field by 5e-7 RDM from 1e-8 (7 iterations).
GMRES_RTOL = 1e-5
GMRES_MAXITER = 300
# A residual this many times the tolerance after GMRES gives up is a failed solve, not a slow one.
GMRES_FAILED = 1000.0


@dataclass(frozen=True)
class GradientPart:
    """The part ``E_g(r) = e0 + S (r - r0)`` of the primary field that is a gradient.

    ``E_g = grad(e0 . d + d.S.d / 2)`` with d = r - r0 is harmonic (trace S = 0), so an insulated
    conductor of any inner conductivities cancels it exactly: the total field inside is E_p - E_g
    plus the field of the charges E_p - E_g induces. Solving for that remainder removes the largest
    part of the discretisation error where E_p is nearly uniform (dishes).

    Attributes
    ----------
    r0 : (3,) ndarray, m
        Expansion point.
    e0 : (3,) ndarray, V/m per A/s
        Primary field at r0 per unit dI/dt.
    jacobian_sym : (3, 3) ndarray, V/m^2 per A/s
        Symmetric, traceless part S of the field's Jacobian.
    """

    r0: np.ndarray
    e0: np.ndarray
    jacobian_sym: np.ndarray

    def __call__(self, points: np.ndarray) -> np.ndarray:
        return self.e0 + (np.asarray(points) - self.r0) @ self.jacobian_sym.T


def gradient_part(coil, centre: np.ndarray, size_m: float) -> GradientPart:
    """Fit the :class:`GradientPart` of a coil's primary field at ``centre``.

    The Jacobian comes from central differences with a step of ``1e-3 * size_m``.

    Parameters
    ----------
    coil : Coil
        Coil placed in the conductor's frame.
    centre : (3,) ndarray, m
        Expansion point.
    size_m : float, m
        Size of the body (sets the difference step).

    Returns
    -------
    GradientPart
        The fitted gradient part.
    """
    h = 1e-3 * size_m
    offsets = np.concatenate([[np.zeros(3)], h * np.eye(3), -h * np.eye(3)])
    e = -dipole_vector_potential(centre + offsets, coil.dipole_positions, coil.dipole_moments)
    jacobian = ((e[1:4] - e[4:7]) / (2 * h)).T  # J[a, b] = d E_a / d x_b
    sym = 0.5 * (jacobian + jacobian.T)
    sym -= np.trace(sym) / 3 * np.eye(3)
    return GradientPart(np.asarray(centre, float), e[0], sym)


@dataclass(frozen=True, eq=False)
class BodyGradients:
    """One :class:`GradientPart` per insulated body (outer surface) of a conductor.

    Each insulated body cancels its own part exactly, whatever the other bodies do (its interior
    Neumann problem does not see them), and whatever its inner compartments (nested or meeting
    at junctions).

    Attributes
    ----------
    surfaces : tuple of tuple of int
        Indices in ``conductor.surfaces`` of each body's outer boundary
        (:attr:`~tmslab.conductors.surfaces.Conductor.outer_bodies`).
    parts : tuple of GradientPart
        Each body's gradient part.
    owner : (T,) ndarray of int
        Index into ``parts`` of the body each triangle belongs to.
    """

    surfaces: tuple[tuple[int, ...], ...]
    parts: tuple[GradientPart, ...]
    owner: np.ndarray

    def at_triangles(self, centroids: np.ndarray) -> np.ndarray:
        """The owning body's gradient part at each triangle centroid.

        Parameters
        ----------
        centroids : (T, 3) ndarray, m
            Triangle centroids, in the conductor's triangle order.

        Returns
        -------
        (T, 3) ndarray, V/m per A/s
            Gradient part per unit dI/dt.
        """
        out = np.zeros_like(centroids)
        for k, part in enumerate(self.parts):
            mine = self.owner == k
            out[mine] = part(centroids[mine])
        return out

    def at_points(self, conductor, points: np.ndarray) -> np.ndarray:
        """The gradient part of the body each point lies in (0 outside all bodies).

        Parameters
        ----------
        conductor : Conductor
            The conductor.
        points : (N, 3) ndarray, m
            Field points.

        Returns
        -------
        (N, 3) ndarray, V/m per A/s
            Gradient part per unit dI/dt.
        """
        if len(self.parts) == 1:
            return self.parts[0](points)
        from tmslab.conductors.quality import inside_mask

        out = np.zeros_like(points)
        left = np.ones(len(points), dtype=bool)
        for body, part in zip(self.surfaces, self.parts, strict=True):
            mine = np.zeros(len(points), dtype=bool)
            mine[left] = inside_mask(_body(conductor, body), points[left])
            out[mine] = part(points[mine])
            left &= ~mine
        return out


def _body(conductor, body: tuple[int, ...]):
    from tmslab.conductors.surfaces import Conductor

    return Conductor(tuple(conductor.surfaces[i] for i in body))


def body_centres(conductor) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each insulated body's expansion point and size, and the body each triangle belongs to.

    Parameters
    ----------
    conductor : Conductor
        The conductor, with at least one insulated body.

    Returns
    -------
    centres : (K, 3) ndarray, m
        Area-weighted centroid of each body's outer boundary.
    sizes : (K,) ndarray, m
        Each body's largest extent.
    owner : (T,) ndarray of int
        Index of the body each triangle belongs to.
    """
    from tmslab.conductors.quality import inside_mask

    bodies = conductor.outer_bodies
    centres, sizes = [], []
    for body in bodies:
        mine = np.isin(conductor.surface_index, body)
        weights = conductor.areas[mine]
        centres.append(weights @ conductor.centroids[mine] / weights.sum())
        vertices = np.concatenate([conductor.surfaces[i].vertices for i in body])
        sizes.append(float(np.ptp(vertices, axis=0).max()))
    owner_of_surface = np.zeros(len(conductor.surfaces), dtype=np.int64)
    body_of = {i: k for k, body in enumerate(bodies) for i in body}
    for j, surface in enumerate(conductor.surfaces):
        if j in body_of:
            owner_of_surface[j] = body_of[j]
            continue
        if len(bodies) == 1:
            continue
        probe = surface.vertices[:1]
        for k, body in enumerate(bodies):
            if inside_mask(_body(conductor, body), probe)[0]:
                owner_of_surface[j] = k
                break
    return np.array(centres), np.array(sizes), owner_of_surface[conductor.surface_index]


def body_gradients(conductor, coil) -> BodyGradients | None:
    """The :class:`BodyGradients` of a placed coil's primary field.

    Parameters
    ----------
    conductor : Conductor
        The conductor.
    coil : Coil
        Coil placed in the conductor's frame.

    Returns
    -------
    BodyGradients or None
        None when no surface is insulated.
    """
    bodies = conductor.outer_bodies
    if not bodies:
        return None
    centres, sizes, owner = body_centres(conductor)
    parts = [gradient_part(coil, c, size) for c, size in zip(centres, sizes, strict=True)]
    return BodyGradients(bodies, tuple(parts), owner)


@dataclass(frozen=True, eq=False)
class Solution:
    """Surface charge of a conductor driven by a placed coil, and the field it gives.

    Attributes
    ----------
    conductor : Conductor
        The conductor.
    coil : Coil
        The placed coil (conductor frame, metres).
    didt_a_per_s : float, A/s
        Coil current slope the fields are scaled to.
    density : (T,) ndarray, V/m per A/s
        Surface charge density / eps0 per unit dI/dt (unscaled).
    iterations : int
        GMRES iterations (one FMM product each).
    residual : float, dimensionless
        GMRES's estimate of the final relative residual.
    timings_s : dict of str to float, s
        Time spent in "operator", "rhs" and "gmres".
    near_factor : float, dimensionless
        Near-field radius in triangle sizes.
    eps : float, dimensionless
        FMM precision.
    gradients : BodyGradients or None
        The exactly cancelled gradient part of the primary field in each insulated body (None if
        not used); ``density`` is then the charge of the remainder E_p - E_g only, and fields are
        valid inside the conductor only.
    """

    conductor: object
    coil: object
    didt_a_per_s: float
    density: np.ndarray
    iterations: int
    residual: float
    timings_s: dict[str, float] = field(default_factory=dict)
    near_factor: float = NEAR_FACTOR
    eps: float = DEFAULT_EPS  # FMM precision of the solve and of the fields at points
    gradients: BodyGradients | None = None

    @property
    def charge_density(self) -> np.ndarray:
        """(T,) surface charge density, C/m^2, at ``didt_a_per_s``."""
        from scipy.constants import epsilon_0

        return self.density * epsilon_0 * self.didt_a_per_s

    def primary(self, points, check: bool = True) -> np.ndarray:
        """Primary field -dA/dt at points.

        Parameters
        ----------
        points : (N, 3) array_like, m
            Field points.
        check : bool
            Check the points are inside the conductor and off its surfaces.

        Returns
        -------
        (N, 3) ndarray, V/m
            Primary E at ``didt_a_per_s``.
        """
        p = self._points(points, check)
        return (
            -dipole_vector_potential(p, self.coil.dipole_positions, self.coil.dipole_moments)
            * self.didt_a_per_s
        )

    def secondary(self, points, check: bool = True) -> np.ndarray:
        """Field of the surface charges, -grad(phi), at points.

        Parameters
        ----------
        points : (N, 3) array_like, m
            Field points.
        check : bool
            Check the points are inside the conductor and off its surfaces.

        Returns
        -------
        (N, 3) ndarray, V/m
            Secondary E at ``didt_a_per_s``.
        """
        p = self._points(points, check)
        e = charge_field(self.conductor, self.density, p, self.near_factor, self.eps)
        if self.gradients is not None:
            e -= self.gradients.at_points(self.conductor, p)
        return e * self.didt_a_per_s

    def efield(self, points, check: bool = True) -> np.ndarray:
        """Total E-field at points inside the conductor.

        Parameters
        ----------
        points : (N, 3) array_like, m
            Field points.
        check : bool
            Check the points are inside the conductor and off its surfaces.

        Returns
        -------
        (N, 3) ndarray, V/m
            Total E at ``didt_a_per_s``.

        Raises
        ------
        InvalidValueError
            If ``check`` and a point is outside or on a surface.
        """
        p = self._points(points, check)
        return self.primary(p, check=False) + self.secondary(p, check=False)

    def _points(self, points, check: bool) -> np.ndarray:
        from tmslab.efield.bem.evaluate import check_field_points
        from tmslab.efield.sphere import check_points

        p = check_points(points)
        if check:
            check_field_points(self.conductor, p, self.near_factor)
        return p


def _check_coil(conductor, coil) -> None:
    from tmslab.conductors.quality import inside_mask

    inside = inside_mask(conductor, coil.dipole_positions)
    if np.any(inside):
        k = int(np.flatnonzero(inside)[0])
        where = np.round(coil.dipole_positions[k] * MM_PER_M, 2).tolist()
        raise InvalidValueError(
            f"the coil intersects the conductor {getattr(conductor, 'name', '')!r}: "
            f"{int(inside.sum())} of {len(inside)} coil dipoles lie inside it (e.g. at {where} "
            "mm); move the coil away with a pose or a larger distance"
        )


def gmres(matvec, b: np.ndarray, rtol: float, restart: int = 60, maxiter: int = GMRES_MAXITER):
    """Restarted GMRES (Saad & Schultz 1986) from a zero start, for an FMM-costly product.

    Unlike scipy's gmres it spends no product on the zero start vector's residual nor on a closing
    residual check (each is an FMM call, a fifth of a typical solve): convergence is judged by the
    Arnoldi estimate. Basis vectors are kept only as far as used (~5 on BEM systems), not
    restart x n.

    Parameters
    ----------
    matvec : callable
        (n,) -> (n,) product.
    b : (n,) ndarray, V/m
        Right side.
    rtol : float, dimensionless
        Relative residual to reach.
    restart : int
        Basis size before a restart.
    maxiter : int
        Largest number of products.

    Returns
    -------
    x : (n,) ndarray, V/m
        Solution.
    history : list of float, dimensionless
        Relative residual estimate after each iteration.
    converged : bool
        Whether ``rtol`` was reached.
    """
    from scipy.linalg import solve_triangular

    x = np.zeros(len(b))
    norm_b = float(np.linalg.norm(b))
    history: list[float] = []
    if norm_b == 0.0:
        return x, history, True
    r, beta = b, norm_b
    while len(history) < maxiter:
        basis = [r / beta]
        h = np.zeros((restart + 1, restart))
        g = np.zeros(restart + 1)
        g[0] = beta
        cs, sn = np.zeros(restart), np.zeros(restart)
        for k in range(restart):
            w = matvec(basis[k])
            for i in range(k + 1):  # modified Gram-Schmidt
                h[i, k] = basis[i] @ w
                w = w - h[i, k] * basis[i]
            h[k + 1, k] = np.linalg.norm(w)
            breakdown = h[k + 1, k] <= 1e-14 * abs(h[k, k])
            if not breakdown:
                basis.append(w / h[k + 1, k])
            for i in range(k):  # earlier Givens rotations
                h[i, k], h[i + 1, k] = (
                    cs[i] * h[i, k] + sn[i] * h[i + 1, k],
                    -sn[i] * h[i, k] + cs[i] * h[i + 1, k],
                )
            d = np.hypot(h[k, k], h[k + 1, k])
            cs[k], sn[k] = h[k, k] / d, h[k + 1, k] / d
            h[k, k], h[k + 1, k] = d, 0.0
            g[k + 1], g[k] = -sn[k] * g[k], cs[k] * g[k]
            history.append(abs(g[k + 1]) / norm_b)
            if history[-1] <= rtol or breakdown or len(history) >= maxiter:
                break
        y = solve_triangular(h[: k + 1, : k + 1], g[: k + 1])
        for i in range(k + 1):
            x += y[i] * basis[i]
        if history[-1] <= rtol or breakdown:
            return x, history, True
        r = b - matvec(x)
        beta = float(np.linalg.norm(r))
    return x, history, False


@dataclass(frozen=True, eq=False)
class BemOperator:
    """The coil-independent part of the BEM on one conductor: build once, solve many coils.

    The operator (near pairs, exact near-field corrections, curvature terms) depends only on the
    mesh, so for many coil placements build it once (the set-up is about half the time of a single
    solve) and call :meth:`solve` per placement.

    Attributes
    ----------
    conductor : Conductor
        The conductor.
    operator : ChargeOperator
        The assembled operator.
    near_factor : float, dimensionless
        Near-field radius in edge lengths.
    eps : float, dimensionless
        FMM precision of the products.
    setup_s : float, s
        Time to build it.
    """

    conductor: object
    operator: ChargeOperator
    near_factor: float = NEAR_FACTOR
    eps: float = DEFAULT_EPS
    setup_s: float = 0.0

    @classmethod
    def build(
        cls, conductor, *, near_factor: float = NEAR_FACTOR, eps: float | None = None
    ) -> BemOperator:
        """Assemble the operator of ``conductor``.

        Parameters
        ----------
        conductor : Conductor
            The conductor (closed, outward surfaces).
        near_factor : float, dimensionless
            Near-field radius in edge lengths.
        eps : float or None, dimensionless
            FMM precision; None: from the mesh (:func:`~tmslab.efield.bem.fmm.eps_for_edge`).

        Returns
        -------
        BemOperator
            The operator, ready for :meth:`solve`.
        """
        if eps is not None:
            check_positive("FMM eps", eps)
            if eps >= 0.1:
                raise InvalidValueError(
                    f"FMM eps {eps:g} is too loose for a field solver; use 1e-6..1e-3 "
                    "(or leave it out to choose it from the mesh)"
                )
        # A mesh read from a file (or many wells) can be far larger than any one meshing call.
        budgets.check(budgets.bem(conductor.n_triangles, hint="the mesh (--edge-mm)"))
        start = time.perf_counter()
        op = build_operator(conductor, near_factor=near_factor, eps=eps)
        return cls(conductor, op, near_factor, op.eps, time.perf_counter() - start)

    @property
    def n(self) -> int:
        return self.operator.n

    def solve(
        self,
        coil,
        didt_a_per_s: float = 1.0,
        *,
        rtol: float = GMRES_RTOL,
        check: bool = True,
        subtract_gradient: bool = True,
    ) -> Solution:
        """Surface charges a placed coil induces.

        Parameters
        ----------
        coil : Coil
            Coil placed in the conductor's frame.
        didt_a_per_s : float, A/s
            Coil current slope the fields are scaled to.
        rtol : float, dimensionless
            GMRES relative tolerance.
        check : bool
            Check the coil lies outside the conductor.
        subtract_gradient : bool
            Solve for the primary field minus its exactly cancelled gradient part.

        Returns
        -------
        Solution
            See :func:`solve`.
        """
        conductor, op = self.conductor, self.operator
        didt = check_positive("dI/dt", didt_a_per_s, "A/s")
        if check:
            _check_coil(conductor, coil)
        timings = {"operator": self.setup_s}
        start = time.perf_counter()
        primary = -dipole_vector_potential(
            conductor.centroids, coil.dipole_positions, coil.dipole_moments
        )
        subtract = body_gradients(conductor, coil) if subtract_gradient else None
        if subtract is not None:
            primary = primary - subtract.at_triangles(conductor.centroids)
        rhs = conductor.contrast * np.einsum("ij,ij->i", conductor.normals, primary)
        timings["rhs"] = time.perf_counter() - start
        start = time.perf_counter()
        scale = float(np.linalg.norm(rhs))
        if scale == 0.0:
            density, history, residual = np.zeros(op.n), [], 0.0
        else:
            density, history, converged = gmres(op.matvec, rhs / scale, rtol)
            density = density * scale
            residual = history[-1]
            if not converged and residual > GMRES_FAILED * rtol:
                raise InvalidValueError(
                    f"the BEM system did not converge (relative residual {residual:.2g} after "
                    f"{len(history)} iterations); check the mesh quality"
                )
        timings["gmres"] = time.perf_counter() - start
        return Solution(
            conductor,
            coil,
            didt,
            density,
            len(history),
            residual,
            timings,
            self.near_factor,
            self.eps,
            subtract,
        )


def solve(
    conductor,
    coil,
    didt_a_per_s: float = 1.0,
    *,
    near_factor: float = NEAR_FACTOR,
    eps: float | None = None,
    rtol: float = GMRES_RTOL,
    check: bool = True,
    subtract_gradient: bool = True,
) -> Solution:
    """Surface charges induced by a placed coil on a conductor (charge-based BEM with FMM).

    For many coil placements on one mesh, build a :class:`BemOperator` once and call its ``solve``.

    Parameters
    ----------
    conductor : Conductor
        Closed, outward surfaces.
    coil : Coil
        Coil placed in the conductor's frame (metres).
    didt_a_per_s : float, A/s
        Coil current slope the fields are scaled to.
    near_factor : float, dimensionless
        Triangles closer than this many edge lengths are integrated exactly.
    eps : float or None, dimensionless
        FMM precision of the solver's products; None: from the mean edge length (see
        :func:`~tmslab.efield.bem.fmm.eps_for_edge`).
    rtol : float, dimensionless
        GMRES relative tolerance.
    check : bool
        Check the coil lies outside the conductor.
    subtract_gradient : bool
        Solve for the primary field minus its exactly cancelled gradient part
        (:class:`GradientPart`); needs an insulated outer surface, else ignored.

    Returns
    -------
    Solution
        Its ``efield(points)`` gives E (N, 3) in V/m.

    Raises
    ------
    InvalidValueError
        If the coil is inside the conductor or a parameter is out of range.
    """
    check_positive("dI/dt", didt_a_per_s, "A/s")
    if check:
        _check_coil(conductor, coil)
    operator = BemOperator.build(conductor, near_factor=near_factor, eps=eps)
    return operator.solve(
        coil, didt_a_per_s, rtol=rtol, check=False, subtract_gradient=subtract_gradient
    )
