"""``tmslab field``: the E-field of a coil in a spherical head, its metrics, maps, translation; BEM
conductors, dishes and the cortex of a realistic head."""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli import GROUPS
from tmslab.cli import output as term
from tmslab.cli import params as opt
from tmslab.cli.params import Json
from tmslab.cli.params import quantity_option as quantity
from tmslab.errors import check_positive
from tmslab.units import MM

app = typer.Typer(help=GROUPS["field"][2], no_args_is_help=True)  # help: tmslab.cli table
Opt = typer.Option
HEAD = Opt("human", "--head", help="Head preset (human, rat, mouse) or radius, e.g. 85mm or 85mm/70mm.")  # fmt: skip
DIDT = quantity(1.0, "--didt", unit="A/s", help="Peak dI/dt (1 gives V/m per A/s).")
DISTANCE = quantity(0.0, "--distance-mm", unit="mm", help="Gap between scalp and coil face.")
OUT = Opt(..., "--out", help="Output CSV (x,y,z,ex,ey,ez; m and V/m) or .nc.")
POSE = "'identity' or a 4x4 coil-to-{} pose (SimNIBS matsimnibs: text or .mat; see --pose-unit). Default: {}."  # fmt: skip
POSE_UNIT = Opt(None, "--pose-unit", help="Unit of the --pose file's translation: mm or m. Default: mm for .mat files and SimNIBS matsimnibs text (or the file's '# unit:' line), else m.")  # fmt: skip
MESH_UNIT = Opt(None, "--mesh-unit", help="Length unit of a --conductor mesh file: mm or m. Default: mm for .msh/.stl (and meshes over 2 m across), else m.")  # fmt: skip
EDGE = quantity(None, "--edge-mm", unit="mm", help="Target mesh edge length (presets choose).")
MEDIUM = quantity(None, "--medium-height-mm", unit="mm", help="Medium height of dishes, plates and inserts.")  # fmt: skip
DEPTH = quantity(0.0, "--depth-mm", unit="mm", help="Depth of the shell below the brain surface.")  # fmt: skip
FROM_HEAD = Opt(..., "--from-head", help="Head of the source experiment (human, rat, mouse, or radius).")  # fmt: skip
INTENSITY = Opt(..., "--intensity", metavar="QUANTITY", help="Source intensity in --unit, with an optional unit suffix: 1.2T or 800mT, 1e8A/s or 100A/us, 5kA, 150V/m; a bare number is T, A/s, A, V/m or % MSO.")  # fmt: skip
UNIT = Opt("tesla", "--unit", help="tesla (peak B at the coil centre), didt (dI/dt), current (A), vpm (V/m at target), pct_mso (needs --didt-max).")  # fmt: skip
FROM_TARGET = Opt("cortex", "--from-target", help="Target name of the source head, or a depth like 2.5mm.")  # fmt: skip
TO_TARGET = Opt("cortex", "--to-target", help="Target name or depth in the destination head.")
WAVEFORM = Opt("magstim-rapid2:biphasic", "--waveform", help="Pulse DEVICE:SHAPE of the source (links tesla and dI/dt).")  # fmt: skip
DIDT_MAX = quantity(None, "--didt-max", unit="A/s", help="Source stimulator+coil peak dI/dt at 100 % MSO (for pct_mso).")  # fmt: skip
TO_DIDT_MAX = quantity(None, "--to-didt-max", unit="A/s", help="Destination peak dI/dt at 100 % MSO (to report % MSO).")  # fmt: skip


@app.command("sphere")
def sphere_command(
    coil: str = opt.COIL,
    points: Path = Opt(..., "--points", help="CSV with columns x,y,z (m, head frame)."),
    out: Path = OUT,
    didt: float = DIDT,
    head: str = HEAD,
    pose: str | None = Opt(None, "--pose", help=POSE.format("head", "over the vertex")),
    pose_unit: str | None = POSE_UNIT,
    distance_mm: float = DISTANCE,
    handle_angle: float = opt.HANDLE_ANGLE,
) -> None:
    """E-field of a coil at given points inside a spherical head."""
    from tmslab.efield.workflows import sphere_points, sphere_setup

    term.check_out(out, (".csv", ".nc"))
    placing = dict(distance_m=distance_mm * MM, handle_angle_deg=handle_angle, pose_unit=pose_unit)
    s = sphere_setup(coil, head, didt, pose, **placing)
    meta = dict(head=s.head.name, coil=coil, didt_a_per_s=s.didt_a_per_s, points_file=str(points))
    result = sphere_points(s.coil, s.head, points, out, s.didt_a_per_s, meta)
    term.console.print(result.message(out))


