"""The field stage: coil, placement and conductor -> E at the target, metrics, maps."""

from __future__ import annotations

from functools import cache
from typing import Any

from tmslab.scenario import (
    FigureSpec,
    Scenario,
    Section,
    check_target,  # noqa: F401 (its old home)
)
from tmslab.stages.pose import POSE_UNIT_KEY, pose_rows, scenario_pose
from tmslab.units import A_PER_US, CM2_PER_M2, CM3_PER_M3, MM, MM_PER_M

DEFAULT_WAVEFORM = ("magstim-rapid2", "biphasic")  # links tesla to dI/dt when no device is given


def _coil_model(scenario: Scenario, section: Section):
    from tmslab.coils import list_coils, load_coil

    coil = scenario.spec.coil
    name = coil.model or coil.name
    if not name:
        section.notes.append("No [coil] name or model: the E-field is not computed.")
        return None
    if (
        coil.model is None
        and name.lower() not in list_coils()
        and not name.lower().endswith((".ccd", ".tcd", ".toml"))
    ):
        section.notes.append(
            f"Coil {name!r} has no field model; set [coil] model to a coil preset "
            f"({', '.join(list_coils())}) or a .ccd/.tcd file to compute the E-field."
        )
        return None
    return load_coil(name)


def _target_depth(scenario: Scenario, head) -> tuple[str, float]:
    """(name shown, depth below the brain surface in m) of the scenario's [target].

    A name must be one of the head's targets or their aliases (exactly, case and punctuation
    aside: :meth:`~tmslab.conductors.sphere.SphereHead.find_target`); substrings once turned
    "left primary motor cortex (hand knob)" into "cortex, 0 mm" (issue 21).
    """
    target = scenario.spec.target
    if target.depth_mm is not None:
        return f"{target.depth_mm:g} mm deep", head.target_depth(target.depth_mm * MM)
    if target.name:
        key = head.find_target(target.name)
        return key, head.targets_m[key]
    return "cortex (brain surface)", 0.0


def scenario_didt(
    scenario: Scenario,
    done: dict[str, Section],
    coil,
    placed,
    surface_point,
    surface_name: str,
    section: Section,
) -> float | None:
    """Peak dI/dt (A/s): from the stimulator stage's dose, or from its peak field in tesla
    through the coil model (:func:`~tmslab.protocols.dose.resolve_dose`).

    coil / placed: the coil in its own frame / in the conductor's. surface_point: (3,) m, where a
    tesla intensity given ``at = "brain-surface"`` is measured (the conductor's surface under the
    coil centre), named ``surface_name`` in the notes.
    """
    from tmslab.protocols.dose import resolve_dose, tesla_per_ampere
    from tmslab.protocols.stimulators import get_stimulator

    dose = done["stimulator"].value  # the Dose the stimulator stage resolved
    if dose.didt_a_per_s:
        return dose.didt_a_per_s
    if dose.peak_b_t:
        stim = scenario.spec.stimulator
        device = get_stimulator(stim.device or DEFAULT_WAVEFORM[0])
        shape = stim.waveform or (device.shapes[0] if stim.device else DEFAULT_WAVEFORM[1])
        pulse = dose.waveform or device.waveform(shape)  # the shape links tesla and dI/dt
        if dose.b_at == "brain-surface":
            where = f"the {surface_name} under the coil centre"
            per_ampere = tesla_per_ampere(placed, surface_point)
        else:
            where, per_ampere = "the coil's reference point", tesla_per_ampere(coil)
        resolved = resolve_dose(
            peak_b_t=dose.peak_b_t, b_at=dose.b_at, tesla_per_a=per_ampere, waveform=pulse
        )
        didt = resolved.didt_a_per_s
        section.data["tesla_per_ampere"] = per_ampere
        section.notes.append(
            f"{dose.peak_b_t:g} T at {where} is {resolved.peak_current_a:.4g} A of "
            f"coil current, i.e. {didt / A_PER_US:.4g} A/us with the {device.label} {shape} "
            "pulse shape"
            + ("" if stim.device else " (assumed; give [stimulator] device for yours)")
            + "."
        )
        return didt
    reason = no_didt_reason(scenario, done)
    section.notes.append(f"{reason}: fields are reported per A/us.")
    return None


