"""``tmslab neuron``: cable models in the induced field: thresholds, strength-duration, orientation maps."""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli.output import (
    FIGURE_SUFFIXES,
    check_out,
    console,
    key_value_table,
    print_json,
    print_table,
    save_figure,
)
from tmslab.cli.params import quantity_option as quantity
from tmslab.units import UM_PER_M, US_PER_S

app = typer.Typer(
    help="Cable models in the induced field: thresholds, strength-duration, orientation maps.",
    no_args_is_help=True,
)
Opt = typer.Option
JSON = Opt(False, "--json", help="Print machine-readable JSON.")
MODEL = Opt(None, "--model", "-m", help="Model name (see 'tmslab neuron list').")
SWC = Opt(None, "--swc", "--morphology", help="Use a morphology from this SWC file instead of --model (um; types 1-7 as NeMo-TMS).")  # fmt: skip
SWC_TYPES = Opt(None, "--swc-types", help="Roles of SWC types, e.g. 6=unmyelinated,7=node (roles: soma, axon, dendrite, myelin, node, unmyelinated, passive); 6 and 7 are otherwise recognised from their geometry.")  # fmt: skip
UNKNOWN = Opt("error", "--unknown-types", help="Other SWC types: error (refuse) or passive (model as passive dendrite, with a warning).")  # fmt: skip
MEMBRANE = Opt("cortical", "--membrane", help="Membranes of an SWC cell: cortical or hh.")
SEGMENT = quantity(20.0, "--max-segment-um", unit="um", help="Longest compartment of an SWC cell.")  # fmt: skip
WAVEFORM = Opt("monophasic", "--waveform", "-w", help="DEVICE:SHAPE (e.g. magventure-magpro-x100:biphasic), a shape on the MagPro X100 (monophasic, biphasic, half-sine) or rect-WIDTHus.")  # fmt: skip
DT = quantity(2.5, "--dt-us", unit="us", help="Time step (<= 5 us).")
BATCHED = Opt("batched", "--solver", help="neuron or batched.")
TOL = Opt(0.005, "--tol", help="Relative width of the final bisection bracket.")
DIRECTION = Opt(None, "--direction", "-d", help="Uniform field direction x,y,z (default 1,0,0).")
FIELD = Opt(None, "--field", help="Non-uniform field: .npy or .csv of E (V/m) at the model's nodes.")  # fmt: skip
WIDTHS = Opt("30,60,120", "--widths-us", help="Rectangular pulse widths, us (comma separated; default: the cTMS widths of Peterchev 2013).")  # fmt: skip
MAP_OUT = Opt(None, "--out", "-o", help="Figure of threshold against direction (.png/.svg/.pdf).")


def _cell(model, swc, membrane, max_segment_um, swc_types, unknown_types):
    from tmslab.neuron.workflows import resolve_cell

    return resolve_cell(model, swc, membrane, max_segment_um / UM_PER_M, swc_types, unknown_types)


@app.command("list")
def list_command(json: bool = JSON) -> None:
    """List the built-in cell models with their size, temperature and sources."""
    from tmslab.neuron.models import get_model, list_models
    from tmslab.neuron.workflows import model_row

    rows = [get_model(name).summary() for name in list_models()]
    if json:
        return print_json(rows)
    columns = ("name", "compartments", "degC", "rest", "description")
    print_table("Cell models", columns, [model_row(r) for r in rows])


@app.command("nodes")
def nodes_command(
    model: str = MODEL,
    swc: Path = SWC,
    membrane: str = MEMBRANE,
    max_segment_um: float = SEGMENT,
    swc_types: str = SWC_TYPES,
    unknown_types: str = UNKNOWN,
    out: Path = Opt(..., "--out", "-o", help="CSV file of node positions (m)."),
) -> None:
    """Write the model's cable nodes (x, y, z in metres): where --field must give E."""
    from tmslab.io.points import write_points

    check_out(out, (".csv",))
    cell = _cell(model, swc, membrane, max_segment_um, swc_types, unknown_types)
    write_points(out, cell.cable.position_m)
    console.print(f"wrote {cell.cable.n_nodes} node positions of {cell.name} to {out}")
    for warning in cell.warnings:
        console.print(f"warning: {warning}")


