"""Compiled field kernels: magnetic dipoles in free space and outside a spherical conductor.

All kernels work per unit dI/dt: dipole moments are per ampere of coil current (m^2), so the
E-field comes out in V/m per A/s. Points are processed in blocks in parallel (Numba ``prange``);
inside a block the loop over points is innermost and runs on coordinate arrays (structure of
arrays), so LLVM vectorises it. This is the hot loop of coil placement scans and of the depth
and focality metrics (``benchmarks/sphere_field.py`` measures it).
"""

from __future__ import annotations

import types

import numba as nb
import numpy as np

from tmslab.units import MU0_OVER_4PI  # re-exported: old code imports it from here

_BLOCK = 256  # points per parallel block: fits the accumulators in L1 and vectorises well


def _sphere_loops(xs, ys, zs, px, py, pz, mx, my, mz, out):  # pragma: no cover - compiled
    n = xs.shape[0]
    n_dipoles = px.shape[0]
    n_blocks = (n + _BLOCK - 1) // _BLOCK
    for block in nb.prange(n_blocks):
        start = block * _BLOCK
        size = min(n, start + _BLOCK) - start
        x = xs[start : start + size]
        y = ys[start : start + size]
        z = zs[start : start + size]
        ex = np.zeros(size)
        ey = np.zeros(size)
        ez = np.zeros(size)
        for k in range(n_dipoles):
            qx = px[k]
            qy = py[k]
            qz = pz[k]
            ux = mx[k]
            uy = my[k]
            uz = mz[k]
            q2 = qx * qx + qy * qy + qz * qz
            q = np.sqrt(q2)
            inv_q = 1.0 / q
            m_dot_q = ux * qx + uy * qy + uz * qz
            for j in range(size):
                ax = qx - x[j]
                ay = qy - y[j]
                az = qz - z[j]
                a2 = ax * ax + ay * ay + az * az
                inv_a = 1.0 / np.sqrt(a2)
                a = a2 * inv_a
                a_dot_q = q2 - (x[j] * qx + y[j] * qy + z[j] * qz)
                f = a * (q * a + a_dot_q)
                c_q = a2 * inv_q + a_dot_q * inv_a + 2.0 * a + 2.0 * q
                c_r = a + 2.0 * q + a_dot_q * inv_a
                m_grad_f = c_q * m_dot_q - c_r * (ux * x[j] + uy * y[j] + uz * z[j])
                inv_f = 1.0 / f
                inv_f2 = inv_f * inv_f
                ex[j] += ((y[j] * uz - z[j] * uy) * f - m_grad_f * (y[j] * qz - z[j] * qy)) * inv_f2
                ey[j] += ((z[j] * ux - x[j] * uz) * f - m_grad_f * (z[j] * qx - x[j] * qz)) * inv_f2
                ez[j] += ((x[j] * uy - y[j] * ux) * f - m_grad_f * (x[j] * qy - y[j] * qx)) * inv_f2
        for j in range(size):
            out[start + j, 0] = -MU0_OVER_4PI * ex[j]
            out[start + j, 1] = -MU0_OVER_4PI * ey[j]
            out[start + j, 2] = -MU0_OVER_4PI * ez[j]


def _potential_loops(xs, ys, zs, px, py, pz, mx, my, mz, out):  # pragma: no cover - compiled
    n = xs.shape[0]
    n_dipoles = px.shape[0]
    n_blocks = (n + _BLOCK - 1) // _BLOCK
    for block in nb.prange(n_blocks):
        start = block * _BLOCK
        size = min(n, start + _BLOCK) - start
        x = xs[start : start + size]
        y = ys[start : start + size]
        z = zs[start : start + size]
        sx = np.zeros(size)
        sy = np.zeros(size)
        sz = np.zeros(size)
        for k in range(n_dipoles):
            ux = mx[k]
            uy = my[k]
            uz = mz[k]
            for j in range(size):
                dx = x[j] - px[k]
                dy = y[j] - py[k]
                dz = z[j] - pz[k]
                d2 = dx * dx + dy * dy + dz * dz
                inv_d = 1.0 / np.sqrt(d2)
                inv_d3 = inv_d * inv_d * inv_d
                sx[j] += (uy * dz - uz * dy) * inv_d3
                sy[j] += (uz * dx - ux * dz) * inv_d3
                sz[j] += (ux * dy - uy * dx) * inv_d3
        for j in range(size):
            out[start + j, 0] = MU0_OVER_4PI * sx[j]
            out[start + j, 1] = MU0_OVER_4PI * sy[j]
            out[start + j, 2] = MU0_OVER_4PI * sz[j]


