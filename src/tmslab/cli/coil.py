"""``tmslab coil``: coil presets and SimNIBS files, their geometry and field per ampere,
``.ccd`` export."""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli.output import check_out, console, key_value_table, print_json

app = typer.Typer(
    help="Coil models: presets, custom windings and SimNIBS .ccd/.tcd files.", no_args_is_help=True
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


_FILE_ROWS = (
    ("coilname", "coil name (file)"),
    ("brand", "brand (file)"),
    ("stimulator", "stimulator (file)"),
    ("format", "format"),
    ("file", "file"),
)


@app.command("show")
def show_command(
    coil: str = typer.Argument(..., help="Preset name, .ccd/.tcd file or coil TOML file."),
    json: bool = JSON_OPT,
) -> None:
    """Show one coil: geometry (SI), dipoles, field per ampere at its reference point, source;
    for SimNIBS files also the header's names and the peak dI/dt they state."""
    from tmslab.coils import load_coil

    info = load_coil(coil).summary()
    if json:
        print_json(info)
        return
    params = dict(info["parameters"])
    rows = [("label", info["label"]), ("kind", info["kind"])]
    rows += [(title, params.pop(key)) for key, title in _FILE_ROWS if key in params]
    params.pop("didt_max_a_per_s", None)
    ccd = params.pop("ccd_header", None)
    tcd = params.pop("tcd", None)
    rows += [(k, v) for k, v in params.items()]
    if info["didt_max_a_per_s"] is not None:
        rows.append(
            (
                "peak dI/dt at 100 % MSO (file)",
                f"{info['didt_max_a_per_s'] / 1e6:.5g} A/us",
            )
        )
    if ccd:
        shown = {"dIdtmax", "coilname", "brand", "stimulator"}
        rows += [(f"header {k}", v) for k, v in ccd["fields"].items() if k not in shown]
    if tcd:
        for e in tcd["elements"]:
            kind = {1: "dipoles", 2: "line elements"}[e["type"]]
            moved = ", deformed" if e["deformed"] else ""
            rows.append((f"element {e['name']}", f"{e['count']} {kind}{moved}"))
        for s in tcd["stimulators"]:
            didt = f", {s['didt_max_a_per_s'] / 1e6:.5g} A/us" if s["didt_max_a_per_s"] else ""
            waves = ", ".join(w["name"] or "unnamed" for w in s["waveforms"])
            rows.append(
                (
                    "stimulator",
                    f"{s['brand'] or ''} {s['name'] or ''}{didt}".strip()
                    + (f"; waveforms: {waves}" if waves else ""),
                )
            )
        if tcd["casing"]:
            c = tcd["casing"]
            size = [
                round((hi - lo) * 1e3, 1) for lo, hi in zip(c["min_m"], c["max_m"], strict=True)
            ]
            rows.append(("casing", f"{c['n_faces']} triangles, {size} mm (x, y, z)"))
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
    coil: str = typer.Argument(..., help="Preset name, .ccd/.tcd file or coil TOML file."),
    out: Path = typer.Option(..., "--out", help="Output .ccd file."),
) -> None:
    """Write a coil's dipoles as a SimNIBS .ccd file (metres, A m^2 per ampere; the header
    carries coilname, brand, stimulator and dIdtmax when known)."""
    check_out(out, (".ccd",))
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
    check_out(out, (".txt", ".csv", ".dat", ".mat"))
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
