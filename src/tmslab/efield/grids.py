"""Where fields are evaluated: spherical shells at a depth, plane sections and volume grids.

All positions in metres, head frame (sphere centred at the origin).
"""

from __future__ import annotations

import numpy as np

from tmslab.conductors.sphere import SphereHead
from tmslab.errors import InvalidValueError
from tmslab.units import MM_PER_M


def shell_grid(
    head: SphereHead, depth_m: float, *, n_theta: int = 91, n_phi: int = 180, cap_deg: float = 90.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A (theta, phi) grid on the sphere ``depth_m`` below the brain surface.

    Parameters
    ----------
    head : SphereHead
        The head.
    depth_m : float, m
        Depth below the brain surface.
    n_theta, n_phi : int
        Grid size in polar angle and azimuth.
    cap_deg : float, degrees
        Largest polar angle from +z (the vertex).

    Returns
    -------
    theta : (T,) ndarray, rad
        Polar angle from +z, 0 to ``cap_deg``.
    phi : (P,) ndarray, rad
        Azimuth from +x.
    points : (T, P, 3) ndarray, m
        Grid points.

    Raises
    ------
    InvalidValueError
        If ``cap_deg`` is not in (0, 180].
    """
    depth = head.target_depth(depth_m)
    if not 0 < cap_deg <= 180:
        raise InvalidValueError(f"cap = {cap_deg!r} degrees must be in (0, 180]")
    radius = head.brain_radius_m - depth
    theta = np.linspace(0.0, np.deg2rad(cap_deg), n_theta)
    phi = np.linspace(-np.pi, np.pi, n_phi, endpoint=False)
    t, p = np.meshgrid(theta, phi, indexing="ij")
    points = radius * np.stack([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)], axis=-1)
    return theta, phi, points


def section_grid(
    head: SphereHead, *, plane: str = "xz", spacing_m: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A square grid on a plane through the centre (``"xz"`` or ``"yz"``) covering the brain.

    Parameters
    ----------
    head : SphereHead
        The head.
    plane : str
        ``"xz"`` or ``"yz"``.
    spacing_m : float or None, m
        Grid spacing; None: chosen from the brain radius.

    Returns
    -------
    u : (U,) ndarray, m
        First in-plane coordinate (x or y).
    v : (V,) ndarray, m
        z coordinate.
    points : (U, V, 3) ndarray, m
        Grid points.
    mask : (U, V) ndarray of bool
        Points inside the brain.

    Raises
    ------
    InvalidValueError
        If ``plane`` is not ``"xz"`` or ``"yz"``.
    """
    if plane not in ("xz", "yz"):
        raise InvalidValueError(f"plane = {plane!r}; give xz or yz")
    r = head.brain_radius_m
    spacing = spacing_m or r / 100
    u = np.arange(-r, r + spacing / 2, spacing)
    v = np.arange(-r, r + spacing / 2, spacing)
    uu, vv = np.meshgrid(u, v, indexing="ij")
    zero = np.zeros_like(uu)
    points = np.stack([uu, zero, vv] if plane == "xz" else [zero, uu, vv], axis=-1)
    mask = np.linalg.norm(points, axis=-1) <= r
    return u, v, points, mask


def volume_grid(
    head: SphereHead, spacing_m: float, *, max_depth_m: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A regular x, y, z grid over the brain.

    Parameters
    ----------
    head : SphereHead
        The head.
    spacing_m : float, m
        Grid spacing.
    max_depth_m : float or None, m
        Only the top ``max_depth_m`` below the vertex; None: the whole brain.

    Returns
    -------
    x, y, z : ndarray, m
        Axes.
    points : (X, Y, Z, 3) ndarray, m
        Grid points.
    mask : (X, Y, Z) ndarray of bool
        Points inside the brain.

    Raises
    ------
    InvalidValueError
        If the grid would have too many points.
    """
    if not spacing_m > 0:
        raise InvalidValueError(f"grid spacing = {spacing_m!r} m must be > 0")
    r = head.brain_radius_m
    axis = np.arange(-r, r + spacing_m / 2, spacing_m)
    z = axis if max_depth_m is None else axis[axis >= r - max_depth_m]
    if axis.size**2 * z.size > 5e7:
        raise InvalidValueError(
            f"a {spacing_m * MM_PER_M:g} mm grid over this brain has {axis.size**2 * z.size:.3g} points; "
            "use a coarser spacing or a max depth"
        )
    xx, yy, zz = np.meshgrid(axis, axis, z, indexing="ij")
    points = np.stack([xx, yy, zz], axis=-1)
    mask = np.linalg.norm(points, axis=-1) <= r
    return axis, axis, z, points, mask
