"""Intensity conversions that need a coil model.

peak dI/dt (A/s)  <->  peak coil current (A)  <->  peak B at the coil's reference point (T)
                  <->  |E| at a target (V/m).

dI/dt and current are linked by the pulse shape (the waveform's I_peak / dI/dt(0)); current and
B by the coil's field per ampere (Biot-Savart over its windings); dI/dt and E by the field per
unit dI/dt at the target (:mod:`tmslab.efield.sphere`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from tmslab.coils.coil import Coil
from tmslab.errors import InvalidValueError, check_positive
from tmslab.protocols.waveform import Waveform

UNITS = {
    "didt": "peak dI/dt, A/s",
    "current": "peak coil current, A",
    "tesla": "peak B at the coil's reference point, T",
    "vpm": "peak |E| at the target, V/m",
}


@dataclass(frozen=True)
class CoilDose:
    """One pulse intensity in every coil-dependent unit (SI)."""

    didt_a_per_s: float
    peak_current_a: float
    peak_b_t: float
    efield_v_per_m: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def current_per_didt_s(waveform: Waveform) -> float:
    """The pulse's I_peak / dI/dt(0), seconds (a property of the shape, not the amplitude)."""
    return waveform.peak_current_a / abs(float(waveform.didt_a_per_s[0]))


def coil_dose(
    coil: Coil,
    waveform: Waveform,
    efield_per_didt: float,
    *,
    unit: str,
    value: float,
) -> CoilDose:
    """Convert an intensity ``value`` in ``unit`` (one of :data:`UNITS`) to all the others.

    coil: its field per ampere at the reference point links current and tesla.
    waveform: the pulse shape. efield_per_didt: |E| at the target per unit dI/dt, V/m per A/s.
    """
    if unit not in UNITS:
        raise InvalidValueError(f"unit = {unit!r}; give one of {', '.join(UNITS)}")
    value = check_positive(UNITS[unit], value)
    seconds = current_per_didt_s(waveform)
    tesla_per_a = coil.tesla_per_ampere
    e_per_didt = check_positive("E-field per dI/dt at the target", efield_per_didt, "V/m per A/s")
    didt = {
        "didt": value,
        "current": value / seconds,
        "tesla": value / tesla_per_a / seconds,
        "vpm": value / e_per_didt,
    }[unit]
    current = didt * seconds
    return CoilDose(
        didt_a_per_s=didt,
        peak_current_a=current,
        peak_b_t=current * tesla_per_a,
        efield_v_per_m=didt * e_per_didt,
    )
