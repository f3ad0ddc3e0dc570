"""``tmslab coil``: coil presets and SimNIBS files, their geometry and field per ampere,
``.ccd`` export."""

from __future__ import annotations

from pathlib import Path

import typer

from tmslab.cli import GROUPS
from tmslab.cli import output as term
from tmslab.cli import params as opt
from tmslab.cli.params import Json
from tmslab.units import MM

app = typer.Typer(help=GROUPS["coil"][2], no_args_is_help=True)  # help: tmslab.cli table
Opt = typer.Option
COIL = typer.Argument(..., help="Preset name, .ccd/.tcd file or coil TOML file.")
HEAD = Opt("human", "--head", help="Head preset (human, rat, mouse) or scalp radius, e.g. 85mm.")
DIRECTION = Opt("0,0,1", "--direction", help="Head-frame direction from the centre to the coil, x,y,z.")  # fmt: skip


@app.command("list")
def list_command(json: Json = False) -> None:
    """List the coil presets with their geometry, dipole count and source."""
    from tmslab.coils import get_coil, list_coils
    from tmslab.coils.describe import list_row

    coils = [get_coil(name).summary() for name in list_coils()]
    if json:
        return term.print_json({"coils": coils})
    columns = ("name", "coil", "kind", "dipoles", "mT per kA", "source")
    rows = [list_row(c) for c in coils]
    term.print_table("Coil presets", columns, rows, styles={"name": {"no_wrap": True}})


@app.command("show")
def show_command(coil: str = COIL, json: Json = False) -> None:
    """Show one coil: geometry (SI), dipoles, field per ampere at its reference point, source;
    for SimNIBS files also the header's names and the peak dI/dt they state."""
    from tmslab.coils import load_coil
    from tmslab.coils.describe import show_rows

    info = load_coil(coil).summary()
    if json:
        return term.print_json(info)
    term.print_rows(info["name"], show_rows(info))
    for note in info["assumptions"]:
        term.console.print(f"[dim]assumption:[/dim] {note}")


@app.command("export")
def export_command(
    coil: str = COIL, out: Path = Opt(..., "--out", help="Output .ccd file.")
) -> None:
    """Write a coil's dipoles as a SimNIBS .ccd file (metres, A m^2 per ampere; the header
    carries coilname, brand, stimulator and dIdtmax when known)."""
    from tmslab.coils import load_coil, write_ccd

    term.check_out(out, (".ccd",))
    model = load_coil(coil)
    write_ccd(model, out)
    term.console.print(f"wrote {out} ({model.n_dipoles} dipoles)")


@app.command("pose")
def pose_command(
    out: Path = Opt(..., "--out", help="Output pose file (text; .txt, .csv or .dat)."),
    head: str = HEAD,
    direction: str = DIRECTION,
    distance_mm: float = Opt(0.0, "--distance-mm", help="Scalp to coil face, mm."),
    handle_angle: float = opt.HANDLE_ANGLE,
    unit: str = Opt("mm", "--unit", help="Translation unit written: mm (SimNIBS) or m."),
) -> None:
    """Write the 4x4 pose of a coil over a spherical head (SimNIBS matsimnibs layout).

    The file is what ``--pose`` reads back (exactly): columns are the coil's x, y, z axes in
    head coordinates (z into the head, y along the handle) and the coil centre.
    """
    from tmslab.efield.placing import write_sphere_pose

    term.check_out(out, (".txt", ".csv", ".dat", ".mat"))
    kw = dict(distance_m=distance_mm * MM, handle_angle_deg=handle_angle, unit=unit)
    centre, unit, name = write_sphere_pose(out, head, direction, **kw)
    term.console.print(f"wrote {out} (coil centre at {', '.join(f'{v:.4g}' for v in centre)} {unit}, {name} head)")  # fmt: skip