def no_didt_reason(scenario: Scenario, done: dict[str, Section]) -> str:
    """Why the scenario's intensity does not reach a dI/dt, and the fix, as one sentence."""
    stim, subject = scenario.spec.stimulator, scenario.spec.subject
    if stim.intensity_pct_mt is not None and subject.motor_threshold_pct_mso is None:
        return (
            f"intensity_pct_mt = {stim.intensity_pct_mt:g} gives no dI/dt without the motor "
            "threshold (add [subject] motor_threshold_pct_mso, or give intensity_pct_mso or "
            "intensity_didt_a_per_us)"
        )
    if not any(
        value is not None
        for value in (stim.intensity_pct_mt, stim.intensity_pct_mso, stim.intensity_didt_a_per_us)
    ):
        return "No [stimulator] intensity is given (add intensity_pct_mso, for example)"
    if done["stimulator"].data.get("didt_max_a_per_s") is None:
        return (
            "The peak dI/dt at 100 % MSO of this stimulator and coil is not known (give "
            "[stimulator] device, or intensity_didt_a_per_us)"
        )
    return "No intensity reaches dI/dt"


def field_stage(scenario: Scenario, done: dict[str, Section]) -> Section:
    """E-field at the target, E_max, d_1/2, V_1/2, S_1/2 and maps, in a spherical head (or, for
    a dish or mesh subject, from the numerical solver: see :mod:`tmslab.stages.field_numeric`;
    for a realistic head, ``[subject] model``, on its cortex: :mod:`tmslab.stages.field_head`)."""
    from dataclasses import replace

    from tmslab.conductors.sphere import get_head
    from tmslab.efield.solution import SphereMaps
    from tmslab.efield.translate import Setup, describe

    section = Section(title="Coil and E-field", data={"computed": False})
    coil = _coil_model(scenario, section)
    if coil is None:
        return section
    species = scenario.spec.subject.species
    if scenario.spec.subject.kind == "head" and scenario.spec.subject.model is not None:
        from functools import partial

        from tmslab.stages.field_head import head_field_stage

        # a realistic head (fsaverage): BEM on its brain compartment, the field on the cortex
        section = head_field_stage(
            scenario, coil, section, partial(scenario_didt, scenario, done, coil)
        )
        if section.value is not None and not section.value.applied:
            section.value = replace(section.value, no_didt_reason=no_didt_reason(scenario, done))
        return section
    if scenario.spec.subject.kind != "head":
        from functools import partial

        from tmslab.stages.field_numeric import numeric_field_stage

        # scenario_didt is handed down so that field_numeric need not import this module
        didt_of = partial(scenario_didt, scenario, done, coil)
        section = numeric_field_stage(scenario, coil, section, didt_of)
        if not section.value.applied:
            section.value = replace(section.value, no_didt_reason=no_didt_reason(scenario, done))
        return section
    head = get_head(species)
    target_name, depth = _target_depth(scenario, head)
    spec = scenario.spec.coil
    posed = scenario_pose(scenario)
    if posed is None:
        setup = Setup(
            head,
            coil,
            depth,
            distance_m=spec.distance_mm * MM,
            handle_angle_deg=spec.handle_angle_deg,
        )
        under = (0.0, 0.0, 1.0)
    else:
        import numpy as np

        from tmslab.coils.placement import check_coil_gap

        pose, pose_unit = posed
        gap = float(np.linalg.norm(pose[:3, 3])) - head.scalp_radius_m
        check_coil_gap(gap, "head surface", pose_unit, POSE_UNIT_KEY)
        setup = _posed_setup_class()(head, coil, depth, distance_m=gap, pose=pose)
        under = tuple(pose[:3, 3])
        section.rows += pose_rows(pose, pose_unit)
        section.data["pose_m"] = pose.tolist()
    didt = scenario_didt(
        scenario,
        done,
        coil,
        setup.placed_coil(),
        head.target_point(0.0, under),
        "brain surface",
        section,
    )
    # Without a dose the numbers are shown per A/µs, the unit labs quote (an edge conversion).
    scale = didt if didt else A_PER_US
    unit = "V/m" if didt else "V/m per A/µs"
    field = describe(setup)  # per unit dI/dt
    placed = field["placed_coil"]
    per_didt = field["metrics_per_didt"]
    metrics = replace(per_didt, emax=per_didt.emax * scale, didt_a_per_s=scale)
    target = field["target_point_m"]
    e_target = field["efield_per_didt"] * scale
    data: dict[str, Any] = {
        "computed": True,
        "coil": coil.summary(),
        "head": head.summary(),
        "didt_a_per_s": didt,
        "target": {
            "name": target_name,
            "depth_m": depth,
            "point_m": target,
            "efield_v_per_m": e_target if didt else None,
        },
        "metrics": metrics.to_dict(),
    }
    if not didt:
        data["target"]["efield_per_didt"] = field["efield_per_didt"]
    section.data.update(data)
    section.rows += [
        ("coil", f"{coil.label or coil.name} ({coil.n_dipoles} dipoles)"),
        (
            "head",
            f"{head.label}: scalp {head.scalp_radius_m * MM_PER_M:g} mm, brain {head.brain_radius_m * MM_PER_M:g} mm",
        ),
        (f"|E| at the target ({target_name}, {depth * MM_PER_M:g} mm)", f"{e_target:.4g} {unit}"),
        ("E_max (brain surface)", f"{metrics.emax:.4g} {unit}"),
        ("d_1/2 (half-value depth)", f"{metrics.d_half_m * MM_PER_M:.3g} mm"),
        (
            "V_1/2; S_1/2",
            f"{metrics.v_half_m3 * CM3_PER_M3:.3g} cm^3; {metrics.s_half_m2 * CM2_PER_M2:.3g} cm^2",
        ),
        (
            "share of the brain above E_max/2",
            f"{100 * metrics.v_half_m3 / (4 / 3 * 3.141592653589793 * head.brain_radius_m**3):.3g} %",
        ),
    ]
    section.notes.append(
        f"Analytic sphere (Heller & van Hulsteyn 1992); metrics after Deng et al. 2013 (doi:10.1016/j.brs.2012.02.005). Head: {head.source}."
    )
    if coil.source:
        section.notes.append(f"Coil model: {coil.source}. " + " ".join(coil.assumptions))
    section.notes.extend(head.assumptions)
    maps = SphereMaps(placed, head, scale, metrics.emax_point_m)
    section.figures.append(
        FigureSpec(
            "|E| on the brain surface, in a cross-section (white: E_max/2) and along depth",
            "plot_sphere_field",
            {
                "maps": maps,
                "coil_name": coil.name,
                "d_half_m": metrics.d_half_m,
                "title": f"{coil.name} over the {head.name} head",
                "half_value": metrics.emax / 2,
            },
        )
    )
    reason = None if didt else no_didt_reason(scenario, done)
    section.value = _sphere_solution(placed, head, target, didt, metrics, maps, reason)
    return section


