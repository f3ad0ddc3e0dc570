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
  TMS pulse of strength-duration studies).
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


def get_drive(spec: str, dt_s: float = DEFAULT_DT_S) -> Drive:
    """The drive named ``spec`` (see the module docstring).

    Parameters
    ----------
    spec : str
        ``rect-<width>us``, a shape, or ``<device>:<shape>``.
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
