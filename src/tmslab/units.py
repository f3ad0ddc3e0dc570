"""Unit conversions done at the edges (CLI, files, reports), and the one parser of "value+unit".

Inside tmslab everything is SI: seconds, hertz, amperes, A/s, volts, tesla, V/m. Dose units that
need device data (%MSO, %MT) live in :mod:`tmslab.protocols.dose`.

``parse_quantity("100A/us", "A/s")`` reads a number with an optional unit suffix and returns it in
the unit named second (which is also the unit of a bare number): ``1e8``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from tmslab.errors import InvalidValueError

MU0_OVER_4PI = 1e-7  # H/m: mu0 / (4 pi) (the 2019 SI redefinition changes it by < 1e-9)
MU0 = 4 * math.pi * MU0_OVER_4PI  # H/m: vacuum permeability
US = 1e-6  # seconds per microsecond
A_PER_US = 1e6  # A/s per A/us (stimulator manuals and coil files give dI/dt in A/us)

# Named conversion factors. A value in the named unit times the constant is SI (``85 * MM`` is
# 0.085 m); the ``*_PER_*`` names convert the other way, for messages and for solvers that work in
# NEURON's units (mV, ms, um, S/cm^2). Each replaces an inline factor of the same value, so every
# product is bit-for-bit what it was.
CM = 1e-2  # metres per centimetre
MM = 1e-3  # metres per millimetre
UM = 1e-6  # metres per micrometre
MS = 1e-3  # seconds per millisecond
MV = 1e-3  # volts per millivolt
MT = 1e-3  # tesla per millitesla
KA = 1e3  # amperes per kiloampere
UMOL_PER_L = 1e-3  # mol/m^3 per umol/L (uM)
MMOL_PER_L = 1.0  # mol/m^3 per mmol/L (mM)
CM2 = 1e-4  # m^2 per cm^2: S/m^2 * CM2 is S/cm^2
UM2 = 1e-12  # m^2 per um^2
S_PER_CM2 = 1e4  # S/m^2 per S/cm^2 (channel densities as published)
MS_PER_CM2 = 10.0  # S/m^2 per mS/cm^2
UF_PER_CM2 = 1e-2  # F/m^2 per uF/cm^2 (membrane capacitance as published)
OHM_CM = 1e-2  # ohm m per ohm cm (axial resistivity as published)

MM_PER_M = 1e3  # millimetres per metre
UM_PER_M = 1e6  # micrometres per metre
UM_PER_MM = 1e3  # micrometres per millimetre
UM_PER_CM = 1e4  # micrometres per centimetre
CM_PER_M = 100.0  # centimetres per metre (ohm m -> ohm cm)
CM2_PER_M2 = 1e4  # square centimetres per square metre
CM3_PER_M3 = 1e6  # cubic centimetres per cubic metre
MS_PER_S = 1e3  # milliseconds per second
US_PER_S = 1e6  # microseconds per second
MV_PER_V = 1e3  # millivolts per volt
MICROSIEMENS_PER_S = 1e6  # uS per siemens
NF_PER_F = 1e9  # nanofarads per farad
NA_PER_A = 1e9  # nanoamperes per ampere
MA_PER_CM2_PER_A_PER_M2 = 0.1  # mA/cm^2 per A/m^2 (NMODL current densities)
OHM_PER_MOHM = 1e6  # ohms per megaohm
UF_PER_CM2_PER_F_PER_M2 = 100.0  # uF/cm^2 per F/m^2 (NEURON's membrane capacitance unit)
MT_PER_T = 1e3  # millitesla per tesla
MT_PER_KA_PER_T_PER_A = 1e6  # mT/kA per T/A (coil efficiency as coil tables give it)
UF_PER_F = 1e6  # microfarads per farad
UH_PER_H = 1e6  # microhenries per henry
MOHM_PER_OHM = 1e3  # milliohms per ohm

_MICRO = ("us", "µs", "μs")  # ASCII, micro sign U+00B5, Greek mu U+03BC


@dataclass(frozen=True)
class Dimension:
    """A physical quantity with the unit spellings accepted for it.

    factors : {spelling: SI value of one such unit}; ``units`` lists the spellings shown in help.
    """

    name: str
    si_unit: str
    factors: dict[str, float]
    units: tuple[str, ...]


def _dimension(
    name: str, si_unit: str, shown: dict[str, float], aliases: dict[str, str]
) -> Dimension:
    factors = dict(shown)
    factors.update({alias: shown[target] for alias, target in aliases.items()})
    return Dimension(name, si_unit, factors, tuple(shown))


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        _dimension(
            "didt",
            "A/s",
            {"A/s": 1.0, "A/ms": 1e3, "A/us": A_PER_US, "kA/us": 1e9},
            {**{f"A/{u}": "A/us" for u in _MICRO}, **{f"kA/{u}": "kA/us" for u in _MICRO}},
        ),
        _dimension("tesla", "T", {"T": 1.0, "mT": MT}, {}),
        _dimension(
            "length", "m", {"m": 1.0, "cm": CM, "mm": MM, "um": UM}, {"µm": "um", "μm": "um"}
        ),
        _dimension("efield", "V/m", {"V/m": 1.0, "mV/mm": 1.0, "V/cm": 100.0}, {}),
        _dimension("current", "A", {"A": 1.0, "kA": KA}, {}),
        _dimension("time", "s", {"s": 1.0, "ms": MS, "us": US}, {"µs": "us", "μs": "us"}),
    )
}

_NUMBER = re.compile(r"\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$", re.DOTALL)


def dimension_of(unit: str) -> Dimension:
    """The dimension a unit spelling belongs to (``"A/us"`` -> didt)."""
    for dimension in DIMENSIONS.values():
        if unit in dimension.factors:
            return dimension
    known = ", ".join(u for d in DIMENSIONS.values() for u in d.units)
    raise InvalidValueError(f"unknown unit {unit!r}; known units: {known}")


def _lookup(dimension: Dimension, suffix: str) -> float | None:
    compact = suffix.replace(" ", "")
    if compact in dimension.factors:
        return dimension.factors[compact]
    # Case-insensitive only when unambiguous ("a/us" is A/us; no two spellings differ by case).
    folded = [k for k in dimension.factors if k.lower() == compact.lower()]
    if len({dimension.factors[k] for k in folded}) == 1:
        return dimension.factors[folded[0]]
    return None


def split_quantity(text: str) -> tuple[float, str]:
    """``"100 A/us"`` -> ``(100.0, "A/us")``; ``"1e8"`` -> ``(1e8, "")``. No unit check."""
    match = _NUMBER.fullmatch(str(text))
    if match is None:
        raise InvalidValueError(f"{text!r} is not a number with an optional unit, e.g. 100A/us")
    return float(match.group(1)), match.group(2)


def parse_quantity(text: str | float, unit: str) -> float:
    """A number with an optional unit suffix, in ``unit`` (a bare number is already in ``unit``).

    text : e.g. ``"100A/us"``, ``"100 A/µs"``, ``"1e8"``, ``"85mm"``; a float passes through.
    unit : the unit of the result and of a bare number, e.g. ``"A/s"`` or ``"mm"``.
    Returns the finite value in ``unit``; a suffix of another dimension or no number raises
    InvalidValueError naming the accepted units.
    """
    dimension = dimension_of(unit)
    accepted = ", ".join(dimension.units)
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value, suffix = float(text), ""
    else:
        try:
            value, suffix = split_quantity(str(text))
        except InvalidValueError:
            raise InvalidValueError(
                f"{text!r} is not a number with an optional unit ({accepted}; bare: {unit})"
            ) from None
    if not math.isfinite(value):
        raise InvalidValueError(f"{text!r} is not a finite number")
    if not suffix:
        return value
    factor = _lookup(dimension, suffix)
    if factor is None:
        raise InvalidValueError(
            f"{text!r} has unit {suffix!r}, not one of {accepted} (a bare number is {unit})"
        )
    result = value * (factor / dimension.factors[unit])
    if not math.isfinite(result):
        raise InvalidValueError(f"{text!r} is out of range")
    return result


# Bare numbers outside (low, high), read in the bare unit, are implausible for a TMS pulse; the
# user most likely meant the customary unit named beside it: 100 A/s is a million times below any
# coil (100 A/us is typical), 500 T is a hundred times above any coil (500 mT is typical).
_PLAUSIBLE = {"A/s": (1e3, float("inf"), "A/us"), "T": (0.0, 20.0, "mT")}


def implausible_warning(option: str, text: str, unit: str) -> str | None:
    """The warning for a bare number ``text`` of ``option`` implausible in ``unit``, else None.

    ``implausible_warning("--didt", "100", "A/s")`` -> ``"--didt 100 is read as 100 A/s; did you
    mean 100A/us?"``. Numbers with a unit suffix, unparsable text and values <= 0 (refused
    elsewhere) give None.
    """
    if unit not in _PLAUSIBLE:
        return None
    try:
        value, suffix = split_quantity(text)
    except InvalidValueError:
        return None
    low, high, meant = _PLAUSIBLE[unit]
    if suffix or value <= 0 or low <= value <= high:
        return None
    shown = f"{value:g}"
    return f"{option} {shown} is read as {shown} {unit}; did you mean {shown}{meant}?"


# The unit of a bare intensity for each dose unit of `field translate` (None: a plain number).
INTENSITY_UNITS = {"tesla": "T", "didt": "A/s", "current": "A", "vpm": "V/m", "pct_mso": None}


def parse_intensity(option: str, text: str, dose_unit: str) -> tuple[float, str | None]:
    """An intensity ``text`` in the SI unit of ``dose_unit``, and the implausibility warning.

    dose_unit : one of :data:`INTENSITY_UNITS` (tesla, didt, current, vpm, pct_mso).
    Returns ``(value, warning or None)``; a bad unit or text raises InvalidValueError.
    """
    if dose_unit not in INTENSITY_UNITS:
        known = ", ".join(INTENSITY_UNITS)
        raise InvalidValueError(f"--unit {dose_unit!r} is not known; give one of {known}")
    unit = INTENSITY_UNITS[dose_unit]
    if unit is None:
        try:
            value, suffix = split_quantity(text)
        except InvalidValueError:
            suffix, value = "?", 0.0
        if suffix.replace(" ", "").upper() not in ("", "%", "%MSO"):
            raise InvalidValueError(
                f"{option} {text!r}: with --unit pct_mso give a number in % MSO, e.g. 60"
            )
        return value, None
    try:
        value = parse_quantity(text, unit)
    except InvalidValueError as error:
        raise InvalidValueError(f"{option} with --unit {dose_unit}: {error}") from None
    return value, implausible_warning(option, text, unit)