@app.command("metrics")
def metrics_command(
    coil: str = opt.COIL,
    head: str = HEAD,
    didt: float = DIDT,
    distance_mm: float = DISTANCE,
    handle_angle: float = opt.HANDLE_ANGLE,
    json: Json = False,
) -> None:
    """E_max and Deng et al. 2013's depth (d_1/2) and focality (V_1/2, S_1/2), SI units."""
    from tmslab.efield.metrics import field_metrics
    from tmslab.efield.workflows import metrics_rows, sphere_setup

    s = sphere_setup(coil, head, didt, distance_m=distance_mm * MM, handle_angle_deg=handle_angle)
    with term.console.status("computing depth and focality..."):
        m = field_metrics(s.coil, s.head, didt_a_per_s=s.didt_a_per_s)
    if json:
        return term.print_json({"coil": coil, "head": s.head.name, **m.to_dict()})
    term.print_rows(f"{coil} over the {s.head.name} head", metrics_rows(m, s.didt_a_per_s))


@app.command("map")
def map_command(
    coil: str = opt.COIL,
    out: Path = Opt(..., "--out", help="Figure (.png, .svg, .pdf) or dataset (.nc)."),
    head: str = HEAD,
    didt: float = DIDT,
    depth_mm: float = DEPTH,
    distance_mm: float = DISTANCE,
    handle_angle: float = opt.HANDLE_ANGLE,
) -> None:
    """Map |E| on a shell at a depth, in a cross-section and along depth (figure or netCDF)."""
    from tmslab.efield.workflows import field_overview, sphere_setup
    from tmslab.io.fields import write_netcdf

    term.check_out(out, (".nc", *term.FIGURE_SUFFIXES))
    s = sphere_setup(coil, head, didt, distance_m=distance_mm * MM, handle_angle_deg=handle_angle)
    nc = out.suffix.lower() == ".nc"
    view = field_overview(s.coil, s.head, depth_mm * MM, s.didt_a_per_s, shell_only=nc)
    if nc:
        write_netcdf(view.shell, out)
    else:
        from tmslab.viz.field import plot_field_overview

        m, title = view.metrics, f"{coil} over the {s.head.name} head"
        profile = (coil, view.depths_m, view.magnitude, m.d_half_m)
        fig = plot_field_overview(view.shell, view.section, profile, title, m.emax / 2)
        term.save_figure(fig, out)
    term.print_wrote(out)


@app.command("translate")
def translate_command(
    from_head: str = FROM_HEAD,
    from_coil: str = Opt(..., "--from-coil", help="Coil of the source experiment."),
    intensity: str = INTENSITY,
    unit: str = UNIT,
    from_target: str = FROM_TARGET,
    to_head: str = Opt("human", "--to-head", help="Head to translate to."),
    to_coil: str = Opt("magstim-70mm-fig8", "--to-coil", help="Coil to translate to."),
    to_target: str = TO_TARGET,
    waveform: str = WAVEFORM,
    didt_max: float | None = DIDT_MAX,
    to_didt_max: float | None = TO_DIDT_MAX,
    json: Json = False,
) -> None:
    """The intensity another species/coil needs to match the E-field at the target."""
    from tmslab.cli.params import intensity_value
    from tmslab.efield.workflows import translation_rows
    from tmslab.protocols.translation import NamedSetup, translate_named

    value = intensity_value("--intensity", intensity, unit)
    source = NamedSetup(from_head, from_coil, from_target, didt_max)
    destination = NamedSetup(to_head, to_coil, to_target, to_didt_max)
    with term.console.status("computing fields and metrics..."):
        result = translate_named(source, unit, value, destination, waveform)
    if json:
        return term.print_json(result)
    term.print_rows("Dose translation", translation_rows(result))


