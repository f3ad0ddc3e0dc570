"""``tmslab field``: the E-field of a coil in a spherical head, its metrics, maps, translation."""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli.output import (
    FIGURE_SUFFIXES,
    check_out,
    console,
    key_value_table,
    print_json,
    save_figure,
)
from tmslab.cli.params import quantity_option

app = typer.Typer(
    help="Induced E-field: analytic sphere heads, metrics, maps and cross-species translation.",
    no_args_is_help=True,
)
JSON_OPT = typer.Option(False, "--json", help="Print machine-readable JSON.")
COIL_OPT = typer.Option(..., "--coil", help="Coil preset name, .ccd file or coil TOML file.")
HEAD_OPT = typer.Option(
    "human", "--head", help="Head preset (human, rat, mouse) or radius, e.g. 85mm or 85mm/70mm."
)
DIDT_OPT = quantity_option(1.0, "--didt", unit="A/s", help="Peak dI/dt (1 gives V/m per A/s).")
DISTANCE_OPT = quantity_option(
    0.0, "--distance-mm", unit="mm", help="Gap between scalp and coil face."
)
ANGLE_OPT = typer.Option(
    0.0, "--handle-angle", help="Handle rotation about the coil axis, degrees."
)
POSE_UNIT_OPT = typer.Option(
    None,
    "--pose-unit",
    help="Unit of the --pose file's translation: mm or m. Default: mm for .mat files and "
    "SimNIBS matsimnibs text (or the file's '# unit:' line), else m.",
)
MESH_UNIT_OPT = typer.Option(
    None,
    "--mesh-unit",
    help="Length unit of a --conductor mesh file: mm or m. Default: mm for .msh/.stl "
    "(and meshes over 2 m across), else m.",
)


def _head(name: str):
    from tmslab.conductors.sphere import resolve_head

    return resolve_head(name)


def _placed(
    coil_name: str,
    head,
    pose: str | None,
    distance_mm: float,
    angle: float,
    pose_unit: str | None = None,
):
    """Load a coil and place it: a pose file, ``identity``, or over the vertex (default).

    A pose file's coil centre must lie on or near the scalp sphere (see
    :func:`tmslab.coils.placement.check_coil_gap`).
    """
    import numpy as np

    from tmslab.coils import identity_pose, load_coil, pose_on_sphere, read_pose
    from tmslab.coils.placement import check_coil_gap, check_pose_unit

    unit = check_pose_unit(pose_unit)
    coil = load_coil(coil_name)
    if pose == "identity":
        matrix = identity_pose()
    elif pose:
        matrix = read_pose(pose, unit)
        gap = float(np.linalg.norm(matrix[:3, 3])) - head.scalp_radius_m
        check_coil_gap(gap, "head surface", _pose_unit_used(pose, unit))
    else:
        matrix = pose_on_sphere(
            head.scalp_radius_m, distance_m=distance_mm * 1e-3, handle_angle_deg=angle
        )
    return coil, coil.transformed(matrix)


def _pose_unit_used(pose: str, unit: str | None) -> str:
    """The unit :func:`read_pose` took for a file (for the hint in plausibility errors)."""
    from tmslab.coils.placement import pose_file_unit

    return unit or pose_file_unit(pose)


def _check_didt(didt: float) -> float:
    from tmslab.errors import check_positive

    return check_positive("--didt", didt, "A/s")


def _read_points(path: Path):
    import numpy as np

    from tmslab.errors import SpecFileError

    try:
        lines = path.read_bytes().decode("utf-8").splitlines()
    except OSError as error:
        raise SpecFileError(f"cannot read points file {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise SpecFileError(
            f"points file {path} is not a text file; give a CSV with the header x,y,z (metres)"
        ) from None
    if not lines or [c.strip().lower() for c in lines[0].split(",")][:3] != ["x", "y", "z"]:
        raise SpecFileError(f"{path}: the first line must be the header x,y,z (metres, head frame)")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split(",")
        try:
            rows.append([float(c) for c in cells[:3]])
        except ValueError:
            raise SpecFileError(
                f"{path} line {number}: {line.strip()!r} is not three numbers"
            ) from None
        if len(cells) < 3:
            raise SpecFileError(f"{path} line {number}: expected x,y,z, got {len(cells)} value(s)")
    if not rows:
        raise SpecFileError(f"{path}: no points after the header")
    return np.array(rows)


