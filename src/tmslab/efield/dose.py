"""The intensity chain in plain numbers: peak dI/dt <-> coil current <-> peak B <-> |E|.

peak dI/dt (A/s)  <->  peak coil current (A)  <->  peak B at a reference point (T)
                  <->  |E| at a target (V/m).

Three numbers link them: the pulse's I_peak / dI/dt(0) (s; a property of the pulse shape,
``Waveform.current_per_didt_s``), the coil's field per ampere at the reference point (T/A) and the
field per unit dI/dt at the target (V/m per A/s). This module takes them as numbers and knows no
waveform or stimulator: :mod:`tmslab.protocols.dose` resolves intensities with the device and the
pulse on top of it (and re-exports these names).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from tmslab.errors import InvalidValueError, check_positive

UNITS = {
    "didt": "peak dI/dt, A/s",
    "current": "peak coil current, A",
    "tesla": "peak B at the coil's reference point, T",
    "vpm": "peak |E| at the target, V/m",
}


@dataclass(frozen=True)
class CoilDose:
    """One pulse intensity in every coil-dependent unit (SI).

    Attributes
    ----------
    didt_a_per_s : float, A/s
        Peak rate of change of the coil current.
    peak_current_a : float, A
        Peak coil current.
    peak_b_t : float, T
        Peak |B| at the coil's reference point.
    efield_v_per_m : float, V/m
        Peak |E| at the target.
    """

    didt_a_per_s: float
    peak_current_a: float
    peak_b_t: float
    efield_v_per_m: float

    def to_dict(self) -> dict[str, float]:
        """The four numbers by field name (SI units, as the attributes).

        Returns
        -------
        dict of str to float, SI (A/s, A, T, V/m)
            ``{"didt_a_per_s": ..., "peak_current_a": ..., "peak_b_t": ..., "efield_v_per_m": ...}``.
        """
        return asdict(self)


def peak_b_to_didt(b_t: float, tesla_per_a: float, current_per_didt_s: float) -> float:
    """Peak dI/dt of a pulse whose peak B at the reference point is ``b_t``.

    The one place the tesla -> dI/dt conversion is written: current = B / k, dI/dt = I / s.

    Parameters
    ----------
    b_t : float, T
        Peak |B| at the coil's reference point.
    tesla_per_a : float, T/A
        The coil's |B| per ampere at that point.
    current_per_didt_s : float, s
        The pulse's I_peak / dI/dt(0).

    Returns
    -------
    float, A/s
        Peak dI/dt.
    """
    return b_t / tesla_per_a / current_per_didt_s


def chain_dose(
    unit: str,
    value: float,
    *,
    tesla_per_a: float,
    current_per_didt_s: float,
    efield_per_didt: float,
) -> CoilDose:
    """An intensity ``value`` in ``unit`` (one of :data:`UNITS`) in every other unit.

    Parameters
    ----------
    unit : str
        ``"didt"``, ``"current"``, ``"tesla"`` or ``"vpm"`` (the keys of :data:`UNITS`).
    value : float, unit of ``unit`` (A/s, A, T or V/m)
        The intensity; must be positive.
    tesla_per_a : float, T/A
        The coil's |B| per ampere at its reference point.
    current_per_didt_s : float, s
        The pulse's I_peak / dI/dt(0).
    efield_per_didt : float, V/m per A/s
        |E| at the target per unit dI/dt.

    Returns
    -------
    CoilDose
        The intensity as peak dI/dt, current, B and |E|.

    Raises
    ------
    InvalidValueError
        If ``unit`` is unknown or a number is not positive.
    """
    if unit not in UNITS:
        raise InvalidValueError(f"unit = {unit!r}; give one of {', '.join(UNITS)}")
    value = check_positive(UNITS[unit], value)
    seconds = current_per_didt_s
    e_per_didt = check_positive("E-field per dI/dt at the target", efield_per_didt, "V/m per A/s")
    didt = {
        "didt": value,
        "current": value / seconds,
        "tesla": peak_b_to_didt(value, tesla_per_a, seconds),
        "vpm": value / e_per_didt,
    }[unit]
    current = didt * seconds
    return CoilDose(
        didt_a_per_s=didt,
        peak_current_a=current,
        peak_b_t=current * tesla_per_a,
        efield_v_per_m=didt * e_per_didt,
    )


def didt_at_pct(pct: float, didt_max_a_per_s: float) -> float:
    """Peak dI/dt at ``pct`` % of the output whose peak dI/dt is ``didt_max_a_per_s``.

    Unchecked arithmetic; :func:`tmslab.protocols.dose.pct_mso_to_didt` is the checked form.

    Parameters
    ----------
    pct : float, % of maximum output
        Stimulator output.
    didt_max_a_per_s : float, A/s
        Peak dI/dt at 100 % output.

    Returns
    -------
    float, A/s
        Peak dI/dt at ``pct``.
    """
    return pct / 100.0 * didt_max_a_per_s


def pct_of_max(didt_a_per_s: float, didt_max_a_per_s: float) -> float:
    """``didt_a_per_s`` as % of ``didt_max_a_per_s``; may exceed 100.

    Unchecked arithmetic; :func:`tmslab.protocols.dose.didt_to_pct_mso` is the checked form.

    Parameters
    ----------
    didt_a_per_s : float, A/s
        Peak dI/dt.
    didt_max_a_per_s : float, A/s
        Peak dI/dt at 100 % output.

    Returns
    -------
    float, % of maximum output
        The output that gives ``didt_a_per_s``.
    """
    return 100.0 * didt_a_per_s / didt_max_a_per_s
