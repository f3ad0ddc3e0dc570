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
MEMBRANE = Opt("cortical", "--membrane", help="Membranes of an SWC cell: cortical, aberra (Aberra et al. 2018's channels by section type) or hh.")  # fmt: skip
MYELINATE = Opt(False, "--myelinate", help="Myelinate the SWC file's plain axon (type 2) by Aberra et al. 2018's rules first.")  # fmt: skip
SEGMENT = quantity(20.0, "--max-segment-um", unit="um", help="Longest compartment of an SWC cell.")  # fmt: skip
WAVEFORM = Opt("monophasic", "--waveform", "-w", help="DEVICE:SHAPE (e.g. magventure-magpro-x100:biphasic), a shape on the MagPro X100 (monophasic, biphasic, half-sine) or rect-WIDTHus.")  # fmt: skip
DT = quantity(2.5, "--dt-us", unit="us", help="Time step (<= 5 us).")
BATCHED = Opt("batched", "--solver", help="neuron or batched.")
TOL = Opt(0.005, "--tol", help="Relative width of the final bisection bracket.")
DIRECTION = Opt(None, "--direction", "-d", help="Uniform field direction x,y,z (default 1,0,0).")
FIELD = Opt(None, "--field", help="Non-uniform field: .npy or .csv of E (V/m) at the model's nodes.")  # fmt: skip
WIDTHS = Opt("30,60,120", "--widths-us", help="Rectangular pulse widths, us (comma separated; default: the cTMS widths of Peterchev 2013).")  # fmt: skip
MAP_OUT = Opt(None, "--out", "-o", help="Figure of threshold against direction (.png/.svg/.pdf).")


def _cell(model, swc, membrane, max_segment_um, swc_types, unknown_types, myelinate=False):
    from tmslab.neuron.workflows import resolve_cell

    return resolve_cell(
        model, swc, membrane, max_segment_um / UM_PER_M, swc_types, unknown_types, myelinate
    )


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
    myelinate: bool = MYELINATE,
    out: Path = Opt(..., "--out", "-o", help="CSV file of node positions (m)."),
) -> None:
    """Write the model's cable nodes (x, y, z in metres): where --field must give E."""
    from tmslab.io.points import write_points

    check_out(out, (".csv",))
    cell = _cell(model, swc, membrane, max_segment_um, swc_types, unknown_types, myelinate)
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
    myelinate: bool = MYELINATE,
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

    cell = _cell(model, swc, membrane, max_segment_um, swc_types, unknown_types, myelinate)
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
    myelinate: bool = MYELINATE,
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
    cell = _cell(model, swc, membrane, max_segment_um, swc_types, unknown_types, myelinate)
    result = strength_duration_curve(cell, direction, widths_us, dt_us / US_PER_S, solver, tol)
    if out is not None:
        from tmslab.viz.neuron import plot_sd_curve

        save_figure(plot_sd_curve(result.curve, f"{cell.name}: strength-duration"), out)
    if json:
        return print_json(result.to_dict())
    console.print(key_value_table(f"Strength-duration of {cell.name}", result.rows()))


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
CELLS = Opt(200, "--cells", help="Head mode: number of cells placed in the patch.")
LAYER = Opt(None, "--layer", help="Head mode: cortical layer of the somata (L1, L2/3, L4, L5, L6); default from the model's name (else L5).")  # fmt: skip
AZIMUTH = Opt(None, "--azimuth-deg", help="Head mode: rotation of every cell about the cortical normal, degrees; default drawn at random (seeded).")  # fmt: skip
SEED = Opt(0, "--seed", help="Head mode: seed of the cell positions and rotations.")
HEAD_DIDT = quantity(1e8, "--didt", unit="A/s", help="Head mode: applied peak dI/dt (thresholds are reported as % of it).")  # fmt: skip
DIDT_MAX = quantity(None, "--didt-max", unit="A/s", help="Head mode: peak dI/dt of the stimulator and coil at 100 % MSO (thresholds also in % MSO).")  # fmt: skip


MAP_MODEL = Opt(None, "--model", "-m", help="Model name (see 'tmslab neuron list'); with --head, several comma-separated types share one field solve.")  # fmt: skip
N_DIRECTIONS = Opt(None, "--n-directions", help="Field directions on the sphere (default 200; not with --head).")  # fmt: skip