@app.command("threshold")
def threshold_command(
    model: str = MODEL,
    swc: Path = SWC,
    membrane: str = MEMBRANE,
    max_segment_um: float = SEGMENT,
    swc_types: str = SWC_TYPES,
    unknown_types: str = UNKNOWN,
    waveform: str = WAVEFORM,
    dt_us: float = DT,
    direction: str = DIRECTION,
    field: Path = FIELD,
    solver: str = Opt("neuron", "--solver", help="neuron or batched."),
    tol: float = TOL,
    json: bool = JSON,
) -> None:
    """Threshold (peak E, V/m) of a cell in a uniform field along --direction, or of a field file."""
    from tmslab.io.points import read_vectors
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.workflows import parse_direction, threshold_from_field

    cell = _cell(model, swc, membrane, max_segment_um, swc_types, unknown_types)
    drive = get_drive(waveform, dt_us / US_PER_S)
    if field is not None and direction is not None:
        from tmslab.errors import InvalidValueError

        raise InvalidValueError("give either --direction or --field, not both")
    values = None if field is None else read_vectors(field, cell.cable.n_nodes)
    unit = None if field is not None else parse_direction(direction or "1,0,0")
    kw = dict(solver=solver, rel_tol=tol, field_file=field and str(field))
    result = threshold_from_field(cell, drive, direction=unit, efield=values, **kw)
    if json:
        return print_json(result.to_dict())
    console.print(key_value_table(f"Threshold of {cell.name}", result.rows()))


@app.command("sd-curve")
def sd_curve_command(
    model: str = MODEL,
    swc: Path = SWC,
    membrane: str = MEMBRANE,
    max_segment_um: float = SEGMENT,
    swc_types: str = SWC_TYPES,
    unknown_types: str = UNKNOWN,
    direction: str = Opt("1,0,0", "--direction", "-d", help="Uniform field direction x,y,z."),
    widths_us: str = WIDTHS,
    dt_us: float = DT,
    solver: str = BATCHED,
    tol: float = TOL,
    out: Path = Opt(None, "--out", "-o", help="Also draw the curve to this .png/.svg/.pdf."),
    json: bool = JSON,
) -> None:
    """Strength-duration curve for rectangular pulses and its fitted time constant (Lapicque)."""
    from tmslab.neuron.workflows import strength_duration_curve

    check_out(out, FIGURE_SUFFIXES)  # before the thresholds are computed
    cell = _cell(model, swc, membrane, max_segment_um, swc_types, unknown_types)
    result = strength_duration_curve(cell, direction, widths_us, dt_us / US_PER_S, solver, tol)
    if out is not None:
        from tmslab.viz.neuron import plot_sd_curve

        save_figure(plot_sd_curve(result.curve, f"{cell.name}: strength-duration"), out)
    if json:
        return print_json(result.to_dict())
    console.print(key_value_table(f"Strength-duration of {cell.name}", result.rows()))


@app.command("map")
def map_command(
    model: str = MODEL,
    swc: Path = SWC,
    membrane: str = MEMBRANE,
    max_segment_um: float = SEGMENT,
    swc_types: str = SWC_TYPES,
    unknown_types: str = UNKNOWN,
    waveform: str = WAVEFORM,
    dt_us: float = DT,
    n_directions: int = Opt(200, "--n-directions", help="Field directions on the sphere."),
    solver: str = BATCHED,
    tol: float = TOL,
    out: Path = MAP_OUT,
    json: bool = JSON,
) -> None:
    """Threshold against the direction of a uniform field, over directions on the sphere."""
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.workflows import direction_map

    check_out(out, FIGURE_SUFFIXES)  # before the thresholds are computed
    cell = _cell(model, swc, membrane, max_segment_um, swc_types, unknown_types)
    drive = get_drive(waveform, dt_us / US_PER_S)
    result = direction_map(cell, drive, n_directions, solver, tol)
    if out is not None:
        from tmslab.viz.neuron import plot_direction_map

        title = f"{cell.name}, {drive.name}"
        save_figure(plot_direction_map(result.directions, result.thresholds_v_per_m, title), out)
    if json:
        return print_json(result.to_dict())
    console.print(key_value_table(f"Threshold map of {cell.name}", result.rows()))