# --- numerical solver (BEM-FMM): any piecewise-homogeneous conductor -------------------------
CONDUCTOR = Opt(..., "--conductor", help="Conductor preset (see `tmslab field conductors`), sphere-85mm, or a mesh file (.msh, .stl, .vtk, ...).")  # fmt: skip
CONDUCTIVITIES = Opt(None, "--conductivities", help="Comma-separated S/m: one per compartment (meshes: innermost first; nested spheres: outermost first; dishes: the medium).")  # fmt: skip
SOLVE_POSE = Opt(None, "--pose", help=POSE.format("conductor", "face-down over the top of the conductor, --distance-mm above it"))  # fmt: skip
SOLVE_DISTANCE = quantity(0.0, "--distance-mm", unit="mm", help="Gap between the conductor's top and the coil face.")  # fmt: skip
DISH = Opt("dish-35mm", "--dish", help="Vessel preset: dish-35mm, plate-N-well[:one], insert-slice.")  # fmt: skip
DISH_DISTANCE = quantity(10.0, "--distance", "--distance-mm", unit="mm", help="Gap between the coil face and the medium surface.")  # fmt: skip
DISH_DIDT = quantity(1e6, "--didt", unit="A/s", help="Peak dI/dt (default 1e6 A/s = 1 A/us: V/m per A/us).")  # fmt: skip
CONDUCTIVITY = Opt(None, "--conductivity", help="Medium conductivity, S/m (no effect on one compartment).")  # fmt: skip
DISH_OUT = Opt(None, "--out", help="Also write the cell-layer map: figure (.png/.svg/.pdf) or .nc.")  # fmt: skip


def _m(length_mm: float | None) -> float | None:
    return None if length_mm is None else length_mm * MM


@app.command("conductors")
def conductors_command(json: Json = False) -> None:
    """List the conductor presets of the numerical solver (dishes, plates, heads)."""
    from tmslab.efield.workflows import conductor_rows

    rows = conductor_rows()
    if json:
        return term.print_json(rows)
    title, columns = "Conductor presets (numerical solver)", ["name", "label", "source"]
    term.print_table(title, columns, [list(r.values()) for r in rows])


@app.command("solve")
def solve_command(
    conductor: str = CONDUCTOR,
    coil: str = opt.COIL,
    points: Path = Opt(..., "--points", help="CSV with columns x,y,z (m, conductor frame)."),
    out: Path = OUT,
    didt: float = DIDT,
    conductivities: str | None = CONDUCTIVITIES,
    pose: str | None = SOLVE_POSE,
    pose_unit: str | None = POSE_UNIT,
    mesh_unit: str | None = MESH_UNIT,
    distance_mm: float = SOLVE_DISTANCE,
    handle_angle: float = opt.HANDLE_ANGLE,
    edge_mm: float | None = EDGE,
    medium_height_mm: float | None = MEDIUM,
) -> None:
    """E-field at points inside any conductor (boundary elements with fast multipoles)."""
    from tmslab.efield.workflows import conductor_from_options, conductor_points

    term.check_out(out, (".csv", ".nc"))
    check_positive("--didt", didt, "A/s")
    kw = dict(pose=pose, pose_unit=pose_unit, distance_m=distance_mm * MM)
    lengths = dict(edge_m=_m(edge_mm), medium_height_m=_m(medium_height_mm))
    mesh = lambda: conductor_from_options(conductor, conductivities, **lengths, mesh_unit=mesh_unit)  # noqa: E731
    with term.console.status("meshing, solving the surface charges, evaluating the field..."):
        result = conductor_points(mesh, coil, points, out, didt, handle_angle_deg=handle_angle, **kw)  # fmt: skip
    term.console.print(result.message(out))