@app.command("map")
def map_command(
    model: str = MAP_MODEL,
    swc: Path = SWC,
    membrane: str = MEMBRANE,
    max_segment_um: float = SEGMENT,
    swc_types: str = SWC_TYPES,
    unknown_types: str = UNKNOWN,
    myelinate: bool = MYELINATE,
    waveform: str = WAVEFORM,
    dt_us: float = DT,
    n_directions: int = N_DIRECTIONS,
    solver: str = BATCHED,
    tol: float = TOL,
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
    cells: int = CELLS,
    layer: str = LAYER,
    azimuth_deg: float = AZIMUTH,
    seed: int = SEED,
    didt: float = HEAD_DIDT,
    didt_max: float = DIDT_MAX,
    out: Path = MAP_OUT,
    json: bool = JSON,
) -> None:
    """Threshold against the direction of a uniform field; or, with --head and --coil, of cells
    placed in the cortex around a target (threshold map and input-output curve)."""
    from tmslab.neuron.drive import get_drive

    check_out(out, FIGURE_SUFFIXES)  # before the thresholds are computed
    head_options = (head, coil, at, at_mni, target, target_mni, target_label)
    if any(o is not None for o in head_options):
        if n_directions is not None:
            from tmslab.errors import InvalidValueError

            raise InvalidValueError("--n-directions is for a uniform field; not with --head/--coil")
        # several cell types share one field solve: --model a,b
        names = [m for m in (model or "").replace(" ", "").split(",") if m] or [None]
        if len(names) > 1 and swc is not None:
            from tmslab.errors import InvalidValueError

            raise InvalidValueError("give either several --model names or one --swc, not both")
        cell = [
            _cell(m, swc, membrane, max_segment_um, swc_types, unknown_types, myelinate)
            for m in names
        ]
        drive = get_drive(waveform, dt_us / US_PER_S)
        return _head_map(
            cell, drive, solver, tol, head, coil, at, at_mni, handle_angle, handle_towards,
            distance_mm, target, target_mni, target_label, radius_mm, cells, layer, azimuth_deg,
            seed, didt, didt_max, out, json,
        )  # fmt: skip
    from tmslab.neuron.workflows import direction_map

    cell = _cell(model, swc, membrane, max_segment_um, swc_types, unknown_types, myelinate)
    drive = get_drive(waveform, dt_us / US_PER_S)
    result = direction_map(cell, drive, 200 if n_directions is None else n_directions, solver, tol)
    if out is not None:
        from tmslab.viz.neuron import plot_direction_map

        title = f"{cell.name}, {drive.name}"
        save_figure(plot_direction_map(result.directions, result.thresholds_v_per_m, title), out)
    if json:
        return print_json(result.to_dict())
    console.print(key_value_table(f"Threshold map of {cell.name}", result.rows()))


def _head_map(
    cells_of, drive, solver, tol, head, coil, at, at_mni, handle_angle, handle_towards,
    distance_mm, target, target_mni, target_label, radius_mm, cells, layer, azimuth_deg, seed,
    didt, didt_max, out, json,
) -> None:  # fmt: skip
    from tmslab.errors import InvalidValueError
    from tmslab.neuron.cortex import run_head_maps
    from tmslab.units import MM

    if coil is None:
        raise InvalidValueError("head mode: give the coil with --coil (e.g. magstim-70mm-fig8)")
    if target is None and target_mni is None and target_label is None:
        raise InvalidValueError(
            "head mode: give the patch centre with --target, --target-mni or --target-label"
        )
    with console.status("loading the head, placing the coil and the cells..."):
        setup = _prepare_head_map(
            cells_of, drive, head, coil, at, at_mni, handle_angle, handle_towards, distance_mm,
            target, target_mni, target_label, radius_mm * MM, cells, layer, azimuth_deg, didt,
            didt_max,
        )  # fmt: skip
    n = cells * len(cells_of)
    with console.status(f"solving the field and {n} thresholds ({setup.placement})..."):
        results = run_head_maps(
            setup, cells_of, drive, radius_mm * MM, cells, layer=layer, azimuth_deg=azimuth_deg,
            seed=seed, didt_max_a_per_s=didt_max, solver=solver, rel_tol=tol,
        )  # fmt: skip
    if out is not None:
        from tmslab.viz.cortex_map import plot_cortex_threshold_map

        shown = results[0] if len(results) == 1 else results
        save_figure(plot_cortex_threshold_map(shown, subtitle=setup.placement), out)
    if json:
        records = [r.to_dict() for r in results]
        return print_json(records[0] if len(records) == 1 else records)
    for result in results:
        console.print(key_value_table(f"Cortex threshold map of {result.model}", result.rows()))
    if out is not None:
        console.print(f"wrote {out}")


def _prepare_head_map(
    cells_of, drive, head, coil, at, at_mni, handle_angle, handle_towards, distance_mm, target,
    target_mni, target_label, radius_m, cells, layer, azimuth_deg, didt, didt_max,
):  # fmt: skip
    from tmslab.efield.head_run import parse_mni_mm, prepare_head_field
    from tmslab.neuron.cortex import check_head_map
    from tmslab.units import MM

    # every check that needs no head first (quick), then the head, coil and target
    for cell in cells_of:
        check_head_map(cell, drive, radius_m, cells, layer, azimuth_deg, didt_max)
    mni = lambda text, option: None if text is None else parse_mni_mm(text, option)  # noqa: E731
    return prepare_head_field(
        coil, at=at, at_mni_m=mni(at_mni, "--position-mni"), handle_angle_deg=handle_angle,
        handle_towards=handle_towards, distance_m=distance_mm * MM, target=target,
        target_mni_m=mni(target_mni, "--target-mni"), target_label=target_label,
        didt_a_per_s=didt, head=head or "fsaverage",
    )  # fmt: skip


# --- fetch-cells: the cells tmslab cannot ship (licences), pinned and SHA-256 checked ---------
DEST = Opt(None, "--dest", help="Folder to store the cells in (default: the first writable of $TMSLAB_MORPHOLOGIES, ~/.local/share/tmslab/morphologies).")  # fmt: skip
SOURCE = Opt(None, "--source", help="nemo-tms (aberra-l5-pc, aberra-l23-pc) or aberra2020 (the 25 Blue Brain cells of Aberra et al. 2020); repeat for both (default both).")  # fmt: skip
BASE_URL = Opt(None, "--base-url", help="Mirror laid out as raw.githubusercontent.com (BASE/OWNER/REPO/COMMIT/FILE), or a file:// folder.")  # fmt: skip


@app.command("fetch-cells")
def fetch_cells_command(dest: Path = DEST, source: list[str] = SOURCE, base_url: str = BASE_URL) -> None:  # fmt: skip
    """Download the published cells tmslab cannot ship, checked by SHA-256, and print their licences."""
    from tmslab.neuron.fetch import SOURCES, fetch_cells

    say = lambda line: console.print(line, markup=False, highlight=False)  # noqa: E731
    fetch_cells(dest, source or SOURCES, base_url, echo=say)