def _variant(loops, parallel: bool):
    """``loops`` compiled threaded or serial, as a function object of its own.

    Numba names a function's cache files after its qualified name and first line and keys the
    entries by signature and CPU, not by the ``parallel`` flag: two ``njit`` of one function
    shared one entry, so whichever variant compiled first served both (the threaded kernel
    then ran up to 5x slower, issue 20). A copy with its own ``__qualname__`` gets its own files.
    """
    suffix = "parallel" if parallel else "serial"
    func = types.FunctionType(
        loops.__code__, loops.__globals__, f"{loops.__name__}_{suffix}", loops.__defaults__
    )
    func.__qualname__ = f"{loops.__qualname__}_{suffix}"
    func.__module__ = loops.__module__
    func.__doc__ = loops.__doc__
    return nb.njit(parallel=parallel, fastmath=True, cache=True)(func)


# Each kernel is compiled twice: threaded for many points, serial for a few (root finding and
# optimisation call it point by point, where a thread pool's start-up would dominate).
_SERIAL_BELOW = 2 * _BLOCK
_sphere_parallel = _variant(_sphere_loops, parallel=True)
_sphere_serial = _variant(_sphere_loops, parallel=False)
_potential_parallel = _variant(_potential_loops, parallel=True)
_potential_serial = _variant(_potential_loops, parallel=False)
VARIANTS = {
    "sphere": (_sphere_serial, _sphere_parallel),
    "potential": (_potential_serial, _potential_parallel),
}
"""(serial, threaded) dispatcher of each kernel; ``_SERIAL_BELOW`` points picks between them."""


def _columns(array: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = np.asarray(array, dtype=np.float64)
    return tuple(np.ascontiguousarray(a[:, i]) for i in range(3))  # type: ignore[return-value]


def sphere_efield(points: np.ndarray, positions: np.ndarray, moments: np.ndarray) -> np.ndarray:
    """Total E-field inside a spherically symmetric conductor centred at the origin.

    points: (N, 3) array, metres, inside the conductor.
    positions: (K, 3) array, metres, dipole positions outside the conductor.
    moments: (K, 3) array, m^2 (A m^2 per ampere of coil current).
    Returns: (N, 3) array, V/m per A/s of dI/dt.

    The closed form is the reciprocal of Sarvas's (1987) formula for the magnetic field of a
    current dipole in a sphere (Heller & van Hulsteyn 1992, doi:10.1016/S0006-3495(92)81834-X):
    with a = r0 - r, F = |a| (|r0| |a| + |r0|^2 - r.r0) and grad F taken with respect to r0,
    E(r) = -mu0/(4 pi F^2) [F (r x m) - (m . grad F) (r x r0)] per unit dI/dt. It has no radial
    component and does not depend on the radial conductivity profile. No checks here: callers
    (:mod:`tmslab.efield.sphere`) validate the geometry.
    """
    out = np.empty((len(points), 3))
    if len(points) and len(positions):
        kernel = _sphere_serial if len(points) < _SERIAL_BELOW else _sphere_parallel
        kernel(*_columns(points), *_columns(positions), *_columns(moments), out)
    else:
        out[:] = 0.0
    return out


def dipole_vector_potential(
    points: np.ndarray, positions: np.ndarray, moments: np.ndarray
) -> np.ndarray:
    """Free-space vector potential of magnetic dipoles, T m per ampere of coil current.

    A(r) = mu0/(4 pi) sum_k m_k x (r - r_k) / |r - r_k|^3; the primary E-field per unit dI/dt
    is -A. points: (N, 3) m; positions: (K, 3) m; moments: (K, 3) m^2. Returns (N, 3).
    """
    out = np.empty((len(points), 3))
    if len(points) and len(positions):
        kernel = _potential_serial if len(points) < _SERIAL_BELOW else _potential_parallel
        kernel(*_columns(points), *_columns(positions), *_columns(moments), out)
    else:
        out[:] = 0.0
    return out


def sphere_efield_numpy(
    points: np.ndarray, positions: np.ndarray, moments: np.ndarray
) -> np.ndarray:
    """The same formula as :func:`sphere_efield`, written plainly in NumPy: a loop over
    dipoles, vectorised over points. The reference for tests and the benchmark's baseline.

    points: (N, 3) m; positions: (K, 3) m; moments: (K, 3) m^2. Returns (N, 3) V/m per A/s.
    """
    r = np.asarray(points, float)
    e = np.zeros_like(r)
    for r0, m in zip(np.asarray(positions, float), np.asarray(moments, float), strict=True):
        a = r0 - r
        a_norm = np.linalg.norm(a, axis=1)
        q = np.linalg.norm(r0)
        a_dot_q = q * q - r @ r0
        f = a_norm * (q * a_norm + a_dot_q)
        c_q = a_norm**2 / q + a_dot_q / a_norm + 2 * a_norm + 2 * q
        c_r = a_norm + 2 * q + a_dot_q / a_norm
        m_grad_f = c_q * (m @ r0) - c_r * (r @ m)
        e += (f[:, None] * np.cross(r, m) - m_grad_f[:, None] * np.cross(r, r0)) / (f * f)[:, None]
    return -MU0_OVER_4PI * e
