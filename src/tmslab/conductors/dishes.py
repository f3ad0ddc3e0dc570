"""Culture dishes, well plates and a slice on an insert as BEM conductors.

Dish frame (metres): the medium of each well is a cylinder with its bottom, where cells grow,
at z = 0 and its free surface at z = medium height; the dish or plate is centred on the z-axis
(a plate's wells on its pitch grid). Plastic and air are insulators (sigma = 0). Dimensions
and their sources: ``data/conductors/vessels.toml``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from tmslab.conductors.surfaces import Conductor, TriangleSurface
from tmslab.errors import InvalidValueError, check_positive
from tmslab.sources import Source
from tmslab.units import MM, MM_PER_M

MAX_EDGE_M = 3.2e-3


@cache
def vessel_presets() -> dict[str, dict[str, Any]]:
    """The parsed ``vessels.toml`` (medium conductivity and vessel dimensions, mm)."""
    from tmslab.io.toml import read_data_toml

    return read_data_toml("data/conductors/vessels.toml", "schema_version")


def medium_conductivity() -> float:
    """Default culture-medium conductivity, S/m (see vessels.toml for its source)."""
    return float(vessel_presets()["medium"]["conductivity_s_per_m"])


def default_edge(diameter_m: float, height_m: float) -> float:
    """Target mesh edge for a cylinder: a tenth of its diameter, half its height, at most 3.2 mm.

    Parameters
    ----------
    diameter_m, height_m : float, m
        Cylinder diameter and height.

    Returns
    -------
    float, m
        Edge length.
    """
    return min(diameter_m / 10.0, height_m / 2.0, MAX_EDGE_M)


def _source(spec: dict[str, Any]) -> Source:
    return Source(spec["citation"], spec.get("doi", ""))


def _cylinder(radius: float, height: float, edge: float, sigma: float, name: str, z0=0.0):
    from tmslab.conductors.meshing import cylinder_surface

    vertices, triangles = cylinder_surface(radius, height, edge, (0.0, 0.0, z0))
    return TriangleSurface(name, vertices, triangles, sigma, 0.0)


def well_centres(rows: int, columns: int, pitch_m: float) -> np.ndarray:
    """Well centres of a plate centred at the origin.

    Parameters
    ----------
    rows, columns : int
        Plate layout.
    pitch_m : float, m
        Distance between neighbouring well centres.

    Returns
    -------
    (rows * columns, 2) ndarray, m
        Centres (x, y), row by row.
    """
    x = (np.arange(columns) - (columns - 1) / 2) * pitch_m
    y = (np.arange(rows) - (rows - 1) / 2) * pitch_m
    gx, gy = np.meshgrid(x, y)
    return np.c_[gx.ravel(), gy.ravel()]


def vessel_conductor(
    name: str,
    *,
    one_well: bool = False,
    medium_height_m: float | None = None,
    conductivity_s_per_m: float | None = None,
    edge_m: float | None = None,
) -> Conductor:
    """A dish, plate (all wells or ``one_well``) or insert preset as a :class:`Conductor`.

    Parameters
    ----------
    name : str
        Vessel preset name (vessels.toml).
    one_well : bool
        For plates: mesh a single well instead of all of them.
    medium_height_m : float or None, m
        Height of the medium; None: the preset's working volume.
    conductivity_s_per_m : float or None, S/m
        Medium conductivity; None: 1.6 (irrelevant for one compartment).
    edge_m : float or None, m
        Target mesh edge; None: :func:`default_edge`.

    Returns
    -------
    Conductor
        The meshed medium, dish frame (base at z = 0).

    Raises
    ------
    KeyError
        If there is no such vessel (callers check names with :func:`vessel_presets`).
    InvalidValueError
        If the medium height or conductivity is not positive or leaves no medium over a slice.
    """
    spec = vessel_presets()[name]
    kind = spec["kind"]
    height = check_positive(
        "medium height",
        spec["medium_height_mm"] * MM if medium_height_m is None else medium_height_m,
        "m",
    )
    sigma = check_positive(
        "medium conductivity",
        medium_conductivity() if conductivity_s_per_m is None else conductivity_s_per_m,
        "S/m",
    )
    diameter = spec.get("inner_diameter_mm", spec.get("well_diameter_mm")) * MM
    if edge_m is not None:
        edge = check_positive("edge", edge_m, "m")
    else:
        edge = default_edge(diameter, height)
        if kind == "plate" and not one_well:  # many wells: coarser, to stay near 20k triangles
            edge = min(1.6 * edge, MAX_EDGE_M)
    radius = diameter / 2
    assumptions = list(spec.get("assumptions", ()))
    geometry: dict[str, Any] = {
        "radius_m": radius,
        "medium_height_m": height,
        "well_centres_m": [[0.0, 0.0]],
    }
    label = spec["label"]
    if kind == "insert":
        thickness = spec["slice_thickness_mm"] * MM
        bottom = spec["slice_bottom_mm"] * MM
        if bottom + thickness >= height:
            raise InvalidValueError(
                f"medium height {height * MM_PER_M:g} mm leaves no medium over the slice (top at "
                f"{(bottom + thickness) * MM_PER_M:g} mm); give a larger medium height"
            )
        medium = _cylinder(radius, height, edge, sigma, "medium")
        slice_edge = min(edge, thickness)
        from tmslab.conductors.meshing import cylinder_surface

        v, t = cylinder_surface(spec["slice_diameter_mm"] * MM / 2, thickness, slice_edge,
                                (0.0, 0.0, bottom))  # fmt: skip
        slice_surface = TriangleSurface("slice", v, t, spec["slice_conductivity_s_per_m"], sigma)
        surfaces = (medium, slice_surface)
        geometry.update(
            slice_radius_m=spec["slice_diameter_mm"] * MM / 2,
            slice_bottom_m=bottom,
            slice_thickness_m=thickness,
            cell_layer_z_m=bottom + thickness / 2,
        )
    elif kind == "plate" and not one_well:
        well = _cylinder(radius, height, edge, sigma, "well")
        centres = well_centres(spec["rows"], spec["columns"], spec["pitch_mm"] * MM)
        surfaces = tuple(
            TriangleSurface(
                f"well-{k + 1}", well.vertices + np.array([x, y, 0.0]), well.triangles, sigma
            )
            for k, (x, y) in enumerate(centres)
        )
        geometry["well_centres_m"] = centres.tolist()
        geometry["pitch_m"] = spec["pitch_mm"] * MM
    else:
        surfaces = (_cylinder(radius, height, edge, sigma, "medium"),)
        if kind == "plate":
            label = f"{label}, one well"
    return Conductor(
        surfaces,
        name=name + (":one" if one_well and kind == "plate" else ""),
        label=label,
        kind=kind,
        geometry=geometry,
        source=_source(spec),
        assumptions=tuple(assumptions),
    )


def cylinder_conductor(
    radius_m: float, height_m: float, edge_m: float | None = None, sigma: float = 1.6
) -> Conductor:
    """A single cylinder of medium (dish frame).

    Parameters
    ----------
    radius_m, height_m : float, m
        Cylinder radius and height.
    edge_m : float or None, m
        Target mesh edge; None: :func:`default_edge`.
    sigma : float, S/m
        Medium conductivity.

    Returns
    -------
    Conductor
        The meshed cylinder, base centred at the origin.
    """
    r = check_positive("cylinder radius", radius_m, "m")
    h = check_positive("cylinder height", height_m, "m")
    edge = default_edge(2 * r, h) if edge_m is None else edge_m
    return Conductor(
        (_cylinder(r, h, edge, sigma, "medium"),),
        name=f"cylinder-{2 * r * MM_PER_M:g}mm",
        label=f"Cylinder of medium, {2 * r * MM_PER_M:g} mm x {h * MM_PER_M:g} mm",
        kind="dish",
        geometry={"radius_m": r, "medium_height_m": h, "well_centres_m": [[0.0, 0.0]]},
    )
