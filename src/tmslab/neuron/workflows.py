"""The neuron commands' workflows as functions: pick a cell, find its threshold, map it.

:func:`threshold_from_field` is the threshold of a cell in a uniform field along a direction or
in a field given at its nodes (V/m); :func:`direction_map` the threshold against the direction
of a uniform field. Both return frozen records with ``to_dict()`` (JSON) and ``rows()`` (the
table a person reads).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.units import MV_PER_V, US_PER_S


def parse_swc_types(text: str | None) -> dict[int, str] | None:
    """``"6=unmyelinated,7=node"`` -> ``{6: "unmyelinated", 7: "node"}``; None for none.

    Parameters
    ----------
    text : str or None
        Comma-separated ``TYPE=ROLE`` pairs (SWC type numbers and the roles they play).

    Returns
    -------
    dict of int to str, or None
    """
    if not text:
        return None
    roles: dict[int, str] = {}
    for part in (p for p in text.replace(" ", "").split(",") if p):
        kind, sep, role = part.partition("=")
        if not sep or not kind.lstrip("-").isdigit():
            raise InvalidValueError(
                f"--swc-types {text!r}: give TYPE=ROLE pairs, e.g. 6=unmyelinated,7=node"
            )
        roles[int(kind)] = role.lower()
    return roles


def resolve_cell(
    model: str | None,
    swc: str | Path | None = None,
    membrane: str = "cortical",
    max_segment_m: float = 20e-6,
    swc_types: str | None = None,
    unknown_types: str = "error",
    myelinate: bool = False,
):
    """A named cell model, or one built from an SWC file (exactly one of ``model``, ``swc``).

    Parameters
    ----------
    model : str or None
        A model name (``tmslab neuron list``); None or ``"swc"`` with ``swc``.
    swc : str or Path, optional
        An SWC morphology file.
    membrane : str
        Membrane of an SWC cell (:func:`tmslab.neuron.models.model_from_swc`).
    max_segment_m : float, m
        Longest compartment of an SWC cell.
    swc_types : str, optional
        ``TYPE=ROLE`` pairs (:func:`parse_swc_types`).
    unknown_types : str
        What to do with SWC types without a role (``"error"`` refuses them).
    myelinate : bool
        Myelinate the SWC file's plain axon first, by Aberra et al. 2018's rules
        (:func:`tmslab.neuron.myelin.myelinate`).

    Returns
    -------
    CellModel
        :class:`tmslab.neuron.models.CellModel`.
    """
    from tmslab.neuron.models import get_model, model_from_swc

    if swc is not None:
        if model not in (None, "swc"):
            raise InvalidValueError(f"give either --model {model} or --swc {swc}, not both")
        return model_from_swc(
            swc,
            membrane=membrane,
            max_segment_m=max_segment_m,
            swc_types=parse_swc_types(swc_types),
            unknown_types=unknown_types,
            myelinate=myelinate,
        )
    if myelinate:
        raise InvalidValueError("--myelinate applies to --swc files, not to named models")
    if model is None:
        raise InvalidValueError("give --model NAME (see 'tmslab neuron list') or --swc FILE")
    return get_model(model)


def resolve_cells(
    models: str | None,
    swc: str | Path | None = None,
    membrane: str = "cortical",
    max_segment_m: float = 20e-6,
    swc_types: str | None = None,
    unknown_types: str = "error",
    myelinate: bool = False,
) -> tuple:
    """Several cell types (comma-separated names, sharing one field solve), or one SWC cell.

    Parameters
    ----------
    models : str or None
        Model names separated by commas (``"l5-pyramidal,mrg-axon"``); None with ``swc``.
    swc : str or Path, optional
        An SWC morphology file (as :func:`resolve_cell`, as are the options below).
    membrane : str
        Membrane of an SWC cell.
    max_segment_m : float, m
        Longest compartment of an SWC cell.
    swc_types : str, optional
        ``TYPE=ROLE`` pairs.
    unknown_types : str
        What to do with SWC types without a role.
    myelinate : bool
        Myelinate the SWC file's plain axon first.

    Returns
    -------
    tuple of CellModel
        One per name, in order (one with ``swc``).

    Raises
    ------
    InvalidValueError
        Several names with ``swc``, or a bad name or SWC option.
    """
    names = [m for m in (models or "").replace(" ", "").split(",") if m] or [None]
    if len(names) > 1 and swc is not None:
        raise InvalidValueError("give either several --model names or one --swc, not both")
    options = (swc, membrane, max_segment_m, swc_types, unknown_types, myelinate)
    return tuple(resolve_cell(name, *options) for name in names)


def parse_direction(text: str, option: str = "--direction") -> np.ndarray:
    """``"x,y,z"`` -> a (3,) unit vector.

    Parameters
    ----------
    text : str
        Three comma-separated numbers, any length but not zero.
    option : str
        The option named in error messages.

    Returns
    -------
    (3,) ndarray, dimensionless
        The unit vector.
    """
    from tmslab.neuron.coupling import unit_vector

    parts = [p for p in str(text).replace(" ", "").split(",") if p]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 3:
        raise InvalidValueError(f"{option} {text!r}: give three numbers x,y,z, e.g. 1,0,0")
    return unit_vector(values)


def _site(cell, node: int) -> dict | None:
    if node < 0:
        return None
    branch = int(cell.cable.branch[node])
    return {
        "node": int(node),
        "branch": branch,
        "label": cell.morphology.branches[branch].label,
        "position_m": cell.cable.position_m[node],
    }


@dataclass(frozen=True, eq=False)
class CellThreshold:
    """A cell's threshold in one field (:func:`threshold_from_field`).

    Attributes
    ----------
    model : str
        The cell's name.
    waveform : str
        The pulse waveform's name.
    dt_s : float, s
        Time step.
    solver : str
        ``"neuron"`` or ``"batched"``.
    rel_tol : float, dimensionless
        Relative width of the final bisection bracket.
    threshold_v_per_m : float, V/m
        The peak E of the uniform field along ``direction``, or the largest |E| over the cell's
        nodes at threshold for a field file (``threshold_scale`` times the file's largest
        |E|); NaN if the cell did not fire up to the search limit.
    threshold_definition : str
        Which of the two ``threshold_v_per_m`` is.
    spike_time_s : float, s
        Time of the action potential at threshold.
    n_simulations : int
        Simulations the search ran.
    no_threshold_reason : str or None
        Why there is no threshold (None when there is one).
    initiation_site : dict or None
        Node, branch, label and position (m) where the action potential starts.
    source : dict
        The model's source (citation).
    warnings : tuple of str
        Caveats of the model at this threshold.
    direction : (3,) ndarray, dimensionless, optional
        Unit vector of the uniform field (None for a field file).
    field_file : str or None
        The file the field at the nodes was read from.
    threshold_scale : float, dimensionless, optional
        Factor on the file's field at threshold (None for a uniform field).
    """

    model: str
    waveform: str
    dt_s: float
    solver: str
    rel_tol: float
    threshold_v_per_m: float
    threshold_definition: str
    spike_time_s: float
    n_simulations: int
    no_threshold_reason: str | None
    initiation_site: dict | None
    source: dict
    warnings: tuple[str, ...]
    direction: np.ndarray | None = None
    field_file: str | None = None
    threshold_scale: float | None = None

    @property
    def activated(self) -> bool:
        return bool(np.isfinite(self.threshold_v_per_m))

    def to_dict(self) -> dict[str, Any]:
        """The record as plain values for JSON (SI units)."""
        record: dict[str, Any] = {
            "model": self.model,
            "waveform": self.waveform,
            "dt_s": self.dt_s,
            "solver": self.solver,
            "rel_tol": self.rel_tol,
        }
        if self.direction is None:  # a field at the nodes
            record.update(field_file=self.field_file, threshold_scale=self.threshold_scale)
        else:
            record["direction"] = self.direction
        record.update(
            threshold=self.threshold_v_per_m,
            threshold_v_per_m=self.threshold_v_per_m,
            threshold_definition=self.threshold_definition,
            spike_time_s=self.spike_time_s,
            n_simulations=self.n_simulations,
            activated=self.activated,
            no_threshold_reason=self.no_threshold_reason,
            initiation_site=self.initiation_site,
            source=self.source,
            warnings=list(self.warnings),
        )
        return record

    def rows(self) -> list[tuple[str, Any]]:
        """(label, value) rows for a person."""
        shown = f"{self.threshold_v_per_m:.5g} V/m" if self.activated else self.no_threshold_reason
        rows = [
            ("model", self.model),
            ("waveform", f"{self.waveform}, dt {self.dt_s * US_PER_S:g} us"),
            ("threshold", shown),
            (
                "solver",
                f"{self.solver} ({self.n_simulations} runs, bracket {self.rel_tol * 100:g} %)",
            ),
        ]
        if self.initiation_site:
            site = self.initiation_site
            rows.append(("action potential starts at", f"{site['label']} (node {site['node']})"))
        return rows + [("warning", w) for w in self.warnings]


def threshold_from_field(
    cell,
    drive,
    *,
    direction=None,
    efield: np.ndarray | None = None,
    solver: str = "neuron",
    rel_tol: float = 0.005,
    field_file: str | None = None,
) -> CellThreshold:
    """Threshold of ``cell`` with ``drive`` in a uniform field or a field at its nodes.

    Parameters
    ----------
    cell : CellModel
        The cell.
    drive : Drive
        The pulse waveform (:func:`tmslab.neuron.drive.get_drive`).
    direction : (3,) array-like, dimensionless, optional
        Direction of a uniform field (any length; default x). Not with ``efield``.
    efield : (M, 3) ndarray, V/m, optional
        E at the cell's M nodes (``cell.cable.position_m``); scaled as a whole by the search.
    solver : str
        ``"neuron"`` or ``"batched"``.
    rel_tol : float, dimensionless
        Relative width of the final bisection bracket.
    field_file : str, optional
        The file ``efield`` was read from (recorded).

    Returns
    -------
    CellThreshold
    """
    from tmslab.neuron.simulation import get_solver
    from tmslab.neuron.threshold import (
        bisect_thresholds,
        direction_thresholds,
        no_threshold_reason,
    )

    if efield is not None:
        if direction is not None:
            raise InvalidValueError("give either --direction or --field, not both")
        from tmslab.neuron.coupling import quasipotentials

        values = np.asarray(efield, dtype=float)
        profile = quasipotentials(cell.cable, values)
        engine = get_solver(solver, cell, drive)

        def run(idx, amps):
            out = engine.simulate(np.repeat(profile[None], len(idx), axis=0), amps)
            return out.fired, out.spike_time_s, out.initiation_node

        search = bisect_thresholds(run, 1, 1.0, rel_tol, batch=engine.batch)
        peak = float(np.max(np.linalg.norm(values, axis=1)))
        scale = float(search.thresholds[0])
        found = dict(
            field_file=field_file,
            threshold_scale=scale,
            threshold_v_per_m=scale * peak,
            threshold_definition="largest |E| over the cell's nodes at threshold",
            spike_time_s=search.spike_time_s[0],
            n_simulations=search.n_simulations,
        )
        highest = float(search.lower[0]) * peak
        node = int(search.initiation_node[0])
    else:
        from tmslab.neuron.coupling import unit_vector

        unit = unit_vector(direction if direction is not None else (1.0, 0.0, 0.0))
        result = direction_thresholds(cell, drive, unit[None], solver, rel_tol)
        node = int(result.initiation_node[0])
        if solver == "neuron" and np.isfinite(result.thresholds_v_per_m[0]):
            node = _neuron_initiation(cell, drive, unit, result.thresholds_v_per_m[0])
        found = dict(
            direction=unit,
            threshold_v_per_m=result.thresholds_v_per_m[0],
            threshold_definition="peak E of a uniform field along the direction",
            spike_time_s=result.spike_time_s[0],
            n_simulations=result.n_simulations,
        )
        highest = float(result.lower_v_per_m[0])
    threshold = found["threshold_v_per_m"]
    return CellThreshold(
        model=cell.name,
        waveform=drive.name,
        dt_s=drive.dt_s,
        solver=solver,
        rel_tol=rel_tol,
        no_threshold_reason=(
            None if np.isfinite(threshold) else no_threshold_reason(cell, drive, highest)
        ),
        initiation_site=_site(cell, node),
        source=cell.source.to_dict(),
        warnings=tuple(cell.threshold_warnings(threshold)),
        **found,
    )


def threshold_of_cell(
    cell,
    drive,
    direction: str | None = None,
    field_file: str | Path | None = None,
    solver: str = "neuron",
    rel_tol: float = 0.005,
) -> CellThreshold:
    """Threshold of ``cell`` in a uniform field along ``direction`` or in a field file's E.

    Parameters
    ----------
    cell : CellModel
        The cell.
    drive : Drive
        The pulse waveform.
    direction : str or None
        ``"x,y,z"`` of a uniform field (default ``"1,0,0"``); not with ``field_file``.
    field_file : str, Path or None
        ``.npy`` or CSV of E (V/m) at the cell's nodes (:func:`tmslab.io.points.read_vectors`).
    solver : str
        ``"neuron"`` or ``"batched"``.
    rel_tol : float, dimensionless
        Relative width of the final bisection bracket.

    Returns
    -------
    CellThreshold
    """
    from tmslab.io.points import read_vectors

    if field_file is not None and direction is not None:  # before the file is read
        raise InvalidValueError("give either --direction or --field, not both")
    if field_file is None:
        unit = parse_direction(direction or "1,0,0")
        return threshold_from_field(cell, drive, direction=unit, solver=solver, rel_tol=rel_tol)
    values = read_vectors(field_file, cell.cable.n_nodes)
    return threshold_from_field(
        cell, drive, efield=values, solver=solver, rel_tol=rel_tol, field_file=str(field_file)
    )


def _neuron_initiation(cell, drive, unit, amplitude: float) -> int:
    # NEURON's threshold search records only the recording sites; one more run records all.
    from tmslab.neuron.coupling import uniform_quasipotential
    from tmslab.neuron.nrn import NeuronSolver

    solver = NeuronSolver(cell, drive, record_all=True)
    profile = uniform_quasipotential(cell.cable.position_m, unit)[None]
    return int(solver.simulate(profile, [amplitude]).initiation_node[0])


@dataclass(frozen=True, eq=False)
class DirectionMap:
    """Thresholds of a cell against the direction of a uniform field (:func:`direction_map`).

    Attributes
    ----------
    model : str
        The cell's name.
    waveform : str
        The pulse waveform's name.
    solver : str
        ``"neuron"`` or ``"batched"``.
    directions : (D, 3) ndarray, dimensionless
        Unit vectors of the uniform fields.
    thresholds_v_per_m : (D,) ndarray, V/m
        Threshold along each direction; NaN where the cell did not fire.
    warnings : tuple of str
        Caveats of the model at its lowest threshold.
    """

    model: str
    waveform: str
    solver: str
    directions: np.ndarray
    thresholds_v_per_m: np.ndarray
    warnings: tuple[str, ...] = field(default=())

    def summary(self) -> dict[str, Any]:
        """Counts and the lowest, median and highest threshold (V/m), without the arrays."""
        th = self.thresholds_v_per_m
        ok = np.isfinite(th)
        some = bool(np.any(ok))
        return {
            "model": self.model,
            "waveform": self.waveform,
            "solver": self.solver,
            "n_directions": len(th),
            "n_activated": int(np.sum(ok)),
            "min_threshold_v_per_m": float(np.min(th[ok])) if some else None,
            "median_threshold_v_per_m": float(np.median(th[ok])) if some else None,
            "max_threshold_v_per_m": float(np.max(th[ok])) if some else None,
            "lowest_direction": self.directions[np.nanargmin(th)] if some else None,
            "warnings": list(self.warnings),
        }

    def to_dict(self) -> dict[str, Any]:
        """The summary and the arrays, for JSON (SI units)."""
        return {
            **self.summary(),
            "directions": self.directions,
            "thresholds_v_per_m": self.thresholds_v_per_m,
        }

    def rows(self) -> list[tuple[str, Any]]:
        """(label, value) rows for a person."""
        summary = self.summary()
        rows = [
            (k.replace("_", " "), v) for k, v in summary.items() if k not in ("model", "warnings")
        ]
        return rows + [("warning", w) for w in self.warnings]


def direction_map(
    cell, drive, n_directions: int, solver: str = "batched", rel_tol: float = 0.005
) -> DirectionMap:
    """Threshold (V/m) of ``cell`` for uniform fields along ``n_directions`` directions spread
    evenly over the sphere (Fibonacci lattice); refused before any work if over budget.

    Parameters
    ----------
    cell : CellModel
        The cell.
    drive : Drive
        The pulse waveform (:func:`tmslab.neuron.drive.get_drive`).
    n_directions : int
        Directions, >= 1.
    solver : str
        ``"batched"`` or ``"neuron"``.
    rel_tol : float, dimensionless
        Relative width of the final bisection bracket.

    Returns
    -------
    DirectionMap
    """
    from tmslab import budgets
    from tmslab.neuron.directions import fibonacci_sphere
    from tmslab.neuron.threshold import direction_thresholds, map_size

    if n_directions < 1:
        raise InvalidValueError(f"--n-directions {n_directions} is not allowed; give 1 or more")
    # Before the directions are made: 1e8 of them would fill gigabytes before any simulation.
    budgets.check(budgets.neuron_map(n_directions, *map_size(cell, drive)))
    result = direction_thresholds(cell, drive, fibonacci_sphere(n_directions), solver, rel_tol)
    th = result.thresholds_v_per_m
    lowest = float(np.min(th[np.isfinite(th)])) if np.any(np.isfinite(th)) else float("nan")
    return DirectionMap(
        cell.name,
        drive.name,
        solver,
        result.directions,
        th,
        tuple(cell.threshold_warnings(lowest)),
    )


@dataclass(frozen=True, eq=False)
class StrengthDuration:
    """A cell's strength-duration curve along a direction (:func:`strength_duration_curve`).

    Attributes
    ----------
    model : str
        The cell's name.
    direction : (3,) ndarray, dimensionless
        Unit vector of the uniform field.
    solver : str
        ``"batched"`` or ``"neuron"``.
    curve : SDCurve
        Thresholds per pulse width and the Lapicque fit (:mod:`tmslab.neuron.sd_curve`).
    warnings : tuple of str
        Caveats of the model at the rheobase.
    """

    model: str
    direction: np.ndarray
    solver: str
    curve: Any  # tmslab.neuron.sd_curve.SDCurve
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The curve as plain values for JSON (SI units)."""
        head = {"model": self.model, "direction": self.direction, "solver": self.solver}
        return {**head, **self.curve.to_dict(), "warnings": list(self.warnings)}

    def rows(self) -> list[tuple[str, Any]]:
        """(label, value) rows for a person: one per width, rheobase, time constant."""
        sd = self.curve
        pairs = zip(sd.widths_s, sd.thresholds_v_per_m, strict=True)
        rows = [(f"{w * US_PER_S:.4g} us", f"{e:.5g} V/m") for w, e in pairs]
        rows += [
            ("rheobase", f"{sd.rheobase_v_per_m:.4g} V/m"),
            ("time constant", f"{sd.tau_s * US_PER_S:.4g} us"),
        ]
        return rows + [("warning", w) for w in self.warnings]


