"""``tmslab neuron``: cable models in the induced field: thresholds, strength-duration, orientation maps."""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli.output import (
    FIGURE_SUFFIXES,
    check_figure_path,
    check_out,
    console,
    key_value_table,
    print_json,
    save_figure,
)
from tmslab.cli.params import quantity_option
from tmslab.errors import InvalidValueError

app = typer.Typer(
    help="Cable models in the induced field: thresholds, strength-duration, orientation maps.",
    no_args_is_help=True,
)

JSON_OPT = typer.Option(False, "--json", help="Print machine-readable JSON.")
MODEL_OPT = typer.Option(None, "--model", "-m", help="Model name (see 'tmslab neuron list').")
SWC_OPT = typer.Option(
    None,
    "--swc",
    "--morphology",
    help="Use a morphology from this SWC file instead of --model (um; types 1-7 as NeMo-TMS).",
)
SWC_TYPES_OPT = typer.Option(
    None,
    "--swc-types",
    help="Roles of SWC types, e.g. 6=unmyelinated,7=node (roles: soma, axon, dendrite, myelin, "
    "node, unmyelinated, passive); 6 and 7 are otherwise recognised from their geometry.",
)
UNKNOWN_TYPES_OPT = typer.Option(
    "error",
    "--unknown-types",
    help="Other SWC types: error (refuse) or passive (model as passive dendrite, with a warning).",
)
MEMBRANE_OPT = typer.Option(
    "cortical", "--membrane", help="Membranes of an SWC cell: cortical or hh."
)
SEGMENT_OPT = quantity_option(
    20.0, "--max-segment-um", unit="um", help="Longest compartment of an SWC cell."
)
WAVEFORM_OPT = typer.Option(
    "monophasic",
    "--waveform",
    "-w",
    help="DEVICE:SHAPE (e.g. magventure-magpro-x100:biphasic), a shape on the MagPro X100 "
    "(monophasic, biphasic, half-sine) or rect-WIDTHus.",
)
DT_OPT = quantity_option(2.5, "--dt-us", unit="us", help="Time step (<= 5 us).")
SOLVER_OPT = typer.Option("neuron", "--solver", help="neuron or batched.")
TOL_OPT = typer.Option(0.005, "--tol", help="Relative width of the final bisection bracket.")


def _swc_types(text: str | None) -> dict[int, str] | None:
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


def _model(
    model: str | None,
    swc: Path | None,
    membrane: str,
    max_segment_um: float,
    swc_types: str | None = None,
    unknown_types: str = "error",
):
    from tmslab.neuron.models import get_model, model_from_swc

    if swc is not None:
        if model not in (None, "swc"):
            raise InvalidValueError(f"give either --model {model} or --swc {swc}, not both")
        return model_from_swc(
            swc,
            membrane=membrane,
            max_segment_m=max_segment_um / 1e6,
            swc_types=_swc_types(swc_types),
            unknown_types=unknown_types,
        )
    if model is None:
        raise InvalidValueError("give --model NAME (see 'tmslab neuron list') or --swc FILE")
    return get_model(model)


def _direction(text: str):
    from tmslab.neuron.coupling import unit_vector

    parts = [p for p in str(text).replace(" ", "").split(",") if p]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InvalidValueError(
            f"--direction {text!r}: give three numbers x,y,z, e.g. 1,0,0"
        ) from None
    if len(values) != 3:
        raise InvalidValueError(f"--direction {text!r}: give three numbers x,y,z, e.g. 1,0,0")
    return unit_vector(values)


def _site(model, node: int) -> dict | None:
    if node < 0:
        return None
    cable = model.cable
    branch = int(cable.branch[node])
    return {
        "node": int(node),
        "branch": branch,
        "label": model.morphology.branches[branch].label,
        "position_m": cable.position_m[node],
    }


@app.command("list")
def list_command(json: bool = JSON_OPT) -> None:
    """List the built-in cell models with their size, temperature and sources."""
    from tmslab.neuron.models import get_model, list_models

    rows = [get_model(name).summary() for name in list_models()]
    if json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(title="Cell models", title_justify="left")
    for column in ("name", "compartments", "degC", "rest", "description"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["name"],
            str(r["n_compartments"]),
            f"{r['celsius']:g}",
            f"{r['v_rest_v'] * 1e3:g} mV",
            r["description"],
        )
    console.print(table)


