"""The dose module: one intensity, resolved once, in every unit its links reach.

Every caller (the CLI, the scenario's stimulator and field stages, the evidence estimates, the
side-by-side comparison) resolves an intensity here: :func:`resolve_dose` takes one intensity in
any accepted unit and returns a frozen :class:`Dose`.

Relations (SI inside: dI/dt in A/s everywhere, A/us only at the CLI/report edge through
:mod:`tmslab.units`; percentages are plain numbers, 120 means 120 %):

* %MSO is linear in the capacitor voltage and the pulse's peak dI/dt is dI/dt(0) = V0 / L, so
  ``didt = pct_mso / 100 * didt_max`` with ``didt_max`` the peak dI/dt of the stimulator+coil pair
  at 100 % MSO (A/s; see :func:`tmslab.protocols.stimulators.get_coil_didt`).
* %MT is relative to the subject's motor threshold given in %MSO:
  ``pct_mso = pct_mt / 100 * mt_pct_mso``. Results above 100 % MSO are rejected.
* Peak magnetic field B = k I_peak, with k (T/A) the coil's field per ampere at the reference
  point (:func:`tesla_per_ampere`, at the coil's reference point or at a point such as the brain
  surface); converting it to dI/dt also needs the pulse's ratio I_peak / dI/dt(0)
  (``Waveform.current_per_didt_s``). The arithmetic is :func:`tmslab.efield.dose.peak_b_to_didt`.
* E-field = E_per_didt * dI/dt, with E_per_didt (V/m per A/s) from the field layer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from tmslab.efield.dose import (
    UNITS,
    CoilDose,
    chain_dose,
    didt_at_pct,
    pct_of_max,
    peak_b_to_didt,
)
from tmslab.errors import InvalidValueError, TmslabError, check_positive
from tmslab.protocols.waveform import Waveform

if TYPE_CHECKING:
    from tmslab.coils.coil import Coil

__all__ = [
    "B_AT",
    "UNITS",
    "CoilDose",
    "Dose",
    "Intensity",
    "coil_dose",
    "convert_intensity",
    "current_per_didt_s",
    "didt_to_efield",
    "didt_to_pct_mso",
    "didt_to_peak_b_field",
    "efield_to_didt",
    "pct_mso_of",
    "pct_mso_to_didt",
    "pct_mso_to_pct_mt",
    "pct_mt_to_pct_mso",
    "peak_b_field_to_didt",
    "resolve_dose",
    "tesla_per_ampere",
]

B_AT = ("coil", "brain-surface")  # where a peak B is measured: the coil's reference point, or
# the brain (conductor) surface under the coil centre

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
    pct = _check_pct_mso(pct_mso)
    return didt_at_pct(pct, check_positive("didt_max_a_per_s", didt_max_a_per_s, "A/s"))


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
    pct = pct_of_max(didt, didt_max)
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


def pct_mso_of(didt_a_per_s: float, didt_max_a_per_s: float) -> float:
    """``didt_a_per_s`` (A/s) as % of the peak dI/dt at 100 % MSO, unchecked (may exceed 100).

    For reporting what another setup would need (a matched intensity may be out of reach);
    :func:`didt_to_pct_mso` is the checked inverse for a stimulator setting.
    """
    return pct_of_max(didt_a_per_s, didt_max_a_per_s)


def current_per_didt_s(waveform: Waveform | None) -> float:
    """The pulse's I_peak / dI/dt(0), seconds (a property of the shape, not the amplitude)."""
    if waveform is None:
        raise InvalidValueError(
            "converting between peak magnetic field and dI/dt needs the pulse shape; "
            "pass waveform= (a Waveform, for its peak current / dI/dt(0))"
        )
    return waveform.current_per_didt_s


