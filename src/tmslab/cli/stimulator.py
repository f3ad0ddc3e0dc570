"""``tmslab stimulator``: device presets, their pulse waveforms, and dose-unit conversion."""

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
from tmslab.units import A_PER_US

app = typer.Typer(
    help="Stimulators: pulse waveforms (RLC model), measured dI/dt, dose units.",
    no_args_is_help=True,
)
JSON_OPT = typer.Option(False, "--json", help="Print machine-readable JSON.")


@app.command("list")
def list_command(json: bool = JSON_OPT) -> None:
    """List the stimulator presets and the measured stimulator+coil dI/dt pairs."""
    from tmslab.protocols.stimulators import (
        get_coil_didt,
        get_stimulator,
        list_coil_didts,
        list_stimulators,
    )

    devices = []
    for name in list_stimulators():
        device = get_stimulator(name)
        devices.append(
            {
                "name": name,
                "label": device.label,
                "shapes": list(device.shapes),
                "reference_coil": device.reference_coil,
                "source": device.source.to_dict(),
            }
        )
    pairs = []
    for stimulator, coil in list_coil_didts():
        pair = get_coil_didt(stimulator, coil)
        pairs.append(
            {
                "stimulator": stimulator,
                "coil": coil,
                "didt_max_a_per_s": pair.didt_max_a_per_s,
                "source": pair.source.to_dict(),
            }
        )
    if json:
        print_json({"stimulators": devices, "coil_didt": pairs})
        return
    from rich.table import Table

    table = Table(title="Stimulators", title_justify="left")
    for column in ("name", "device", "shapes", "source"):
        table.add_column(column)
    for d in devices:
        table.add_row(d["name"], d["label"], ", ".join(d["shapes"]), d["source"]["citation"][:60])
    console.print(table)
    table = Table(title="Measured peak dI/dt at 100 % MSO", title_justify="left")
    for column in ("stimulator", "coil", "A/us"):
        table.add_column(column)
    for p in pairs:
        table.add_row(p["stimulator"], p["coil"], f"{p['didt_max_a_per_s'] / A_PER_US:.5g}")
    console.print(table)


@app.command("show")
def show_command(
    name: str = typer.Argument(..., help="Stimulator preset (see 'tmslab stimulator list')."),
    shape: str = typer.Option(None, "--shape", help="Pulse shape (default: the device's first)."),
    pct_mso: float = typer.Option(100.0, "--pct-mso", help="Stimulator output, % MSO."),
    out: Path = typer.Option(
        None, "--out", "-o", help="Also draw the waveform to this .png/.svg/.pdf."
    ),
    json: bool = JSON_OPT,
) -> None:
    """Show a device's pulse: shape, duration, period, peak current and dI/dt (RLC model)."""
    check_out(out, FIGURE_SUFFIXES)
    from tmslab.protocols.stimulators import get_stimulator

    device = get_stimulator(name)
    pulse = device.waveform(shape or device.shapes[0], pct_mso)
    circuit = device.circuit(pulse.shape)
    record = {
        "name": device.name,
        "label": device.label,
        "shape": pulse.shape,
        "pct_mso": pct_mso,
        "duration_s": pulse.duration_s,
        "damped_period_s": circuit.damped_period_s,
        "rise_time_s": circuit.rise_time_s,
        "capacitance_f": circuit.capacitance_f,
        "inductance_h": circuit.inductance_h,
        "resistance_ohm": circuit.resistance_ohm,
        "v0_v": pulse.v0_v,
        "peak_current_a": pulse.peak_current_a,
        "didt0_a_per_s": float(pulse.didt_a_per_s[0]),
        "source": device.source.to_dict(),
    }
    if out is not None:
        from tmslab.viz.waveform import plot_waveform

        save_figure(
            plot_waveform(pulse, title=f"{device.label}: {pulse.shape} at {pct_mso:g} % MSO"), out
        )
    if json:
        print_json(record)
        return
    rows = [
        ("shape", pulse.shape),
        ("duration", f"{pulse.duration_s * 1e6:.1f} us"),
        ("damped period", f"{circuit.damped_period_s * 1e6:.1f} us"),
        ("rise time to peak current", f"{circuit.rise_time_s * 1e6:.1f} us"),
        (
            "C / L / R",
            f"{circuit.capacitance_f * 1e6:.4g} uF / {circuit.inductance_h * 1e6:.4g} uH / "
            f"{circuit.resistance_ohm * 1e3:.4g} mOhm",
        ),
        ("capacitor voltage", "unknown" if pulse.v0_v is None else f"{pulse.v0_v:.4g} V"),
        ("peak current", f"{pulse.peak_current_a / 1e3:.4g} kA"),
        ("dI/dt(0) = V0/L", f"{pulse.didt_a_per_s[0] / A_PER_US:.4g} A/us"),
        ("source", str(device.source)),
    ]
    console.print(key_value_table(f"{device.label} at {pct_mso:g} % MSO", rows))
    if out is not None:
        console.print(f"wrote {out}")


@app.command("dose")
def dose_command(
    pct_mt: float = typer.Option(None, "--pct-mt", help="Intensity in % of motor threshold."),
    pct_mso: float = typer.Option(
        None, "--pct-mso", help="Intensity in % of maximum stimulator output."
    ),
    didt: float = quantity_option(None, "--didt", unit="A/s", help="Peak dI/dt."),
    mt: float = typer.Option(None, "--mt", help="The subject's motor threshold in % MSO."),
    device: str = typer.Option(None, "--device", help="Stimulator preset, for the dI/dt link."),
    coil: str = typer.Option(
        None,
        "--coil",
        help="Coil of a measured stimulator+coil pair (with --device), or a SimNIBS .ccd/.tcd "
        "file that states its peak dI/dt (dIdtmax, maxdIdt).",
    ),
    json: bool = JSON_OPT,
) -> None:
    """Convert an intensity between % MT, % MSO and peak dI/dt (shown in A/us)."""
    from tmslab.protocols.dose import didt_max_link, resolve_dose

    didt_max, didt_source = didt_max_link(device, coil)
    dose = resolve_dose(
        pct_mt=pct_mt,
        pct_mso=pct_mso,
        didt_a_per_s=didt,
        mt_pct_mso=mt,
        didt_max_a_per_s=didt_max,
        didt_max_source=didt_source,
    )
    if json:
        print_json(
            {
                **dose.intensity,
                "mt_pct_mso": mt,
                "didt_max_a_per_s": didt_max,
                "didt_max_source": didt_source,
            }
        )
        return
    if didt_source:
        console.print(f"peak dI/dt at 100 % MSO: {didt_max / A_PER_US:.5g} A/us ({didt_source})")
    for value, unit, scale, needs in (
        (dose.pct_mt, "% MT", 1.0, "--mt"),
        (dose.pct_mso, "% MSO", 1.0, "--mt"),
        (dose.didt_a_per_s, "A/us", 1 / A_PER_US, "--device/--coil"),
    ):
        shown = f"(needs {needs})" if value is None else f"{value * scale:.5g}"
        console.print(f"{unit:>6}: {shown}")