@app.command("dish")
def dish_command(
    coil: str = opt.COIL,
    dish: str = DISH,
    distance_mm: float = DISH_DISTANCE,
    handle_angle: float = opt.HANDLE_ANGLE,
    didt: float = DISH_DIDT,
    medium_height_mm: float | None = MEDIUM,
    edge_mm: float | None = EDGE,
    conductivity: str | None = CONDUCTIVITY,
    n_points: int = Opt(41, "--n-points", help="Grid points across the cell layer."),
    out: Path | None = DISH_OUT,
    json: Json = False,
) -> None:
    """|E| in a dish's cell layer (mean, median, max) and its ratio to the free-space estimate."""
    from tmslab.efield.workflows import conductor_from_options, dish_dataset, dish_layer, dish_rows

    term.check_out(out, (".nc", *term.FIGURE_SUFFIXES))
    check_positive("--didt", didt, "A/s")
    lengths = dict(edge_m=_m(edge_mm), medium_height_m=_m(medium_height_mm))
    mesh = lambda: conductor_from_options(dish, conductivity, **lengths)  # noqa: E731
    with term.console.status("meshing the dish and solving its surface charges..."):
        result, model = dish_layer(coil, mesh, distance_mm * MM, handle_angle, didt, n_points)
    summary = {"coil_name": coil, **result.to_dict()}
    if out is not None and out.suffix.lower() == ".nc":
        from tmslab.io.fields import write_netcdf

        write_netcdf(dish_dataset(result, summary), out)
    elif out is not None:
        from tmslab.viz.conductor import plot_dish_layer

        title = f"{coil} {distance_mm:g} mm over {model.name}"
        term.save_figure(plot_dish_layer(result.points, result.efield, result.free_space, title=title), out)  # fmt: skip
    if json:
        return term.print_json(summary)
    rows = dish_rows(result, distance_mm * MM, model.n_triangles)
    term.print_rows(f"{coil} over {model.name}", rows)
    term.print_written(out)


# --- a realistic head: the fsaverage template (issue 16) ------------------------------------
AT = Opt(None, "--position", "--at", help="10-05 position of the coil centre on the scalp, e.g. C3, F3 (alias --at).")  # fmt: skip
AT_MNI = Opt(None, "--position-mni", "--at-mni", metavar="X,Y,Z", help="Coil over the scalp point nearest to this MNI152 coordinate, mm (alias --at-mni).")  # fmt: skip
HEAD_ANGLE = Opt(None, "--handle-angle", help="Handle angle from posterior, degrees, clockwise seen from outside (45 at C3: the usual M1 placement). Default 0.")  # fmt: skip
TOWARDS = Opt(None, "--handle-towards", help="10-05 position the handle points to (instead of --handle-angle).")  # fmt: skip
CORTEX_PLOT = Opt(None, "--plot", help="Also draw |E| and E_n on the cortex (.png, .svg, .pdf).")  # fmt: skip
HEAD_OUT = Opt(None, "--out", help="Folder for GIfTI (lh/rh.mid), CSV, pose, summary.json and figure; written whole or not at all.")  # fmt: skip


@app.command("head")
def head_command(
    coil: str = opt.COIL,
    head: str = opt.HEAD_MODEL,
    at: str | None = AT,
    at_mni: str | None = AT_MNI,
    handle_angle: float | None = HEAD_ANGLE,
    handle_towards: str | None = TOWARDS,
    distance_mm: float = opt.HEAD_DISTANCE,
    target: str | None = opt.TARGET,
    target_mni: str | None = opt.TARGET_MNI,
    target_label: str | None = opt.TARGET_LABEL,
    didt: float = DISH_DIDT,
    out: Path | None = HEAD_OUT,
    plot: Path | None = CORTEX_PLOT,
    json: Json = False,
) -> None:
    """E-field on the cortex of a realistic head: fsaverage or a SimNIBS mesh (BEM; 1-2 min)."""
    from tmslab.efield.head_run import parse_mni_mm, prepare_head_field, run_head_field

    term.check_out(plot, term.FIGURE_SUFFIXES, "--plot")
    with term.console.status("loading the head and placing the coil..."):
        setup = prepare_head_field(
            coil, at=at, at_mni_m=parse_mni_mm(at_mni, "--position-mni"),
            handle_angle_deg=handle_angle, handle_towards=handle_towards,
            distance_m=distance_mm * MM, target=target,
            target_mni_m=parse_mni_mm(target_mni, "--target-mni"), target_label=target_label,
            didt_a_per_s=didt, out=out, head=head,
        )  # fmt: skip
    with term.console.status(f"solving the field on the cortex ({setup.placement})..."):
        result = run_head_field(setup, figure=_cortex_figure if out is not None else None)
    if plot is not None:
        _cortex_figure(result, plot)
    if json:
        return term.print_json(result.to_dict())
    term.print_rows(f"{result.coil_name} at {setup.placement}", result.rows())
    term.print_written(out, plot)


def _cortex_figure(result, path: Path) -> None:
    from tmslab.viz.cortex import plot_cortical_field

    term.save_figure(plot_cortical_field(result), path)
