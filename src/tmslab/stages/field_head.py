"""The field stage on a realistic head (``[subject] kind = "head"``, ``model = "fsaverage"``).

The coil sits on the template's scalp (``[coil] position``, a 10-05 label, or ``position_mni``,
or a ``pose`` file), the field is solved by the charge-based BEM on the head's conductor (the
brain bounded by the inner skull, :mod:`tmslab.efield.head`) and evaluated on the mid-cortical
surface of both hemispheres. The target is a vertex of that surface (``[target] name``, a named
cortical target, or ``mni``; without either, the hot spot). The stages after this one get a
:class:`~tmslab.efield.solution.FieldSolution` whose cells stand at the target along the local
cortical normal and whose E is the BEM field anywhere in the brain compartment.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.scenario import FigureSpec, Scenario, Section
from tmslab.stages.pose import pose_rows, scenario_pose
from tmslab.units import A_PER_US, MM

__all__ = ["CorticalMetrics", "head_field_stage", "load_head"]

FIRST_ROWS = ("|E| at target", "max |E| (99.9th pct, robust)")  # labels of head_field_rows


@dataclass(frozen=True)
class CorticalMetrics:
    """Summary of the field on the cortex at the scenario's dI/dt (or per A/us without one).

    Attributes
    ----------
    emax : float, V/m
        Robust maximum: area-weighted 99.9th percentile of |E| on the cortex (SimNIBS's).
    emax_raw : float, V/m
        The largest |E| at a cortex vertex (the hot spot).
    area_above_50pct_m2, area_above_75pct_m2 : float, m^2
        Cortical area where |E| >= 50 % / 75 % of ``emax``.
    e_target : float, V/m
        |E| at the target vertex.
    en_target : float, V/m
        The normal component there, positive into the cortex.
    hotspot_distance_m : float, m
        From the target to the hot spot.
    """

    emax: float
    emax_raw: float
    area_above_50pct_m2: float
    area_above_75pct_m2: float
    e_target: float
    en_target: float
    hotspot_distance_m: float

    def to_dict(self) -> dict[str, float]:
        """The metrics, keys as in the results (units in the names, SI)."""
        return {
            "emax": self.emax,
            "emax_raw": self.emax_raw,
            "area_above_50pct_m2": self.area_above_50pct_m2,
            "area_above_75pct_m2": self.area_above_75pct_m2,
            "e_target": self.e_target,
            "en_target": self.en_target,
            "hotspot_distance_m": self.hotspot_distance_m,
        }


def load_head(model: str):
    """The realistic head a scenario's ``[subject] model`` names.

    Parameters
    ----------
    model : str
        ``"fsaverage"`` (ships with the package) or a SimNIBS ``.msh`` head mesh.

    Returns
    -------
    HeadModel
        The head (the template is cached).

    Raises
    ------
    InvalidValueError
        Any other model, or a mesh that cannot be used.
    """
    from tmslab.conductors.head import load_head as load
    from tmslab.errors import TmslabError

    try:
        return load(model)
    except TmslabError as error:
        raise InvalidValueError(f"[subject] model {model!r}: {error}") from None


def _pose(scenario: Scenario, head, section: Section) -> tuple[np.ndarray, str]:
    """(coil -> head pose (4, 4) m, the placement in words)."""
    from tmslab.conductors.head import place_coil

    spec = scenario.spec.coil
    if spec.position or spec.position_mni is not None:
        mni = None if spec.position_mni is None else np.asarray(spec.position_mni, float) * MM
        return place_coil(
            head,
            spec.position or None,
            mni,
            handle_angle_deg=spec.handle_angle_deg,
            handle_towards=spec.handle_towards,
            distance_m=spec.distance_mm * MM,
        )
    pose, unit = scenario_pose(scenario)
    section.rows += pose_rows(pose, unit)
    return pose, f"pose file {spec.pose}"


def _optimised_pose(scenario: Scenario, head, coil, goal, operator, section: Section):
    """(pose, placement in words, the search) from the scenario's [optimise] section."""
    from tmslab.efield.optimise import optimise_placement

    spec = scenario.spec.optimise
    distance = scenario.spec.coil.distance_mm * MM
    avoid = None
    if spec.avoid_mni is not None:
        from tmslab.conductors.head import cortical_target

        try:
            avoid = [cortical_target(head, np.asarray(p, float) * MM).point for p in spec.avoid_mni]
        except InvalidValueError as error:
            raise InvalidValueError(f"[optimise] avoid_mni: {error}") from None
    result = optimise_placement(
        head,
        coil,
        goal,
        goal=spec.goal,
        avoid_m=avoid,
        penalty=spec.penalty,
        radius_m=spec.radius_mm * MM,
        step_m=spec.step_mm * MM,
        angle_step_deg=spec.angle_step_deg,
        distance_m=distance,
        verify=False,  # the stage's own solve at the pose is the check
        operator=operator,
    )
    i, _ = result.best
    offset = float(np.linalg.norm(result.positions_m[i] - result.positions_m[0]))
    placement = (
        f"the best of {result.n_poses:,} poses ({spec.goal}): {offset / MM:.1f} mm from the "
        f"target's scalp projection, handle {result.best_angle_deg:g} deg from posterior, "
        f"{distance / MM:g} mm above the scalp"
    )
    section.data["optimise"] = {
        "goal": spec.goal,
        "poses": result.n_poses,
        "best_position_m": result.positions_m[i],
        "offset_m": offset,
        "handle_angle_deg": result.best_angle_deg,
        "score_reciprocity_per_didt": result.best_target_value,
    }
    section.notes.append(
        "Placement searched by reciprocity (Gomez et al. 2020, doi:10.1016/j.brs.2019.09.015): "
        f"{len(result.positions_m)} scalp positions within {spec.radius_mm:g} mm of the "
        f"target's projection, {spec.step_mm:g} mm apart, x {len(result.angles_deg)} handle "
        "angles; the field below is the direct solve at the best pose."
    )
    section.notes.extend(result.notes)
    section.figures.append(
        FigureSpec(
            "Placement search: the best field at the target for each coil position (left; "
            "lines: the handle at its best angle) and against the handle angle (right), "
            "V/m per A/µs",
            "plot_placement",
            {"result": result},
        )
    )
    return result.pose, placement, result


def _surface_point(scenario: Scenario, conductor, pose: np.ndarray) -> tuple[np.ndarray, str]:
    """(point (3,) m, its name) where a tesla intensity ``at = "brain-surface"`` is measured:
    the coil axis's entry into the brain compartment; the scalp point under the coil centre
    when no such intensity is given (it is then not used, and the search costs seconds)."""
    stim = scenario.spec.stimulator
    distance = scenario.spec.coil.distance_mm * MM
    if stim.intensity_t is not None and stim.intensity_t_at == "brain-surface":
        from tmslab.stages.field_numeric import _entry_point

        entry = _entry_point(conductor, pose, distance)
        return entry, "brain surface (inner skull) on the coil axis"
    return pose[:3, 3] + distance * pose[:3, 2], "scalp under the coil centre"


def _target(scenario: Scenario, head):
    from tmslab.conductors.head import resolve_target

    target = scenario.spec.target
    mni = None if target.mni is None else np.asarray(target.mni, float) * MM
    try:
        return resolve_target(head, target.name or None, mni)
    except InvalidValueError as error:
        # the scenario gives mm ([target] mni), the library's message speaks of metres
        text = str(error).removeprefix("target ").replace(", in metres", " (mm)")
        raise InvalidValueError(f"[target] {text}") from None


def head_field_stage(scenario: Scenario, coil, section: Section, didt_of) -> Section:
    """The field section of a realistic head (module docstring).

    Parameters
    ----------
    scenario : Scenario
        With ``[subject] model``.
    coil : Coil
        The coil in its own frame.
    section : Section
        The section so far (filled in and returned).
    didt_of : callable
        ``(placed coil, surface point (3,) m, surface name, section) -> dI/dt (A/s) or None``,
        the field stage's conversion of the intensity.

    Returns
    -------
    Section
        ``value`` is the :class:`~tmslab.efield.solution.FieldSolution`, ``maps`` the
        :class:`~tmslab.efield.head.CorticalField` (at the dI/dt, or per A/us without one).
    """
    from tmslab.conductors.head import cortical_target
    from tmslab.conductors.quality import inside_mask
    from tmslab.efield.bem.solve import BemOperator
    from tmslab.efield.head import check_coil_outside, cortical_field, head_field_rows
    from tmslab.efield.solution import FieldSolution

    model = scenario.spec.subject.model
    if model.lower().endswith(".msh") and scenario.path is not None:
        from pathlib import Path

        path = Path(model).expanduser()  # a mesh file: relative to the scenario file
        model = str(path if path.is_absolute() else Path(scenario.path).parent / path)
    head = load_head(model)
    goal = _target(scenario, head)  # before the solve: a bad target fails in seconds
    conductor = head.conductor()
    operator = BemOperator.build(conductor)
    search = None
    if scenario.spec.optimise is not None:
        pose, placement, search = _optimised_pose(scenario, head, coil, goal, operator, section)
    else:
        pose, placement = _pose(scenario, head, section)
    placed = coil.transformed(pose)
    check_coil_outside(head, placed, "[coil] distance_mm")
    didt = didt_of(placed, *_surface_point(scenario, conductor, pose), section)
    # Without a dose the numbers are shown per A/µs, the unit labs quote (an edge conversion).
    scale, unit = (didt, "V/m") if didt else (A_PER_US, "V/m per A/µs")
    start = time.perf_counter()
    solution = operator.solve(placed, didt_a_per_s=scale, check=False)
    vertices, _, _ = head.cortex("mid")
    e_cortex = solution.efield(vertices, check=False)
    extra = (coil.source,) if getattr(coil, "source", None) is not None else ()
    cortex = cortical_field(
        head,
        e_cortex,
        coil_name=coil.name,
        pose=pose,
        didt_a_per_s=scale,
        target=goal,
        solve_time_s=time.perf_counter() - start,
        extra_sources=extra,
    )
    if goal is None:  # no [target]: the cells stand at the hot spot
        goal = replace(cortical_target(head, cortex.hotspot), name="hot spot")
        cortex = replace(cortex, target=goal)
    metrics = CorticalMetrics(
        emax=cortex.e_max,
        emax_raw=cortex.e_max_raw,
        area_above_50pct_m2=cortex.focal_area(0.5),
        area_above_75pct_m2=cortex.focal_area(0.75),
        e_target=cortex.e_target,
        en_target=cortex.en_target,
        hotspot_distance_m=cortex.hotspot_distance_m,
    )
    target_point = cortex.vertices[goal.index]
    section.data.update(
        {
            "computed": True,
            "coil": coil.summary(),
            "head": {
                "model": head.name,
                "conductor": conductor.label,
                "triangles": int(conductor.n_triangles),
                "cortex_vertices": int(cortex.cortex.sum()),
            },
            "placement": placement,
            "pose_m": np.asarray(pose).tolist(),
            "didt_a_per_s": didt,
            # no wall time here: results.json is the same on every run (the report shows it)
            "solver": {"gmres_iterations": solution.iterations},
            "target": {
                "name": goal.name,
                "point_m": target_point,
                "hemisphere": goal.hemisphere,
                "snap_distance_m": float(goal.distance_m),
                "efield_v_per_m": cortex.e_target if didt else None,
                "efield_normal_v_per_m": cortex.en_target if didt else None,
            },
            "metrics": metrics.to_dict(),
            "hotspot_m": cortex.hotspot,
        }
    )
    if not didt:
        section.data["target"]["efield_per_didt"] = cortex.e_target / A_PER_US
    if search is not None:  # the direct solve checks the reciprocity score of the chosen pose
        direct = search.score_of(solution.efield(goal.point[None], check=False)[0] / scale)
        agreement = abs(search.best_target_value - direct) / abs(direct)
        section.data["optimise"]["score_direct_per_didt"] = direct
        section.data["optimise"]["reciprocity_vs_direct"] = agreement
    rows = [
        row
        for row in head_field_rows(cortex)
        if row[0] not in ("dI/dt", "head, coil", "solve")  # shown elsewhere in this section
    ]
    per = "V/m per A/us"
    if didt:  # head_field_rows names the unit from dI/dt; say V/m at the scenario's dose
        rows = [(label, value.replace(per, "V/m")) for label, value in rows]
    # the console summary shows a section's first three rows: the coil, the field at the target
    # and the maximum come first
    first = [row for label in FIRST_ROWS for row in rows if row[0] == label]
    section.rows += [
        ("coil", f"{coil.label or coil.name} at {placement}"),
        *first,
        *[row for row in rows if row not in first],
        (
            "head",
            f"{head.name}: {conductor.label}, {conductor.n_triangles} triangles; cortex "
            f"{int(cortex.cortex.sum())} mid-surface vertices",
        ),
        ("solve (BEM + cortex)", f"{cortex.solve_time_s:.0f} s"),
    ]
    if search is not None:
        section.rows.append(
            (
                "placement search",
                f"{search.n_poses:,} poses scored by reciprocity; at the best, reciprocity and "
                f"the direct solve differ by {section.data['optimise']['reciprocity_vs_direct']:.2%}",
            )
        )
    section.notes.append(
        "Charge-based BEM-FMM (Makarov et al. 2018, doi:10.1109/TBME.2018.2813261) of the "
        "realistic head; field on the mid-cortical surface of both hemispheres, metrics as "
        "SimNIBS reports them (robust maximum; focality as the cortical area above 50 % and "
        "75 % of it)."
    )
    section.notes.extend(cortex.assumptions)
    section.notes.append("Head: " + "; ".join(str(s) for s in head.sources) + ".")
    if goal.source is not None:
        section.notes.append(f"Target {goal.name}: {goal.source.citation}.")
    if coil.source:
        section.notes.append(f"Coil model: {coil.source}. " + " ".join(coil.assumptions))
    section.figures.append(
        FigureSpec(
            "|E| (top) and the normal component E_n, positive into the cortex (bottom), on the "
            "mid-cortical surface: lateral view of the hot spot's hemisphere and both from "
            f"above; star: hot spot, circle: target ({unit})",
            "plot_cortical_field",
            {"f": cortex},
        )
    )

    def at_scale(points):
        return solution.efield(np.asarray(points, float), check=False)

    section.value = FieldSolution(
        efield_per_didt=lambda points: at_scale(points) / scale,
        didt_a_per_s=didt,
        target_point_m=np.asarray(target_point, float),
        layer_normal=np.asarray(goal.normal, float),
        radial_layer=True,
        inside=lambda points: inside_mask(conductor, np.asarray(points, float)),
        conductor=f"{head.name} brain compartment (inner skull)",
        metrics=metrics,
        maps=cortex,
        efield_at_didt=at_scale if didt else None,
        head=head,
        cortical_target=goal,
    )
    return section
