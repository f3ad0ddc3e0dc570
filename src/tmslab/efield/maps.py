"""Field maps of a placed coil in a spherical head, as xarray datasets (numerics only)."""

from __future__ import annotations

import numpy as np

from tmslab.coils.coil import Coil
from tmslab.conductors.sphere import SphereHead
from tmslab.efield.grids import section_grid, shell_grid
from tmslab.efield.kernels import sphere_efield
from tmslab.efield.results import grid_dataset, shell_dataset
from tmslab.efield.sphere import check_coil_outside


def shell_map(
    coil: Coil,
    head: SphereHead,
    depth_m: float = 0.0,
    *,
    didt_a_per_s: float = 1.0,
    cap_deg: float = 60.0,
    n_theta: int = 121,
    n_phi: int = 240,
):
    """|E| and E on the shell ``depth_m`` below the brain surface (V/m at ``didt_a_per_s``)."""
    check_coil_outside(coil, head)
    theta, phi, points = shell_grid(head, depth_m, n_theta=n_theta, n_phi=n_phi, cap_deg=cap_deg)
    e = sphere_efield(points.reshape(-1, 3), coil.dipole_positions, coil.dipole_moments)
    e = e.reshape(points.shape) * didt_a_per_s
    return shell_dataset(
        theta,
        phi,
        points,
        e,
        head=head.name,
        coil=coil.name,
        depth_m=depth_m,
        didt_a_per_s=didt_a_per_s,
    )


def section_map(
    coil: Coil,
    head: SphereHead,
    *,
    plane: str = "xz",
    didt_a_per_s: float = 1.0,
    spacing_m: float | None = None,
):
    """|E| on a plane through the head centre (``xz`` or ``yz``), NaN outside the brain."""
    check_coil_outside(coil, head)
    u, v, points, mask = section_grid(head, plane=plane, spacing_m=spacing_m)
    e = np.zeros(points.shape)
    e[mask] = sphere_efield(points[mask], coil.dipole_positions, coil.dipole_moments) * didt_a_per_s
    names = ("x", "z") if plane == "xz" else ("y", "z")
    return grid_dataset(
        dict(zip(names, (u, v), strict=True)),
        points,
        e,
        mask,
        head=head.name,
        coil=coil.name,
        plane=plane,
        didt_a_per_s=didt_a_per_s,
    )


def depth_profile(
    coil: Coil, head: SphereHead, direction, *, didt_a_per_s: float = 1.0, n: int = 200
):
    """|E| (V/m) along the radius towards ``direction``, from the brain surface to the centre.

    Returns depths (n,) m and magnitudes (n,) V/m."""
    from tmslab.geometry import unit_vector

    u = unit_vector(direction)
    depths = np.linspace(0, head.brain_radius_m * 0.999, n)
    points = (head.brain_radius_m - depths)[:, None] * u
    e = sphere_efield(points, coil.dipole_positions, coil.dipole_moments) * didt_a_per_s
    return depths, np.linalg.norm(e, axis=1)
