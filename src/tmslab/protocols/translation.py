"""Dose translation between named set-ups: the intensity another head and coil need to match
the E-field at the target (``tmslab field translate``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tmslab.errors import InvalidValueError, check_positive


@dataclass(frozen=True)
class NamedSetup:
    """A set-up by name: head preset or radius, coil preset or file, target name or depth
    (``"2.5mm"``), and the stimulator+coil peak dI/dt at 100 % MSO (A/s) if known."""

    head: str
    coil: str
    target: str = "cortex"
    didt_max_a_per_s: float | None = None


def translate_named(
    source: NamedSetup,
    unit: str,
    value: float,
    destination: NamedSetup,
    waveform: str = "magstim-rapid2:biphasic",
) -> dict[str, Any]:
    """:func:`tmslab.efield.translate.translate` for named set-ups.

    unit : tesla, didt, current, vpm or pct_mso (which needs the source's dI/dt at 100 % MSO);
    value : the source intensity in that unit (SI; % MSO); waveform : the source pulse as
    ``DEVICE:SHAPE``. Inputs are checked before the (slow) field computations.
    """
    from tmslab.coils import load_coil
    from tmslab.conductors.sphere import resolve_head
    from tmslab.efield.translate import Setup, translate
    from tmslab.efield.workflows import parse_target
    from tmslab.protocols.stimulators import waveform_named

    value = check_positive("--intensity", value)
    if unit == "pct_mso" and source.didt_max_a_per_s is None:
        raise InvalidValueError(
            "--unit pct_mso needs --didt-max (the source stimulator and coil's peak dI/dt at "
            "100 % MSO, e.g. --didt-max 150A/us)"
        )
    for option, side in (("--didt-max", source), ("--to-didt-max", destination)):
        if side.didt_max_a_per_s is not None:
            check_positive(option, side.didt_max_a_per_s, "A/s")
    source_setup, destination_setup = (
        Setup(
            resolve_head(s.head),
            load_coil(s.coil),
            parse_target(s.target),
            didt_max_a_per_s=s.didt_max_a_per_s,
        )
        for s in (source, destination)
    )
    pulse = waveform_named(waveform, "--waveform")
    return translate(source_setup, unit, value, destination_setup, pulse)
