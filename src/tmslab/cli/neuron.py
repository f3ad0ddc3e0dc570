"""``tmslab neuron``: cable models in the induced field: thresholds, strength-duration, orientation maps."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tmslab.cli import GROUPS
from tmslab.cli import output as term
from tmslab.cli.params import Json, inject
from tmslab.cli.params import quantity_option as quantity
from tmslab.errors import InvalidValueError
from tmslab.units import MM, UM_PER_M, US_PER_S

if TYPE_CHECKING:
    from tmslab.neuron.cortex import HeadMapRequest
    from tmslab.neuron.drive import Drive
    from tmslab.neuron.models import CellModel

app = typer.Typer(help=GROUPS["neuron"][2], no_args_is_help=True)  # help: tmslab.cli table
Opt = typer.Option
SWC = Opt(None, "--swc", "--morphology", help="Use a morphology from this SWC file instead of --model (um; types 1-7 as NeMo-TMS).")  # fmt: skip
SWC_TYPES = Opt(None, "--swc-types", help="Roles of SWC types, e.g. 6=unmyelinated,7=node (roles: soma, axon, dendrite, myelin, node, unmyelinated, passive); 6 and 7 are otherwise recognised from their geometry.")  # fmt: skip
UNKNOWN = Opt("error", "--unknown-types", help="Other SWC types: error (refuse) or passive (model as passive dendrite, with a warning).")  # fmt: skip
MEMBRANE = Opt("cortical", "--membrane", help="Membranes of an SWC cell: cortical, aberra (Aberra et al. 2018's channels by section type) or hh.")  # fmt: skip
MYELINATE = Opt(False, "--myelinate", help="Myelinate the SWC file's plain axon (type 2) by Aberra et al. 2018's rules first.")  # fmt: skip
SEGMENT = quantity(20.0, "--max-segment-um", unit="um", help="Longest compartment of an SWC cell.")  # fmt: skip
WAVEFORM = Opt("monophasic", "--waveform", "-w", help="DEVICE:SHAPE (e.g. magventure-magpro-x100:biphasic), a shape on the MagPro X100 (monophasic, biphasic, half-sine) or rect-WIDTHus.")  # fmt: skip
DT = quantity(2.5, "--dt-us", unit="us", help="Time step (<= 5 us).")
BATCHED = Opt("batched", "--solver", help="neuron or batched.")
TOL = Opt(0.005, "--tol", help="Relative width of the final bisection bracket.")
DIRECTION = Opt(None, "--direction", "-d", help="Uniform field direction x,y,z (default 1,0,0).")
FIELD = Opt(None, "--field", help="Non-uniform field: .npy or .csv of E (V/m) at the model's nodes.")  # fmt: skip
WIDTHS = Opt("30,60,120", "--widths-us", help="Pulse (positive-phase) widths, us (comma separated; default: the cTMS widths of Peterchev 2013).")  # fmt: skip
PULSE = Opt("rect", "--pulse", help="rect (rectangular pulses) or ctms (cTMS pulses with a negative phase of M = 0.2, as the human measurements).")  # fmt: skip
FIT = Opt(None, "--fit", help="lapicque or filter (first-order filter on the actual waveform, Peterchev 2013); default lapicque for rect, filter for ctms.")  # fmt: skip
MAP_OUT = Opt(None, "--out", "-o", help="Figure of threshold against direction (.png/.svg/.pdf).")
METHOD = Opt("simulate", "--method", help="Head mode: simulate (every cell, the field at each compartment) or table (looked up in the cell's cached uniform-field direction table at each soma's field, with --check-cells simulated to report the error; Weise et al. 2023).")  # fmt: skip
TABLE_DIRECTIONS = Opt(400, "--table-directions", help="Head mode, --method table: directions of the table (computed once per cell and pulse, then cached).")  # fmt: skip
CHECK_CELLS = Opt(10, "--check-cells", help="Head mode, --method table: cells simulated in full to measure the table's error.")  # fmt: skip


def _cell(
    model: str = Opt(None, "--model", "-m", help="Model name (see 'tmslab neuron list')."),
    swc: Path = SWC,
    membrane: str = MEMBRANE,
    max_segment_um: float = SEGMENT,
    swc_types: str = SWC_TYPES,
    unknown_types: str = UNKNOWN,
    myelinate: bool = MYELINATE,
) -> CellModel:
    """The cell of a command: a built-in model or one built from an SWC file."""
    from tmslab.neuron.workflows import resolve_cell

    segment_m = max_segment_um / UM_PER_M
    return resolve_cell(model, swc, membrane, segment_m, swc_types, unknown_types, myelinate)


@app.command("list")
def list_command(json: Json = False) -> None:
    """List the built-in cell models with their size, temperature and sources."""
    from tmslab.neuron.models import get_model, list_models
    from tmslab.neuron.workflows import model_row

    rows = [get_model(name).summary() for name in list_models()]
    if json:
        return term.print_json(rows)
    columns = ("name", "compartments", "degC", "rest", "description")
    term.print_table("Cell models", columns, [model_row(r) for r in rows])


@app.command("nodes")
@inject(cell=_cell, out=(".csv",))
def nodes_command(
    cell: CellModel,
    out: Path = Opt(..., "--out", "-o", help="CSV file of node positions (m)."),
) -> None:
    """Write the model's cable nodes (x, y, z in metres): where --field must give E."""
    from tmslab.io.points import write_points

    write_points(out, cell.cable.position_m)
    term.console.print(f"wrote {cell.cable.n_nodes} node positions of {cell.name} to {out}")
    for warning in cell.warnings:
        term.console.print(f"warning: {warning}")


