"""``tmslab coil``: coil presets, their geometry and field per ampere, ``.ccd`` export."""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli.output import console, key_value_table, print_json

app = typer.Typer(
    help="Coil models: presets, custom windings and SimNIBS .ccd files.", no_args_is_help=True
)
JSON_OPT = typer.Option(False, "--json", help="Print machine-readable JSON.")


@app.command("list")
def list_command(json: bool = JSON_OPT) -> None:
    """List the coil presets with their geometry, dipole count and source."""
    from tmslab.coils import get_coil, list_coils

    coils = [get_coil(name).summary() for name in list_coils()]
    if json:
        print_json({"coils": coils})
        return
    from rich.table import Table

    table = Table(title="Coil presets", title_justify="left")
    table.add_column("name", no_wrap=True)
    for column in ("coil", "kind", "dipoles", "mT per kA", "source"):
        table.add_column(column)
    for c in coils:
        table.add_row(
            c["name"],
            c["label"],
            c["kind"],
            str(c["n_dipoles"]),
            f"{c['tesla_per_ampere'] * 1e6:.4g}",
            (c["source"] or {}).get("citation", "")[:50],
        )
    console.print(table)


@app.command("show")
def show_command(
    coil: str = typer.Argument(..., help="Preset name, .ccd file or coil TOML file."),
    json: bool = JSON_OPT,
) -> None:
    """Show one coil: geometry (SI), dipoles, field per ampere at its reference point, source."""
    from tmslab.coils import load_coil

    info = load_coil(coil).summary()
    if json:
        print_json(info)
        return
    rows = [("label", info["label"]), ("kind", info["kind"])]
    rows += [(k, v) for k, v in info["parameters"].items()]
    rows += [
        ("dipoles", info["n_dipoles"]),
        ("windings (filaments)", info["n_windings"]),
        ("B per ampere at the reference point", f"{info['tesla_per_ampere'] * 1e3:.4g} mT/A"),
    ]
    if info["source"]:
        rows.append(("source", f"{info['source']['citation']} doi:{info['source']['doi']}"))
    console.print(key_value_table(info["name"], rows))
    for note in info["assumptions"]:
        console.print(f"[dim]assumption:[/dim] {note}")


@app.command("export")
def export_command(
    coil: str = typer.Argument(..., help="Preset name, .ccd file or coil TOML file."),
    out: Path = typer.Option(..., "--out", help="Output .ccd file."),
) -> None:
    """Write a coil's dipoles as a SimNIBS .ccd file (metres, A m^2 per ampere)."""
    from tmslab.coils import load_coil, write_ccd
    from tmslab.errors import InvalidValueError

    if out.suffix.lower() != ".ccd":
        raise InvalidValueError(f"--out {out}: give a file name ending in .ccd")
    model = load_coil(coil)
    write_ccd(model, out)
    console.print(f"wrote {out} ({model.n_dipoles} dipoles)")


@app.command("pose")
def pose_command(
    out: Path = typer.Option(..., "--out", help="Output pose file (text; .txt, .csv or .dat)."),
    head: str = typer.Option(
        "human", "--head", help="Head preset (human, rat, mouse) or scalp radius, e.g. 85mm."
    ),
    direction: str = typer.Option(
        "0,0,1", "--direction", help="Head-frame direction from the centre to the coil, x,y,z."
    ),
    distance_mm: float = typer.Option(0.0, "--distance-mm", help="Scalp to coil face, mm."),
    handle_angle: float = typer.Option(
        0.0, "--handle-angle", help="Handle rotation about the coil axis, degrees."
    ),
    unit: str = typer.Option("mm", "--unit", help="Translation unit written: mm (SimNIBS) or m."),
) -> None:
    """Write the 4x4 pose of a coil over a spherical head (SimNIBS matsimnibs layout).

    The file is what ``--pose`` reads back (exactly): columns are the coil's x, y, z axes in
    head coordinates (z into the head, y along the handle) and the coil centre.
    """
    from tmslab.coils.placement import check_pose_unit, pose_on_sphere, write_pose
    from tmslab.conductors.sphere import resolve_head
    from tmslab.errors import InvalidValueError

    unit = check_pose_unit(unit, "--unit")
    if out.suffix.lower() == ".mat":
        raise InvalidValueError(f"--out {out}: pose files are text; use .txt (--pose reads both)")
    try:
        vector = [float(v) for v in direction.replace(";", ",").split(",")]
    except ValueError:
        vector = []
    if len(vector) != 3:
        raise InvalidValueError(f"--direction {direction!r}: give three numbers x,y,z")
    model = resolve_head(head)
    pose = pose_on_sphere(
        model.scalp_radius_m, vector, distance_m=distance_mm * 1e-3, handle_angle_deg=handle_angle
    )
    write_pose(out, pose, unit)
    centre = pose[:3, 3] * (1e3 if unit == "mm" else 1.0)
    console.print(
        f"wrote {out} (coil centre at {', '.join(f'{v:.4g}' for v in centre)} {unit}, "
        f"{model.name} head)"
    )
