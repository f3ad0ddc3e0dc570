"""The time course of the field a cell sees: a pulse from the protocol layer, sampled for the solver.

A :class:`Drive` is a normalised E-field waveform e(t) (max |e| = 1) sampled every ``dt_s`` from
the pulse onset; the field at a point is E(r, t) = amplitude * E_unit(r) * e(t). With the
protocol layer's pulses, whose e(0) = 1 is also their largest magnitude, the amplitude is the
peak field. The solvers step with the drive's own ``dt_s``, which must be <= 5 us.

Names accepted by :func:`get_drive`:

* ``DEVICE:SHAPE``, e.g. ``magventure-magpro-x100:monophasic`` or ``magpro-x100:biphasic`` (any
  stimulator of ``tmslab stimulator list``; ``half-sine`` is the first half cycle of the
  device's biphasic circuit);
* a plain shape, ``monophasic``, ``biphasic`` or ``half-sine``, on the default device
  :data:`DEFAULT_DEVICE` (MagVenture MagPro X100 with the MC-B70 coil, the pulse Aberra et al.
  2020 used);
* ``rect-WIDTHus``, e.g. ``rect-100us``: a rectangular pulse (the idealised controllable-pulse
  TMS pulse of strength-duration studies);
* ``ctms:WIDTHus`` (or ``ctms-WIDTHus``), optionally ``ctms:WIDTHus:M0.2``: a controllable-pulse
  TMS (cTMS) pulse of positive-phase width WIDTH and negative/positive amplitude ratio M
  (default 0.2), from the device's circuit (:func:`ctms_drive`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from tmslab.errors import InvalidValueError, UnknownNameError
from tmslab.protocols.waveform import MAX_DT_S, check_dt
from tmslab.units import US, US_PER_S

DEFAULT_DEVICE = "magventure-magpro-x100"
DEFAULT_DT_S = 2.5e-6
SHAPES = ("monophasic", "biphasic", "half-sine")


@dataclass(frozen=True, eq=False)
class Drive:
    """A normalised E-field pulse for the cable solvers.

    Attributes
    ----------
    name : str
        Label, e.g. "magventure-magpro-x100:monophasic".
    dt_s : float, s
        Sampling (and solver) step, <= 5e-6.
    e : (K,) ndarray, dimensionless
        e(k dt) from the onset; max |e| = 1.
    """

    name: str
    dt_s: float
    e: np.ndarray

    def __post_init__(self) -> None:
        dt = check_dt(self.dt_s)
        e = np.asarray(self.e, dtype=float)
        if e.ndim != 1 or len(e) < 1 or not np.all(np.isfinite(e)):
            raise InvalidValueError(f"drive {self.name!r}: e must be a finite (K,) array")
        peak = float(np.max(np.abs(e)))
        if peak == 0:
            raise InvalidValueError(f"drive {self.name!r} is zero everywhere; give a pulse")
        e = e / peak
        e.flags.writeable = False
        object.__setattr__(self, "dt_s", dt)
        object.__setattr__(self, "e", e)

    @property
    def duration_s(self) -> float:
        """Time from the onset to the last non-zero sample plus one step, seconds."""
        nonzero = np.nonzero(self.e)[0]
        return (int(nonzero[-1]) + 1) * self.dt_s

    def samples(self, n_steps: int, onset_steps: int = 1) -> np.ndarray:
        """e at ``t_k = k dt``, k = 0..n_steps, with the pulse starting at step ``onset_steps``.

        Parameters
        ----------
        n_steps : int
            Number of solver steps.
        onset_steps : int
            Step at which the pulse starts.

        Returns
        -------
        (n_steps + 1,) ndarray, dimensionless
            Zero before the onset and after the pulse.
        """
        out = np.zeros(n_steps + 1)
        stop = min(n_steps + 1, onset_steps + len(self.e))
        out[onset_steps:stop] = self.e[: stop - onset_steps]
        return out


def drive_from_waveform(waveform, name: str | None = None) -> Drive:
    """A :class:`Drive` from a protocol-layer ``Waveform`` (its ``e_field`` and ``dt_s``).

    Parameters
    ----------
    waveform : Waveform
        The stimulator waveform.
    name : str or None
        Label; None: the waveform's.

    Returns
    -------
    Drive
        The normalised pulse.

    Raises
    ------
    InvalidValueError
        If the waveform is sampled too coarsely for the cable solvers.
    """
    if isinstance(waveform, Drive):
        return waveform
    t = np.asarray(waveform.t_s, dtype=float)
    if len(t) < 2:
        raise InvalidValueError("the waveform needs at least two samples")
    dt = float(t[1] - t[0])
    if dt > MAX_DT_S * (1 + 1e-12):
        raise InvalidValueError(
            f"the waveform is sampled every {dt * US_PER_S:.3g} us, too coarse for the cable solvers; "
            "resample it at dt_s <= 5e-6 s"
        )
    return Drive(name or str(getattr(waveform, "name", "waveform")), dt, waveform.e_field)


def rectangular_drive(width_s: float, dt_s: float = DEFAULT_DT_S) -> Drive:
    """A rectangular pulse (rounded to whole steps, at least one).

    Parameters
    ----------
    width_s : float, s
        Pulse width.
    dt_s : float, s
        Sampling step.

    Returns
    -------
    Drive
        Named ``rect-<width>us``.
    """
    dt = check_dt(dt_s)
    if not (width_s > 0 and math.isfinite(width_s)):
        raise InvalidValueError(f"pulse width {width_s!r} s; it must be > 0")
    steps = max(1, round(width_s / dt))
    return Drive(f"rect-{steps * dt * US_PER_S:.4g}us", dt, np.ones(steps))


_RECT = re.compile(r"^rect(?:angular)?-?(\d+(?:\.\d*)?)\s*us$")

# cTMS circuit (Peterchev et al. 2008, IEEE TBME 55:257, doi 10.1109/TBME.2007.900540; 2011,
# J Neural Eng 8:036016, doi 10.1088/1741-2560/8/3/036016): an IGBT connects the coil to capacitor
# C1 (voltage V1) for the positive phase; switched off, the coil current commutates into C2, held
# at M * V1 with the opposite polarity, and falls to zero (the negative phase). The coil is a
# Magstim 70 mm figure-8 (~16 uH), as Peterchev et al. 2013 used. The series resistance and the
# effective C1 are not given in the papers (cTMS2's C1 bank is 740 uF): R = 0.08 ohm and
# C1 = 1.5 mF reproduce the droop of a measured cTMS pulse (15 % over 30 us, 70 % over 120 us;
# first-order-filtered peaks within 1 % of the measured waveform's at tau 100-200 us, widths
# 30/60/120 us). The measured negative phase decays towards zero rather than holding near -M:
# this idealised one follows the circuit, and its stronger early negative phase raises the
# 30 us thresholds, so tmslab's cells fit 12-20 % longer time constants with it than with the
# measured waveform (axon-straight 283 vs 235 us; aberra-l5-pc median 156 vs 137 us).
CTMS_M_RATIO = 0.2  # Peterchev et al. 2013 and D'Ostilio et al. 2016
CTMS_L_H = 16e-6
CTMS_R_OHM = 0.08
CTMS_C1_F = 1.5e-3
CTMS_C2_F = 3e-3
_CTMS = re.compile(r"^ctms[:-](\d+(?:\.\d*)?)us(?::m(\d*\.?\d+))?$")


def _phase_current(t_s, i0, v0, sign, c_f, l_h, r_ohm):
    """Coil current i(t) of L di/dt = sign * v - R i, C dv/dt = -sign * i, from (i0, v0).

    Exact: the 2x2 system through its eigenvalues (complex when underdamped; the real part).
    """
    a = np.array([[-r_ohm / l_h, sign / l_h], [-sign / c_f, 0.0]])
    lam, vec = np.linalg.eig(a.astype(complex))
    coef = np.linalg.solve(vec, np.array([i0, v0], dtype=complex))
    t = np.atleast_1d(np.asarray(t_s, dtype=float))
    return np.real(np.exp(np.outer(t, lam)) @ (vec[0] * coef))


def ctms_drive(
    width_s: float,
    m_ratio: float = CTMS_M_RATIO,
    dt_s: float = DEFAULT_DT_S,
    *,
    inductance_h: float = CTMS_L_H,
    resistance_ohm: float = CTMS_R_OHM,
    c1_f: float = CTMS_C1_F,
    c2_f: float = CTMS_C2_F,
) -> Drive:
    """A controllable-pulse TMS (cTMS) pulse: near-rectangular positive phase, negative phase of
    M times its amplitude until the coil current (so the E-field's charge) is back to zero.

    The E-field is proportional to the coil voltage L di/dt of the series circuit coil-capacitor
    (module comment above); each sample is the exact mean over its step, L (i_{k+1} - i_k) / dt,
    so the samples sum to zero (charge balance) to rounding. The switching edges (< 1 us in
    the device) fall within one step.

    Parameters
    ----------
    width_s : float, s
        Positive-phase width W (30, 60 and 120 us in Peterchev et al. 2013).
    m_ratio : float, dimensionless
        M = V2 / V1, the negative-phase amplitude relative to the positive one at zero coil
        current, 0 < M <= 1; the negative phase lasts about W / M.
    dt_s : float, s
        Sampling step.
    inductance_h : float, H
        Coil inductance.
    resistance_ohm : float, ohm
        Series resistance.
    c1_f : float, F
        Capacitor C1 (positive phase).
    c2_f : float, F
        Capacitor C2 (negative phase).

    Returns
    -------
    Drive
        Named ``ctms:<W>us:M<M>``; max |e| = 1 (the start of the positive phase).

    Raises
    ------
    InvalidValueError
        If a value is out of range.
    """
    from scipy.optimize import brentq

    dt = check_dt(dt_s)
    values = (width_s, inductance_h, c1_f, c2_f)
    if not all(math.isfinite(v) and v > 0 for v in values) or not resistance_ohm >= 0:
        raise InvalidValueError("cTMS pulse: width, L, C1 and C2 must be > 0 and R >= 0")
    if not (0 < m_ratio <= 1):
        raise InvalidValueError(f"cTMS M ratio {m_ratio!r}; it must be in (0, 1]")
    steps = max(1, round(width_s / dt))
    width = steps * dt
    circuit = (inductance_h, resistance_ohm)
    pos = _phase_current(np.arange(steps + 1) * dt, 0.0, 1.0, 1.0, c1_f, *circuit)
    i_w = pos[-1]
    # C2 held at -M V1 absorbs the current: L di/dt = -v2 - R i, C2 dv2/dt = i.
    neg = lambda t: _phase_current(t, i_w, m_ratio, -1.0, c2_f, *circuit)  # noqa: E731
    t_end = dt
    while neg(t_end)[0] > 0:
        t_end *= 2.0
    t_end = brentq(lambda t: neg(t)[0], t_end / 2 if t_end > dt else 0.0, t_end, xtol=1e-12)
    current = np.concatenate([pos, neg(np.arange(1, math.ceil(t_end / dt)) * dt), [0.0]])
    e = np.diff(current) * inductance_h / dt  # per volt of V1
    name = f"ctms:{width * US_PER_S:.4g}us:M{m_ratio:g}"
    return Drive(name, dt, e)


def get_drive(spec: str, dt_s: float = DEFAULT_DT_S) -> Drive:
    """The drive named ``spec`` (see the module docstring).

    Parameters
    ----------
    spec : str
        ``rect-<width>us``, ``ctms:<width>us[:M<ratio>]``, a shape, or ``<device>:<shape>``.
    dt_s : float, s
        Sampling step.

    Returns
    -------
    Drive
        The normalised pulse.

    Raises
    ------
    InvalidValueError
        If ``spec`` has none of these forms.
    UnknownNameError
        If the device or shape is unknown.
    """
    from tmslab.protocols.stimulators import get_stimulator
    from tmslab.protocols.waveform import normalise_shape

    dt = check_dt(dt_s)
    text = str(spec).strip().lower()
    match = _RECT.match(text.replace(" ", ""))
    if match:
        return rectangular_drive(float(match.group(1)) * US, dt)
    match = _CTMS.match(text.replace(" ", ""))
    if match:
        m_ratio = float(match.group(2)) if match.group(2) else CTMS_M_RATIO
        return ctms_drive(float(match.group(1)) * US, m_ratio, dt)
    if text.startswith("ctms"):
        raise InvalidValueError(f"waveform {spec!r}: give ctms:WIDTHus or ctms:WIDTHus:M0.2")
    device_name, _, shape = text.rpartition(":")
    if not shape:
        raise InvalidValueError(f"waveform {spec!r}: give DEVICE:SHAPE, a shape or rect-WIDTHus")
    device = get_stimulator(device_name or DEFAULT_DEVICE)
    shape = normalise_shape(shape)
    if shape == "half-sine" and "half-sine" not in device.shapes:
        if "biphasic" not in device.shapes:
            raise UnknownNameError(f"{device.name} waveform", shape, device.shapes)
        circuit = device.circuit("biphasic")
        pulse = circuit.waveform("half-sine", 1000.0, dt, name=f"{device.name} half-sine")
    elif shape not in device.shapes:
        raise UnknownNameError(f"{device.name} waveform", shape, device.shapes)
    else:
        pulse = device.circuit(shape).waveform(shape, 1000.0, dt, name=f"{device.name} {shape}")
    return drive_from_waveform(pulse, name=f"{device.name}:{shape}")
