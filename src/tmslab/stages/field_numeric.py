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

import numpy as np

from tmslab.scenario import FigureSpec, Scenario, Section
from tmslab.stages.pose import POSE_UNIT_KEY, pose_rows, scenario_pose
from tmslab.units import A_PER_US, MM, MM_PER_M

DEFAULT_MESH_DEPTH_M = 2e-3
LAYER_POINTS_ACROSS = 41


def _conductor(scenario: Scenario):
    from tmslab.conductors import get_conductor

    subject = scenario.spec.subject
    height = None if subject.medium_height_mm is None else subject.medium_height_mm * MM
    name = subject.conductor or ("dish-35mm" if subject.kind == "dish" else None)
    if subject.kind == "dish":
        return get_conductor(
            name, medium_height_m=height, conductivities=subject.conductivities_s_per_m
        )
    from tmslab.conductors.mesh_io import mesh_unit_m

    return get_conductor(
        name,
        conductivities=subject.conductivities_s_per_m,
        mesh_unit_m=mesh_unit_m(subject.mesh_unit, "[subject] mesh_unit"),
    )


def _posed(scenario: Scenario, conductor, section: Section):
    """The scenario's ``[coil] pose`` checked against the conductor's surface, or None."""
    from tmslab.coils.placement import check_coil_gap
    from tmslab.conductors.quality import signed_surface_distance

    posed = scenario_pose(scenario)
    if posed is None:
        return None
    pose, unit = posed
    gap = float(signed_surface_distance(conductor, pose[None, :3, 3])[0])
    check_coil_gap(gap, f"{conductor.kind} surface", unit, POSE_UNIT_KEY)
    section.rows += pose_rows(pose, unit)
    section.data["pose_m"] = pose.tolist()
    return pose, gap


def _entry_point(conductor, pose, gap: float) -> np.ndarray:
    """(3,) m: where the coil's axis (its z, into the conductor) first enters the conductor."""
    from tmslab.conductors.quality import inside_mask

    centre, axis = pose[:3, 3], pose[:3, 2]
    steps = centre + np.outer(np.linspace(0.0, max(gap, 0.0) + 0.05, 2001), axis)
    inside = np.flatnonzero(inside_mask(conductor, steps))
    if not len(inside):
        from tmslab.errors import InvalidValueError

        raise InvalidValueError(
            "the coil's axis (the pose's z column) does not enter the conductor within 5 cm of "
            "the surface; point the coil's z axis into the conductor"
        )
    return steps[inside[0]]


def numeric_field_stage(scenario: Scenario, coil, section: Section, didt_of):
    """The field section of a dish or mesh subject (see the module docstring).

    didt_of: ``(placed coil, surface point (3,) m, surface name, section) -> dI/dt (A/s) or
    None``, the field stage's conversion of the scenario's intensity (handed in, so this module
    does not import :mod:`tmslab.stages.field`). ``section.value`` becomes the
    :class:`~tmslab.efield.solution.FieldSolution`.
    """
    conductor = _conductor(scenario)
    section.data["conductor"] = {
        "name": conductor.name,
        "kind": conductor.kind,
        "triangles": int(conductor.n_triangles),
    }
    if scenario.spec.subject.kind == "dish":
        return _dish(scenario, didt_of, coil, conductor, section)
    return _mesh(scenario, didt_of, coil, conductor, section)


def _scale(didt):
    # Without a dose the numbers are shown per A/µs, the unit labs quote (an edge conversion).
    return (didt, "V/m") if didt else (A_PER_US, "V/m per A/µs")