@app.command("threshold")
@inject(cell=_cell)
def threshold_command(
    cell: CellModel,
    waveform: str = WAVEFORM,
    dt_us: float = DT,
    direction: str = DIRECTION,
    field: Path = FIELD,
    solver: str = BATCHED,
    tol: float = TOL,
    json: Json = False,
) -> None:
    """Threshold (peak E, V/m) of a cell in a uniform field along --direction, or of a field file."""
    from tmslab.neuron.drive import get_drive
    from tmslab.neuron.workflows import threshold_of_cell

    drive = get_drive(waveform, dt_us / US_PER_S)
    result = threshold_of_cell(cell, drive, direction, field, solver, tol)
    term.print_result(result, f"Threshold of {cell.name}", json)


@app.command("sd-curve")
@inject(cell=_cell, out=term.FIGURE_SUFFIXES)
def sd_curve_command(
    cell: CellModel,
    direction: str = Opt("1,0,0", "--direction", "-d", help="Uniform field direction x,y,z."),
    widths_us: str = WIDTHS,
    dt_us: float = DT,
    solver: str = BATCHED,
    tol: float = TOL,
    pulse: str = PULSE,
    fit: str = FIT,
    out: Path = Opt(None, "--out", "-o", help="Also draw the curve to this .png/.svg/.pdf."),
    json: Json = False,
) -> None:
    """Strength-duration curve (rectangular or cTMS pulses) and its fitted time constant."""
    from tmslab.neuron.workflows import strength_duration_curve

    dt_s = dt_us / US_PER_S
    result = strength_duration_curve(cell, direction, widths_us, dt_s, solver, tol, pulse, fit)
    if out is not None:
        from tmslab.viz.neuron import plot_sd_curve

        term.save_figure(plot_sd_curve(result.curve, f"{cell.name}: strength-duration"), out)
    term.print_result(result, f"Strength-duration of {cell.name}", json)


