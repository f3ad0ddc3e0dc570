"""Strength-duration curves: threshold against pulse width, and the fitted time constant.

Rectangular E-field pulses of several widths (the idealised pulses of controllable-pulse TMS,
cTMS) are applied in a uniform field; the thresholds are fitted with the response of a
first-order (RC) membrane, the model Peterchev et al. (2013) and D'Ostilio et al. (2016) used
to estimate the strength-duration time constant of human motor cortex from cTMS thresholds:

    E_th(w) = E_rh / (1 - exp(-w / tau))   (Lapicque)

E_rh is the rheobase (V/m) and tau the strength-duration time constant (s). The fit is a least-
squares fit of log E_th, so every width weighs the same in relative terms. Published values:
tau = 196 +/- 33 us (Peterchev et al. 2013, Clin Neurophysiol 124:1364-1372, doi
10.1016/j.clinph.2013.01.011) and 230 +/- 97 us with posterior-anterior induced current
(D'Ostilio et al. 2016, Clin Neurophysiol 127:675-683, doi 10.1016/j.clinph.2015.05.017).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tmslab.errors import InvalidValueError
from tmslab.neuron.drive import DEFAULT_DT_S, rectangular_drive
from tmslab.neuron.threshold import DEFAULT_REL_TOL, direction_thresholds

# The cTMS pulse widths of Peterchev et al. (2013) and D'Ostilio et al. (2016), so the fitted
# time constant compares with theirs; pass more widths for a fuller curve.
DEFAULT_WIDTHS_S = (30e-6, 60e-6, 120e-6)


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
    """

    widths_s: np.ndarray
    thresholds_v_per_m: np.ndarray
    rheobase_v_per_m: float
    tau_s: float
    rms_log_error: float

    def fitted(self, widths_s: np.ndarray) -> np.ndarray:
        """The fitted curve at ``widths_s``.

        Parameters
        ----------
        widths_s : (N,) ndarray, s
            Pulse widths.

        Returns
        -------
        (N,) ndarray, V/m
            Fitted thresholds.
        """
        return lapicque(np.asarray(widths_s, dtype=float), self.rheobase_v_per_m, self.tau_s)

    def to_dict(self) -> dict:
        """The fields as a JSON-able dictionary (SI units)."""
        return {
            "widths_s": self.widths_s,
            "thresholds_v_per_m": self.thresholds_v_per_m,
            "rheobase_v_per_m": self.rheobase_v_per_m,
            "tau_s": self.tau_s,
            "rms_log_error": self.rms_log_error,
            "law": "lapicque: E_th = E_rh / (1 - exp(-w / tau))",
        }


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
    **solver_options,
) -> StrengthDuration:
    """Thresholds of ``model`` for rectangular pulses in a uniform field, and the Lapicque fit.

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
    **solver_options : Any
        Passed to the solver.

    Returns
    -------
    StrengthDuration
        Thresholds and the fitted rheobase and time constant.
    """
    widths = np.asarray(widths_s, dtype=float)
    if widths.ndim != 1 or len(widths) < 3 or not np.all(widths > 0):
        raise InvalidValueError(
            "give three or more pulse widths > 0 s for a strength-duration curve"
        )
    thresholds = np.empty(len(widths))
    actual = np.empty(len(widths))
    for k, width in enumerate(widths):
        drive = rectangular_drive(width, dt_s)
        actual[k] = round(len(drive.e) * drive.dt_s, 12)
        result = direction_thresholds(
            model, drive, np.asarray(direction, float)[None], solver, rel_tol, **solver_options
        )
        thresholds[k] = result.thresholds_v_per_m[0]
    rheobase, tau, error = fit_lapicque(actual, thresholds)
    return StrengthDuration(actual, thresholds, rheobase, tau, error)
