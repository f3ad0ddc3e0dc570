"""Named conductors for the numerical solver: heads, dishes, plates, inserts, mesh files.

``get_conductor("dish-35mm")``, ``"plate-24-well"`` (all wells) or ``"plate-24-well:one"``,
``"insert-slice"``, ``"rat-ellipsoid"``, ``"mouse-ellipsoid"``, ``"sphere-85mm"`` (any radius,
or ``"sphere-85mm/80mm/75mm"`` for nested shells, conductivities from the outside given with
``conductivities``), or a path to a surface mesh (.msh, .stl, .vtk, ...).
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from tmslab.conductors.dishes import vessel_conductor, vessel_presets
from tmslab.conductors.surfaces import Conductor, TriangleSurface
from tmslab.errors import InvalidValueError, UnknownNameError, check_positive
from tmslab.sources import Source
from tmslab.units import MM, MM_PER_M

SPHERE_EDGE_M = 3.2e-3  # about 22k triangles on an 8.5 cm sphere; RDM < 0.01 (tests/efield/bem)
MESH_SUFFIXES = (".msh", ".stl", ".vtk", ".vtu", ".obj", ".ply", ".off", ".mesh")


@cache
def head_presets() -> dict[str, Any]:
    """The parsed head-conductor presets (``heads`` data file)."""
    from tmslab.io.toml import read_data_toml

    return read_data_toml("data/conductors/heads.toml", "schema_version", "tissues")


def list_conductors() -> tuple[str, ...]:
    """Names of the conductor presets (a mesh path or ``sphere-<R>mm`` is accepted too)."""
    names = []
    for name, spec in vessel_presets().items():
        if name == "medium":
            continue
        names.append(name)
        if spec["kind"] == "plate":
            names.append(f"{name}:one")
    return (*names, *head_presets(), "sphere-85mm")


def _default_edge(size_m: float) -> float:
    return min(SPHERE_EDGE_M, size_m / 12.0)


def sphere_conductor(
    radii_m, conductivities=None, edge_m: float | None = None, name: str | None = None
) -> Conductor:
    """Concentric spheres at the origin.

    Parameters
    ----------
    radii_m : sequence of float, m
        Radii, outermost first.
    conductivities : sequence of float or None, S/m
        One per compartment, outermost first; neighbours must differ. None: 0.33 each.
    edge_m : float or None, m
        Target mesh edge; None: chosen from the smallest radius.
    name : str or None
        Conductor name; None: ``sphere-<R>mm``.

    Returns
    -------
    Conductor
        The meshed spheres.

    Raises
    ------
    InvalidValueError
        If radii are not decreasing and positive or conductivities do not match them.
    """
    from tmslab.conductors.meshing import sphere_surface

    radii = [check_positive("sphere radius", r, "m") for r in np.atleast_1d(radii_m)]
    if any(b >= a for a, b in pairwise(radii)):
        raise InvalidValueError("sphere radii must decrease from the outermost inwards")
    if conductivities is None:
        conductivities = [0.33] if len(radii) == 1 else None
    if conductivities is None or len(conductivities) != len(radii):
        raise InvalidValueError(
            f"{len(radii)} nested spheres need {len(radii)} conductivities (outermost first)"
        )
    edge = _default_edge(radii[0]) if edge_m is None else check_positive("edge", edge_m, "m")
    surfaces = []
    for k, (r, sigma) in enumerate(zip(radii, conductivities, strict=True)):
        outside = 0.0 if k == 0 else float(conductivities[k - 1])
        v, t = sphere_surface(r, edge)
        surfaces.append(TriangleSurface(f"sphere-{r * MM_PER_M:g}mm", v, t, float(sigma), outside))
    label = "/".join(f"{r * MM_PER_M:g}mm" for r in radii)
    return Conductor(
        tuple(surfaces),
        name=name or f"sphere-{label}",
        label=f"Concentric spheres {label}",
        kind="sphere",
        geometry={"radii_m": radii},
    )


def ellipsoid_conductor(name: str, edge_m: float | None = None, conductivity=None) -> Conductor:
    """An ellipsoidal head preset (``rat-ellipsoid``, ``mouse-ellipsoid``) centred at the origin.

    Parameters
    ----------
    name : str
        Preset name.
    edge_m : float or None, m
        Target mesh edge; None: the preset's.
    conductivity : float or None, S/m
        Conductivity inside; None: the preset's.

    Returns
    -------
    Conductor
        The meshed ellipsoid.
    """
    from tmslab.conductors.meshing import ellipsoid_surface

    spec = head_presets()[name]
    axes = [a * MM for a in spec["semi_axes_mm"]]
    edge = _default_edge(min(axes)) if edge_m is None else check_positive("edge", edge_m, "m")
    sigma = spec["conductivity_s_per_m"] if conductivity is None else conductivity
    v, t = ellipsoid_surface(axes, edge)
    return Conductor(
        (TriangleSurface("head", v, t, float(sigma), 0.0),),
        name=name,
        label=spec["label"],
        kind="ellipsoid",
        geometry={"semi_axes_m": axes},
        source=Source(spec["citation"], spec.get("doi", "")),
        assumptions=tuple(spec.get("assumptions", ())),
    )


def _parse_sphere(text: str) -> list[float] | None:
    if not text.startswith("sphere-"):
        return None
    radii = []
    for part in text.removeprefix("sphere-").split("/"):
        part = part.strip()
        try:
            radii.append(float(part[:-2]) * MM if part.endswith("mm") else float(part))
        except ValueError:
            return None
    return radii


def get_conductor(
    name_or_path: str | Path,
    medium_height_m: float | None = None,
    conductivities=None,
    edge_m: float | None = None,
    mesh_unit_m: float | None = None,
) -> Conductor:
    """A conductor preset or mesh file, meshed and ready for :func:`tmslab.efield.bem.solve`.

    Parameters
    ----------
    name_or_path : str or Path
        A name from :func:`list_conductors`, ``sphere-<R>mm[/<R2>mm...]`` or a mesh file path.
    medium_height_m : float or None, m
        Medium height of dishes, plates and inserts.
    conductivities : float or sequence of float or None, S/m
        One value for dishes (the medium) and ellipsoids; one per compartment for nested spheres
        (outermost first) and for mesh files (innermost first).
    edge_m : float or None, m
        Target mesh edge length (presets choose one when None).
    mesh_unit_m : float or None, m
        Length unit of a mesh file (``MM`` for mm); None: by format
        (:func:`tmslab.conductors.mesh_io.read_surfaces`). Presets ignore it.

    Returns
    -------
    Conductor
        The meshed conductor.

    Raises
    ------
    UnknownNameError
        If the name is neither a preset nor an existing file.
    InvalidValueError
        If a parameter is out of range.
    """
    text = str(name_or_path).strip()
    key = text.lower()
    sigma = None if conductivities is None else [float(s) for s in np.atleast_1d(conductivities)]
    path = Path(text)
    if path.suffix.lower() in MESH_SUFFIXES or path.exists():
        from tmslab.conductors.mesh_io import conductor_from_file

        return conductor_from_file(path, sigma, unit_m=mesh_unit_m)
    if mesh_unit_m is not None:
        raise InvalidValueError(
            f"a mesh unit applies to mesh files, not to the preset {text!r}; drop it"
        )
    base, _, option = key.partition(":")
    if base in vessel_presets() and base != "medium":
        kind = vessel_presets()[base]["kind"]
        if option not in ("", "one") or (option and kind != "plate"):
            raise UnknownNameError("conductor", text, list_conductors())
        if sigma is not None and len(sigma) != 1:
            raise InvalidValueError(f"{base} takes one conductivity (the medium); got {len(sigma)}")
        return vessel_conductor(
            base,
            one_well=option == "one",
            medium_height_m=medium_height_m,
            conductivity_s_per_m=None if sigma is None else sigma[0],
            edge_m=edge_m,
        )
    if key in head_presets():
        return ellipsoid_conductor(key, edge_m, None if sigma is None else sigma[0])
    radii = _parse_sphere(key)
    if radii is not None:
        return sphere_conductor(radii, sigma, edge_m)
    raise UnknownNameError("conductor", text, [*list_conductors(), "sphere-<R>mm", "a mesh file"])
