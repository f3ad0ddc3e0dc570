"""RLC discharge model of a magnetic stimulator: coil current I(t) and dI/dt(t).

Model
-----
A capacitor C charged to ``v0`` discharges through the coil and its cable (inductance L,
resistance R) when the thyristor fires at t = 0. For an underdamped circuit, R < 2 sqrt(L/C)::

    alpha    = R / (2 L)                        damping rate, 1/s
    omega    = sqrt(1 / (L C) - alpha**2)       damped angular frequency, rad/s
    I(t)     = v0 / (omega L) exp(-alpha t) sin(omega t)                      A
    dI/dt(t) = v0 / L exp(-alpha t) (cos(omega t) - alpha/omega sin(omega t))  A/s

so dI/dt(0) = v0 / L exactly. Critically damped and overdamped circuits never oscillate, no
magnetic stimulator is built that way, and :func:`rlc_waveform` rejects them.

Shapes (what the stimulator's switches do to that discharge)
------------------------------------------------------------
``"biphasic"``
    One full cycle: the thyristor and its antiparallel diode stop conducting when the current
    returns to zero at t = 2 pi / omega. Current and dI/dt are zero afterwards.
``"half-sine"``
    The first half cycle only (the capacitor is not allowed to discharge back); ends at
    t = pi / omega.
``"polyphasic"``
    ``n_cycles`` full cycles; ends at t = 2 pi n / omega.
``"monophasic"``
    The damped sinusoid up to the current peak t_p = atan2(omega, alpha) / omega (the first zero
    of dI/dt). From then on a diode and a damping resistor R_d carry the coil current, which
    decays as I(t) = I_p exp(-(t - t_p) (R + R_d) / L). The pulse ends when I < ``decay_fraction``
    * I_p. Simplification: a real diode takes over when the capacitor voltage crosses zero,
    slightly after the current peak.

Sampling is uniform, t_k = k dt (k = 0..K-1), from the trigger until the first sample at or after
the end of the pulse; values are right-continuous, so samples at t >= end are zero.

E-field convention
------------------
The induced field is E(r, t) = -dA/dt = -a(r) dI/dt(t), with a(r) the coil's vector potential per
ampere. tmslab's field layer returns the field per unit dI/dt with that sign included,
``E_per_didt(r) = -a(r)`` (V/m per A/s), so E(r, t) = E_per_didt(r) * dI/dt(t). The normalised
waveform is e(t) = dI/dt(t) / dI/dt(0): e(0) = 1, and E(r, t) = E_per_didt(r) dI/dt(0) e(t).

Everything here is pure numerics: arrays in, arrays out, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from tmslab.errors import InvalidValueError, UnknownNameError, check_positive
from tmslab.units import US

SHAPES = ("biphasic", "half-sine", "monophasic", "polyphasic")
DEFAULT_DT_S = 1.0 * US
MAX_DT_S = 5.0 * US  # the neuron layer needs at least this resolution
DEFAULT_DECAY_FRACTION = 1e-3
MAX_DURATION_S = 20e-3  # guard against runaway arrays: TMS pulses last well under 10 ms


def _check_non_negative(name: str, value: float, unit: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidValueError(
            f"{name} = {value!r} is not a number; give a value >= 0 {unit}"
        ) from None
    if not (number >= 0 and math.isfinite(number)):
        raise InvalidValueError(f"{name} = {value!r} is not allowed; it must be >= 0 {unit}")
    return number


@dataclass(frozen=True)
class RLCCircuit:
    """Series RLC discharge circuit of a stimulator with its coil.

    capacitance_f: energy-storage capacitance C, farad.
    inductance_h: total inductance L of coil, cable and device, henry.
    resistance_ohm: total series resistance R of the discharge path, ohm.
    damping_resistance_ohm: extra resistance R_d in the diode branch that takes over after the
        current peak of a monophasic pulse, ohm (unused by the other shapes).
    """

    capacitance_f: float
    inductance_h: float
    resistance_ohm: float
    damping_resistance_ohm: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "capacitance_f", check_positive("capacitance_f", self.capacitance_f, "F")
        )
        object.__setattr__(
            self, "inductance_h", check_positive("inductance_h", self.inductance_h, "H")
        )
        object.__setattr__(
            self,
            "resistance_ohm",
            _check_non_negative("resistance_ohm", self.resistance_ohm, "ohm"),
        )
        object.__setattr__(
            self,
            "damping_resistance_ohm",
            _check_non_negative("damping_resistance_ohm", self.damping_resistance_ohm, "ohm"),
        )

    @classmethod
    def from_timing(
        cls,
        damped_period_s: float,
        alpha_per_s: float,
        capacitance_f: float,
        damping_resistance_ohm: float = 0.0,
    ) -> RLCCircuit:
        """Circuit with a given damped period and damping rate, for an assumed capacitance.

        A measured waveform fixes omega and alpha only; C (or L) must come from elsewhere.
        L = 1 / (C (omega**2 + alpha**2)), R = 2 alpha L.
        """
        period = check_positive("damped_period_s", damped_period_s, "s")
        alpha = _check_non_negative("alpha_per_s", alpha_per_s, "1/s")
        capacitance = check_positive("capacitance_f", capacitance_f, "F")
        omega = 2.0 * math.pi / period
        inductance = 1.0 / (capacitance * (omega**2 + alpha**2))
        return cls(capacitance, inductance, 2.0 * alpha * inductance, damping_resistance_ohm)

    @classmethod
    def from_rise_time(
        cls,
        rise_time_s: float,
        inductance_h: float,
        resistance_ohm: float,
        damping_resistance_ohm: float = 0.0,
    ) -> RLCCircuit:
        """Circuit whose current peaks ``rise_time_s`` after the trigger, for a given L and R.

        Solves atan2(omega, alpha) / omega = rise_time for omega, then C = 1/(L (omega**2 +
        alpha**2)). Raises InvalidValueError when alpha * rise_time >= 1 (no underdamped solution).
        """
        from scipy.optimize import brentq  # only needed when building presets

        rise = check_positive("rise_time_s", rise_time_s, "s")
        inductance = check_positive("inductance_h", inductance_h, "H")
        resistance = _check_non_negative("resistance_ohm", resistance_ohm, "ohm")
        alpha = resistance / (2.0 * inductance)
        if alpha * rise >= 1.0:
            raise InvalidValueError(
                f"rise_time_s = {rise!r} is too long for R = {resistance} ohm, L = {inductance} H; "
                f"it must be < 2 L / R = {1.0 / alpha if alpha else math.inf} s"
            )
        omega_max = math.pi / (2.0 * rise)  # rise -> T/4 as alpha -> 0

        def excess(w: float) -> float:
            return math.atan2(w, alpha) - w * rise

        if excess(omega_max) >= 0.0:  # alpha too small to shift the peak in float64
            omega = omega_max
        else:
            omega = brentq(excess, 1e-9 * omega_max, omega_max)
        capacitance = 1.0 / (inductance * (omega**2 + alpha**2))
        return cls(capacitance, inductance, resistance, damping_resistance_ohm)

    def with_damping_resistance(self, damping_resistance_ohm: float) -> RLCCircuit:
        """The same circuit with another monophasic damping resistance R_d (ohm)."""
        return replace(self, damping_resistance_ohm=damping_resistance_ohm)

    # -- characteristic numbers -------------------------------------------------------------
    @property
    def alpha_per_s(self) -> float:
        """Damping rate alpha = R / (2 L), 1/s."""
        return self.resistance_ohm / (2.0 * self.inductance_h)

    @property
    def natural_angular_frequency(self) -> float:
        """Undamped angular frequency omega0 = 1 / sqrt(L C), rad/s."""
        return 1.0 / math.sqrt(self.inductance_h * self.capacitance_f)

    @property
    def natural_period_s(self) -> float:
        """Undamped period 2 pi sqrt(L C), s."""
        return 2.0 * math.pi * math.sqrt(self.inductance_h * self.capacitance_f)

    @property
    def critical_resistance_ohm(self) -> float:
        """R at which the circuit is critically damped, 2 sqrt(L / C), ohm."""
        return 2.0 * math.sqrt(self.inductance_h / self.capacitance_f)

    @property
    def is_underdamped(self) -> bool:
        """True when R < 2 sqrt(L/C), i.e. the discharge oscillates."""
        return self.alpha_per_s < self.natural_angular_frequency

    def _require_underdamped(self) -> None:
        if not self.is_underdamped:
            raise InvalidValueError(
                f"RLC circuit is not underdamped: R = {self.resistance_ohm:.6g} ohm >= "
                f"2 sqrt(L/C) = {self.critical_resistance_ohm:.6g} ohm; a stimulator discharge "
                "must oscillate (give R < 2 sqrt(L/C))"
            )

    @property
    def omega(self) -> float:
        """Damped angular frequency sqrt(1/(L C) - alpha**2), rad/s (underdamped only)."""
        self._require_underdamped()
        w0 = self.natural_angular_frequency
        a = self.alpha_per_s
        return math.sqrt((w0 - a) * (w0 + a))  # factored to keep precision near critical damping

    @property
    def damped_period_s(self) -> float:
        """Damped period 2 pi / omega, s: the duration of a biphasic pulse."""
        return 2.0 * math.pi / self.omega

    @property
    def quality_factor(self) -> float:
        """Q = omega0 / (2 alpha) (inf for R = 0)."""
        a = self.alpha_per_s
        return math.inf if a == 0 else self.natural_angular_frequency / (2.0 * a)

    @property
    def rise_time_s(self) -> float:
        """Time from trigger to the first current peak, atan2(omega, alpha) / omega, s."""
        w = self.omega
        return math.atan2(w, self.alpha_per_s) / w

    @property
    def decay_time_constant_s(self) -> float:
        """Monophasic tail time constant L / (R + R_d), s (inf when R + R_d = 0)."""
        total = self.resistance_ohm + self.damping_resistance_ohm
        return math.inf if total == 0 else self.inductance_h / total

    def duration_s(
        self,
        shape: str,
        n_cycles: int = 1,
        decay_fraction: float = DEFAULT_DECAY_FRACTION,
    ) -> float:
        """Pulse duration of ``shape`` for this circuit, s (independent of v0)."""
        shape = normalise_shape(shape)
        w = self.omega
        if shape == "biphasic":
            return 2.0 * math.pi / w
        if shape == "half-sine":
            return math.pi / w
        if shape == "polyphasic":
            return 2.0 * math.pi * _check_cycles(n_cycles) / w
        fraction = _check_fraction(decay_fraction)
        tau = self.decay_time_constant_s
        if math.isinf(tau):
            raise InvalidValueError(
                "monophasic pulse never decays: R + damping_resistance_ohm = 0 ohm; give R_d > 0"
            )
        return self.rise_time_s + tau * math.log(1.0 / fraction)

    # -- closed forms and sampled pulses ---------------------------------------------------
    def current(self, t_s: np.ndarray, v0_v: float) -> np.ndarray:
        """Free (unswitched) damped-sinusoid current I(t) at capacitor voltage v0.

        t_s: (K,) array, seconds. Returns: (K,) array, amperes.
        """
        return damped_sine_current(
            np.asarray(t_s, float), v0_v, self.inductance_h, self.alpha_per_s, self.omega
        )

    def didt(self, t_s: np.ndarray, v0_v: float) -> np.ndarray:
        """Free (unswitched) dI/dt(t) at capacitor voltage v0.

        t_s: (K,) array, seconds. Returns: (K,) array, A/s.
        """
        return damped_sine_didt(
            np.asarray(t_s, float), v0_v, self.inductance_h, self.alpha_per_s, self.omega
        )

    def waveform(
        self,
        shape: str,
        v0_v: float,
        dt_s: float = DEFAULT_DT_S,
        *,
        n_cycles: int = 1,
        decay_fraction: float = DEFAULT_DECAY_FRACTION,
        name: str = "",
    ) -> Waveform:
        """Sampled pulse of ``shape`` at capacitor voltage ``v0_v``; see :func:`rlc_waveform`."""
        return rlc_waveform(
            self, shape, v0_v, dt_s, n_cycles=n_cycles, decay_fraction=decay_fraction, name=name
        )


def damped_sine_current(
    t_s: np.ndarray, v0_v: float, inductance_h: float, alpha_per_s: float, omega: float
) -> np.ndarray:
    """I(t) = v0 / (omega L) exp(-alpha t) sin(omega t).

    t_s: (K,) array, s. Returns: (K,) array, A.
    """
    return v0_v / (omega * inductance_h) * np.exp(-alpha_per_s * t_s) * np.sin(omega * t_s)


def damped_sine_didt(
    t_s: np.ndarray, v0_v: float, inductance_h: float, alpha_per_s: float, omega: float
) -> np.ndarray:
    """dI/dt(t) = v0 / L exp(-alpha t) (cos(omega t) - alpha/omega sin(omega t)).

    t_s: (K,) array, s. Returns: (K,) array, A/s.
    """
    phase = omega * t_s
    return (
        v0_v
        / inductance_h
        * np.exp(-alpha_per_s * t_s)
        * (np.cos(phase) - alpha_per_s / omega * np.sin(phase))
    )


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array, dtype=float)
    array.flags.writeable = False
    return array


def _crossings(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Interpolated times where y changes sign strictly between two samples. Returns (M,) s."""
    k = np.nonzero(y[:-1] * y[1:] < 0)[0]
    return t[k] - y[k] * (t[k + 1] - t[k]) / (y[k + 1] - y[k])