@app.command("nodes")
def nodes_command(
    model: str = MODEL_OPT,
    swc: Path = SWC_OPT,
    membrane: str = MEMBRANE_OPT,
    max_segment_um: float = SEGMENT_OPT,
    swc_types: str = SWC_TYPES_OPT,
    unknown_types: str = UNKNOWN_TYPES_OPT,
    out: Path = typer.Option(..., "--out", "-o", help="CSV file of node positions (m)."),
) -> None:
    """Write the model's cable nodes (x, y, z in metres): where --field must give E."""
    check_out(out, (".csv",))
    from tmslab.provenance import atomic_write_text

    cell = _model(model, swc, membrane, max_segment_um, swc_types, unknown_types)
    lines = ["x_m,y_m,z_m"] + [f"{x:.9g},{y:.9g},{z:.9g}" for x, y, z in cell.cable.position_m]
    atomic_write_text(out, "\n".join(lines) + "\n")
    console.print(f"wrote {cell.cable.n_nodes} node positions of {cell.name} to {out}")
    for warning in cell.warnings:
        console.print(f"warning: {warning}")


def _read_field(path: Path, n_nodes: int):
    import numpy as np

    from tmslab.errors import SpecFileError

    try:
        if path.suffix.lower() == ".npy":
            values = np.load(path)
        else:
            values = np.loadtxt(path, delimiter=",", ndmin=2, comments="#", skiprows=_header(path))
    except FileNotFoundError:
        raise SpecFileError(f"field file {path} not found") from None
    except (OSError, ValueError) as error:
        raise SpecFileError(
            f"cannot read field file {path}: {' '.join(str(error).split())[:120]}"
        ) from None
    values = np.asarray(values, dtype=float)
    if values.shape != (n_nodes, 3):
        raise InvalidValueError(
            f"the field array in {path.name} has shape {values.shape} but the morphology has "
            f"{n_nodes} nodes; give ({n_nodes}, 3) values of E in V/m at the positions of "
            "'tmslab neuron nodes'"
        )
    return values


def _header(path: Path) -> int:
    with path.open(encoding="utf-8", errors="replace") as handle:
        first = handle.readline()
    return 1 if any(c.isalpha() for c in first.replace("e", "").replace("E", "")) else 0


