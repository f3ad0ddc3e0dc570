"""Figures of induced fields: |E| on a shell, in a cross-section, and along depth."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from tmslab.units import MM_PER_M


def plot_shell(ds, ax=None, title: str | None = None):
    """|E| on a spherical shell (dataset from :func:`tmslab.efield.maps.shell_map`), seen from
    above: azimuthal equidistant projection about +z, arc length in mm."""
    fig = None
    if ax is None:
        fig = Figure(figsize=(5.2, 4.4), layout="constrained")
        ax = fig.add_subplot()
    theta = ds["theta"].values
    phi = ds["phi"].values
    radius = float(np.linalg.norm(ds["position"].values[0, 0]))
    t, p = np.meshgrid(theta, np.append(phi, phi[0] + 2 * np.pi), indexing="ij")
    mag = ds["magnitude"].values
    mag = np.concatenate([mag, mag[:, :1]], axis=1)
    arc = radius * t * MM_PER_M
    mesh = ax.pcolormesh(arc * np.cos(p), arc * np.sin(p), mag, shading="gouraud", cmap="viridis")
    ax.set_aspect("equal")
    ax.set_xlabel("x (mm of arc)")
    ax.set_ylabel("y (mm of arc)")
    depth_mm = float(ds.attrs.get("depth_m", 0)) * MM_PER_M
    ax.set_title(
        title or (f"|E| at {depth_mm:g} mm depth" if depth_mm else "|E| on the brain surface")
    )
    ax.figure.colorbar(mesh, ax=ax, label="|E| (V/m)")
    return fig or ax.figure


def plot_section(ds, ax=None, title: str | None = None, half_value: float | None = None):
    """|E| in a cross-section through the centre (from :func:`tmslab.efield.maps.section_map`),
    with the half-value contour when ``half_value`` (V/m) is given."""
    fig = None
    if ax is None:
        fig = Figure(figsize=(5.2, 4.4), layout="constrained")
        ax = fig.add_subplot()
    dims = [d for d in ds["magnitude"].dims]
    u = ds[dims[0]].values * MM_PER_M
    v = ds[dims[1]].values * MM_PER_M
    mag = ds["magnitude"].values
    mesh = ax.pcolormesh(u, v, mag.T, shading="auto", cmap="magma")
    if half_value:
        ax.contour(u, v, np.nan_to_num(mag.T), levels=[half_value], colors="w", linewidths=1)
    ax.set_aspect("equal")
    ax.set_xlabel(f"{dims[0]} (mm)")
    ax.set_ylabel(f"{dims[1]} (mm)")
    contour = "\n(white line: E_max / 2)" if half_value else ""
    ax.set_title(title or "|E| in a cross-section" + contour)
    ax.figure.colorbar(mesh, ax=ax, label="|E| (V/m)")
    return fig or ax.figure


def plot_depth_profile(curves, ax=None, title: str = "|E| along depth"):
    """|E| against depth below the brain surface. curves: list of (label, depths m, |E| V/m,
    d_half m or None)."""
    fig = None
    if ax is None:
        fig = Figure(figsize=(5.2, 3.6), layout="constrained")
        ax = fig.add_subplot()
    for label, depths, magnitude, d_half in curves:
        (line,) = ax.plot(depths * MM_PER_M, magnitude, label=label)
        if d_half:
            ax.axvline(d_half * MM_PER_M, color=line.get_color(), ls=":", lw=1)
    ax.set_xlabel("depth below the brain surface (mm)")
    ax.set_ylabel("|E| (V/m)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig or ax.figure


def plot_field_overview(
    shell_ds, section_ds, profile, title: str = "", half_value: float | None = None
):
    """Three panels: shell map at the surface, cross-section, depth profile."""
    # The report shows figures at most 9 in wide (110 dpi): 11 in keeps the text readable.
    fig = Figure(figsize=(11.0, 3.8), layout="constrained")
    axes = fig.subplots(1, 3)
    plot_shell(shell_ds, ax=axes[0])
    plot_section(section_ds, ax=axes[1], half_value=half_value)
    plot_depth_profile([profile], ax=axes[2], title="|E| along depth (V/m)")
    # The section's colour bar, just left of this panel, already reads "|E| (V/m)": not twice.
    axes[2].set_ylabel("")
    if title:
        fig.suptitle(title)
    return fig


def plot_plane_magnitude(u_m, w_m, magnitude, labels=("u (mm)", "w (mm)"), unit: str = "V/m"):
    """|E| on a plane: u_m (nu,), w_m (nw,) metres; magnitude (nu, nw), NaN outside."""
    fig = Figure(figsize=(5.6, 4.4), layout="constrained")
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(
        np.asarray(u_m) * MM_PER_M,
        np.asarray(w_m) * MM_PER_M,
        np.asarray(magnitude).T,
        cmap="viridis",
    )
    fig.colorbar(mesh, ax=ax, label=f"|E| ({unit})")
    ax.set_aspect("equal")
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    return fig


def plot_sphere_field(
    maps, coil_name: str, d_half_m: float, title: str = "", half_value: float | None = None
):
    """The field overview of a coil over a spherical head from its
    :class:`~tmslab.efield.solution.SphereMaps` (shell, section, depth profile; d_half_m: m)."""
    depths, magnitude = maps.depth_profile
    return plot_field_overview(
        maps.shell,
        maps.section,
        (coil_name, depths, magnitude, d_half_m),
        title=title,
        half_value=half_value,
    )


def plot_plane_section(section, unit: str = "V/m"):
    """|E| on the vertical section of a :class:`~tmslab.efield.solution.PlaneSection`."""
    return plot_plane_magnitude(
        section.u_m, section.w_m, section.magnitude, ("x (mm)", "z (mm)"), unit
    )