@dataclass(frozen=True, eq=False)
class Waveform:
    """One sampled stimulator pulse.

    name: label, e.g. "magventure-magpro-x100 biphasic".
    shape: one of SHAPES.
    t_s: (K,) array, seconds, uniform steps from 0 (the trigger).
    current_a: (K,) array, amperes, coil current at capacitor voltage v0_v.
    didt_a_per_s: (K,) array, A/s, its time derivative (right-continuous at switching times).
    v0_v: capacitor voltage, volts; current_a and didt_a_per_s scale linearly with it.
    duration_s: exact (not grid-rounded) end of the pulse, seconds.
    """

    name: str
    shape: str
    t_s: np.ndarray
    current_a: np.ndarray
    didt_a_per_s: np.ndarray
    v0_v: float
    duration_s: float

    @property
    def dt_s(self) -> float:
        """Sampling step, seconds."""
        return float(self.t_s[1] - self.t_s[0])

    @property
    def e_field(self) -> np.ndarray:
        """Normalised induced E-field waveform e(t) = dI/dt(t) / dI/dt(0); (K,) array, e(0) = 1."""
        return self.didt_a_per_s / self.didt_a_per_s[0]

    @property
    def peak_current_a(self) -> float:
        """max |I|, amperes (over the samples)."""
        return float(np.max(np.abs(self.current_a)))

    @property
    def peak_didt_a_per_s(self) -> float:
        """max |dI/dt|, A/s. This is dI/dt(0) = v0 / L except for a monophasic pulse whose damping
        resistor makes the tail steeper, I_peak / tau > v0 / L."""
        return float(np.max(np.abs(self.didt_a_per_s)))

    @property
    def current_per_didt_s(self) -> float:
        """I_peak / dI/dt(0), seconds: what links a peak coil current (and, through the coil, a
        peak magnetic field) to the peak dI/dt. A property of the shape, not of the amplitude."""
        return self.peak_current_a / abs(float(self.didt_a_per_s[0]))

    @property
    def zero_crossings_s(self) -> np.ndarray:
        """Times where the current changes sign (linear interpolation); (M,) array, s."""
        return _crossings(self.t_s, self.current_a)

    @property
    def didt_zero_crossings_s(self) -> np.ndarray:
        """Times where dI/dt (and so the E-field) changes sign; (M,) array, s."""
        return _crossings(self.t_s, self.didt_a_per_s)

    def scaled(self, factor: float) -> Waveform:
        """The same pulse at ``factor`` times the capacitor voltage (the model is linear in v0)."""
        factor = check_positive("factor", factor)
        return replace(
            self,
            current_a=_frozen(self.current_a * factor),
            didt_a_per_s=_frozen(self.didt_a_per_s * factor),
            v0_v=self.v0_v * factor,
        )