def _dish(scenario, didt_of, coil, conductor, section: Section) -> Section:
    from tmslab.efield.bem import dish_field, pose_above

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
    posed = _posed(scenario, conductor, section)
    pose = None if posed is None else posed[0]
    if pose is None:
        pose = pose_above(top, spec.distance_mm * MM, spec.handle_angle_deg, centre)
    placed = coil.transformed(pose)
    surface = np.array([centre[0], centre[1], top])
    didt = didt_of(placed, surface, "medium surface", section)
    scale, unit = _scale(didt)
    result = dish_field(
        coil,
        conductor,
        spec.distance_mm * MM if posed is None else posed[1],
        spec.handle_angle_deg,
        scale,
        n=LAYER_POINTS_ACROSS,
        well=subject.well,
        pose=pose,
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
        (
            "coil",
            f"{coil.label or coil.name}, {result.distance_m * MM_PER_M:.3g} mm above the "
            f"{'medium' if posed is None else 'vessel surface (coil centre)'}",
        ),
        (
            "vessel",
            f"{conductor.name} ({conductor.n_triangles} triangles), cell layer at "
            f"{result.cell_layer_z_m * MM_PER_M:.3g} mm",
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
    section.figures.append(
        FigureSpec(
            "|E| in the cell layer of the dish, and the free-space estimate (same colour scale)",
            "plot_dish_layer",
            {
                "points": result.points,
                "efield": result.efield,
                "free_space": result.free_space,
                "title": conductor.name,
                "unit": unit,
            },
        )
    )
    section.value = _solution(
        result.solution,
        conductor,
        target,
        (0.0, 0.0, 1.0),
        False,
        didt,
        layer_magnitude_v_per_m=magnitude if didt else None,
    )
    return section


def _mesh(scenario, didt_of, coil, conductor, section: Section) -> Section:
    from tmslab.efield.bem import pose_above, solve
    from tmslab.efield.solution import PlaneSection

    spec = scenario.spec.coil
    vertices = np.concatenate([s.vertices for s in conductor.surfaces])
    lo, hi = vertices.min(axis=0), vertices.max(axis=0)
    centre = 0.5 * (lo + hi)
    posed = _posed(scenario, conductor, section)
    if posed is None:
        pose = pose_above(hi[2], spec.distance_mm * MM, spec.handle_angle_deg, centre[:2])
        surface = np.array([centre[0], centre[1], hi[2]])
    else:
        pose = posed[0]
        surface = _entry_point(conductor, pose, posed[1])
    placed = coil.transformed(pose)
    didt = didt_of(placed, surface, "mesh top", section)
    scale, unit = _scale(didt)
    depth_mm = scenario.spec.target.depth_mm
    depth = DEFAULT_MESH_DEPTH_M if depth_mm is None else depth_mm * MM
    # Below the surface along the coil axis (straight down for the default placement).
    target = surface + depth * pose[:3, 2]
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
                "name": f"{depth * MM_PER_M:g} mm below the top",
                "point_m": target,
                "efield_v_per_m": e_target if didt else None,
            },
        }
    )
    section.rows += [
        (
            "coil",
            f"{coil.label or coil.name}, "
            + (
                f"{spec.distance_mm:g} mm above the mesh top"
                if posed is None
                else f"posed, centre {posed[1] * MM_PER_M:.3g} mm from the mesh surface"
            ),
        ),
        ("conductor", f"{conductor.name} ({conductor.n_triangles} triangles)"),
        (f"|E| at the target ({depth * MM_PER_M:g} mm below the top)", f"{e_target:.4g} {unit}"),
    ]
    section.notes.append(
        "Charge-based BEM-FMM (Makarov et al. 2018, doi:10.1109/TBME.2018.2813261) on the "
        "mesh's compartments with their conductivities."
    )
    plane = PlaneSection(solution, conductor, lo, hi, target)
    section.figures.append(
        FigureSpec(
            "|E| in the vertical section through the target",
            "plot_plane_section",
            {"section": plane, "unit": unit},
        )
    )
    section.value = _solution(solution, conductor, target, (0.0, 0.0, 1.0), True, didt, maps=plane)
    return section


def _solution(solution, conductor, target, normal, radial: bool, didt, **more):
    """The BEM field as a :class:`~tmslab.efield.solution.FieldSolution`; ``solution`` was
    solved at ``didt`` (A/s), or at 1 A/us when there is none."""
    from tmslab.conductors.quality import inside_mask
    from tmslab.efield.solution import FieldSolution

    scale, _ = _scale(didt)

    def at_scale(points):
        return solution.efield(np.asarray(points, float), check=False)

    return FieldSolution(
        efield_per_didt=lambda points: at_scale(points) / scale,
        didt_a_per_s=didt,
        target_point_m=np.asarray(target, float),
        layer_normal=np.asarray(normal, float),
        radial_layer=radial,
        inside=lambda points: inside_mask(conductor, np.asarray(points, float)),
        conductor=conductor.name,
        efield_at_didt=at_scale if didt else None,
        **more,
    )
