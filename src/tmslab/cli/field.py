"""``tmslab field``: the E-field of a coil in a spherical head, its metrics, maps, translation."""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli.output import console, key_value_table, print_json, save_figure

app = typer.Typer(
    help="Induced E-field: analytic sphere heads, metrics, maps and cross-species translation.",
    no_args_is_help=True,
)
JSON_OPT = typer.Option(False, "--json", help="Print machine-readable JSON.")
COIL_OPT = typer.Option(..., "--coil", help="Coil preset name, .ccd file or coil TOML file.")
HEAD_OPT = typer.Option(
    "human", "--head", help="Head preset (human, rat, mouse) or radius, e.g. 85mm or 85mm/70mm."
)
DIDT_OPT = typer.Option(1.0, "--didt", help="Peak dI/dt, A/s (1 gives V/m per A/s).")
DISTANCE_OPT = typer.Option(0.0, "--distance-mm", help="Gap between scalp and coil face, mm.")
ANGLE_OPT = typer.Option(
    0.0, "--handle-angle", help="Handle rotation about the coil axis, degrees."
)


def _head(name: str):
    from tmslab.conductors.sphere import resolve_head

    return resolve_head(name)


def _placed(coil_name: str, head, pose: str | None, distance_mm: float, angle: float):
    """Load a coil and place it: a pose file, ``identity``, or over the vertex (default)."""
    from tmslab.coils import identity_pose, load_coil, pose_on_sphere, read_pose

    coil = load_coil(coil_name)
    if pose == "identity":
        matrix = identity_pose()
    elif pose:
        matrix = read_pose(pose)
    else:
        matrix = pose_on_sphere(
            head.scalp_radius_m, distance_m=distance_mm * 1e-3, handle_angle_deg=angle
        )
    return coil, coil.transformed(matrix)


def _check_didt(didt: float) -> float:
    from tmslab.errors import check_positive

    return check_positive("--didt", didt, "A/s")


def _read_points(path: Path):
    import numpy as np

    from tmslab.errors import SpecFileError

    try:
        lines = path.read_text().splitlines()
    except OSError as error:
        raise SpecFileError(f"cannot read points file {path}: {error.strerror or error}") from None
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
        help="'identity' or a file with a 4x4 coil-to-head matrix (m). Default: over the vertex.",
    ),
    distance_mm: float = DISTANCE_OPT,
    handle_angle: float = ANGLE_OPT,
) -> None:
    """E-field of a coil at given points inside a spherical head."""
    import numpy as np

    from tmslab.efield.sphere import sphere_efield
    from tmslab.provenance import atomic_write_text

    model = _head(head)
    didt = _check_didt(didt)
    _, placed = _placed(coil, model, pose, distance_mm, handle_angle)
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
    depth_mm: float = typer.Option(
        0.0, "--depth-mm", help="Depth of the shell below the brain surface, mm."
    ),
    distance_mm: float = DISTANCE_OPT,
    handle_angle: float = ANGLE_OPT,
) -> None:
    """Map |E| on a shell at a depth, in a cross-section and along depth (figure or netCDF)."""
    from tmslab.efield.maps import depth_profile, section_map, shell_map
    from tmslab.efield.metrics import field_metrics

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
    intensity: float = typer.Option(..., "--intensity", help="Source intensity, in --unit."),
    unit: str = typer.Option(
        "tesla",
        "--unit",
        help="tesla (peak B at the coil centre), didt (A/us), current (A), vpm (V/m at target), pct_mso (needs --didt-max).",
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
    didt_max: float | None = typer.Option(
        None,
        "--didt-max",
        help="Source stimulator+coil peak dI/dt at 100 %% MSO, A/us (for pct_mso).",
    ),
    to_didt_max: float | None = typer.Option(
        None, "--to-didt-max", help="Destination peak dI/dt at 100 %% MSO, A/us (to report %% MSO)."
    ),
    json: bool = JSON_OPT,
) -> None:
    """The intensity another species/coil needs to match the E-field at the target."""
    from tmslab.coils import load_coil
    from tmslab.efield.translate import Setup, translate
    from tmslab.units import A_PER_US

    def target(text: str):
        t = text.strip().lower()
        if t.endswith("mm"):
            try:
                return float(t[:-2]) * 1e-3
            except ValueError:
                pass
        return text

    value = intensity * A_PER_US if unit == "didt" else intensity
    source = Setup(
        _head(from_head),
        load_coil(from_coil),
        target(from_target),
        didt_max_a_per_s=didt_max * A_PER_US if didt_max else None,
    )
    destination = Setup(
        _head(to_head),
        load_coil(to_coil),
        target(to_target),
        didt_max_a_per_s=to_didt_max * A_PER_US if to_didt_max else None,
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