def normalise_shape(shape: str) -> str:
    """Canonical shape name ("Half sine" -> "half-sine"); UnknownNameError if not in SHAPES."""
    key = str(shape).strip().lower().replace("_", "-").replace(" ", "-")
    key = {"halfsine": "half-sine", "half-sine": "half-sine"}.get(key, key)
    if key not in SHAPES:
        raise UnknownNameError("waveform shape", str(shape), SHAPES)
    return key


def _check_cycles(n_cycles: int) -> int:
    if isinstance(n_cycles, bool) or not isinstance(n_cycles, (int, np.integer)) or n_cycles < 1:
        raise InvalidValueError(
            f"n_cycles = {n_cycles!r} is not allowed; it must be an integer >= 1"
        )
    return int(n_cycles)


def _check_fraction(decay_fraction: float) -> float:
    fraction = check_positive("decay_fraction", decay_fraction)
    if fraction >= 1:
        raise InvalidValueError(
            f"decay_fraction = {decay_fraction!r} is not allowed; it must be in (0, 1)"
        )
    return fraction


MIN_DT_S = 1e-9


def check_dt(dt_s: float) -> float:
    """Return dt_s if 0 < dt_s <= MAX_DT_S (5 us), else raise InvalidValueError."""
    dt = check_positive("dt_s", dt_s, "s")
    if dt < MIN_DT_S:
        # Far below any solver's need: most likely seconds given where microseconds were meant.
        raise InvalidValueError(
            f"dt_s = {dt_s!r} s is too fine; it must be >= {MIN_DT_S:g} s (1 ns); "
            "is the step in the right unit?"
        )
    if dt > MAX_DT_S * (1 + 1e-12):
        raise InvalidValueError(
            f"dt_s = {dt_s!r} s is too coarse; it must be <= {MAX_DT_S:g} s (5 us) "
            "for the neuron layer"
        )
    return dt


