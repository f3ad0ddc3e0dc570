"""What the stimulator commands show: the preset catalogue, one device's pulse, a dose conversion.

Typed values with ``to_dict()`` (JSON, SI) and ``rows()`` / ``lines()`` (text for people, in the
units stimulator manuals use: us, uF, uH, mOhm, kA, A/us).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tmslab.protocols.stimulators import (
    Stimulator,
    get_coil_didt,
    get_stimulator,
    list_coil_didts,
    list_stimulators,
)
from tmslab.protocols.waveform import Waveform
from tmslab.units import A_PER_US, KA, MOHM_PER_OHM, UF_PER_F, UH_PER_H, US_PER_S

if TYPE_CHECKING:  # the dose module loads the field models: only `stimulator dose` needs it
    from tmslab.protocols.dose import Dose

__all__ = ["DoseConversion", "PulseSheet", "StimulatorCatalogue", "convert_dose", "pulse_sheet"]


@dataclass(frozen=True)
class StimulatorCatalogue:
    """Every stimulator preset and every measured stimulator+coil peak dI/dt at 100 % MSO."""

    devices: tuple[Stimulator, ...]
    pairs: tuple[Any, ...]  # CoilDidt

    @classmethod
    def load(cls) -> StimulatorCatalogue:
        """The shipped presets and pairs."""
        devices = tuple(get_stimulator(name) for name in list_stimulators())
        return cls(devices, tuple(get_coil_didt(s, c) for s, c in list_coil_didts()))

    def to_dict(self) -> dict[str, Any]:
        """``{"stimulators": [...], "coil_didt": [...]}`` (dI/dt in A/s)."""
        devices = [
            {
                "name": d.name,
                "label": d.label,
                "shapes": list(d.shapes),
                "reference_coil": d.reference_coil,
                "source": d.source.to_dict(),
            }
            for d in self.devices
        ]
        pairs = [
            {
                "stimulator": p.stimulator,
                "coil": p.coil,
                "didt_max_a_per_s": p.didt_max_a_per_s,
                "source": p.source.to_dict(),
            }
            for p in self.pairs
        ]
        return {"stimulators": devices, "coil_didt": pairs}

    DEVICE_COLUMNS = ("name", "device", "shapes", "source")
    PAIR_COLUMNS = ("stimulator", "coil", "A/us")

    def device_rows(self) -> list[tuple[str, ...]]:
        """One row per preset: name, label, shapes, the citation's first 60 characters."""
        return [
            (d.name, d.label, ", ".join(d.shapes), d.source.citation[:60]) for d in self.devices
        ]

    def pair_rows(self) -> list[tuple[str, ...]]:
        """One row per measured pair: stimulator, coil, peak dI/dt in A/us."""
        return [(p.stimulator, p.coil, f"{p.didt_max_a_per_s / A_PER_US:.5g}") for p in self.pairs]


@dataclass(frozen=True)
class PulseSheet:
    """One device's pulse at a % MSO: the waveform and its discharge circuit (RLC model)."""

    device: Stimulator
    pulse: Waveform
    pct_mso: float

    @property
    def title(self) -> str:
        return f"{self.device.label} at {self.pct_mso:g} % MSO"

    @property
    def figure_title(self) -> str:
        return f"{self.device.label}: {self.pulse.shape} at {self.pct_mso:g} % MSO"

    def to_dict(self) -> dict[str, Any]:
        """The pulse and circuit, SI."""
        device, pulse = self.device, self.pulse
        circuit = device.circuit(pulse.shape)
        return {
            "name": device.name,
            "label": device.label,
            "shape": pulse.shape,
            "pct_mso": self.pct_mso,
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

    def rows(self) -> list[tuple[str, str]]:
        """``(name, value with unit)`` rows in the units of stimulator manuals."""
        pulse, circuit = self.pulse, self.device.circuit(self.pulse.shape)
        rlc = (
            f"{circuit.capacitance_f * UF_PER_F:.4g} uF / {circuit.inductance_h * UH_PER_H:.4g}"
            f" uH / {circuit.resistance_ohm * MOHM_PER_OHM:.4g} mOhm"
        )
        return [
            ("shape", pulse.shape),
            ("duration", f"{pulse.duration_s * US_PER_S:.1f} us"),
            ("damped period", f"{circuit.damped_period_s * US_PER_S:.1f} us"),
            ("rise time to peak current", f"{circuit.rise_time_s * US_PER_S:.1f} us"),
            ("C / L / R", rlc),
            ("capacitor voltage", "unknown" if pulse.v0_v is None else f"{pulse.v0_v:.4g} V"),
            ("peak current", f"{pulse.peak_current_a / KA:.4g} kA"),
            ("dI/dt(0) = V0/L", f"{pulse.didt_a_per_s[0] / A_PER_US:.4g} A/us"),
            ("source", str(self.device.source)),
        ]


def pulse_sheet(name: str, shape: str | None = None, pct_mso: float = 100.0) -> PulseSheet:
    """The pulse of preset ``name`` (``shape``: default the device's first) at ``pct_mso``."""
    device = get_stimulator(name)
    return PulseSheet(device, device.waveform(shape or device.shapes[0], pct_mso), pct_mso)


@dataclass(frozen=True)
class DoseConversion:
    """An intensity in % MT, % MSO and peak dI/dt, with the links that connected them."""

    dose: Dose

    def to_dict(self) -> dict[str, Any]:
        """The three intensities (dI/dt in A/s), the motor threshold and the dI/dt link."""
        dose = self.dose
        return {
            **dose.intensity,
            "mt_pct_mso": dose.mt_pct_mso,
            "didt_max_a_per_s": dose.didt_max_a_per_s,
            "didt_max_source": dose.didt_max_source,
        }

    def lines(self) -> list[str]:
        """The dI/dt link (if any), then ``unit: value`` or ``(needs OPTION)`` per unit."""
        dose = self.dose
        lines = []
        if dose.didt_max_source:
            didt = dose.didt_max_a_per_s / A_PER_US
            lines.append(f"peak dI/dt at 100 % MSO: {didt:.5g} A/us ({dose.didt_max_source})")
        for value, unit, scale, needs in (
            (dose.pct_mt, "% MT", 1.0, "--mt"),
            (dose.pct_mso, "% MSO", 1.0, "--mt"),
            (dose.didt_a_per_s, "A/us", 1 / A_PER_US, "--device/--coil"),
        ):
            shown = f"(needs {needs})" if value is None else f"{value * scale:.5g}"
            lines.append(f"{unit:>6}: {shown}")
        return lines


def convert_dose(
    *,
    pct_mt: float | None = None,
    pct_mso: float | None = None,
    didt_a_per_s: float | None = None,
    mt_pct_mso: float | None = None,
    device: str | None = None,
    coil: str | None = None,
) -> DoseConversion:
    """Resolve one intensity in every unit, the dI/dt link from ``device``/``coil``.

    ``coil`` is a coil of a measured pair (with ``device``) or a SimNIBS .ccd/.tcd file that
    states its peak dI/dt (:func:`~tmslab.protocols.dose.didt_max_link`).
    """
    from tmslab.protocols.dose import didt_max_link, resolve_dose

    didt_max, didt_source = didt_max_link(device, coil)
    dose = resolve_dose(
        pct_mt=pct_mt,
        pct_mso=pct_mso,
        didt_a_per_s=didt_a_per_s,
        mt_pct_mso=mt_pct_mso,
        didt_max_a_per_s=didt_max,
        didt_max_source=didt_source,
    )
    return DoseConversion(dose)
