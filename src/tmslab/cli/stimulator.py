"""``tmslab stimulator``: device presets, their pulse waveforms, and dose-unit conversion."""

from __future__ import annotations

import typer

from tmslab.cli import GROUPS
from tmslab.cli import output as term
from tmslab.cli.params import Json, MaybeFigure, quantity_option

app = typer.Typer(help=GROUPS["stimulator"][2], no_args_is_help=True)  # help: tmslab.cli table
Opt = typer.Option


@app.command("list")
def list_command(json: Json = False) -> None:
    """List the stimulator presets and the measured stimulator+coil dI/dt pairs."""
    from tmslab.protocols.views import StimulatorCatalogue

    catalogue = StimulatorCatalogue.load()
    if json:
        return term.print_json(catalogue.to_dict())
    term.print_table("Stimulators", catalogue.DEVICE_COLUMNS, catalogue.device_rows())
    pairs = catalogue.pair_rows()
    term.print_table("Measured peak dI/dt at 100 % MSO", catalogue.PAIR_COLUMNS, pairs)


@app.command("show")
def show_command(
    name: str = typer.Argument(..., help="Stimulator preset (see 'tmslab stimulator list')."),
    shape: str = Opt(None, "--shape", help="Pulse shape (default: the device's first)."),
    pct_mso: float = Opt(100.0, "--pct-mso", help="Stimulator output, % MSO."),
    out: MaybeFigure = None,
    json: Json = False,
) -> None:
    """Show a device's pulse: shape, duration, period, peak current and dI/dt (RLC model)."""
    term.check_out(out, term.FIGURE_SUFFIXES)
    from tmslab.protocols.views import pulse_sheet

    sheet = pulse_sheet(name, shape, pct_mso)
    if out is not None:
        from tmslab.viz.waveform import plot_waveform

        term.save_figure(plot_waveform(sheet.pulse, title=sheet.figure_title), out)
    if json:
        return term.print_json(sheet.to_dict())
    term.print_rows(sheet.title, sheet.rows())
    term.print_written(out)


@app.command("dose")
def dose_command(
    pct_mt: float = Opt(None, "--pct-mt", help="Intensity in % of motor threshold."),
    pct_mso: float = Opt(None, "--pct-mso", help="Intensity in % MSO."),
    didt: float = quantity_option(None, "--didt", unit="A/s", help="Peak dI/dt."),
    mt: float = Opt(None, "--mt", help="The subject's motor threshold in % MSO."),
    device: str = Opt(None, "--device", help="Stimulator preset (for the dI/dt link)."),
    coil: str = Opt(None, "--coil", help="Coil of a measured pair, or a .ccd/.tcd file."),
    json: Json = False,
) -> None:
    """Convert an intensity between % MT, % MSO and peak dI/dt (shown in A/us)."""
    from tmslab.protocols.views import convert_dose

    conversion = convert_dose(
        pct_mt=pct_mt, pct_mso=pct_mso, didt_a_per_s=didt, mt_pct_mso=mt, device=device, coil=coil
    )
    if json:
        return term.print_json(conversion.to_dict())
    for line in conversion.lines():
        term.console.print(line)