def rlc_waveform(
    circuit: RLCCircuit,
    shape: str,
    v0_v: float,
    dt_s: float = DEFAULT_DT_S,
    *,
    n_cycles: int = 1,
    decay_fraction: float = DEFAULT_DECAY_FRACTION,
    name: str = "",
) -> Waveform:
    """Sample one pulse of ``shape`` from ``circuit`` charged to ``v0_v`` volts.

    dt_s: sampling step, 0 < dt_s <= 5e-6 s (default 1e-6 s).
    n_cycles: number of full cycles of a "polyphasic" pulse.
    decay_fraction: a "monophasic" pulse ends when I < decay_fraction * I_peak.
    Returns a Waveform with K = ceil(duration / dt) + 1 samples (the last one, at or after the
    end of the pulse, is zero).
    """
    shape = normalise_shape(shape)
    v0 = check_positive("v0_v", v0_v, "V")
    dt = check_dt(dt_s)
    duration = circuit.duration_s(shape, n_cycles=n_cycles, decay_fraction=decay_fraction)
    if duration > MAX_DURATION_S:
        raise InvalidValueError(
            f"the {shape} pulse would last {duration:.3g} s, longer than {MAX_DURATION_S:g} s; "
            "give a larger damping_resistance_ohm or decay_fraction"
        )
    steps = duration / dt
    if steps < 4:
        raise InvalidValueError(
            f"dt_s = {dt_s!r} s is too coarse for a {shape} pulse of {duration:.3g} s; "
            f"it must be <= {duration / 4:.3g} s"
        )
    n_end = math.ceil(steps - 1e-9)  # samples k < n_end lie inside the pulse
    t = np.arange(n_end + 1, dtype=float) * dt
    inside = np.arange(n_end + 1) < n_end
    current = np.zeros_like(t)
    didt = np.zeros_like(t)
    w, a, inductance = circuit.omega, circuit.alpha_per_s, circuit.inductance_h
    if shape == "monophasic":
        t_peak = circuit.rise_time_s
        rising = inside & (t < t_peak)
        tail = inside & ~rising
        current[rising] = damped_sine_current(t[rising], v0, inductance, a, w)
        didt[rising] = damped_sine_didt(t[rising], v0, inductance, a, w)
        i_peak = float(damped_sine_current(np.array(t_peak), v0, inductance, a, w))
        tau = circuit.decay_time_constant_s
        current[tail] = i_peak * np.exp(-(t[tail] - t_peak) / tau)
        didt[tail] = -current[tail] / tau
    else:
        current[inside] = damped_sine_current(t[inside], v0, inductance, a, w)
        didt[inside] = damped_sine_didt(t[inside], v0, inductance, a, w)
    label = name or f"RLC {shape}"
    return Waveform(label, shape, _frozen(t), _frozen(current), _frozen(didt), v0, duration)