# --- head mode of `map`: cells placed in the cortex of a realistic head (issue 17) ----------
HEAD = Opt(None, "--head", help="Head mode: fsaverage (the template) or a SimNIBS mesh MESH.msh; cells placed in the cortex around --target (needs --coil).")  # fmt: skip
COIL = Opt(None, "--coil", help="Head mode: coil preset name, .ccd file or coil TOML file.")
AT = Opt(None, "--position", "--at", help="Head mode: 10-05 position of the coil centre, e.g. C3.")  # fmt: skip
AT_MNI = Opt(None, "--position-mni", "--at-mni", metavar="X,Y,Z", help="Head mode: coil over the scalp point nearest to this MNI152 coordinate, mm.")  # fmt: skip
ANGLE = Opt(None, "--handle-angle", help="Head mode: handle angle from posterior, degrees (45 at C3: the usual M1 placement). Default 0.")  # fmt: skip
TOWARDS = Opt(None, "--handle-towards", help="Head mode: 10-05 position the handle points to.")
DISTANCE = quantity(0.0, "--distance-mm", unit="mm", help="Head mode: gap between the scalp and the coil centre.")  # fmt: skip
TARGET = Opt(None, "--target", help="Head mode: centre of the patch of cells, a named target (M1-hand, DLPFC-Fox2012).")  # fmt: skip
TARGET_MNI = Opt(None, "--target-mni", metavar="X,Y,Z", help="Head mode: patch centre at this MNI152 coordinate, mm.")  # fmt: skip
TARGET_LABEL = Opt(None, "--target-label", help="Head mode: patch centre under this 10-05 position.")  # fmt: skip
RADIUS = quantity(10.0, "--radius-mm", unit="mm", help="Head mode: radius of the patch along the cortex.")  # fmt: skip
LAYER = Opt(None, "--layer", help="Head mode: cortical layer of the somata (L1, L2/3, L4, L5, L6); default from the model's name (else L5).")  # fmt: skip
AZIMUTH = Opt(None, "--azimuth-deg", help="Head mode: rotation of every cell about the cortical normal, degrees; default drawn at random (seeded).")  # fmt: skip
HEAD_DIDT = quantity(1e8, "--didt", unit="A/s", help="Head mode: applied peak dI/dt (thresholds are reported as % of it).")  # fmt: skip
DIDT_MAX = quantity(None, "--didt-max", unit="A/s", help="Head mode: peak dI/dt of the stimulator and coil at 100 % MSO (thresholds also in % MSO).")  # fmt: skip


MAP_MODEL = Opt(None, "--model", "-m", help="Model name (see 'tmslab neuron list'); with --head, several comma-separated types share one field solve.")  # fmt: skip
N_DIRECTIONS = Opt(None, "--n-directions", help="Field directions on the sphere (default 200; not with --head).")  # fmt: skip


def _cells(
    model: str = MAP_MODEL,
    swc: Path = SWC,
    membrane: str = MEMBRANE,
    max_segment_um: float = SEGMENT,
    swc_types: str = SWC_TYPES,
    unknown_types: str = UNKNOWN,
    myelinate: bool = MYELINATE,
) -> tuple[CellModel, ...]:
    """The cell types of ``map``: one, or (head mode) several comma-separated names."""
    from tmslab.neuron.workflows import resolve_cells

    segment_m = max_segment_um / UM_PER_M
    return resolve_cells(model, swc, membrane, segment_m, swc_types, unknown_types, myelinate)


def _head_request(
    ctx: typer.Context,
    head: str = HEAD,
    coil: str = COIL,
    at: str = AT,
    at_mni: str = AT_MNI,
    handle_angle: float = ANGLE,
    handle_towards: str = TOWARDS,
    distance_mm: float = DISTANCE,
    target: str = TARGET,
    target_mni: str = TARGET_MNI,
    target_label: str = TARGET_LABEL,
    radius_mm: float = RADIUS,
    cells: int = Opt(200, "--cells", help="Head mode: number of cells placed in the patch."),
    layer: str = LAYER,
    azimuth_deg: float = AZIMUTH,
    seed: int = Opt(0, "--seed", help="Head mode: seed of the cell positions and rotations."),
    method: str = METHOD,
    table_directions: int = TABLE_DIRECTIONS,
    check_cells: int = CHECK_CELLS,
    didt: float = HEAD_DIDT,
    didt_max: float = DIDT_MAX,
) -> HeadMapRequest | None:
    """Head mode's options as one request; None when no option names a head, coil or target
    (then a head-mode option given on the command line is an error: it would be ignored)."""
    if all(o is None for o in (head, coil, at, at_mni, target, target_mni, target_label)):
        given = [
            max(p.opts, key=len)
            for p in ctx.command.params
            if p.name in _HEAD_OPTIONS and ctx.get_parameter_source(p.name).name == "COMMANDLINE"
        ]
        if given:
            raise InvalidValueError(
                f"{', '.join(given)} "
                + ("is a head-mode option" if len(given) == 1 else "are head-mode options")
                + ": give --coil and --target as well, or leave them out"
            )
        return None
    from tmslab.efield.head_run import parse_mni_mm
    from tmslab.neuron.cortex import HeadMapRequest

    return HeadMapRequest(
        coil, head, target, parse_mni_mm(target_mni, "--target-mni"), target_label, at=at,
        at_mni_m=parse_mni_mm(at_mni, "--position-mni"), handle_angle_deg=handle_angle,
        handle_towards=handle_towards, distance_m=distance_mm * MM, didt_a_per_s=didt,
        didt_max_a_per_s=didt_max, radius_m=radius_mm * MM, n_cells=cells, layer=layer,
        azimuth_deg=azimuth_deg, seed=seed, method=method, table_directions=table_directions,
        check_cells=check_cells,
    )  # fmt: skip