@app.command("sphere")
def sphere_command(
    coil: str = COIL_OPT,
    points: Path = typer.Option(..., "--points", help="CSV with columns x,y,z (m, head frame)."),
    out: Path = typer.Option(..., "--out", help="Output CSV (x,y,z,ex,ey,ez; m and V/m) or .nc."),
    didt: float = DIDT_OPT,
    head: str = HEAD_OPT,
    pose: str | None = typer.Option(
        None,
        "--pose",
        help="'identity' or a 4x4 coil-to-head pose (SimNIBS matsimnibs: text or .mat; see "
        "--pose-unit). Default: over the vertex.",
    ),
    pose_unit: str | None = POSE_UNIT_OPT,
    distance_mm: float = DISTANCE_OPT,
    handle_angle: float = ANGLE_OPT,
) -> None:
    """E-field of a coil at given points inside a spherical head."""
    import numpy as np

    from tmslab.efield.sphere import sphere_efield
    from tmslab.provenance import atomic_write_text

    check_out(out, (".csv", ".nc"))
    model = _head(head)
    didt = _check_didt(didt)
    _, placed = _placed(coil, model, pose, distance_mm, handle_angle, pose_unit)
    p = _read_points(points)
    e = sphere_efield(placed, p, model, didt)
    if out.suffix.lower() == ".nc":
        from tmslab.efield.results import points_dataset, write_netcdf

        write_netcdf(
            points_dataset(
                p, e, head=model.name, coil=coil, didt_a_per_s=didt, points_file=str(points)
            ),
            out,
        )
    else:
        body = "\n".join(",".join(f"{v:.10g}" for v in row) for row in np.hstack([p, e]))
        atomic_write_text(out, "x,y,z,ex,ey,ez\n" + body + "\n")
    console.print(
        f"wrote {out} ({len(p)} points, max |E| {np.linalg.norm(e, axis=1).max():.4g} V/m)"
    )


@app.command("metrics")
def metrics_command(
    coil: str = COIL_OPT,
    head: str = HEAD_OPT,
    didt: float = DIDT_OPT,
    distance_mm: float = DISTANCE_OPT,
    handle_angle: float = ANGLE_OPT,
    json: bool = JSON_OPT,
) -> None:
    """E_max and Deng et al. 2013's depth (d_1/2) and focality (V_1/2, S_1/2), SI units."""
    from tmslab.efield.metrics import field_metrics

    model = _head(head)
    didt = _check_didt(didt)
    _, placed = _placed(coil, model, None, distance_mm, handle_angle)
    with console.status("computing depth and focality..."):
        metrics = field_metrics(placed, model, didt_a_per_s=didt)
    result = {"coil": coil, "head": model.name, **metrics.to_dict()}
    if json:
        print_json(result)
        return
    console.print(
        key_value_table(
            f"{coil} over the {model.name} head",
            [
                ("E_max", f"{metrics.emax:.4g} V/m at dI/dt {didt:.4g} A/s"),
                ("d_1/2", f"{metrics.d_half_m * 100:.3f} cm"),
                ("V_1/2", f"{metrics.v_half_m3 * 1e6:.3f} cm^3"),
                ("S_1/2", f"{metrics.s_half_m2 * 1e4:.2f} cm^2"),
            ],
        )
    )


@app.command("map")
def map_command(
    coil: str = COIL_OPT,
    out: Path = typer.Option(..., "--out", help="Figure (.png, .svg, .pdf) or dataset (.nc)."),
    head: str = HEAD_OPT,
    didt: float = DIDT_OPT,
    depth_mm: float = quantity_option(
        0.0, "--depth-mm", unit="mm", help="Depth of the shell below the brain surface."
    ),
    distance_mm: float = DISTANCE_OPT,
    handle_angle: float = ANGLE_OPT,
) -> None:
    """Map |E| on a shell at a depth, in a cross-section and along depth (figure or netCDF)."""
    from tmslab.efield.maps import depth_profile, section_map, shell_map
    from tmslab.efield.metrics import field_metrics

    check_out(out, (".nc", *FIGURE_SUFFIXES))
    model = _head(head)
    didt = _check_didt(didt)
    _, placed = _placed(coil, model, None, distance_mm, handle_angle)
    shell = shell_map(placed, model, depth_mm * 1e-3, didt_a_per_s=didt)
    if out.suffix.lower() == ".nc":
        from tmslab.efield.results import write_netcdf

        write_netcdf(shell, out)
        console.print(f"wrote {out}")
        return
    from tmslab.viz.field import plot_field_overview

    metrics = field_metrics(placed, model, didt_a_per_s=didt)
    section = section_map(placed, model, plane="yz", didt_a_per_s=didt)
    depths, magnitude = depth_profile(placed, model, metrics.emax_point_m, didt_a_per_s=didt)
    fig = plot_field_overview(
        shell,
        section,
        (coil, depths, magnitude, metrics.d_half_m),
        title=f"{coil} over the {model.name} head",
        half_value=metrics.emax / 2,
    )
    save_figure(fig, out)
    console.print(f"wrote {out}")