def strength_duration_curve(
    cell,
    direction: str,
    widths_us: str,
    dt_s: float,
    solver: str = "batched",
    rel_tol: float = 0.005,
    pulse: str = "rect",
    fit: str | None = None,
) -> StrengthDuration:
    """Strength-duration curve of ``cell`` for pulses of ``widths_us`` in a uniform field along
    ``direction``, with the fitted time constant.

    Parameters
    ----------
    cell : CellModel
        The cell.
    direction : str
        ``"x,y,z"`` (:func:`parse_direction`).
    widths_us : str
        Comma-separated pulse widths in us, e.g. ``"30,60"``.
    dt_s : float, s
        Time step.
    solver : str
        ``"batched"`` or ``"neuron"``.
    rel_tol : float, dimensionless
        Relative width of the final bisection bracket.
    pulse : str
        ``"rect"`` (rectangular) or ``"ctms"`` (cTMS pulses, M = 0.2).
    fit : str or None
        ``"lapicque"`` or ``"filter"``; None: Lapicque for rectangles, the filter for cTMS.

    Returns
    -------
    StrengthDuration
    """
    from tmslab.neuron.sd_curve import strength_duration

    try:
        widths = [float(w) / US_PER_S for w in widths_us.split(",") if w.strip()]
    except ValueError:
        raise InvalidValueError(
            f"--widths-us {widths_us!r}: give numbers, e.g. 20,50,100,200"
        ) from None
    unit = parse_direction(direction)
    fit = fit or ("lapicque" if pulse == "rect" else "filter")
    sd = strength_duration(cell, unit, widths, dt_s, solver, rel_tol, pulse, fit)
    return StrengthDuration(
        cell.name, unit, solver, sd, cell.threshold_warnings(sd.rheobase_v_per_m)
    )


def model_row(summary: dict[str, Any]) -> tuple[str, ...]:
    """Name, compartments, degC, rest and description of a model summary, for a table.

    Parameters
    ----------
    summary : dict
        A model summary (SI: ``v_rest_v`` and ``rest_range_v`` in V, ``celsius`` in degC).

    Returns
    -------
    tuple of str
        The row of ``tmslab neuron list``; the resting potential in mV (its range where it
        varies along the cell).
    """
    low, high = (v * MV_PER_V for v in summary.get("rest_range_v", [summary["v_rest_v"]] * 2))
    rest = f"{low:g} mV" if round(low, 1) == round(high, 1) else f"{low:.1f} to {high:.1f} mV"
    n = str(summary["n_compartments"])
    return summary["name"], n, f"{summary['celsius']:g}", rest, summary["description"]