def tesla_per_ampere(coil: Coil, point_m: np.ndarray | None = None) -> float:
    """The coil's |B| per ampere, T/A, at its reference point or at ``point_m``.

    coil : Coil
        In the frame of ``point_m`` (placed, when the point is in a head's frame).
    point_m : (3,) ndarray, m, optional
        Where the peak B is measured, e.g. the brain surface under the coil centre; default the
        coil's reference point (:attr:`~tmslab.coils.coil.Coil.tesla_per_ampere`).

    The one function computing the coil's field per ampere for a tesla intensity: with the
    pulse's I_peak / dI/dt(0) it gives the peak B per unit dI/dt.
    """
    if point_m is None:
        return coil.tesla_per_ampere
    point = np.asarray(point_m, float)[None]
    return float(np.linalg.norm(coil.magnetic_field(point)[0]))


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
    return peak_b_to_didt(b, k, current_per_didt_s(waveform))


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
    return k * didt * current_per_didt_s(waveform)


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


def coil_dose(
    coil: Coil,
    waveform: Waveform,
    efield_per_didt: float,
    *,
    unit: str,
    value: float,
) -> CoilDose:
    """Convert an intensity ``value`` in ``unit`` (one of :data:`UNITS`) to all the others.

    coil : Coil
        Its field per ampere at the reference point links current and tesla.
    waveform : Waveform
        The pulse shape (its I_peak / dI/dt(0) links current and dI/dt).
    efield_per_didt : float, V/m per A/s
        |E| at the target per unit dI/dt.
    """
    return chain_dose(
        unit,
        value,
        tesla_per_a=coil.tesla_per_ampere,
        current_per_didt_s=current_per_didt_s(waveform),
        efield_per_didt=efield_per_didt,
    )


INTENSITY_NAMES = ("pct_mt", "pct_mso", "didt_a_per_s", "peak_b_t")


@dataclass(frozen=True, eq=False)
class Dose:
    """One stimulus intensity in every unit its links reach (SI; None where they do not reach).

    pct_mso : float or None, % MSO
        Stimulator output, in [0, 100].
    pct_mt : float or None, % MT
        Relative to the subject's motor threshold.
    didt_a_per_s : float or None, A/s
        Peak dI/dt of the pulse (dI/dt(0)).
    waveform : Waveform or None
        The pulse (shape and amplitude as the stimulator stage models it), if known.
    peak_b_t : float or None, T
        Peak magnetic field at ``b_at``: given, or from dI/dt through the coil and pulse shape.
    b_at : {"coil", "brain-surface"}
        Where ``peak_b_t`` is measured: the coil's reference point or the brain (conductor)
        surface under the coil centre.
    given : str or None
        Which of :data:`INTENSITY_NAMES` was given; None when no intensity was.
    mt_pct_mso : float or None, % MSO
        The subject's motor threshold (links % MT and % MSO).
    didt_max_a_per_s : float or None, A/s
        Peak dI/dt of the stimulator+coil pair at 100 % MSO (links % MSO and dI/dt).
    didt_max_source : str or None
        Where ``didt_max_a_per_s`` comes from (a measured pair, a coil file).
    tesla_per_a : float or None, T/A
        The coil's |B| per ampere at ``b_at`` (links peak B and current).
    origins : mapping of str to str
        For each resolved value, where it came from, in words.
    """

    pct_mso: float | None = None
    pct_mt: float | None = None
    didt_a_per_s: float | None = None
    waveform: Waveform | None = None
    peak_b_t: float | None = None
    b_at: str = "coil"
    given: str | None = None
    mt_pct_mso: float | None = None
    didt_max_a_per_s: float | None = None
    didt_max_source: str | None = None
    tesla_per_a: float | None = None
    origins: Mapping[str, str] = field(default_factory=dict)

    @property
    def intensity(self) -> dict[str, float | None]:
        """``{"pct_mt", "pct_mso", "didt_a_per_s"}`` (as :func:`convert_intensity` returns)."""
        return {"pct_mt": self.pct_mt, "pct_mso": self.pct_mso, "didt_a_per_s": self.didt_a_per_s}

    @property
    def peak_current_a(self) -> float | None:
        """Peak coil current, A, when dI/dt and the pulse shape are known."""
        if self.didt_a_per_s is None or self.waveform is None:
            return None
        return self.didt_a_per_s * self.waveform.current_per_didt_s

    def to_dict(self) -> dict[str, object]:
        """JSON-able record (SI; the waveform by name)."""
        return {
            **self.intensity,
            "peak_b_t": self.peak_b_t,
            "b_at": self.b_at,
            "given": self.given,
            "mt_pct_mso": self.mt_pct_mso,
            "didt_max_a_per_s": self.didt_max_a_per_s,
            "didt_max_source": self.didt_max_source,
            "tesla_per_a": self.tesla_per_a,
            "waveform": None if self.waveform is None else self.waveform.name,
            "origins": dict(self.origins),
        }


