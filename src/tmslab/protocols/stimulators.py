"""Stimulator presets (an RLC circuit per pulse shape) and measured peak dI/dt of coil pairs.

What is measured and what is derived
------------------------------------
* Peak dI/dt at 100 % MSO for three stimulator+coil pairs is taken as published: the ``dIdtmax``
  header field of the SimNIBS coil files of Drakaki et al. (2022).
* The biphasic timing of the Magstim Rapid + D70 and MagPro X100 + MC-B70 pairs (damped period
  and damping rate) is read off the damped-cosine fits to the measured dI/dt waveforms that come
  with those SimNIBS files (``*.tsv``, column ``*_fit``): the fit's zero crossings give the period
  and, with the initial slope, alpha. The fit function is exactly this model's
  dI/dt(t) / dI/dt(0) = exp(-alpha t) (cos(omega t) - alpha/omega sin(omega t)).
* No stimulator's capacitance is published in a source found for this module. A measured
  waveform fixes omega, alpha and dI/dt(0) = V0/L only, so every circuit assumes
  C = 200 uF (``ASSUMED_CAPACITANCE_F``); L, R and the capacitor voltage at 100 % MSO follow.
  The assumption changes absolute current, magnetic field and energy, never the normalised
  E-field waveform or dI/dt.
* Monophasic presets are derived from nominal rise times and a ~1 ms total duration; see each
  preset's ``source.note``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tmslab.errors import InvalidValueError, UnknownNameError, check_positive
from tmslab.protocols.waveform import (
    DEFAULT_DECAY_FRACTION,
    DEFAULT_DT_S,
    RLCCircuit,
    Waveform,
    normalise_shape,
)
from tmslab.sources import Source
from tmslab.units import A_PER_US, US

ASSUMED_CAPACITANCE_F = 200e-6  # F; see module docstring: not a published device value

_DRAKAKI = (
    "Drakaki M, Mathiesen C, Siebner HR, Madsen KH, Thielscher A (2022). Database of 25 validated "
    "coil models for electric field simulations for TMS. Brain Stimulation"
)
_DRAKAKI_DOI = "10.1016/j.brs.2022.04.017"
_SIMNIBS_DIR = "simnibs/resources/coil_models/Drakaki_BrainStim_2022/"


@dataclass(frozen=True)
class Stimulator:
    """A magnetic stimulator with the discharge circuit of each pulse shape it offers.

    name: canonical lookup key, e.g. "magventure-magpro-x100".
    label: display name, e.g. "MagVenture MagPro X100".
    manufacturer: maker's name.
    reference_coil: coil the circuits were derived with (the circuit includes its inductance).
    circuits: shape -> RLCCircuit (read-only mapping).
    max_voltage_v: capacitor voltage at 100 % MSO, volts, or None when not known.
    source: where the numbers come from and what was assumed.
    """

    name: str
    label: str
    manufacturer: str
    reference_coil: str
    circuits: Mapping[str, RLCCircuit]
    max_voltage_v: float | None
    source: Source

    @property
    def shapes(self) -> tuple[str, ...]:
        """Pulse shapes this preset provides."""
        return tuple(self.circuits)

    def circuit(self, shape: str) -> RLCCircuit:
        """The RLC circuit of ``shape``; InvalidValueError if the device does not offer it."""
        key = normalise_shape(shape)
        if key not in self.circuits:
            available = ", ".join(self.shapes)
            raise InvalidValueError(
                f"stimulator {self.name!r} has no {key!r} preset; available: {available}"
            )
        return self.circuits[key]

    def v0_v(self, pct_mso: float) -> float:
        """Capacitor voltage at ``pct_mso`` % of maximum stimulator output, volts."""
        pct = check_positive("pct_mso", pct_mso, "%")
        if pct > 100:
            raise InvalidValueError(
                f"pct_mso = {pct_mso!r} is not allowed; it must be in (0, 100] %"
            )
        if self.max_voltage_v is None:
            raise InvalidValueError(
                f"the capacitor voltage of {self.name!r} at 100 % MSO is not known; "
                "call circuit(shape).waveform(shape, v0_v) with a voltage"
            )
        return pct / 100.0 * self.max_voltage_v

    def waveform(
        self,
        shape: str,
        pct_mso: float = 100.0,
        dt_s: float = DEFAULT_DT_S,
        *,
        decay_fraction: float = DEFAULT_DECAY_FRACTION,
    ) -> Waveform:
        """Sampled pulse of ``shape`` at ``pct_mso`` % MSO with the reference coil.

        dt_s: sampling step, s (<= 5e-6). Returns a Waveform (see tmslab.protocols.waveform).
        """
        circuit = self.circuit(shape)
        return circuit.waveform(
            shape,
            self.v0_v(pct_mso),
            dt_s,
            decay_fraction=decay_fraction,
            name=f"{self.name} {normalise_shape(shape)}",
        )


@dataclass(frozen=True)
class CoilDidt:
    """Measured peak dI/dt of a stimulator+coil pair at 100 % MSO.

    stimulator: canonical stimulator key. coil: coil model name as its maker writes it.
    didt_max_a_per_s: peak dI/dt at 100 % MSO, A/s.
    """

    stimulator: str
    coil: str
    didt_max_a_per_s: float
    source: Source


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower().replace("²", "2"))


def _damping_for_total(circuit: RLCCircuit, total_s: float, fraction: float) -> RLCCircuit:
    """Circuit whose monophasic pulse decays to ``fraction`` of its peak at ``total_s``."""
    tau = (total_s - circuit.rise_time_s) / math.log(1.0 / fraction)
    return circuit.with_damping_resistance(circuit.inductance_h / tau - circuit.resistance_ohm)


def _build_presets() -> tuple[dict[str, Stimulator], dict[tuple[str, str], CoilDidt]]:
    didt_rapid_d70 = 114.73 * A_PER_US
    didt_magpro_mcb70 = 155.33 * A_PER_US
    didt_magpro_mcfb65 = 147.86 * A_PER_US
    monophasic_total_s = 1000 * US  # nominal "~1 ms" monophasic pulse, to DEFAULT_DECAY_FRACTION

    # Magstim Rapid + D70: fit to the measured waveform, MagStim_Rapid_fit column.
    rapid_bi = RLCCircuit.from_timing(344.5 * US, 1148.0, ASSUMED_CAPACITANCE_F)
    rapid = Stimulator(
        name="magstim-rapid2",
        label="Magstim Rapid²",
        manufacturer="Magstim",
        reference_coil="D70",
        circuits=MappingProxyType({"biphasic": rapid_bi}),
        max_voltage_v=rapid_bi.inductance_h * didt_rapid_d70,
        source=Source(
            _DRAKAKI + " (waveform fit distributed with SimNIBS)",
            _DRAKAKI_DOI,
            "Biphasic timing from the damped-cosine fit in SimNIBS "
            f"{_SIMNIBS_DIR}Magstim_D70.tsv (column MagStim_Rapid_fit): dI/dt zero crossings at "
            "82.68 us and 254.93 us -> damped period 344.5 us, alpha = 1148 1/s (Q = 8.0). "
            "The file header names the device 'Magstim Rapid'; taken as the Rapid² here. "
            "Derived, not published: C = 200 uF assumed, hence L = 14.97 uH, R = 34.4 mOhm and "
            "V0 = L * 114.73 A/us = 1718 V at 100 % MSO.",
        ),
    )

    # MagPro X100 + MC-B70: fit to the measured waveform, MagPro_X100_fit column.
    magpro_bi = RLCCircuit.from_timing(303.0 * US, 807.0, ASSUMED_CAPACITANCE_F)
    magpro_mono = _damping_for_total(magpro_bi, monophasic_total_s, DEFAULT_DECAY_FRACTION)
    magpro = Stimulator(
        name="magventure-magpro-x100",
        label="MagVenture MagPro X100",
        manufacturer="MagVenture",
        reference_coil="MC-B70",
        circuits=MappingProxyType({"biphasic": magpro_bi, "monophasic": magpro_mono}),
        max_voltage_v=magpro_bi.inductance_h * didt_magpro_mcb70,
        source=Source(
            _DRAKAKI + " (waveform fit distributed with SimNIBS)",
            _DRAKAKI_DOI,
            "Biphasic timing from the damped-cosine fit in SimNIBS "
            f"{_SIMNIBS_DIR}MagVenture_MC-B70.tsv (column MagPro_X100_fit): dI/dt zero crossings "
            "at 73.88 us and 225.38 us -> damped period 303.0 us, alpha = 807 1/s (Q = 12.9). "
            "Derived, not published: C = 200 uF assumed, hence L = 11.61 uH, R = 18.7 mOhm and "
            "V0 = L * 155.33 A/us = 1803 V at 100 % MSO. Monophasic: assumed to use the same "
            "capacitor and coil path up to the current peak (rise 73.9 us), then a damping "
            "resistor chosen so the current falls to 1e-3 of its peak at 1 ms (assumption).",
        ),
    )

    # Magstim 200²: no measured waveform found; nominal timing only.
    m200_rise = RLCCircuit.from_rise_time(100 * US, rapid_bi.inductance_h, rapid_bi.resistance_ohm)
    m200_mono = _damping_for_total(m200_rise, monophasic_total_s, DEFAULT_DECAY_FRACTION)
    magstim200 = Stimulator(
        name="magstim-200-2",
        label="Magstim 200²",
        manufacturer="Magstim",
        reference_coil="D70",
        circuits=MappingProxyType({"monophasic": m200_mono}),
        max_voltage_v=None,
        source=Source(
            "Magstim 200² Operating Manual, P/N 3001-23-04 (The Magstim Company, 2005)",
            "",
            "Nominal monophasic timing: ~100 us rise to peak current, ~1 ms total (commonly quoted "
            "figures; not checked against the manual's text). Derived, not published: the D70 "
            "coil circuit of the magstim-rapid2 preset (L = 14.97 uH, R = 34.4 mOhm) with the "
            "capacitance that puts the current peak at 100 us (C = 297 uF), and a damping "
            "resistor that brings the current to 1e-3 of its peak at 1 ms. Capacitor voltage at "
            "100 % MSO unknown.",
        ),
    )

    stimulators = {s.name: s for s in (magstim200, rapid, magpro)}

    def _coil(stim: str, coil: str, didt: float, file: str, header_stim: str) -> CoilDidt:
        note = (
            f"dIdtmax = {didt / A_PER_US:.2f} A/us at 100 % MSO from the header of SimNIBS "
            f"{_SIMNIBS_DIR}{file} (stimulator={header_stim})."
        )
        return CoilDidt(stim, coil, didt, Source(_DRAKAKI, _DRAKAKI_DOI, note))

    coils = [
        _coil("magstim-rapid2", "D70", didt_rapid_d70, "MagStim_D70.ccd", "Magstim Rapid"),
        _coil(
            "magventure-magpro-x100",
            "MC-B70",
            didt_magpro_mcb70,
            "MagVenture_MC-B70.ccd",
            "MagPro X100",
        ),
        _coil(
            "magventure-magpro-x100",
            "MCF-B65",
            didt_magpro_mcfb65,
            "MagVenture_MCF-B65.ccd",
            "MagPro X100",
        ),
    ]
    return stimulators, {(c.stimulator, _normalise(c.coil)): c for c in coils}


_STIMULATORS, _COIL_DIDT = _build_presets()
_ALIASES = {
    **{_normalise(name): name for name in _STIMULATORS},
    "magstim200": "magstim-200-2",
    "magstimrapid": "magstim-rapid2",
    "rapid2": "magstim-rapid2",
    "magprox100": "magventure-magpro-x100",
}


def _stimulator_key(name: str) -> str:
    key = _ALIASES.get(_normalise(name))
    if key is None:
        raise UnknownNameError("stimulator", str(name), _STIMULATORS)
    return key


def list_stimulators() -> tuple[str, ...]:
    """Canonical names of the stimulator presets, sorted."""
    return tuple(sorted(_STIMULATORS))


def get_stimulator(name: str) -> Stimulator:
    """Stimulator preset by name (case, spaces, hyphens and '²' are ignored)."""
    return _STIMULATORS[_stimulator_key(name)]


def list_coil_didts() -> tuple[tuple[str, str], ...]:
    """(stimulator, coil) pairs with a measured peak dI/dt, sorted."""
    return tuple(sorted((c.stimulator, c.coil) for c in _COIL_DIDT.values()))


def get_coil_didt(stimulator: str, coil: str) -> CoilDidt:
    """Measured peak dI/dt at 100 % MSO of ``coil`` on ``stimulator``."""
    key = (_stimulator_key(stimulator), _normalise(coil))
    if key not in _COIL_DIDT:
        known = [f"{s} + {c}" for s, c in list_coil_didts()]
        raise UnknownNameError("stimulator+coil pair", f"{key[0]} + {coil}", known)
    return _COIL_DIDT[key]


def waveform_named(spec: str, option: str = "--waveform") -> Waveform:
    """The waveform ``DEVICE[:SHAPE]`` (default: the device's first shape)."""
    device, _, shape = spec.partition(":")
    stimulator = get_stimulator(device)
    shape = shape or stimulator.shapes[0]
    if shape not in stimulator.shapes:
        raise InvalidValueError(
            f"{option} {spec!r}: {device} has shapes {', '.join(stimulator.shapes)}"
        )
    return stimulator.waveform(shape)