@cache
def _posed_setup_class():
    from dataclasses import dataclass

    from tmslab.efield.translate import Setup

    @dataclass(frozen=True)
    class PosedSetup(Setup):
        """A :class:`Setup` whose coil is placed by a 4x4 pose instead of over the vertex."""

        pose: object = None

        def placed_coil(self):
            return self.coil.transformed(self.pose)

    return PosedSetup


def _sphere_solution(placed, head, target, didt: float | None, metrics, maps, reason):
    """The field of the placed coil in the sphere, for the stages after this one: E at any
    points in the head, the target and the outward normal of the cortical layer there (cells
    stand radially in a head, in layers that are shells about the origin)."""
    import numpy as np

    from tmslab.efield.kernels import sphere_efield
    from tmslab.efield.solution import FieldSolution

    def efield_per_didt(points):
        """points: (N, 3) m inside the scalp sphere -> E: (N, 3) V/m per A/s."""
        p = np.ascontiguousarray(points, dtype=float)
        return sphere_efield(p, placed.dipole_positions, placed.dipole_moments)

    return FieldSolution(
        efield_per_didt=efield_per_didt,
        didt_a_per_s=didt,
        target_point_m=np.asarray(target, float),
        layer_normal=np.asarray(target, float) / np.linalg.norm(target),
        radial_layer=True,
        spherical_layers=True,
        inside=lambda points: np.linalg.norm(points, axis=1) <= head.scalp_radius_m,
        conductor=f"{head.label} (sphere)",
        metrics=metrics,
        maps=maps,
        no_didt_reason=reason,
    )