def resolve_dose(
    *,
    pct_mt: float | None = None,
    pct_mso: float | None = None,
    didt_a_per_s: float | None = None,
    peak_b_t: float | None = None,
    b_at: str = "coil",
    mt_pct_mso: float | None = None,
    didt_max_a_per_s: float | None = None,
    didt_max_source: str | None = None,
    waveform: Waveform | None = None,
    tesla_per_a: float | None = None,
    require: bool = True,
) -> Dose:
    """Resolve one intensity, in any accepted unit, into every unit the links given reach.

    Give at most one of ``pct_mt`` (% of motor threshold), ``pct_mso`` (% MSO),
    ``didt_a_per_s`` (peak dI/dt, A/s) or ``peak_b_t`` (peak B in T at ``b_at``: "coil", the
    coil's reference point, or "brain-surface"); exactly one unless ``require`` is False (then
    none gives a Dose that only carries the links).

    Links: ``mt_pct_mso`` (the subject's motor threshold, % MSO) between % MT and % MSO;
    ``didt_max_a_per_s`` (A/s at 100 % MSO of this stimulator and coil, from
    ``didt_max_source``) between % MSO and dI/dt; ``tesla_per_a`` (T/A, the coil's |B| per ampere
    at ``b_at``, :func:`tesla_per_ampere`) with ``waveform`` (its I_peak / dI/dt(0)) between peak
    B and dI/dt. A tesla intensity with ``tesla_per_a`` but no waveform is refused.

    Raises InvalidValueError for more than one intensity, a non-positive or non-finite one, or
    a result above 100 % MSO.
    """
    values = {
        "pct_mt": pct_mt,
        "pct_mso": pct_mso,
        "didt_a_per_s": didt_a_per_s,
        "peak_b_t": peak_b_t,
    }
    given = [name for name, value in values.items() if value is not None]
    if len(given) > 1 or (require and not given):
        raise InvalidValueError(
            "give exactly one intensity (% MT, % MSO, peak dI/dt or peak B), "
            f"got {len(given)}" + (f": {', '.join(given)}" if given else "")
        )
    if b_at not in B_AT:
        raise InvalidValueError(f"b_at = {b_at!r}; give one of {', '.join(B_AT)}")
    for name in given:
        check_positive(name, values[name])  # NaN, inf, 0 and negatives have no dose
    if pct_mso is not None:
        _check_pct_mso(pct_mso)  # a setting above 100 % MSO does not exist, links or not
    origins = {name: "given" for name in given}
    where = "the coil's reference point" if b_at == "coil" else "the brain surface"
    if peak_b_t is not None and tesla_per_a is not None:
        didt_a_per_s = peak_b_field_to_didt(peak_b_t, tesla_per_a, waveform=waveform)
        origins["didt_a_per_s"] = f"from the peak B at {where}, the coil model and the pulse shape"
    if pct_mt is not None and mt_pct_mso is not None:
        pct_mso = pct_mt_to_pct_mso(pct_mt, mt_pct_mso)
        origins["pct_mso"] = "from % MT and the motor threshold"
    if pct_mso is None and didt_a_per_s is not None and didt_max_a_per_s is not None:
        pct_mso = didt_to_pct_mso(didt_a_per_s, didt_max_a_per_s)
        origins["pct_mso"] = "from dI/dt and the peak dI/dt at 100 % MSO"
    if pct_mso is not None:
        if pct_mt is None and mt_pct_mso is not None:
            pct_mt = pct_mso_to_pct_mt(pct_mso, mt_pct_mso)
            origins["pct_mt"] = "from % MSO and the motor threshold"
        if didt_a_per_s is None and didt_max_a_per_s is not None:
            didt_a_per_s = pct_mso_to_didt(pct_mso, didt_max_a_per_s)
            origins["didt_a_per_s"] = "from % MSO and the peak dI/dt at 100 % MSO"
    if (
        peak_b_t is None
        and didt_a_per_s is not None
        and tesla_per_a is not None
        and waveform is not None
    ):
        peak_b_t = didt_to_peak_b_field(didt_a_per_s, tesla_per_a, waveform=waveform)
        origins["peak_b_t"] = f"at {where}, from dI/dt, the coil model and the pulse shape"
    return Dose(
        pct_mso=pct_mso,
        pct_mt=pct_mt,
        didt_a_per_s=didt_a_per_s,
        waveform=waveform,
        peak_b_t=peak_b_t,
        b_at=b_at,
        given=given[0] if given else None,
        mt_pct_mso=mt_pct_mso,
        didt_max_a_per_s=didt_max_a_per_s,
        didt_max_source=didt_max_source,
        tesla_per_a=tesla_per_a,
        origins=origins,
    )


