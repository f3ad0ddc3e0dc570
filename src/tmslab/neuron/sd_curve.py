"""Strength-duration curves: threshold against pulse width, and the fitted time constant.

Rectangular E-field pulses of several widths (the idealised pulses of controllable-pulse TMS,
cTMS) are applied in a uniform field; the thresholds are fitted with the response of a
first-order (RC) membrane, the model Peterchev et al. (2013) and D'Ostilio et al. (2016) used
to estimate the strength-duration time constant of human motor cortex from cTMS thresholds:

    E_th(w) = E_rh / (1 - exp(-w / tau))   (Lapicque)

E_rh is the rheobase (V/m) and tau the strength-duration time constant (s). The fit is a least-
squares fit of log E_th, so every width weighs the same in relative terms.

The human values come from real cTMS pulses, not rectangles: a drooping positive phase of width
w followed by a charge-balancing negative phase of M = 0.2 times its amplitude
(:func:`tmslab.neuron.drive.ctms_drive`). Peterchev et al. (2013) therefore fitted the first-
order membrane to the actual waveform: the threshold is inversely proportional to the peak of
the E-field waveform e_w(t) passed through a low-pass filter of time constant tau,

    E_th(w) = E_rh / max_t (h_tau * e_w)(t),   h_tau(t) = exp(-t / tau) / tau   (filter fit)

which is Lapicque's law for a rectangular pulse. ``pulse="ctms", fit="filter"`` is that method
(the filter is the exact step response for a waveform held over each sample). Published values:
tau = 196 +/- 33 us (Peterchev et al. 2013, Clin Neurophysiol 124:1364-1372, doi
10.1016/j.clinph.2013.01.011) and 230 +/- 97 us with posterior-anterior induced current
(D'Ostilio et al. 2016, Clin Neurophysiol 127:675-683, doi 10.1016/j.clinph.2015.05.017).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.neuron.drive import CTMS_M_RATIO, DEFAULT_DT_S, ctms_drive, rectangular_drive
from tmslab.neuron.threshold import DEFAULT_REL_TOL, direction_thresholds

# The cTMS pulse widths of Peterchev et al. (2013) and D'Ostilio et al. (2016), so the fitted
# time constant compares with theirs; pass more widths for a fuller curve.
DEFAULT_WIDTHS_S = (30e-6, 60e-6, 120e-6)
PULSES = ("rect", "ctms")
FITS = ("lapicque", "filter")


@dataclass(frozen=True, eq=False)
class StrengthDuration:
    """Thresholds against pulse width and the fitted first-order membrane.

    Attributes
    ----------
    widths_s : (W,) ndarray, s
        Pulse widths.
    thresholds_v_per_m : (W,) ndarray, V/m
        Thresholds.
    rheobase_v_per_m : float, V/m
        Fitted E_rh.
    tau_s : float, s
        Fitted time constant.
    rms_log_error : float, dimensionless
        Root-mean-square of log(E_fit / E_th) over the widths.
    pulse : str
        "rect" (rectangular pulses) or "ctms" (:func:`~tmslab.neuron.drive.ctms_drive`).
    fit : str
        "lapicque" or "filter" (first-order filter on the actual waveform).
    m_ratio : float, dimensionless
        M of the cTMS pulses (unused for rectangles).
    dt_s : float, s
        Sampling step of the pulses.
    """

    widths_s: np.ndarray
    thresholds_v_per_m: np.ndarray
    rheobase_v_per_m: float
    tau_s: float
    rms_log_error: float
    pulse: str = "rect"
    fit: str = "lapicque"
    m_ratio: float = CTMS_M_RATIO
    dt_s: float = DEFAULT_DT_S

    def fitted(self, widths_s: np.ndarray) -> np.ndarray:
        """The fitted curve at ``widths_s``.

        Parameters
        ----------
        widths_s : (N,) ndarray, s
            Pulse widths.

        Returns
        -------
        (N,) ndarray, V/m
            Fitted thresholds (thresholds are the waveform's peak field).
        """
        widths = np.asarray(widths_s, dtype=float)
        if self.fit == "lapicque":
            return lapicque(widths, self.rheobase_v_per_m, self.tau_s)
        # A finer step than the solver's, so the curve does not step with the rounded widths.
        dt = min(self.dt_s, 0.25e-6)
        drives = [pulse_drive(self.pulse, w, dt, self.m_ratio) for w in widths]
        peaks = np.array([filtered_peak(d.e, d.dt_s, self.tau_s) for d in drives])
        return self.rheobase_v_per_m / peaks

    def to_dict(self) -> dict:
        """The fields as a JSON-able dictionary (SI units)."""
        return {
            "widths_s": self.widths_s,
            "thresholds_v_per_m": self.thresholds_v_per_m,
            "rheobase_v_per_m": self.rheobase_v_per_m,
            "tau_s": self.tau_s,
            "rms_log_error": self.rms_log_error,
            "pulse": self.pulse if self.pulse == "rect" else f"ctms (M = {self.m_ratio:g})",
            "law": LAWS[self.fit],
        }


LAWS = {
    "lapicque": "lapicque: E_th = E_rh / (1 - exp(-w / tau))",
    "filter": "first-order filter (Peterchev et al. 2013): E_th = E_rh / max_t (h_tau * e_w)(t)",
}


def pulse_drive(pulse: str, width_s: float, dt_s: float = DEFAULT_DT_S, m_ratio=CTMS_M_RATIO):
    """The pulse of width ``width_s``: rectangular (``"rect"``) or cTMS (``"ctms"``).

    Parameters
    ----------
    pulse : str
        "rect" or "ctms".
    width_s : float, s
        Pulse (positive-phase) width.
    dt_s : float, s
        Sampling step.
    m_ratio : float, dimensionless
        M of a cTMS pulse.

    Returns
    -------
    Drive
        The normalised pulse.
    """
    if pulse == "rect":
        return rectangular_drive(width_s, dt_s)
    if pulse == "ctms":
        return ctms_drive(width_s, m_ratio, dt_s)
    raise InvalidValueError(f"pulse {pulse!r}: give one of {', '.join(PULSES)}")


def filtered_peak(e: np.ndarray, dt_s: float, tau_s: float) -> float:
    """Peak of a waveform through a first-order low-pass filter of unit DC gain.

    The response of ``tau dv/dt = e(t) - v`` from v = 0, with e held over each step (exact:
    v_{k+1} = a v_k + (1 - a) e_k, a = exp(-dt / tau)); for a rectangular pulse of width w the
    peak is 1 - exp(-w / tau), Lapicque's law.

    Parameters
    ----------
    e : (K,) ndarray, dimensionless
        Waveform samples.
    dt_s : float, s
        Step.
    tau_s : float, s
        Filter time constant, > 0.

    Returns
    -------
    float, dimensionless
        max_t v(t), in the unit of ``e``.
    """
    from scipy.signal import lfilter

    a = np.exp(-dt_s / tau_s)
    v = lfilter([1.0 - a], [1.0, -a], np.asarray(e, dtype=float))
    return float(max(np.max(v), 0.0))


def fit_filter(waveforms, dt_s: float, thresholds: np.ndarray) -> tuple[float, float, float]:
    """Least-squares fit of log thresholds to the first-order filter model (Peterchev 2013).

    ``E_th,k = E_rh / max_t (h_tau * e_k)(t)``: the method of Peterchev et al. (2013, Clin
    Neurophysiol 124:1364) and D'Ostilio et al. (2016), here fitted in log thresholds like
    :func:`fit_lapicque` (a bounded search over log tau, then E_rh in closed form).

    Parameters
    ----------
    waveforms : sequence of (K_k,) ndarray, dimensionless
        The pulses' waveforms, scaled so that the thresholds are their peak |e| (max |e| = 1).
    dt_s : float, s
        Their sampling step.
    thresholds : (W,) ndarray, V/m
        Thresholds (any unit), finite and > 0 at three or more pulses.

    Returns
    -------
    rheobase : float, V/m
        In the unit of ``thresholds``.
    tau_s : float, s
        Time constant (1 us - 100 ms).
    rms_log_error : float, dimensionless
        Root-mean-square log error.

    Raises
    ------
    InvalidValueError
        If fewer than three finite positive thresholds are given, or no time constant up to
        100 ms fits (thresholds falling with width faster than the filter allows).
    """
    from scipy.optimize import minimize_scalar

    e = np.asarray(thresholds, dtype=float)
    ok = np.isfinite(e) & (e > 0)
    if np.sum(ok) < 3 or len(waveforms) != len(e):
        raise InvalidValueError(
            "a strength-duration fit needs thresholds at three or more pulse widths; "
            "the cell did not fire at enough widths"
        )
    waves = [np.asarray(w, dtype=float) for w, good in zip(waveforms, ok, strict=True) if good]
    log_e = np.log(e[ok])

    def residual(log_tau: float) -> np.ndarray:
        peaks = np.array([filtered_peak(w, dt_s, np.exp(log_tau)) for w in waves])
        r = -np.log(peaks) - log_e
        return r - np.mean(r)  # the best log E_rh absorbs the mean

    def cost(log_tau: float) -> float:
        return float(np.sum(residual(log_tau) ** 2))

    # Coarse grid then a bounded refinement: the cost is smooth but flat at the extremes.
    grid = np.linspace(np.log(1e-6), np.log(0.1), 120)
    k = int(np.argmin([cost(x) for x in grid]))
    if k == len(grid) - 1:
        # Thresholds fall with width faster than the filtered peaks can (their ratio tends to
        # that of the positive-phase areas as tau grows): not a first-order membrane excited by
        # the positive phase; typically the negative phase excites, in the opposite direction.
        shown = ", ".join(f"{x:.4g}" for x in e)
        raise InvalidValueError(
            f"thresholds {shown} fall with pulse width faster than any first-order membrane "
            "allows for these pulses (the negative phase may excite); no filter fit"
        )
    best = grid[k]
    step = grid[1] - grid[0]
    fit = minimize_scalar(
        cost, bounds=(best - step, best + step), method="bounded", options={"xatol": 1e-10}
    )
    log_tau = float(fit.x)
    peaks = np.array([filtered_peak(w, dt_s, np.exp(log_tau)) for w in waves])
    log_rh = float(np.mean(log_e + np.log(peaks)))
    error = float(np.sqrt(np.mean(residual(log_tau) ** 2)))
    return float(np.exp(log_rh)), float(np.exp(log_tau)), error


def lapicque(widths_s: np.ndarray, rheobase: float, tau_s: float) -> np.ndarray:
    """``E_rh / (1 - exp(-w / tau))``.

    Parameters
    ----------
    widths_s : (N,) ndarray, s
        Pulse widths w.
    rheobase : float, V/m
        E_rh (any unit; the result has the same one).
    tau_s : float, s
        Time constant.

    Returns
    -------
    (N,) ndarray, V/m
        Thresholds, in the unit of ``rheobase``.
    """
    return rheobase / -np.expm1(-np.asarray(widths_s, dtype=float) / tau_s)


def fit_lapicque(widths_s: np.ndarray, thresholds: np.ndarray) -> tuple[float, float, float]:
    """Least-squares fit of log thresholds to :func:`lapicque`.

    Parameters
    ----------
    widths_s : (W,) ndarray, s
        Pulse widths, W >= 3.
    thresholds : (W,) ndarray, V/m
        Thresholds (any unit), finite and > 0.

    Returns
    -------
    rheobase : float, V/m
        In the unit of ``thresholds``.
    tau_s : float, s
        Time constant.
    rms_log_error : float, dimensionless
        Root-mean-square log error.

    Raises
    ------
    InvalidValueError
        If fewer than three finite positive thresholds are given.
    """
    from scipy.optimize import least_squares

    w = np.asarray(widths_s, dtype=float)
    e = np.asarray(thresholds, dtype=float)
    ok = np.isfinite(e) & (e > 0)
    if np.sum(ok) < 3:
        raise InvalidValueError(
            "a strength-duration fit needs thresholds at three or more pulse widths; "
            "the cell did not fire at enough widths"
        )
    w, e = w[ok], e[ok]

    def residual(p: np.ndarray) -> np.ndarray:
        return np.log(lapicque(w, np.exp(p[0]), np.exp(p[1]))) - np.log(e)

    start = np.array([np.log(np.min(e)), np.log(np.median(w))])
    fit = least_squares(residual, start, method="lm")
    rheobase, tau = float(np.exp(fit.x[0])), float(np.exp(fit.x[1]))
    return rheobase, tau, float(np.sqrt(np.mean(fit.fun**2)))


def strength_duration(
    model,
    direction=(1.0, 0.0, 0.0),
    widths_s=DEFAULT_WIDTHS_S,
    dt_s: float = DEFAULT_DT_S,
    solver: str = "batched",
    rel_tol: float = DEFAULT_REL_TOL,
    pulse: str = "rect",
    fit: str = "lapicque",
    m_ratio: float = CTMS_M_RATIO,
    **solver_options,
) -> StrengthDuration:
    """Thresholds of ``model`` for pulses of several widths in a uniform field, and the fit.

    The default, rectangular pulses with the Lapicque fit, is the idealised method; ``pulse=
    "ctms", fit="filter"`` is the method of the human measurements (module docstring).

    Parameters
    ----------
    model : CellModel
        The cell.
    direction : (3,) array_like, dimensionless
        Field direction.
    widths_s : (W,) array_like, s
        Pulse widths.
    dt_s : float, s
        Solver step.
    solver : str
        "batched" or "neuron".
    rel_tol : float, dimensionless
        Relative tolerance of the threshold bisection.
    pulse : str
        "rect" (rectangular pulses) or "ctms" (cTMS pulses, :func:`~tmslab.neuron.drive.ctms_drive`).
    fit : str
        "lapicque" (E_rh / (1 - exp(-w / tau)), exact for rectangles) or "filter" (first-order
        filter on the actual waveform, Peterchev et al. 2013).
    m_ratio : float, dimensionless
        M of the cTMS pulses.
    **solver_options : Any
        Passed to the solver.

    Returns
    -------
    StrengthDuration
        Thresholds (peak field of each pulse) and the fitted rheobase and time constant.
    """
    widths = np.asarray(widths_s, dtype=float)
    if widths.ndim != 1 or len(widths) < 3 or not np.all(widths > 0):
        raise InvalidValueError(
            "give three or more pulse widths > 0 s for a strength-duration curve"
        )
    if fit not in FITS:
        raise InvalidValueError(f"fit {fit!r}: give one of {', '.join(FITS)}")
    drives = [pulse_drive(pulse, width, dt_s, m_ratio) for width in widths]
    dt = drives[0].dt_s
    # The positive phase is a whole number of steps; report the width actually simulated.
    actual = np.array([round(max(1, round(w / dt)) * dt, 12) for w in widths])
    unit = np.asarray(direction, float)[None]
    thresholds = np.array(
        [
            direction_thresholds(
                model, drive, unit, solver, rel_tol, **solver_options
            ).thresholds_v_per_m[0]
            for drive in drives
        ]
    )
    if fit == "lapicque":
        rheobase, tau, error = fit_lapicque(actual, thresholds)
    else:
        rheobase, tau, error = fit_filter([d.e for d in drives], dt, thresholds)
    return StrengthDuration(
        actual, thresholds, rheobase, tau, error, pulse, fit, float(m_ratio), dt
    )