def _waveform(spec: str):
    from tmslab.errors import InvalidValueError
    from tmslab.protocols.stimulators import get_stimulator

    device, _, shape = spec.partition(":")
    stimulator = get_stimulator(device)
    shape = shape or stimulator.shapes[0]
    if shape not in stimulator.shapes:
        raise InvalidValueError(
            f"--waveform {spec!r}: {device} has shapes {', '.join(stimulator.shapes)}"
        )
    return stimulator.waveform(shape)


@app.command("translate")
def translate_command(
    from_head: str = typer.Option(
        ..., "--from-head", help="Head of the source experiment (human, rat, mouse, or radius)."
    ),
    from_coil: str = typer.Option(..., "--from-coil", help="Coil of the source experiment."),
    intensity: str = typer.Option(
        ...,
        "--intensity",
        metavar="QUANTITY",
        help="Source intensity in --unit, with an optional unit suffix: 1.2T or 800mT, "
        "1e8A/s or 100A/us, 5kA, 150V/m; a bare number is T, A/s, A, V/m or % MSO.",
    ),
    unit: str = typer.Option(
        "tesla",
        "--unit",
        help="tesla (peak B at the coil centre), didt (dI/dt), current (A), vpm (V/m at target), pct_mso (needs --didt-max).",
    ),
    from_target: str = typer.Option(
        "cortex", "--from-target", help="Target name of the source head, or a depth like 2.5mm."
    ),
    to_head: str = typer.Option("human", "--to-head", help="Head to translate to."),
    to_coil: str = typer.Option("magstim-70mm-fig8", "--to-coil", help="Coil to translate to."),
    to_target: str = typer.Option(
        "cortex", "--to-target", help="Target name or depth in the destination head."
    ),
    waveform: str = typer.Option(
        "magstim-rapid2:biphasic",
        "--waveform",
        help="Pulse DEVICE:SHAPE of the source (links tesla and dI/dt).",
    ),
    didt_max: float | None = quantity_option(
        None,
        "--didt-max",
        unit="A/s",
        help="Source stimulator+coil peak dI/dt at 100 % MSO (for pct_mso).",
    ),
    to_didt_max: float | None = quantity_option(
        None,
        "--to-didt-max",
        unit="A/s",
        help="Destination peak dI/dt at 100 % MSO (to report % MSO).",
    ),
    json: bool = JSON_OPT,
) -> None:
    """The intensity another species/coil needs to match the E-field at the target."""
    from tmslab.cli.params import intensity_value
    from tmslab.coils import load_coil
    from tmslab.efield.translate import Setup, translate
    from tmslab.errors import InvalidValueError, check_positive
    from tmslab.units import A_PER_US, parse_quantity, split_quantity

    def target(text: str):
        try:
            _, suffix = split_quantity(text)
        except InvalidValueError:
            return text  # a target name
        return parse_quantity(text, "m") if suffix else text

    value = check_positive("--intensity", intensity_value("--intensity", intensity, unit))
    if unit == "pct_mso" and didt_max is None:  # checked before minutes of field computation
        raise InvalidValueError(
            "--unit pct_mso needs --didt-max (the source stimulator and coil's peak dI/dt at "
            "100 % MSO, e.g. --didt-max 150A/us)"
        )
    for option, given in (("--didt-max", didt_max), ("--to-didt-max", to_didt_max)):
        if given is not None:
            check_positive(option, given, "A/s")
    source = Setup(
        _head(from_head),
        load_coil(from_coil),
        target(from_target),
        didt_max_a_per_s=didt_max,
    )
    destination = Setup(
        _head(to_head),
        load_coil(to_coil),
        target(to_target),
        didt_max_a_per_s=to_didt_max,
    )
    with console.status("computing fields and metrics..."):
        result = translate(source, unit, value, destination, _waveform(waveform))
    if json:
        print_json(result)
        return
    s, d = result["source"], result["destination"]
    rows = [("matched |E| at target", f"{result['matched_efield_v_per_m']:.4g} V/m")]
    for label, side in (("source", s), ("destination", d)):
        pct = f", {side['pct_mso']:.3g} % MSO" if side["pct_mso"] is not None else ""
        rows += [
            (f"{label}", f"{side['species']} / {side['coil']} / {side['target']}"),
            (
                "  intensity",
                f"{side['peak_b_t']:.4g} T, {side['didt_a_per_s'] / A_PER_US:.4g} A/us, {side['peak_current_a']:.4g} A{pct}",
            ),
            (
                "  E_max; d_1/2; S_1/2",
                f"{side['emax_v_per_m']:.4g} V/m; {side['d_half_m'] * 100:.3g} cm; {side['s_half_m2'] * 1e4:.3g} cm^2",
            ),
        ]
    rows += [
        ("d_1/2 ratio (dest/source)", f"{result['d_half_ratio']:.3g}"),
        ("S_1/2 ratio (dest/source)", f"{result['s_half_ratio']:.3g}"),
    ]
    console.print(key_value_table("Dose translation", rows))


