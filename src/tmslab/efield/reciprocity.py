"""Reciprocity: the field at one target for many coil poses, each for the cost of a dot product.

The E-field that a coil's magnetic dipoles (positions p_k, moments m_k per ampere) induce at a
target r0 along a unit vector d, per unit dI/dt, equals minus the flux-like sum of the moments
against the magnetic field that a unit current dipole d at r0 makes at the dipoles:

    E(r0) . d = - sum_k m_k . B_d(p_k)

(Helmholtz reciprocity, as used by the auxiliary dipole method: Gomez et al. 2020, Brain Stimul
13:1, doi:10.1016/j.brs.2019.09.015). In a spherically symmetric conductor B_d has the closed
form of Sarvas (1987, Phys Med Biol 32:11, doi:10.1088/0031-9155/32/1/004), so the field at the
target for any pose costs one pass over the coil's dipoles, without solving for the field in
the head. Three current dipoles (x, y, z) give the vector E. The identity is checked against the
direct sphere field (:func:`tmslab.efield.kernels.sphere_efield`) to rounding in the tests.

For many handle angles at once the coil is redistributed onto a polar grid of auxiliary
dipoles (:class:`AuxiliaryCoil`, :func:`field_over_angles`); in a BEM conductor B_d comes from
the adjoint solve (:class:`BemReciprocity`, :mod:`tmslab.efield.bem.adjoint`). The search
itself is :func:`tmslab.efield.optimise.optimise_placement`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.units import MU0_OVER_4PI

__all__ = [
    "AuxiliaryCoil",
    "BemReciprocity",
    "auxiliary_coil",
    "auxiliary_coil_for",
    "element_bfield",
    "field_over_angles",
    "sarvas_bfield",
    "sphere_bfield",
    "target_field_over_poses",
]


@nb.njit(cache=True, fastmath=False)
def _sarvas(r0, q, points, out):  # pragma: no cover - compiled
    qx = q[1] * r0[2] - q[2] * r0[1]  # q x r0
    qy = q[2] * r0[0] - q[0] * r0[2]
    qz = q[0] * r0[1] - q[1] * r0[0]
    for i in range(points.shape[0]):
        rx, ry, rz = points[i, 0], points[i, 1], points[i, 2]
        ax, ay, az = rx - r0[0], ry - r0[1], rz - r0[2]
        a = np.sqrt(ax * ax + ay * ay + az * az)
        r = np.sqrt(rx * rx + ry * ry + rz * rz)
        adr = ax * rx + ay * ry + az * rz
        f = a * (r * a + r * r - (rx * r0[0] + ry * r0[1] + rz * r0[2]))
        cr = a * a / r + adr / a + 2.0 * a + 2.0 * r
        c0 = a + 2.0 * r + adr / a
        s = qx * rx + qy * ry + qz * rz
        inv = MU0_OVER_4PI / (f * f)
        out[i, 0] = (f * qx - s * (cr * rx - c0 * r0[0])) * inv
        out[i, 1] = (f * qy - s * (cr * ry - c0 * r0[1])) * inv
        out[i, 2] = (f * qz - s * (cr * rz - c0 * r0[2])) * inv


def sarvas_bfield(target_m, dipole, points_m) -> np.ndarray:
    """Magnetic field outside a spherical conductor of a current dipole inside it (Sarvas 1987).

    Parameters
    ----------
    target_m : (3,) array_like, m
        Current dipole position (inside the sphere, centred at the origin).
    dipole : (3,) array_like, A m
        Current dipole moment.
    points_m : (N, 3) array_like, m
        Field points outside the conductor.

    Returns
    -------
    (N, 3) ndarray, T
        B at the points (primary and volume currents; the radial profile of conductivity does
        not matter).
    """
    r0 = np.asarray(target_m, dtype=float)
    q = np.asarray(dipole, dtype=float)
    p = np.ascontiguousarray(points_m, dtype=float).reshape(-1, 3)
    if np.any(np.linalg.norm(p, axis=1) <= np.linalg.norm(r0)):
        raise InvalidValueError("field points must lie farther from the centre than the target")
    out = np.empty_like(p)
    _sarvas(r0, q, p, out)
    return out


@nb.njit(cache=True, parallel=True)
def _over_poses(rotations, translations, positions, moments, r0, out):  # pragma: no cover
    n_poses = rotations.shape[0]
    n = positions.shape[0]
    for k in nb.prange(n_poses):
        rot = rotations[k]
        t = translations[k]
        world = np.empty((n, 3))
        m = np.empty((n, 3))
        for i in range(n):
            for j in range(3):
                world[i, j] = (
                    rot[j, 0] * positions[i, 0]
                    + rot[j, 1] * positions[i, 1]
                    + rot[j, 2] * positions[i, 2]
                    + t[j]
                )
                m[i, j] = (
                    rot[j, 0] * moments[i, 0]
                    + rot[j, 1] * moments[i, 1]
                    + rot[j, 2] * moments[i, 2]
                )
        b = np.empty((n, 3))
        for axis in range(3):
            q = np.zeros(3)
            q[axis] = 1.0
            _sarvas(r0, q, world, b)
            total = 0.0
            for i in range(n):
                total += m[i, 0] * b[i, 0] + m[i, 1] * b[i, 1] + m[i, 2] * b[i, 2]
            out[k, axis] = -total


def target_field_over_poses(coil, poses, target_m) -> np.ndarray:
    """E at one target in a spherical head for each of many coil poses, per unit dI/dt.

    Parameters
    ----------
    coil : Coil
        The coil in its own frame (dipoles per ampere).
    poses : (P, 4, 4) array_like, m
        Coil -> head transforms (SimNIBS matsimnibs convention, metres).
    target_m : (3,) array_like, m
        The target, inside the sphere centred at the origin.

    Returns
    -------
    (P, 3) ndarray, V/m per A/s
        E at the target for each pose.
    """
    a = np.asarray(poses, dtype=float).reshape(-1, 4, 4)
    out = np.empty((len(a), 3))
    _over_poses(
        np.ascontiguousarray(a[:, :3, :3]),
        np.ascontiguousarray(a[:, :3, 3]),
        np.ascontiguousarray(coil.dipole_positions, dtype=float),
        np.ascontiguousarray(coil.dipole_moments, dtype=float),
        np.asarray(target_m, dtype=float),
        out,
    )
    return out


# --- many angles at once: the coil on a polar grid of auxiliary dipoles ------------------------
@dataclass(frozen=True, eq=False)
class AuxiliaryCoil:
    """A coil's dipoles redistributed onto a polar grid in its own frame (radius, azimuth, height).

    Turning the coil about its axis by a multiple of the azimuth step maps the grid onto itself,
    so the reciprocal field sampled once at the grid nodes of a position gives every handle angle
    by a circular correlation over the azimuth (an FFT). Each dipole is shared among the 3 x 3
    nearest nodes in radius and azimuth with quadratic (Lagrange) weights, which keep its
    moment and the first and second spatial moments, so the error is third order in the node
    spacing relative to the coil-target distance (measured against the exact coil: < 1e-3 of
    the peak at a spacing of 1/8 of that distance; :func:`auxiliary_coil_for`). The idea is the
    auxiliary dipole method of Gomez et al. 2020, doi:10.1016/j.brs.2019.09.015.

    Attributes
    ----------
    radii_m : (J,) ndarray, m
        Node radii (0, dr, 2 dr, ...).
    heights_m : (L,) ndarray, m
        Node heights (the coil's own winding layers when it has at most 8).
    n_azimuth : int
        Nodes per ring (a multiple of the number of handle angles).
    moments : (J, L, N, 3) ndarray, m^2
        Node moments per ampere in the node's cylindrical basis (r, phi, z).
    """

    radii_m: np.ndarray
    heights_m: np.ndarray
    n_azimuth: int
    moments: np.ndarray

    @property
    def azimuths(self) -> np.ndarray:
        return 2 * np.pi * np.arange(self.n_azimuth) / self.n_azimuth

    def nodes(self) -> np.ndarray:
        """(J, L, N, 3) ndarray, m: node positions in the coil frame."""
        r = self.radii_m[:, None, None]
        phi = self.azimuths[None, None, :]
        z = self.heights_m[None, :, None]
        shape = (len(self.radii_m), len(self.heights_m), self.n_azimuth)
        return np.stack(
            np.broadcast_arrays(r * np.cos(phi), r * np.sin(phi), np.broadcast_to(z, shape)),
            axis=-1,
        )


MAX_LAYERS = 8  # a coil with at most this many distinct dipole heights keeps them exactly


def auxiliary_coil(
    coil, n_angles: int, radial_step_m: float = 2e-3, arc_step_m: float = 3e-3
) -> AuxiliaryCoil:
    """Redistribute a coil's dipoles onto a polar grid (see :class:`AuxiliaryCoil`).

    Parameters
    ----------
    coil : Coil
        The coil in its own frame.
    n_angles : int
        Number of handle angles over 360 degrees the grid must turn by.
    radial_step_m : float, m
        Ring spacing.
    arc_step_m : float, m
        Largest node spacing along the outermost ring.

    Returns
    -------
    AuxiliaryCoil
        The grid and its moments.
    """
    p = np.asarray(coil.dipole_positions, dtype=float)
    m = np.asarray(coil.dipole_moments, dtype=float)
    r = np.hypot(p[:, 0], p[:, 1])
    n_rings = int(np.ceil(r.max() / radial_step_m)) + 3
    radii = radial_step_m * np.arange(n_rings)
    per = max(1, int(np.ceil(2 * np.pi * radii[-1] / (arc_step_m * n_angles))))
    n_az = n_angles * per
    levels = np.unique(np.round(p[:, 2], 9))
    if len(levels) <= MAX_LAYERS:
        heights = levels
        l0 = np.searchsorted(heights, np.round(p[:, 2], 9))
        lz = [(l0, np.ones(len(p)))]
    else:
        lo, hi = p[:, 2].min(), p[:, 2].max()
        n_l = int(np.ceil((hi - lo) / radial_step_m)) + 1
        heights = np.linspace(lo, hi, n_l)
        f = (p[:, 2] - lo) / (heights[1] - heights[0])
        l0 = np.minimum(np.floor(f).astype(int), n_l - 2)
        t = f - l0
        lz = [(l0, 1 - t), (l0 + 1, t)]
    # quadratic (3-node Lagrange) weights in radius and azimuth keep the moment and its first
    # and second spatial moments, so the error is third order in the spacing
    fr = r / radial_step_m
    j0 = np.maximum(np.rint(fr).astype(int) - 1, 0)
    phi = np.mod(np.arctan2(p[:, 1], p[:, 0]), 2 * np.pi)
    fa = phi / (2 * np.pi / n_az)
    i0 = np.rint(fa).astype(int) - 1
    az = 2 * np.pi * np.arange(n_az) / n_az
    moments = np.zeros((n_rings, len(heights), n_az, 3))
    for dj, wr in enumerate(_lagrange3(fr - j0)):
        for di, wa in enumerate(_lagrange3(fa - i0)):
            ii = (i0 + di) % n_az
            c, s = np.cos(az[ii]), np.sin(az[ii])
            cyl = np.column_stack([m[:, 0] * c + m[:, 1] * s, -m[:, 0] * s + m[:, 1] * c, m[:, 2]])
            for ll, wz in lz:
                np.add.at(moments, (j0 + dj, ll, ii), (wr * wa * wz)[:, None] * cyl)
    return AuxiliaryCoil(radii, heights, n_az, moments)


def auxiliary_coil_for(coil, n_angles: int, pose, target_m) -> AuxiliaryCoil:
    """:func:`auxiliary_coil` with its spacing set from the coil-to-target distance.

    Parameters
    ----------
    coil : Coil
        The coil in its own frame.
    n_angles : int
        Number of handle angles over 360 degrees.
    pose : (4, 4) array_like, m
        A representative pose (e.g. over the target).
    target_m : (3,) array_like, m
        The target.

    Returns
    -------
    AuxiliaryCoil
        Ring spacing 1/8 of the shortest dipole-target distance, within [0.25, 3] mm.
    """
    placed = coil.transformed(np.asarray(pose, dtype=float))
    d_min = float(np.linalg.norm(placed.dipole_positions - np.asarray(target_m), axis=1).min())
    step = float(np.clip(d_min / 8, 0.25e-3, 3e-3))
    return auxiliary_coil(coil, n_angles, step, 4 * step / 3)


def _lagrange3(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights of nodes 0, 1, 2 for a point at ``x`` (in node spacings) on a quadratic."""
    return (x - 1) * (x - 2) / 2, x * (2 - x), x * (x - 1) / 2


def field_over_angles(
    bfield, coil, base_poses, n_angles: int, *, aux=None, chunk: int = 16, progress=None
) -> np.ndarray:
    """E at a target for every position (a pose at handle angle 0) and every handle angle.

    Parameters
    ----------
    bfield : callable
        ``bfield(points (N, 3) m) -> (3, N, 3)``: B (T per A m) at the points of unit current
        dipoles along x, y, z at the target (head frame), e.g. :func:`sarvas_bfield` per axis or
        :meth:`BemReciprocity.bfield`.
    coil : Coil
        The coil in its own frame.
    base_poses : (P, 4, 4) array_like, m
        Coil -> head poses at handle angle 0; angle a turns the coil about its own z-axis by a
        (``pose @ Rz(a)``, the convention of :func:`~tmslab.coils.placement.pose_on_sphere` and
        :func:`~tmslab.conductors.head.pose_at_scalp_point`).
    n_angles : int
        Handle angles 0, 360/n, ... degrees.
    aux : AuxiliaryCoil or None
        The coil's auxiliary grid (default: :func:`auxiliary_coil`).
    chunk : int
        Positions per batch (memory: ~chunk x 1 MB).
    progress : callable or None
        Called with the number of positions done after each batch.

    Returns
    -------
    (P, A, 3) ndarray, V/m per A/s
        E at the target.
    """
    poses = np.asarray(base_poses, dtype=float).reshape(-1, 4, 4)
    aux = aux or auxiliary_coil(coil, n_angles)
    if aux.n_azimuth % n_angles:
        raise InvalidValueError("the auxiliary grid does not turn by the handle-angle step")
    step = aux.n_azimuth // n_angles
    local = aux.nodes().reshape(-1, 3)
    az = aux.azimuths
    rings = len(aux.radii_m) * len(aux.heights_m)
    # only the cylindrical components the coil has (a flat coil: z alone)
    comps = np.array([c for c in range(3) if np.any(aux.moments[..., c])], dtype=np.int64)
    # circular correlation over the azimuth: sum_i M[i] B[i + s] = irfft(conj(rfft M) rfft B)[s]
    moments = np.moveaxis(aux.moments, 2, -1)[..., comps, :]  # (J, L, C, N)
    fm = np.conj(np.fft.rfft(moments, axis=-1)).reshape(-1, aux.n_azimuth // 2 + 1)
    out = np.empty((len(poses), n_angles, 3))
    for start in range(0, len(poses), chunk):
        block = np.ascontiguousarray(poses[start : start + chunk])
        world = local[None] @ block[:, :3, :3].transpose(0, 2, 1) + block[:, None, :3, 3]
        b = bfield(world.reshape(-1, 3))
        cyl = np.empty((3, len(block), rings, len(comps), aux.n_azimuth))
        _to_coil_cylindrical(b, block, np.cos(az), np.sin(az), comps, cyl)
        fb = np.fft.rfft(cyl, axis=-1).reshape(3, len(block), -1, fm.shape[-1])
        corr = np.fft.irfft((fb * fm).sum(axis=2), n=aux.n_azimuth, axis=-1)
        out[start : start + len(block)] = -np.moveaxis(corr[:, :, ::step], 0, -1)
        if progress is not None:
            progress(len(block))
    return out


@nb.njit(cache=True, parallel=True)
def _to_coil_cylindrical(b, poses, cos, sin, comps, out):  # pragma: no cover - compiled
    # b (3, P n, 3) world components at node n = ring * N + azimuth i of pose p ->
    # out (3, P, rings, C, N): components along e_r(phi_i), e_phi(phi_i), z of the coil frame
    n_poses, rings, n_az = out.shape[1], out.shape[2], out.shape[4]
    per = rings * n_az
    for job in nb.prange(n_poses * rings):
        p = job // rings
        ring = job % rings
        rot = poses[p]
        for i in range(n_az):
            n = p * per + ring * n_az + i
            for d in range(3):
                bx = b[d, n, 0] * rot[0, 0] + b[d, n, 1] * rot[1, 0] + b[d, n, 2] * rot[2, 0]
                by = b[d, n, 0] * rot[0, 1] + b[d, n, 1] * rot[1, 1] + b[d, n, 2] * rot[2, 1]
                bz = b[d, n, 0] * rot[0, 2] + b[d, n, 1] * rot[1, 2] + b[d, n, 2] * rot[2, 2]
                for k in range(comps.shape[0]):
                    c = comps[k]
                    if c == 0:
                        out[d, p, ring, k, i] = bx * cos[i] + by * sin[i]
                    elif c == 1:
                        out[d, p, ring, k, i] = -bx * sin[i] + by * cos[i]
                    else:
                        out[d, p, ring, k, i] = bz


def sphere_bfield(target_m):
    """``bfield`` of a spherical head for :func:`field_over_angles` (Sarvas, three axes).

    Parameters
    ----------
    target_m : (3,) array_like, m
        The target (sphere centred at the origin).

    Returns
    -------
    callable
        ``points (N, 3) m -> (3, N, 3)`` T per A m.
    """
    r0 = np.asarray(target_m, dtype=float)

    def bfield(points):
        p = np.ascontiguousarray(points, dtype=float)
        out = np.empty((3, len(p), 3))
        _sarvas3(r0, p, out)
        return out

    return bfield


@nb.njit(cache=True, parallel=True)
def _sarvas3(r0, points, out):  # pragma: no cover - compiled
    n = points.shape[0]
    chunks = max(1, min(n, 64))
    size = (n + chunks - 1) // chunks
    for c in nb.prange(chunks):
        lo = c * size
        hi = min(n, lo + size)
        if lo >= hi:
            continue
        for axis in range(3):
            q = np.zeros(3)
            q[axis] = 1.0
            _sarvas(r0, q, points[lo:hi], out[axis, lo:hi])


# --- a BEM conductor: the adjoint's current elements, sampled on a grid around the coil -----------
GRID_EPS = (
    1e-3  # FMM precision of the gridded samples: achieved ~5e-5 (bem.fmm), below the grid error
)


@nb.njit(cache=True, parallel=True)
def _dipole3(r0, points, out):  # pragma: no cover - compiled
    # B of unit current elements x, y, z at r0 (primary current only): mu0/4pi d x R / R^3
    for i in nb.prange(points.shape[0]):
        rx = points[i, 0] - r0[0]
        ry = points[i, 1] - r0[1]
        rz = points[i, 2] - r0[2]
        r2 = rx * rx + ry * ry + rz * rz
        f = MU0_OVER_4PI / (r2 * np.sqrt(r2))
        out[0, i, 0] = 0.0
        out[0, i, 1] = -rz * f
        out[0, i, 2] = ry * f
        out[1, i, 0] = rz * f
        out[1, i, 1] = 0.0
        out[1, i, 2] = -rx * f
        out[2, i, 0] = -ry * f
        out[2, i, 1] = rx * f
        out[2, i, 2] = 0.0


@nb.njit(cache=True, parallel=True)
def _subtract_gradient_terms(centres, a, q, points, out):  # pragma: no cover - compiled
    # out[d] -= mu0/4pi [a_d x (p - r0)/r^3 - 3 (r0 - p) x (Q_d (r0 - p)) / r^5] per body
    for i in nb.prange(points.shape[0]):
        for k in range(centres.shape[0]):
            rx = centres[k, 0] - points[i, 0]
            ry = centres[k, 1] - points[i, 1]
            rz = centres[k, 2] - points[i, 2]
            r2 = rx * rx + ry * ry + rz * rz
            r = np.sqrt(r2)
            f3 = MU0_OVER_4PI / (r2 * r)
            f5 = 3.0 * MU0_OVER_4PI / (r2 * r2 * r)
            for d in range(3):
                ax, ay, az = a[k, d, 0], a[k, d, 1], a[k, d, 2]
                # a x (p - r0) = -(a x R)
                bx = -(ay * rz - az * ry) * f3
                by = -(az * rx - ax * rz) * f3
                bz = -(ax * ry - ay * rx) * f3
                qx = q[k, d, 0, 0] * rx + q[k, d, 0, 1] * ry + q[k, d, 0, 2] * rz
                qy = q[k, d, 1, 0] * rx + q[k, d, 1, 1] * ry + q[k, d, 1, 2] * rz
                qz = q[k, d, 2, 0] * rx + q[k, d, 2, 1] * ry + q[k, d, 2, 2] * rz
                bx -= (ry * qz - rz * qy) * f5
                by -= (rz * qx - rx * qz) * f5
                bz -= (rx * qy - ry * qx) * f5
                out[d, i, 0] -= bx
                out[d, i, 1] -= by
                out[d, i, 2] -= bz


@nb.njit(cache=True, parallel=True)
def _add_trilinear(grid, frame, origin, step, points, out):  # pragma: no cover - compiled
    nx, ny, nz = grid.shape[0], grid.shape[1], grid.shape[2]
    for i in nb.prange(points.shape[0]):
        px, py, pz = points[i, 0], points[i, 1], points[i, 2]
        fx = (px * frame[0, 0] + py * frame[1, 0] + pz * frame[2, 0] - origin[0]) / step
        fy = (px * frame[0, 1] + py * frame[1, 1] + pz * frame[2, 1] - origin[1]) / step
        fz = (px * frame[0, 2] + py * frame[1, 2] + pz * frame[2, 2] - origin[2]) / step
        ix = min(max(int(np.floor(fx)), 0), nx - 2)
        iy = min(max(int(np.floor(fy)), 0), ny - 2)
        iz = min(max(int(np.floor(fz)), 0), nz - 2)
        tx, ty, tz = fx - ix, fy - iy, fz - iz
        ux, uy, uz = 1.0 - tx, 1.0 - ty, 1.0 - tz
        for k in range(9):
            v = ux * (
                uy * (uz * grid[ix, iy, iz, k] + tz * grid[ix, iy, iz + 1, k])
                + ty * (uz * grid[ix, iy + 1, iz, k] + tz * grid[ix, iy + 1, iz + 1, k])
            ) + tx * (
                uy * (uz * grid[ix + 1, iy, iz, k] + tz * grid[ix + 1, iy, iz + 1, k])
                + ty * (uz * grid[ix + 1, iy + 1, iz, k] + tz * grid[ix + 1, iy + 1, iz + 1, k])
            )
            out[k // 3, i, k % 3] += v


def element_bfield(centroids, elements, points, eps: float = 1e-6) -> np.ndarray:
    """Biot-Savart field of current elements: ``mu0/4pi sum_i v_i x (p - c_i) / |p - c_i|^3``.

    Parameters
    ----------
    centroids : (T, 3) ndarray, m
        Element positions.
    elements : (D, T, 3) ndarray, A m (per unit)
        D sets of elements.
    points : (N, 3) ndarray, m
        Field points, away from the elements.
    eps : float, dimensionless
        FMM precision.

    Returns
    -------
    (D, N, 3) ndarray, T per unit
        B of each set.
    """
    import fmm3dpy

    v = np.asarray(elements, dtype=float)
    n_sets = v.shape[0]
    # B = mu0 curl Phi, Phi = sum v / (4 pi r): one FMM for the 3 D potentials and their gradients
    charges = np.ascontiguousarray(np.moveaxis(v, 2, 1).reshape(3 * n_sets, -1))
    out = fmm3dpy.lfmm3d(
        eps=eps,
        sources=np.asfortranarray(np.asarray(centroids, dtype=float).T),
        charges=charges,
        targets=np.asfortranarray(np.asarray(points, dtype=float).T),
        pgt=2,
        nd=3 * n_sets,
    )
    g = np.asarray(out.gradtarg).reshape(n_sets, 3, 3, -1)  # (set, component of Phi, d/dx_k, N)
    b = np.stack(
        [g[:, 2, 1] - g[:, 1, 2], g[:, 0, 2] - g[:, 2, 0], g[:, 1, 0] - g[:, 0, 1]], axis=-1
    )
    return MU0_OVER_4PI * 4 * np.pi * b


@dataclass(frozen=True, eq=False)
class BemReciprocity:
    """B of unit current dipoles at a target in a BEM conductor, for :func:`field_over_angles`.

    The primary part (the dipole itself) is exact at every point; the volume-current part (the
    adjoint's current elements, :func:`tmslab.efield.bem.adjoint.target_current_elements`) is
    smooth outside the conductor and is sampled on a grid over the region the coil sweeps and
    interpolated (trilinear). Its error is measured against the exact sum in the tests.

    Attributes
    ----------
    target_m : (3,) ndarray, m
        The target.
    centroids : (T, 3) ndarray, m
        Element positions.
    elements : (3, T, 3) ndarray, dimensionless
        Current elements for E along x, y, z (per unit current dipole at the target).
    frame : (3, 3) ndarray, dimensionless
        The grid's axes (columns) in the head frame, e.g. the central coil pose's, so that the
        thin slab the coil sweeps fits a thin box.
    origin : (3,) ndarray, m
        Grid corner in the grid's axes.
    step_m : float, m
        Grid spacing.
    grid : (nx, ny, nz, 9) float32 ndarray, T per A m
        The elements' B (head-frame components) for the three axes on the grid.
    iterations : tuple of int
        GMRES iterations of the three adjoint solves.
    gradient_terms : tuple of ndarray or None, m
        Body centres (m), ``a`` (dimensionless) and ``Q`` (m) of :func:`tmslab.efield.bem.adjoint.gradient_terms`: their
        (closed-form) field is subtracted so the score equals the default direct solve.
    """

    target_m: np.ndarray
    centroids: np.ndarray
    elements: np.ndarray
    frame: np.ndarray
    origin: np.ndarray
    step_m: float
    grid: np.ndarray
    iterations: tuple[int, ...] = ()
    gradient_terms: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @classmethod
    def build(
        cls,
        operator,
        target_m,
        enclose_m,
        frame=None,
        step_m: float = 3e-3,
        rtol: float | None = None,
    ) -> BemReciprocity:
        """Solve the adjoint for the target and sample the elements' B around the coil's region.

        Parameters
        ----------
        operator : BemOperator
            The conductor's assembled operator.
        target_m : (3,) array_like, m
            The target inside the conductor.
        enclose_m : (M, 3) array_like, m
            Points the grid must enclose (e.g. the corners of the coil's boxes at every pose).
        frame : (3, 3) array_like or None, dimensionless
            The grid's axes (columns); None: the head's.
        step_m : float, m
            Grid spacing.
        rtol : float or None, dimensionless
            GMRES tolerance.

        Returns
        -------
        BemReciprocity
            Ready for :meth:`bfield`.
        """
        from tmslab.efield.bem.adjoint import gradient_terms, target_current_elements

        target = np.asarray(target_m, dtype=float).reshape(3)
        axes_m = np.eye(3) if frame is None else np.asarray(frame, dtype=float)
        centroids, elements, iterations = target_current_elements(operator, target, rtol=rtol)
        local = np.asarray(enclose_m, dtype=float).reshape(-1, 3) @ axes_m
        lo, hi = local.min(axis=0) - step_m, local.max(axis=0) + step_m
        counts = np.maximum(np.ceil((hi - lo) / step_m).astype(int) + 1, 2)
        axes = [lo[k] + step_m * np.arange(counts[k]) for k in range(3)]
        pts = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3) @ axes_m.T
        b = element_bfield(centroids, elements, pts, eps=GRID_EPS)  # (3, N, 3)
        grid = np.moveaxis(b, 0, 1).reshape(*counts, 9).astype(np.float32)
        terms = gradient_terms(operator.conductor, centroids, elements, target)
        return cls(
            target,
            centroids,
            elements,
            axes_m,
            lo,
            float(step_m),
            grid,
            tuple(iterations),
            terms,
        )

    def _primary_and_terms(self, p: np.ndarray) -> np.ndarray:
        out = np.empty((3, len(p), 3))
        _dipole3(self.target_m, p, out)
        if self.gradient_terms is not None and len(self.gradient_terms[0]):
            _subtract_gradient_terms(*self.gradient_terms, p, out)
        return out

    def bfield(self, points) -> np.ndarray:
        """B of unit current dipoles x, y, z at the target, at points in the gridded region.

        Parameters
        ----------
        points : (N, 3) array_like, m
            Field points (outside the conductor, inside the grid's bounds).

        Returns
        -------
        (3, N, 3) ndarray, T per A m
            B per axis.

        Raises
        ------
        InvalidValueError
            For a point outside the grid (it would be extrapolated, not interpolated).
        """
        p = np.ascontiguousarray(points, dtype=float).reshape(-1, 3)
        local = p @ self.frame - self.origin
        top = self.step_m * (np.array(self.grid.shape[:3]) - 1)
        if len(p) and (local.min() < -1e-9 or np.any(local.max(axis=0) > top + 1e-9)):
            raise InvalidValueError(
                "a field point lies outside the grid the reciprocal field was sampled on; "
                "build it around every point the coil can reach"
            )
        out = self._primary_and_terms(p)
        _add_trilinear(self.grid, self.frame, self.origin, self.step_m, p, out)
        return out

    def exact_bfield(self, points) -> np.ndarray:
        """As :meth:`bfield`, with the elements summed exactly (FMM) instead of interpolated.

        Parameters
        ----------
        points : (N, 3) array_like, m
            Field points outside the conductor.

        Returns
        -------
        (3, N, 3) ndarray, T per A m
            B per axis.
        """
        p = np.ascontiguousarray(points, dtype=float).reshape(-1, 3)
        return self._primary_and_terms(p) + element_bfield(self.centroids, self.elements, p)