def didt_max_link(
    device: str | None = None, coil: str | None = None
) -> tuple[float | None, str | None]:
    """The peak dI/dt at 100 % MSO (A/s) of a stimulator and coil, and where it comes from.

    device : str or None
        A stimulator preset; with ``coil``, a measured pair
        (:func:`~tmslab.protocols.stimulators.get_coil_didt`).
    coil : str or None
        The pair's coil name, or (without ``device``) a SimNIBS ``.ccd``/``.tcd`` file that
        states its stimulator's peak dI/dt.

    Returns (None, None) when neither is given. Raises a TmslabError for an unknown device or
    pair, a coil file that states no dI/dt, or one of device/coil without the other.
    """
    from tmslab.protocols.stimulators import get_coil_didt, get_stimulator

    if device is not None:
        get_stimulator(device)  # an unknown name is reported as such, before the pairing rule
    if device is None and coil is not None and coil.lower().endswith((".ccd", ".tcd")):
        from tmslab.coils.library import coil_file_didt

        stated = coil_file_didt(coil)
        if stated is None:
            raise InvalidValueError(
                f"--coil {coil} states no peak dI/dt (dIdtmax); give --device with a measured "
                "coil name instead (see 'tmslab stimulator list')"
            )
        return stated
    if (device is None) != (coil is None):
        raise InvalidValueError("--device and --coil go together (see 'tmslab stimulator list')")
    if device is None:
        return None, None
    pair = get_coil_didt(device, coil)
    return pair.didt_max_a_per_s, str(pair.source)


def convert_intensity(
    *,
    pct_mt: float | None = None,
    pct_mso: float | None = None,
    didt_a_per_s: float | None = None,
    mt_pct_mso: float | None = None,
    didt_max_a_per_s: float | None = None,
) -> dict[str, float | None]:
    """Every dose unit derivable from one given intensity (:func:`resolve_dose` as a dict).

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
    return resolve_dose(
        pct_mt=pct_mt,
        pct_mso=pct_mso,
        didt_a_per_s=didt_a_per_s,
        mt_pct_mso=mt_pct_mso,
        didt_max_a_per_s=didt_max_a_per_s,
    ).intensity
