"""The field stage for subjects the sphere cannot describe: culture vessels and imported meshes.

Both are solved with the charge-based BEM-FMM solver (:mod:`tmslab.efield.bem`). The coil lies
face-down over the conductor, ``[coil] distance_mm`` above its top (the medium's free surface for
a vessel), centred over the well or the mesh's bounding box.

* dish: |E| in the cell layer (0.2 mm above the bottom, or the middle of an insert's slice),
  its mean, median and maximum, and the ratio to the free-space estimate (the coil's primary
  field alone, which is what one gets by ignoring the vessel). The cells of the neuron stage sit
  at the centre of the dish (under the coil centre).
* mesh: |E| at the target, ``[target] depth_mm`` (default 2 mm) below the mesh's top under the
  coil centre, and a vertical section through it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tmslab.scenario import Scenario, Section

DEFAULT_MESH_DEPTH_M = 2e-3
LAYER_POINTS_ACROSS = 41


def _conductor(scenario: Scenario):
    from tmslab.conductors import get_conductor

    subject = scenario.spec.subject
    height = None if subject.medium_height_mm is None else subject.medium_height_mm * 1e-3
    name = subject.conductor or ("dish-35mm" if subject.kind == "dish" else None)
    if subject.kind == "dish":
        return get_conductor(
            name, medium_height_m=height, conductivities=subject.conductivities_s_per_m
        )
    return get_conductor(name, conductivities=subject.conductivities_s_per_m)


def numeric_field_stage(scenario: Scenario, done: dict[str, Section], coil, section: Section):
    """The field section of a dish or mesh subject (see the module docstring)."""
    conductor = _conductor(scenario)
    section.data["conductor"] = {
        "name": conductor.name,
        "kind": conductor.kind,
        "triangles": int(conductor.n_triangles),
    }
    if scenario.spec.subject.kind == "dish":
        return _dish(scenario, done, coil, conductor, section)
    return _mesh(scenario, done, coil, conductor, section)


def _scale(didt):
    return (didt, "V/m") if didt else (1e6, "V/m per A/µs")


def _dish(scenario, done, coil, conductor, section: Section) -> Section:
    from tmslab.efield.bem import dish_field, pose_above
    from tmslab.stages.field import scenario_didt

    spec, subject = scenario.spec.coil, scenario.spec.subject
    geometry = conductor.geometry
    if not 0 <= subject.well < len(geometry["well_centres_m"]):
        from tmslab.errors import InvalidValueError

        raise InvalidValueError(
            f"[subject] well = {subject.well}: {conductor.name} has wells 0 to "
            f"{len(geometry['well_centres_m']) - 1}"
        )
    centre = geometry["well_centres_m"][subject.well]
    top = geometry["medium_height_m"]
    placed = coil.transformed(
        pose_above(top, spec.distance_mm * 1e-3, spec.handle_angle_deg, centre)
    )
    surface = np.array([centre[0], centre[1], top])
    didt = scenario_didt(scenario, done, coil, placed, surface, "medium surface", section)
    scale, unit = _scale(didt)
    result = dish_field(
        coil,
        conductor,
        spec.distance_mm * 1e-3,
        spec.handle_angle_deg,
        scale,
        n=LAYER_POINTS_ACROSS,
        well=subject.well,
    )
    magnitude = np.linalg.norm(result.efield, axis=1)
    centre_xy = np.asarray(centre, float)[:2]
    best = int(np.argmin(np.linalg.norm(result.points[:, :2] - centre_xy, axis=1)))
    target = result.points[best]
    stats, free, ratio = result.stats, result.free_space_stats, result.ratio
    section.data.update(
        {
            "computed": True,
            "coil": coil.summary(),
            "didt_a_per_s": didt,
            "dish": result.to_dict(),
            "target": {
                "name": "cell layer, centre of the dish",
                "point_m": target,
                "efield_v_per_m": float(magnitude[best]) if didt else None,
            },
        }
    )
    section.rows += [
        ("coil", f"{coil.label or coil.name}, {spec.distance_mm:g} mm above the medium"),
        (
            "vessel",
            f"{conductor.name} ({conductor.n_triangles} triangles), cell layer at "
            f"{result.cell_layer_z_m * 1e3:.3g} mm",
        ),
        (
            "|E| in the cell layer: mean / median / max",
            f"{stats['mean']:.4g} / {stats['median']:.4g} / {stats['max']:.4g} {unit}",
        ),
        (
            "free-space estimate: mean / median / max",
            f"{free['mean']:.4g} / {free['median']:.4g} / {free['max']:.4g} {unit}",
        ),
        (
            "ratio to the free-space estimate (mean / median / max)",
            f"{ratio['mean']:.3g} / {ratio['median']:.3g} / {ratio['max']:.3g}",
        ),
    ]
    section.notes += [
        "Charge-based BEM-FMM (Makarov et al. 2018, doi:10.1109/TBME.2018.2813261) of the "
        "insulated medium; the free-space estimate is the coil's primary field -dA/dt alone.",
        "A ratio below 1 means the vessel's walls cancel part of the field: the charges on them "
        "remove any component that would drive current through the insulating wall.",
    ]
    if coil.source:
        section.notes.append(f"Coil model: {coil.source}. " + " ".join(coil.assumptions))
    points, efield, free_space = result.points, result.efield, result.free_space
    section.figures.append(
        (
            "|E| in the cell layer of the dish, and the free-space estimate (same colour scale)",
            lambda: _plot_layer(points, efield, free_space, unit, conductor.name),
        )
    )
    if didt:
        section.shared.update(_context(result.solution, conductor, target, (0.0, 0.0, 1.0), False))
        section.shared["layer_magnitude_v_per_m"] = magnitude
    return section


def _mesh(scenario, done, coil, conductor, section: Section) -> Section:
    from tmslab.efield.bem import pose_above, solve
    from tmslab.stages.field import scenario_didt

    spec = scenario.spec.coil
    vertices = np.concatenate([s.vertices for s in conductor.surfaces])
    lo, hi = vertices.min(axis=0), vertices.max(axis=0)
    centre = 0.5 * (lo + hi)
    placed = coil.transformed(
        pose_above(hi[2], spec.distance_mm * 1e-3, spec.handle_angle_deg, centre[:2])
    )
    surface = np.array([centre[0], centre[1], hi[2]])
    didt = scenario_didt(scenario, done, coil, placed, surface, "mesh top", section)
    scale, unit = _scale(didt)
    depth_mm = scenario.spec.target.depth_mm
    depth = DEFAULT_MESH_DEPTH_M if depth_mm is None else depth_mm * 1e-3
    target = surface - np.array([0.0, 0.0, depth])
    solution = solve(conductor, placed, scale)
    e_target = float(np.linalg.norm(solution.efield(target[None])[0]))
    section.data.update(
        {
            "computed": True,
            "coil": coil.summary(),
            "didt_a_per_s": didt,
            "solver": {
                "triangles": int(conductor.n_triangles),
                "gmres_iterations": solution.iterations,
            },
            "target": {
                "name": f"{depth * 1e3:g} mm below the top",
                "point_m": target,
                "efield_v_per_m": e_target if didt else None,
            },
        }
    )
    section.rows += [
        ("coil", f"{coil.label or coil.name}, {spec.distance_mm:g} mm above the mesh top"),
        ("conductor", f"{conductor.name} ({conductor.n_triangles} triangles)"),
        (f"|E| at the target ({depth * 1e3:g} mm below the top)", f"{e_target:.4g} {unit}"),
    ]
    section.notes.append(
        "Charge-based BEM-FMM (Makarov et al. 2018, doi:10.1109/TBME.2018.2813261) on the "
        "mesh's compartments with their conductivities."
    )
    section.figures.append(
        (
            "|E| in the vertical section through the target",
            lambda: _plot_mesh_section(solution, conductor, lo, hi, target, unit),
        )
    )
    if didt:
        section.shared.update(_context(solution, conductor, target, (0.0, 0.0, 1.0), True))
    return section


def _context(solution, conductor, target, normal, radial: bool) -> dict[str, Any]:
    from tmslab.conductors.quality import inside_mask

    return {
        "efield": lambda points: solution.efield(np.asarray(points, float), check=False),
        "target_point_m": np.asarray(target, float),
        "layer_normal": np.asarray(normal, float),
        "radial_layer": radial,
        "inside": lambda points: inside_mask(conductor, np.asarray(points, float)),
        "conductor": conductor.name,
    }


def _plot_layer(points, efield, free_space, unit, name):
    from tmslab.viz.conductor import plot_dish_layer

    return plot_dish_layer(points, efield, free_space, title=name, unit=unit)


def _plot_mesh_section(solution, conductor, lo, hi, target, unit):
    from tmslab.conductors.quality import inside_mask
    from tmslab.viz.field import plot_plane_magnitude

    u = np.linspace(lo[0], hi[0], 61)
    w = np.linspace(lo[2], hi[2], 61)
    gu, gw = np.meshgrid(u, w, indexing="ij")
    points = np.c_[gu.ravel(), np.full(gu.size, target[1]), gw.ravel()]
    inside = inside_mask(conductor, points)
    magnitude = np.full(len(points), np.nan)
    if np.any(inside):
        magnitude[inside] = np.linalg.norm(solution.efield(points[inside], check=False), axis=1)
    return plot_plane_magnitude(u, w, magnitude.reshape(gu.shape), ("x (mm)", "z (mm)"), unit)
