"""The neuron stage: which cell models fire at the target, and a map of a layer of cells around it.

Orientation. In a head, cortical cells stand radially: each model's z axis (the L5 cell's apical
dendrite) points along the outward normal of the cortical layer, and its x axis (the axis of the
straight and MRG axons) along the tangential part of the local field, the axons' most excitable
direction. In a dish, cells lie flat in the cell layer: x along the field, y up the dish axis.
The field enters through quasipotentials along each placed tree (tmslab.neuron.coupling), with
the stimulator's pulse as time course at a 2.5 us step.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tmslab.geometry import tangent_axes
from tmslab.scenario import FigureSpec, Scenario, Section
from tmslab.units import MM_PER_M, MS_PER_S

TITLE = "Neurons at the target"
# the 37 degC cortical axon (Aberra 2018 channels) is the default axon; hh-axon-* are textbook
HEAD_MODELS = ("axon-straight", "mrg-axon", "l5-pyramidal")
RODENT_MODELS = ("l5-pyramidal",)  # the 6 and 10 mm axons do not fit a rodent brain
MAP_MODEL = "l5-pyramidal"
MAP_HALF_WIDTH_OF_HEAD = 0.3  # the map spans +-30 % of the head radius around the target
CORTEX_CELLS = 100  # cells per type of a realistic head's cortex map, budget permitting
DEFAULT_MODELS = HEAD_MODELS  # neuron_section's default: the three models of a human head


def _frame(normal: np.ndarray, along: np.ndarray, radial: bool) -> np.ndarray:
    """Rotation (3, 3) whose columns are where the model's x, y and z axes go."""
    n = normal / np.linalg.norm(normal)
    t = along - np.dot(along, n) * n
    if np.linalg.norm(t) < 1e-12 * max(np.linalg.norm(along), 1e-300):
        helper = np.array([1.0, 0.0, 0.0]) if abs(n[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
        t = helper - np.dot(helper, n) * n
    t /= np.linalg.norm(t)
    if radial:  # x along the field, z along the normal
        return np.column_stack([t, np.cross(n, t), n])
    return np.column_stack([t, n, np.cross(t, n)])  # lying flat: y along the normal


def _stimulator_pulse(done: dict[str, Section]):
    """The pulse of the stimulator stage's :class:`~tmslab.protocols.dose.Dose` as a solver
    drive named by its shape (the one place this stage reads the dose), or None."""
    from tmslab.neuron.drive import drive_from_waveform

    dose = done["stimulator"].value
    pulse = getattr(dose, "waveform", None)
    return None if pulse is None else drive_from_waveform(pulse, name=pulse.shape)


def _waveform(done: dict[str, Section]):
    """The stimulator stage's pulse, or the one the field stage assumed to convert tesla."""
    from tmslab.stages.field import DEFAULT_WAVEFORM

    pulse = _stimulator_pulse(done)
    return pulse if pulse is not None else ":".join(DEFAULT_WAVEFORM)


def _skipped(reason: str) -> Section:
    return Section(
        title=TITLE,
        data={"computed": False, "reason": reason},
        rows=[("computed", "no")],
        notes=[reason],
    )


def _models(scenario: Scenario) -> tuple[str, ...]:
    chosen = scenario.spec.neurons.models
    if chosen:
        return tuple(chosen)
    subject = scenario.spec.subject
    return HEAD_MODELS if subject.kind != "head" or subject.species == "human" else RODENT_MODELS


def _cell(scenario: Scenario, name: str):
    """A built-in model by name, or a cell from an SWC file (``*.swc``, relative to the scenario
    file), whose fidelity warnings travel with it into the results and the report."""
    from pathlib import Path

    from tmslab.neuron.models import get_model, model_from_swc

    if not str(name).lower().endswith(".swc"):
        return get_model(name)
    path = Path(name)
    if not path.is_absolute() and scenario.path is not None:
        path = Path(scenario.path).parent / path
    return model_from_swc(path)


def check_neuron_inputs(scenario: Scenario) -> None:
    """Build the scenario's cell models before any stage runs: a missing or malformed morphology
    file is a one-line error then (named models are cached for the stage; an SWC file is read
    again there)."""
    for name in _models(scenario):
        _cell(scenario, name)


def _attach_warnings(cells, section: Section) -> None:
    """Put each cell's fidelity warnings beside its threshold: results, table and notes.

    In the records they are one string (joined by " | ") so that results.nc keeps them as a
    text column; cells without warnings (the built-in models) get no key.
    """
    by_name = {c.name: c for c in cells}
    for record in section.data.get("models", []):
        cell = by_name.get(record["model"])
        if cell is None:
            continue
        warnings = cell.threshold_warnings(record["threshold_peak_e_v_per_m"])
        if not warnings:
            continue
        record["warnings"] = " | ".join(warnings)
        # flag the threshold row itself, so that even a one-line summary carries the warning
        section.rows = [
            (
                label,
                f"{value} [{len(warnings)} fidelity warning{'s' if len(warnings) != 1 else ''} below]",
            )
            if label == cell.name
            else (label, value)
            for label, value in section.rows
        ]
        for warning in warnings:
            section.rows.append((f"{cell.name}: warning", warning))
            section.notes.append(f"Warning ({cell.name}): {warning}")


def neuron_stage(scenario: Scenario, done: dict[str, Section]) -> Section:
    """Activation, thresholds and spike times of the chosen models at the target; activation map."""
    field = done.get("field")
    solution = field.value if field is not None else None
    if solution is None or not solution.applied:
        why = solution.no_didt_reason if solution is not None else None
        return _skipped(  # the field exists only per A/us, or not at all: say why
            f"No field at a known intensity ({why}), so no cell model was run."
            if why
            else "No field at a known intensity (see the field section), so no cell model was run."
        )
    efield, target = solution.efield, solution.target_point_m
    normal, radial = solution.layer_normal, solution.radial_layer
    e_target = efield(target[None])[0]
    rotation = _frame(normal, e_target, radial)
    placed, left_out = [], []
    for name in _models(scenario):
        cell = _cell(scenario, name)
        nodes = cell.cable.position_m @ rotation.T + target
        (placed if np.all(solution.inside(nodes)) else left_out).append(cell)
    if not placed:
        return _skipped(
            f"No model fits inside the {solution.conductor} at the target: "
            + ", ".join(c.name for c in left_out)
        )
    if not radial:  # a dish: cells in the cell layer see the field there as uniform

        def cell_field(points, _e=e_target):
            return np.broadcast_to(_e, np.shape(points)).copy()
    else:
        cell_field = efield
    section = neuron_section(cell_field, target, _waveform(done), 1.0, placed, rotation)
    section.title = TITLE
    _attach_warnings(placed, section)
    section.data["computed"] = True
    section.data["orientation"] = "radial" if radial else "flat in the cell layer"
    section.data["rotation"] = rotation
    if left_out:
        section.data["left_out"] = [c.name for c in left_out]
        section.notes.append(
            "Left out (longer than the conductor allows at the target): "
            + ", ".join(c.name for c in left_out)
            + "."
        )
    section.notes.insert(
        0,
        "Orientation: "
        + (
            "each cell's z axis along the outward normal of the cortical layer, its x axis "
            "(the axon models) along the tangential field."
            if radial
            else "cells lie flat at the bottom of the dish, x (the axon models) along the field; "
            "the field at the target is applied uniformly across each cell."
        ),
    )
    if scenario.spec.neurons.activation_map and solution.spherical_layers:
        _activation_map(scenario, solution, _waveform(done), section)
    elif scenario.spec.neurons.activation_map and solution.cortical_target is not None:
        _cortex_maps(scenario, solution, done, placed, section)
    elif scenario.spec.neurons.activation_map and radial:  # a mesh without a cortex
        section.notes.append(
            "No activation map: it needs a cortex (a realistic head) or a layer that is a "
            "spherical shell about the head's centre (the spherical heads); here the cells "
            "stand at the target only."
        )
    if solution.layer_magnitude_v_per_m is not None:
        _layer_fractions(solution.layer_magnitude_v_per_m, section)
    return section


def _layer_fractions(magnitude: np.ndarray, section: Section) -> None:
    """Share of the cell layer where |E| reaches each model's threshold (cells oriented along
    the local field, the field uniform across each cell)."""
    shares = {}
    for record in section.data["models"]:
        threshold = record["threshold_peak_e_v_per_m"]
        share = float(np.mean(magnitude >= threshold)) if np.isfinite(threshold) else 0.0
        shares[record["model"]] = share
        section.rows.append(
            (f"{record['model']}: share of the cell layer above threshold", f"{100 * share:.3g} %")
        )
    section.data["layer_share_above_threshold"] = shares


def _map_positions(solution, half_width: float, n: int) -> np.ndarray:
    """n x n positions on the spherical layer through the target, around it; (n*n, 3) m."""
    target = solution.target_point_m
    radius = np.linalg.norm(target)
    normal = target / radius
    u, w = tangent_axes(normal)
    s = np.linspace(-half_width, half_width, n)
    a, b = np.meshgrid(s, s, indexing="ij")
    flat = normal + (a.reshape(-1, 1) * u + b.reshape(-1, 1) * w) / radius
    return radius * flat / np.linalg.norm(flat, axis=1, keepdims=True), s


def _activation_map(scenario: Scenario, solution, waveform, section: Section) -> None:
    """L5 cells on a patch of the target layer: threshold as a multiple of the applied intensity."""
    from tmslab.neuron.activation import as_drive, has_boundary
    from tmslab.neuron.models import get_model
    from tmslab.neuron.population import population_activation

    cell = get_model(MAP_MODEL)
    efield = solution.efield
    radius = np.linalg.norm(solution.target_point_m)
    n = scenario.spec.neurons.map_cells_per_side
    positions, axis = _map_positions(solution, MAP_HALF_WIDTH_OF_HEAD * radius, n)
    fields = efield(positions)
    rotations = np.stack(
        [_frame(p / np.linalg.norm(p), e, True) for p, e in zip(positions, fields, strict=True)]
    )
    nodes = np.einsum("pij,kj->pki", rotations, cell.cable.position_m) + positions[:, None]
    if not np.all(solution.inside(nodes.reshape(-1, 3))):
        section.notes.append("Activation map left out: the cells around the target leave the head.")
        return
    result = population_activation(
        cell, positions, efield, as_drive(waveform), 1.0, rotations, thresholds=True
    )
    ratio = result.thresholds_scale.reshape(n, n)
    section.data["activation_map"] = {
        "model": cell.name,
        "offset_m": axis,
        "positions_m": positions,
        "fired": result.fired.reshape(n, n),
        "spike_time_s": result.spike_time_s.reshape(n, n),
        "field_v_per_m": result.field_v_per_m.reshape(n, n),
        "threshold_ratio": ratio,
        "fraction_fired": result.fraction_fired,
    }
    section.rows.append(
        (
            f"{cell.name} cells firing on a {2 * axis[-1] * MM_PER_M:.3g} mm patch of the target layer",
            f"{100 * result.fraction_fired:.3g} % of {n * n}",
        )
    )
    label = f"{cell.name} cells in the target layer"
    if has_boundary(ratio):
        boundary = "white contour: threshold = applied intensity; cells inside it fire"
    else:  # the figure draws no contour then: say why rather than promise one
        everyone = bool(np.all(ratio <= 1))
        boundary = (
            f"{'every' if everyone else 'no'} cell on the patch fires, so no boundary is drawn"
        )
    section.figures.append(
        FigureSpec(
            "Activation map: |E| at radially oriented L5 cells around the target (left) and their "
            f"threshold as a multiple of the applied intensity (right; {boundary})",
            "plot_activation_map",
            {
                "offset_m": axis,
                "threshold_ratio": ratio,
                "field_v_per_m": result.field_v_per_m.reshape(n, n),
                "label": label,
            },
        )
    )


def _cortex_maps(scenario: Scenario, solution, done, placed, section: Section) -> None:
    """Cells of each placed model that has a cortical layer (else L5 cells) in the cortex
    around the target of a realistic head: thresholds as a multiple of the applied intensity,
    where each fires first, and the fraction activated against intensity."""
    from tmslab import budgets
    from tmslab.neuron.activation import as_drive
    from tmslab.neuron.cortex import (
        cells_within_budget,
        check_map_budget,
        cortex_threshold_map,
        layer_of,
    )
    from tmslab.neuron.models import get_model
    from tmslab.units import MM

    spec = scenario.spec.neurons
    layered = [cell for cell in placed if not layer_of(cell.name)[1]]
    models = layered or [get_model(MAP_MODEL)]
    dose = done["stimulator"].value
    drive = as_drive(_waveform(done))
    hint = "[neurons] cortex_cells"
    counts = []
    table = spec.cortex_method == "table"
    for model in models:  # every map checked before the first runs
        # a table's cost does not grow with the cells: all of them, budget or not
        n = spec.cortex_cells or (
            CORTEX_CELLS if table else cells_within_budget(model, drive, CORTEX_CELLS)
        )
        check_map_budget(model, drive, n, spec.cortex_method, hint=hint, table_hint=hint)
        counts.append(n)
        if n < CORTEX_CELLS and spec.cortex_cells is None:
            section.notes.append(
                f"Cortex map ({model.name}): {n} cells, not {CORTEX_CELLS}: more would exceed "
                f"the run-time budget ({budgets.MINUTES_ENV}); set [neurons] cortex_cells."
            )
    maps = [
        cortex_threshold_map(
            solution.head,
            solution.efield,
            model,
            drive,
            solution.cortical_target,
            spec.cortex_radius_mm * MM,
            n,
            didt_a_per_s=solution.didt_a_per_s,
            didt_max_a_per_s=getattr(dose, "didt_max_a_per_s", None),
            budget_hint=hint,
            method=spec.cortex_method,
        )
        for model, n in zip(models, counts, strict=True)
    ]
    records = []
    for result in maps:
        summary = result.summary()
        summary.pop("timings_s")  # results.json is the same on every run; the rows show them
        scales, fraction = result.io_curve(np.linspace(0.0, 3.0, 61))
        summary["io_curve"] = {"scale": scales, "fraction_activated": fraction}
        records.append(summary)
        n, fired = summary["n_cells"], int(np.sum(result.threshold_scale <= 1.0))
        pct = summary["threshold_pct"]
        section.rows += [
            (
                f"{result.model} cells in the cortex around the target",
                f"{fired} of {n} fire at the applied intensity ({100 * fired / n:.3g} %); "
                f"{summary['layer']}, within {spec.cortex_radius_mm:g} mm",
            ),
            (
                f"{result.model}: threshold in the cortex (% of the applied intensity)",
                "none fired up to the search limit"
                if pct is None
                else f"min {pct['min']:.1f}, median {pct['median']:.1f}, max {pct['max']:.1f}",
            ),
            (f"{result.model}: where the cells fire first", result.sites_text()),
        ]
        if result.method == "table":
            section.rows.append((f"{result.model}: thresholds", result.table_text()))
        section.notes += [f"Cortex map ({result.model}): {w}" for w in result.warnings]
    if not layered:
        section.notes.append(
            f"Cortex map: none of the models at the target names a cortical layer, so the map "
            f"places {MAP_MODEL} cells."
        )
    section.data["cortex_maps"] = records
    section.figures.append(
        FigureSpec(
            "Cells in the cortex around the target: each soma coloured by its threshold as a "
            "percentage of the applied intensity, the fraction of cells activated against "
            "intensity, and where the cells fire first",
            "plot_cortex_threshold_map",
            {"result": maps[0] if len(maps) == 1 else maps},
        )
    )


def neuron_section(
    efield,
    target_point,
    waveform,
    amplitude_scale: float,
    models: Sequence = DEFAULT_MODELS,
    rotation: np.ndarray | None = None,
    solver: str = "batched",
    rel_tol: float = 0.005,
) -> Section:
    """Activation of each model at the target, as a scenario :class:`~tmslab.scenario.Section`
    whose value is the :class:`~tmslab.neuron.activation.Activation`.

    efield: callable, points (N, 3) in metres -> E (N, 3) in V/m at the pulse peak.
    target_point: (3,) position of the target, metres.
    waveform: the pulse (see :func:`~tmslab.neuron.activation.as_drive`). amplitude_scale:
    applied multiple of ``efield``. models: names of built-in models or CellModel objects.
    rotation: (3, 3) orientation of every cell about its origin (default: each model's frame).
    Data (SI): applied_peak_e_v_per_m (|E| at the target at the applied scale) and, per model,
    fires, spike_time_s, threshold_scale and threshold_peak_e_v_per_m (|E| at the target at
    threshold).
    """
    from tmslab.neuron.activation import activation_at_target

    activation = activation_at_target(
        efield, target_point, waveform, amplitude_scale, models, rotation, solver, rel_tol
    )
    return activation_section(activation)


def activation_section(activation) -> Section:
    """The report section of an :class:`~tmslab.neuron.activation.Activation`."""
    applied = activation.applied_peak_e_v_per_m
    rows = [("applied peak |E| at the target", f"{applied:.4g} V/m ({activation.drive.name})")]
    for c in activation.cells:
        threshold = c.threshold_peak_e_v_per_m
        shown = f"{threshold:.4g} V/m" if np.isfinite(threshold) else c.no_threshold_reason
        verdict = "fires" if c.fires else "does not fire"
        timing = f", spike {c.spike_time_s * MS_PER_S:.2f} ms after onset" if c.fires else ""
        rows.append((c.model, f"{verdict} (threshold {shown}{timing})"))
    notes = [
        "Each cell is placed with its origin at the target "
        + ("in the given orientation" if activation.rotated else "in its model orientation")
        + "; the field enters through quasipotentials (line integral of E along the tree) and "
        "the pulse's normalised time course; thresholds by bisection to "
        f"{activation.rel_tol * 100:.2g} % with the {activation.solver} solver (cross-checked "
        "against NEURON).",
    ]
    notes += [f"{c.model}: {c.source}. {c.source.note}".strip() for c in activation.cells]
    return Section(
        title="Neurons at the target",
        data={
            "target_m": activation.target_m,
            "waveform": activation.drive.name,
            "amplitude_scale": activation.amplitude_scale,
            "applied_peak_e_v_per_m": applied,
            "solver": activation.solver,
            "models": [c.to_dict() for c in activation.cells],
        },
        rows=rows,
        figures=[
            FigureSpec(
                "Thresholds at the target against the applied field",
                "plot_thresholds_at_target",
                {
                    "names": [c.model for c in activation.cells],
                    "thresholds_v_per_m": [c.threshold_peak_e_v_per_m for c in activation.cells],
                    "applied_v_per_m": applied,
                },
            )
        ],
        notes=notes,
        value=activation,
    )