@app.command("threshold")
def threshold_command(
    model: str = MODEL_OPT,
    swc: Path = SWC_OPT,
    membrane: str = MEMBRANE_OPT,
    max_segment_um: float = SEGMENT_OPT,
    swc_types: str = SWC_TYPES_OPT,
    unknown_types: str = UNKNOWN_TYPES_OPT,
    waveform: str = WAVEFORM_OPT,
    dt_us: float = DT_OPT,
    direction: str = typer.Option(
        None, "--direction", "-d", help="Uniform field direction x,y,z (default 1,0,0)."
    ),
    field: Path = typer.Option(
        None, "--field", help="Non-uniform field: .npy or .csv of E (V/m) at the model's nodes."
    ),
    solver: str = SOLVER_OPT,
    tol: float = TOL_OPT,
    json: bool = JSON_OPT,
) -> None:
    """Threshold (peak E, V/m) of a cell in a uniform field along --direction, or of a field file."""
    import numpy as np

    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.simulation import get_solver
    from tmslab.neuron.threshold import (
        bisect_thresholds,
        direction_thresholds,
        no_threshold_reason,
    )

    cell = _model(model, swc, membrane, max_segment_um, swc_types, unknown_types)
    drive = get_drive(waveform, dt_us / 1e6)
    record = {
        "model": cell.name,
        "waveform": drive.name,
        "dt_s": drive.dt_s,
        "solver": solver,
        "rel_tol": tol,
    }
    if field is not None:
        if direction is not None:
            raise InvalidValueError("give either --direction or --field, not both")
        from tmslab.neuron.coupling import quasipotentials

        values = _read_field(field, cell.cable.n_nodes)
        profile = quasipotentials(cell.cable, values)
        engine = get_solver(solver, cell, drive)

        def run(idx, amps):
            out = engine.simulate(np.repeat(profile[None], len(idx), axis=0), amps)
            return out.fired, out.spike_time_s, out.initiation_node

        search = bisect_thresholds(run, 1, 1.0, tol)
        peak = float(np.max(np.linalg.norm(values, axis=1)))
        scale = float(search.thresholds[0])
        record.update(
            field_file=str(field),
            threshold_scale=scale,
            threshold=scale * peak,
            threshold_v_per_m=scale * peak,
            threshold_definition="largest |E| over the cell's nodes at threshold",
            spike_time_s=search.spike_time_s[0],
            n_simulations=search.n_simulations,
        )
        highest = float(search.lower[0]) * peak
        node = int(search.initiation_node[0])
    else:
        unit = _direction(direction or "1,0,0")
        result = direction_thresholds(cell, drive, unit[None], solver, tol)
        node = int(result.initiation_node[0])
        if solver == "neuron" and np.isfinite(result.thresholds_v_per_m[0]):
            node = _neuron_initiation(cell, drive, unit, result.thresholds_v_per_m[0])
        record.update(
            direction=unit,
            threshold=result.thresholds_v_per_m[0],
            threshold_v_per_m=result.thresholds_v_per_m[0],
            threshold_definition="peak E of a uniform field along the direction",
            spike_time_s=result.spike_time_s[0],
            n_simulations=result.n_simulations,
        )
        highest = float(result.lower_v_per_m[0])
    record["activated"] = bool(np.isfinite(record["threshold"]))
    record["no_threshold_reason"] = (
        None if record["activated"] else no_threshold_reason(cell, drive, highest)
    )
    record["initiation_site"] = _site(cell, node)
    record["source"] = cell.source.to_dict()
    record["warnings"] = list(cell.threshold_warnings(record["threshold_v_per_m"]))
    if json:
        print_json(record)
        return
    threshold = record["threshold"]
    rows = [
        ("model", cell.name),
        ("waveform", f"{drive.name}, dt {drive.dt_s * 1e6:g} us"),
        (
            "threshold",
            f"{threshold:.5g} V/m" if record["activated"] else record["no_threshold_reason"],
        ),
        ("solver", f"{solver} ({record['n_simulations']} runs, bracket {tol * 100:g} %)"),
    ]
    if record["initiation_site"]:
        site = record["initiation_site"]
        rows.append(("action potential starts at", f"{site['label']} (node {site['node']})"))
    rows += [("warning", w) for w in record["warnings"]]
    console.print(key_value_table(f"Threshold of {cell.name}", rows))


def _neuron_initiation(cell, drive, unit, amplitude: float) -> int:
    from tmslab.neuron.coupling import uniform_quasipotential
    from tmslab.neuron.nrn import NeuronSolver

    solver = NeuronSolver(cell, drive, record_all=True)
    profile = uniform_quasipotential(cell.cable.position_m, unit)[None]
    return int(solver.simulate(profile, [amplitude]).initiation_node[0])


@app.command("sd-curve")
def sd_curve_command(
    model: str = MODEL_OPT,
    swc: Path = SWC_OPT,
    membrane: str = MEMBRANE_OPT,
    max_segment_um: float = SEGMENT_OPT,
    swc_types: str = SWC_TYPES_OPT,
    unknown_types: str = UNKNOWN_TYPES_OPT,
    direction: str = typer.Option(
        "1,0,0", "--direction", "-d", help="Uniform field direction x,y,z."
    ),
    widths_us: str = typer.Option(
        "30,60,120",
        "--widths-us",
        help="Rectangular pulse widths, us (comma separated; default: the cTMS widths of Peterchev 2013).",
    ),
    dt_us: float = DT_OPT,
    solver: str = typer.Option("batched", "--solver", help="neuron or batched."),
    tol: float = TOL_OPT,
    out: Path = typer.Option(
        None, "--out", "-o", help="Also draw the curve to this .png/.svg/.pdf."
    ),
    json: bool = JSON_OPT,
) -> None:
    """Strength-duration curve for rectangular pulses and its fitted time constant (Lapicque)."""
    check_out(out, FIGURE_SUFFIXES)
    from tmslab.neuron.sd_curve import strength_duration

    check_figure_path(out)  # before the thresholds are computed
    cell = _model(model, swc, membrane, max_segment_um, swc_types, unknown_types)
    try:
        widths = [float(w) / 1e6 for w in widths_us.split(",") if w.strip()]
    except ValueError:
        raise InvalidValueError(
            f"--widths-us {widths_us!r}: give numbers, e.g. 20,50,100,200"
        ) from None
    sd = strength_duration(cell, _direction(direction), widths, dt_us / 1e6, solver, tol)
    if out is not None:
        from tmslab.viz.neuron import plot_sd_curve

        save_figure(plot_sd_curve(sd, f"{cell.name}: strength-duration"), out)
    record = {
        "model": cell.name,
        "direction": _direction(direction),
        "solver": solver,
        **sd.to_dict(),
    }
    record["warnings"] = list(cell.threshold_warnings(sd.rheobase_v_per_m))
    if json:
        print_json(record)
        return
    rows = [
        (f"{w * 1e6:.4g} us", f"{e:.5g} V/m")
        for w, e in zip(sd.widths_s, sd.thresholds_v_per_m, strict=True)
    ]
    rows += [
        ("rheobase", f"{sd.rheobase_v_per_m:.4g} V/m"),
        ("time constant", f"{sd.tau_s * 1e6:.4g} us"),
    ]
    rows += [("warning", w) for w in record["warnings"]]
    console.print(key_value_table(f"Strength-duration of {cell.name}", rows))