# --- numerical solver (BEM-FMM): any piecewise-homogeneous conductor -------------------------
CONDUCTOR_OPT = typer.Option(
    ...,
    "--conductor",
    help="Conductor preset (see `tmslab field conductors`), sphere-85mm, or a mesh file "
    "(.msh, .stl, .vtk, ...).",
)
CONDUCTIVITIES_OPT = typer.Option(
    None,
    "--conductivities",
    help="Comma-separated S/m: one per compartment (meshes: innermost first; nested spheres: "
    "outermost first; dishes: the medium).",
)
EDGE_OPT = quantity_option(
    None, "--edge-mm", unit="mm", help="Target mesh edge length (presets choose)."
)
MEDIUM_OPT = quantity_option(
    None, "--medium-height-mm", unit="mm", help="Medium height of dishes, plates and inserts."
)


def _conductivities(text: str | None):
    from tmslab.errors import InvalidValueError

    if text is None:
        return None
    try:
        values = [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise InvalidValueError(
            f"--conductivities {text!r}: give comma-separated numbers in S/m"
        ) from None
    if not values or any(not v > 0 for v in values):
        raise InvalidValueError(f"--conductivities {text!r}: every value must be > 0 S/m")
    return values


def _conductor(name: str, conductivities, edge_mm, medium_mm, mesh_unit: str | None = None):
    from tmslab.conductors import get_conductor
    from tmslab.conductors.mesh_io import mesh_unit_m
    from tmslab.errors import check_positive

    unit_m = mesh_unit_m(mesh_unit)
    edge = None if edge_mm is None else check_positive("--edge-mm", edge_mm, "mm") * 1e-3
    medium = None if medium_mm is None else check_positive("--medium-height-mm", medium_mm, "mm")
    with console.status("meshing the conductor..."):
        return get_conductor(
            name,
            medium_height_m=None if medium is None else medium * 1e-3,
            conductivities=_conductivities(conductivities),
            edge_m=edge,
            mesh_unit_m=unit_m,
        )


def _placed_over(
    coil_name: str,
    conductor,
    pose: str | None,
    distance_mm: float,
    angle: float,
    pose_unit: str | None = None,
):
    """Place a coil: a pose file, ``identity``, or face-down over the conductor's top.

    A pose file's coil centre must lie on or near the conductor's outer surface.
    """
    import numpy as np

    from tmslab.coils import identity_pose, load_coil, read_pose
    from tmslab.coils.placement import check_coil_gap, check_pose_unit
    from tmslab.conductors.quality import signed_surface_distance
    from tmslab.efield.bem import pose_above

    unit = check_pose_unit(pose_unit)
    coil = load_coil(coil_name)
    if pose == "identity":
        matrix = identity_pose()
    elif pose:
        matrix = read_pose(pose, unit)
        gap = float(signed_surface_distance(conductor, matrix[None, :3, 3])[0])
        check_coil_gap(gap, "conductor surface", _pose_unit_used(pose, unit))
    else:
        lo, hi = conductor.bounds()
        centre = (lo + hi) / 2
        if conductor.kind in ("dish", "plate", "insert"):
            centre = np.zeros(3)
        matrix = pose_above(hi[2], distance_mm * 1e-3, angle, centre[:2])
    return coil, coil.transformed(matrix)


@app.command("conductors")
def conductors_command(json: bool = JSON_OPT) -> None:
    """List the conductor presets of the numerical solver (dishes, plates, heads)."""
    from tmslab.conductors import list_conductors
    from tmslab.conductors.dishes import vessel_presets
    from tmslab.conductors.library import head_presets

    rows = []
    vessels, heads = vessel_presets(), head_presets()
    for name in list_conductors():
        base = name.split(":")[0]
        spec = vessels.get(base) or heads.get(base) or {}
        label = spec.get("label", "sphere of the given radius (sphere-<R>mm[/<R2>mm...])")
        if name.endswith(":one"):
            label += ", one well"
        rows.append({"name": name, "label": label, "source": spec.get("citation", "")})
    if json:
        print_json(rows)
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Conductor presets (numerical solver)", title_justify="left")
    for column in ("name", "label", "source"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(escape(row[k]) for k in ("name", "label", "source")))
    console.print(table)


@app.command("solve")
def solve_command(
    conductor: str = CONDUCTOR_OPT,
    coil: str = COIL_OPT,
    points: Path = typer.Option(
        ..., "--points", help="CSV with columns x,y,z (m, conductor frame)."
    ),
    out: Path = typer.Option(..., "--out", help="Output CSV (x,y,z,ex,ey,ez; m and V/m) or .nc."),
    didt: float = DIDT_OPT,
    conductivities: str | None = CONDUCTIVITIES_OPT,
    pose: str | None = typer.Option(
        None,
        "--pose",
        help="'identity' or a 4x4 coil-to-conductor pose (SimNIBS matsimnibs: text or .mat; see "
        "--pose-unit). Default: face-down over the top of the conductor, --distance-mm above it.",
    ),
    pose_unit: str | None = POSE_UNIT_OPT,
    mesh_unit: str | None = MESH_UNIT_OPT,
    distance_mm: float = quantity_option(
        0.0, "--distance-mm", unit="mm", help="Gap between the conductor's top and the coil face."
    ),
    handle_angle: float = ANGLE_OPT,
    edge_mm: float | None = EDGE_OPT,
    medium_height_mm: float | None = MEDIUM_OPT,
) -> None:
    """E-field at points inside any conductor (boundary elements with fast multipoles)."""
    import numpy as np

    from tmslab.efield.bem import solve
    from tmslab.efield.sphere import check_points
    from tmslab.provenance import atomic_write_text

    check_out(out, (".csv", ".nc"))
    didt = _check_didt(didt)
    if pose and pose != "identity":  # read (and refuse) the pose before meshing
        from tmslab.coils import read_pose

        read_pose(pose, pose_unit)
    p = check_points(_read_points(points))
    model = _conductor(conductor, conductivities, edge_mm, medium_height_mm, mesh_unit)
    from tmslab.efield.bem.evaluate import check_field_points

    check_field_points(model, p)  # inside, and off every boundary, before solving
    _, placed = _placed_over(coil, model, pose, distance_mm, handle_angle, pose_unit)
    with console.status(f"solving {model.n_triangles} surface charges..."):
        solution = solve(model, placed, didt)
    with console.status("evaluating the field..."):
        e = solution.efield(p, check=False)
    if out.suffix.lower() == ".nc":
        from tmslab.efield.results import points_dataset, write_netcdf

        write_netcdf(
            points_dataset(
                p,
                e,
                conductor=model.name,
                coil=coil,
                didt_a_per_s=didt,
                points_file=str(points),
                triangles=model.n_triangles,
                gmres_iterations=solution.iterations,
            ),
            out,
        )
    else:
        body = "\n".join(",".join(f"{v:.10g}" for v in row) for row in np.hstack([p, e]))
        atomic_write_text(out, "x,y,z,ex,ey,ez\n" + body + "\n")
    console.print(
        f"wrote {out} ({len(p)} points, {model.n_triangles} triangles, "
        f"{solution.iterations} GMRES iterations, max |E| "
        f"{np.linalg.norm(e, axis=1).max():.4g} V/m)"
    )


@app.command("dish")
def dish_command(
    coil: str = COIL_OPT,
    dish: str = typer.Option(
        "dish-35mm", "--dish", help="Vessel preset: dish-35mm, plate-N-well[:one], insert-slice."
    ),
    distance_mm: float = quantity_option(
        10.0,
        "--distance",
        "--distance-mm",
        unit="mm",
        help="Gap between the coil face and the medium surface.",
    ),
    handle_angle: float = ANGLE_OPT,
    didt: float = quantity_option(
        1e6, "--didt", unit="A/s", help="Peak dI/dt (default 1e6 A/s = 1 A/us: V/m per A/us)."
    ),
    medium_height_mm: float | None = MEDIUM_OPT,
    edge_mm: float | None = EDGE_OPT,
    conductivity: str | None = typer.Option(
        None, "--conductivity", help="Medium conductivity, S/m (no effect on one compartment)."
    ),
    n_points: int = typer.Option(41, "--n-points", help="Grid points across the cell layer."),
    out: Path | None = typer.Option(
        None, "--out", help="Also write the cell-layer map: figure (.png/.svg/.pdf) or .nc."
    ),
    json: bool = JSON_OPT,
) -> None:
    """|E| in a dish's cell layer (mean, median, max) and its ratio to the free-space estimate."""
    from tmslab import budgets
    from tmslab.coils import load_coil
    from tmslab.efield.bem import dish_field
    from tmslab.errors import InvalidValueError

    check_out(out, (".nc", *FIGURE_SUFFIXES))
    didt = _check_didt(didt)
    if not 0 <= distance_mm < float("inf"):
        raise InvalidValueError(
            f"--distance = {distance_mm!r} mm is not allowed; give a gap >= 0 mm"
        )
    if n_points < 3:
        raise InvalidValueError(
            f"--n-points {n_points} is not allowed; give 3 or more grid points across the layer"
        )
    check_out(out, (".nc", *FIGURE_SUFFIXES))
    unplaced = load_coil(coil)
    # The grid is known before meshing: an oversized one is refused now, not after the mesh.
    budgets.check(budgets.point_field(n_points**2 * 0.785, unplaced.n_dipoles, hint="--n-points"))
    model = _conductor(dish, conductivity, edge_mm, medium_height_mm)
    with console.status(f"solving {model.n_triangles} surface charges..."):
        result = dish_field(
            unplaced, model, distance_mm * 1e-3, handle_angle, didt_a_per_s=didt, n=n_points
        )
    summary = {"coil_name": coil, **result.to_dict()}
    if out is not None:
        title = f"{coil} {distance_mm:g} mm over {model.name}"
        if out.suffix.lower() == ".nc":
            from tmslab.efield.results import points_dataset, write_netcdf

            ds = points_dataset(result.points, result.efield, **{
                k: v for k, v in summary.items() if not isinstance(v, dict)
            })  # fmt: skip
            ds["E_free_space"] = (("point", "component"), result.free_space, {"units": "V/m"})
            write_netcdf(ds, out)
        else:
            from tmslab.viz.conductor import plot_dish_layer

            save_figure(
                plot_dish_layer(result.points, result.efield, result.free_space, title=title),
                out,
            )
    if json:
        print_json(summary)
        return
    s, f, r = result.stats, result.free_space_stats, result.ratio
    rows = [
        ("cell layer", f"z = {result.cell_layer_z_m * 1e3:.3g} mm, {len(result.points)} points"),
        ("coil face", f"{distance_mm:g} mm above the medium surface"),
        ("|E| mean / median / max", f"{s['mean']:.4g} / {s['median']:.4g} / {s['max']:.4g} V/m"),
        (
            "free space mean / median / max",
            f"{f['mean']:.4g} / {f['median']:.4g} / {f['max']:.4g} V/m",
        ),
        ("ratio mean / median / max", f"{r['mean']:.3g} / {r['median']:.3g} / {r['max']:.3g}"),
        ("dI/dt", f"{didt:.4g} A/s"),
        ("mesh", f"{model.n_triangles} triangles, {result.solution.iterations} GMRES iterations"),
    ]
    console.print(key_value_table(f"{coil} over {model.name}", rows))
    if out is not None:
        console.print(f"wrote {out}")
