"""Dose units: %MSO, %MT and peak dI/dt, plus hooks to the magnetic field and the E-field.

Relations (SI inside; percentages are plain numbers, 120 means 120 %):

* %MSO is linear in the capacitor voltage and the pulse's peak dI/dt is dI/dt(0) = V0 / L, so
  ``didt = pct_mso / 100 * didt_max`` with ``didt_max`` the peak dI/dt of the stimulator+coil pair
  at 100 % MSO (A/s; see :func:`tmslab.protocols.stimulators.get_coil_didt`).
* %MT is relative to the subject's motor threshold given in %MSO:
  ``pct_mso = pct_mt / 100 * mt_pct_mso``. Results above 100 % MSO are rejected.
* Peak magnetic field B = k I_peak, with k (T/A) the coil's field per ampere at the reference
  point; converting it to dI/dt also needs the pulse's ratio I_peak / dI/dt(0).
* E-field = E_per_didt * dI/dt, with E_per_didt (V/m per A/s) from the field layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tmslab.errors import InvalidValueError, TmslabError, check_positive
from tmslab.protocols.waveform import Waveform

COIL_MODEL_NEEDED = (
    "converting a peak magnetic field (T) to dI/dt needs a coil model; "
    "the coil layer (tmslab.coils) provides it (or pass tesla_per_a, T per ampere at the "
    "reference point)"
)


def _check_pct_mso(pct_mso: float, name: str = "pct_mso") -> float:
    try:
        pct = float(pct_mso)
    except (TypeError, ValueError):
        raise InvalidValueError(
            f"{name} = {pct_mso!r} is not a number; give a value in [0, 100] %"
        ) from None
    if not (0.0 <= pct <= 100.0):
        raise InvalidValueError(
            f"{name} = {pct_mso!r} is not allowed; it must be in [0, 100] % MSO"
        )
    return pct


def _check_threshold(mt_pct_mso: float) -> float:
    mt = check_positive("mt_pct_mso", mt_pct_mso, "% MSO")
    if mt > 100.0:
        raise InvalidValueError(
            f"mt_pct_mso = {mt_pct_mso!r} is not allowed; it must be in (0, 100] % MSO"
        )
    return mt


def pct_mso_to_didt(pct_mso: float, didt_max_a_per_s: float) -> float:
    """Peak dI/dt (A/s) at ``pct_mso`` % MSO, given the peak dI/dt at 100 % MSO (A/s)."""
    return (
        _check_pct_mso(pct_mso)
        / 100.0
        * check_positive("didt_max_a_per_s", didt_max_a_per_s, "A/s")
    )


def didt_to_pct_mso(didt_a_per_s: float, didt_max_a_per_s: float) -> float:
    """Stimulator output (% MSO) that gives peak dI/dt ``didt_a_per_s`` (A/s).

    Raises InvalidValueError when the requested dI/dt exceeds what the pair delivers at 100 %.
    """
    didt_max = check_positive("didt_max_a_per_s", didt_max_a_per_s, "A/s")
    try:
        didt = float(didt_a_per_s)
    except (TypeError, ValueError):
        raise InvalidValueError(
            f"didt_a_per_s = {didt_a_per_s!r} is not a number; give a value >= 0 A/s"
        ) from None
    if not (0.0 <= didt and math.isfinite(didt)):
        raise InvalidValueError(
            f"didt_a_per_s = {didt_a_per_s!r} is not allowed; it must be >= 0 A/s"
        )
    pct = 100.0 * didt / didt_max
    if pct > 100.0 * (1 + 1e-12):
        raise InvalidValueError(
            f"didt_a_per_s = {didt:.6g} A/s is {pct:.1f} % MSO; the stimulator delivers at most "
            f"{didt_max:.6g} A/s (100 % MSO)"
        )
    return min(pct, 100.0)


def pct_mt_to_pct_mso(pct_mt: float, mt_pct_mso: float) -> float:
    """Stimulator output (% MSO) of ``pct_mt`` % of a motor threshold at ``mt_pct_mso`` % MSO."""
    relative = check_positive("pct_mt", pct_mt, "% MT")
    mt = _check_threshold(mt_pct_mso)
    pct = relative / 100.0 * mt
    if pct > 100.0 * (1 + 1e-12):
        raise InvalidValueError(
            f"{relative:g} % MT of a motor threshold at {mt:g} % MSO is {pct:.4g} % MSO, "
            "above the stimulator's maximum (100 % MSO)"
        )
    return min(pct, 100.0)


def pct_mso_to_pct_mt(pct_mso: float, mt_pct_mso: float) -> float:
    """Intensity relative to motor threshold (% MT) of ``pct_mso`` % MSO."""
    return 100.0 * _check_pct_mso(pct_mso) / _check_threshold(mt_pct_mso)


def _current_per_didt_s(waveform: Waveform | None) -> float:
    if waveform is None:
        raise InvalidValueError(
            "converting between peak magnetic field and dI/dt needs the pulse shape; "
            "pass waveform= (a Waveform, for its peak current / dI/dt(0))"
        )
    return waveform.peak_current_a / abs(float(waveform.didt_a_per_s[0]))


def peak_b_field_to_didt(
    b_tesla: float,
    tesla_per_a: float | None = None,
    *,
    waveform: Waveform | None = None,
) -> float:
    """Peak dI/dt (A/s) of a pulse whose peak magnetic field at the reference point is ``b_tesla``.

    tesla_per_a: the coil's field per ampere at that point, T/A; without it a TmslabError says
        that a coil model is needed.
    waveform: the pulse shape; I_peak = b / k and dI/dt(0) = I_peak / (I_peak / dI/dt(0)).
    """
    b = check_positive("b_tesla", b_tesla, "T")
    if tesla_per_a is None:
        raise TmslabError(COIL_MODEL_NEEDED)
    k = check_positive("tesla_per_a", tesla_per_a, "T/A")
    return b / k / _current_per_didt_s(waveform)


def didt_to_peak_b_field(
    didt_a_per_s: float,
    tesla_per_a: float | None = None,
    *,
    waveform: Waveform | None = None,
) -> float:
    """Peak magnetic field (T) at the reference point of a pulse with peak dI/dt ``didt_a_per_s``.

    Arguments as in :func:`peak_b_field_to_didt`; didt_a_per_s in A/s.
    """
    didt = check_positive("didt_a_per_s", didt_a_per_s, "A/s")
    if tesla_per_a is None:
        raise TmslabError(COIL_MODEL_NEEDED)
    k = check_positive("tesla_per_a", tesla_per_a, "T/A")
    return k * didt * _current_per_didt_s(waveform)


def didt_to_efield(didt_a_per_s: float | np.ndarray, efield_per_didt: np.ndarray) -> np.ndarray:
    """E-field (V/m) from dI/dt (A/s) and the field layer's field per unit dI/dt.

    didt_a_per_s: scalar or (K,) array, A/s (e.g. a Waveform's didt_a_per_s).
    efield_per_didt: array, V/m per A/s, e.g. (N, 3) at N points.
    Returns: array of shape didt.shape + efield_per_didt.shape, V/m.
    """
    return np.multiply.outer(np.asarray(didt_a_per_s, float), np.asarray(efield_per_didt, float))


def efield_to_didt(efield_v_per_m: float, efield_per_didt: float) -> float:
    """dI/dt (A/s) that induces an E-field magnitude ``efield_v_per_m`` (V/m) at a point whose
    field per unit dI/dt has magnitude ``efield_per_didt`` (V/m per A/s)."""
    e = check_positive("efield_v_per_m", efield_v_per_m, "V/m")
    return e / check_positive("efield_per_didt", efield_per_didt, "V/m per A/s")


@dataclass(frozen=True)
class Intensity:
    """A stimulator output setting, in % MSO, with conversions to the other dose units.

    pct_mso: percent of maximum stimulator output, in [0, 100].
    """

    pct_mso: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "pct_mso", _check_pct_mso(self.pct_mso))

    @classmethod
    def from_pct_mt(cls, pct_mt: float, mt_pct_mso: float) -> Intensity:
        """``pct_mt`` % of a motor threshold at ``mt_pct_mso`` % MSO."""
        return cls(pct_mt_to_pct_mso(pct_mt, mt_pct_mso))

    @classmethod
    def from_didt(cls, didt_a_per_s: float, didt_max_a_per_s: float) -> Intensity:
        """The output that gives peak dI/dt ``didt_a_per_s`` (A/s) on a pair with ``didt_max``."""
        return cls(didt_to_pct_mso(didt_a_per_s, didt_max_a_per_s))

    def didt_a_per_s(self, didt_max_a_per_s: float) -> float:
        """Peak dI/dt (A/s) on a pair delivering ``didt_max_a_per_s`` at 100 % MSO."""
        return pct_mso_to_didt(self.pct_mso, didt_max_a_per_s)

    def pct_mt(self, mt_pct_mso: float) -> float:
        """This output as % of a motor threshold at ``mt_pct_mso`` % MSO."""
        return pct_mso_to_pct_mt(self.pct_mso, mt_pct_mso)


def convert_intensity(
    *,
    pct_mt: float | None = None,
    pct_mso: float | None = None,
    didt_a_per_s: float | None = None,
    mt_pct_mso: float | None = None,
    didt_max_a_per_s: float | None = None,
) -> dict[str, float | None]:
    """Every dose unit derivable from one given intensity.

    Give exactly one of ``pct_mt`` (% of motor threshold), ``pct_mso`` (% of maximum stimulator
    output) or ``didt_a_per_s`` (peak dI/dt, A/s). ``mt_pct_mso`` (the subject's motor threshold
    in %MSO) links %MT and %MSO; ``didt_max_a_per_s`` (A/s at 100 %MSO for this stimulator and
    coil) links %MSO and dI/dt. Returns ``{"pct_mt", "pct_mso", "didt_a_per_s"}`` with None
    where the links given do not reach.
    """
    given = [
        name
        for name, value in (
            ("pct_mt", pct_mt),
            ("pct_mso", pct_mso),
            ("didt_a_per_s", didt_a_per_s),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise InvalidValueError(
            f"give exactly one intensity (pct_mt, pct_mso or didt_a_per_s), got {len(given)}"
            + (f": {', '.join(given)}" if given else "")
        )
    for name, value in (("pct_mt", pct_mt), ("pct_mso", pct_mso), ("didt_a_per_s", didt_a_per_s)):
        if value is not None:
            check_positive(name, value)  # NaN, inf, 0 and negatives have no dose
    if pct_mt is not None and mt_pct_mso is not None:
        pct_mso = pct_mt_to_pct_mso(pct_mt, mt_pct_mso)
    if didt_a_per_s is not None and didt_max_a_per_s is not None:
        pct_mso = didt_to_pct_mso(didt_a_per_s, didt_max_a_per_s)
    if pct_mso is not None:
        if pct_mt is None and mt_pct_mso is not None:
            pct_mt = pct_mso_to_pct_mt(pct_mso, mt_pct_mso)
        if didt_a_per_s is None and didt_max_a_per_s is not None:
            didt_a_per_s = pct_mso_to_didt(pct_mso, didt_max_a_per_s)
    return {"pct_mt": pct_mt, "pct_mso": pct_mso, "didt_a_per_s": didt_a_per_s}