@app.command("map")
def map_command(
    model: str = MODEL_OPT,
    swc: Path = SWC_OPT,
    membrane: str = MEMBRANE_OPT,
    max_segment_um: float = SEGMENT_OPT,
    swc_types: str = SWC_TYPES_OPT,
    unknown_types: str = UNKNOWN_TYPES_OPT,
    waveform: str = WAVEFORM_OPT,
    dt_us: float = DT_OPT,
    n_directions: int = typer.Option(200, "--n-directions", help="Field directions on the sphere."),
    solver: str = typer.Option("batched", "--solver", help="neuron or batched."),
    tol: float = TOL_OPT,
    out: Path = typer.Option(
        None, "--out", "-o", help="Figure of threshold against direction (.png/.svg/.pdf)."
    ),
    json: bool = JSON_OPT,
) -> None:
    """Threshold against the direction of a uniform field, over directions on the sphere."""
    check_out(out, FIGURE_SUFFIXES)
    import numpy as np

    from tmslab import budgets
    from tmslab.neuron.directions import fibonacci_sphere
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.threshold import direction_thresholds, map_size

    check_figure_path(out)  # before the thresholds are computed
    cell = _model(model, swc, membrane, max_segment_um, swc_types, unknown_types)
    drive = get_drive(waveform, dt_us / 1e6)
    if n_directions < 1:
        raise InvalidValueError(f"--n-directions {n_directions} is not allowed; give 1 or more")
    # Before the directions are made: 1e8 of them would fill gigabytes before any simulation.
    budgets.check(budgets.neuron_map(n_directions, *map_size(cell, drive)))
    result = direction_thresholds(cell, drive, fibonacci_sphere(n_directions), solver, tol)
    th = result.thresholds_v_per_m
    ok = np.isfinite(th)
    summary = {
        "model": cell.name,
        "waveform": drive.name,
        "solver": solver,
        "n_directions": len(th),
        "n_activated": int(np.sum(ok)),
        "min_threshold_v_per_m": float(np.min(th[ok])) if np.any(ok) else None,
        "median_threshold_v_per_m": float(np.median(th[ok])) if np.any(ok) else None,
        "max_threshold_v_per_m": float(np.max(th[ok])) if np.any(ok) else None,
        "lowest_direction": result.directions[np.nanargmin(th)] if np.any(ok) else None,
    }
    summary["warnings"] = list(
        cell.threshold_warnings(summary["min_threshold_v_per_m"] or float("nan"))
    )
    if out is not None:
        from tmslab.viz.neuron import plot_direction_map

        save_figure(plot_direction_map(result.directions, th, f"{cell.name}, {drive.name}"), out)
    if json:
        print_json({**summary, "directions": result.directions, "thresholds_v_per_m": th})
        return
    rows = [(k.replace("_", " "), v) for k, v in summary.items() if k not in ("model", "warnings")]
    rows += [("warning", w) for w in summary["warnings"]]
    console.print(key_value_table(f"Threshold map of {cell.name}", rows))