_HEAD_OPTIONS = tuple(inspect.signature(_head_request).parameters)[1:]  # after ctx


@app.command("map")
@inject(models=_cells, request=_head_request, out=term.FIGURE_SUFFIXES)
def map_command(
    models: tuple[CellModel, ...],
    waveform: str = WAVEFORM,
    dt_us: float = DT,
    n_directions: int = N_DIRECTIONS,
    solver: str = BATCHED,
    tol: float = TOL,
    request: HeadMapRequest | None = None,
    out: Path = MAP_OUT,
    json: Json = False,
) -> None:
    """Threshold against the direction of a uniform field; or, with --head and --coil, of cells
    placed in the cortex around a target (threshold map and input-output curve)."""
    from tmslab.neuron.drive import get_drive

    if request is not None and n_directions is not None:
        raise InvalidValueError("--n-directions is for a uniform field; not with --head/--coil")
    drive = get_drive(waveform, dt_us / US_PER_S)
    if request is None:
        return _direction_map(models, drive, n_directions, solver, tol, out, json)
    with term.console.status("loading the head, placing the coil and the cells..."):
        setup = request.prepare(models, drive)
    n = request.n_cells * len(models)
    with term.console.status(f"solving the field and {n} thresholds ({setup.placement})..."):
        results = request.run(setup, models, drive, solver, tol)
    if out is not None:
        from tmslab.viz.cortex_map import plot_cortex_threshold_map

        shown = results[0] if len(results) == 1 else results
        term.save_figure(plot_cortex_threshold_map(shown, subtitle=setup.placement), out)
    if json:
        records = [r.to_dict() for r in results]
        return term.print_json(records[0] if len(records) == 1 else records)
    for result in results:
        term.print_rows(f"Cortex threshold map of {result.model}", result.rows())
    term.print_written(out)


def _direction_map(models, drive: Drive, n_directions, solver, tol, out, json) -> None:
    from tmslab.neuron.workflows import direction_map

    if len(models) > 1:
        raise InvalidValueError(
            "several --model types need head mode (--coil, --target): a uniform map takes one"
        )
    cell = models[0]
    result = direction_map(cell, drive, 200 if n_directions is None else n_directions, solver, tol)
    if out is not None:
        from tmslab.viz.neuron import plot_direction_map

        title = f"{cell.name}, {drive.name}"
        figure = plot_direction_map(result.directions, result.thresholds_v_per_m, title)
        term.save_figure(figure, out)
    term.print_result(result, f"Threshold map of {cell.name}", json)


# --- fetch-cells: the cells tmslab cannot ship (licences), pinned and SHA-256 checked ---------
DEST = Opt(None, "--dest", help="Folder to store the cells in (default: the first writable of $TMSLAB_MORPHOLOGIES, ~/.local/share/tmslab/morphologies).")  # fmt: skip
SOURCE = Opt(None, "--source", help="nemo-tms (aberra-l5-pc, aberra-l23-pc) or aberra2020 (the 25 Blue Brain cells of Aberra et al. 2020); repeat for both (default both).")  # fmt: skip
BASE_URL = Opt(None, "--base-url", help="Mirror laid out as raw.githubusercontent.com (BASE/OWNER/REPO/COMMIT/FILE), or a file:// folder.")  # fmt: skip


@app.command("fetch-cells")
def fetch_cells_command(
    dest: Path = DEST,
    source: list[str] = SOURCE,
    base_url: str = BASE_URL,
) -> None:
    """Download the published cells tmslab cannot ship, checked by SHA-256, and print their licences."""
    from tmslab.neuron.fetch import SOURCES, fetch_cells

    say = lambda line: term.console.print(line, markup=False, highlight=False)  # noqa: E731
    fetch_cells(dest, source or SOURCES, base_url, echo=say)
